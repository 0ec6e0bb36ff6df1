/**
 * `init` keeps the embedded database out of git: `.altan-cloud/` (the
 * database, tens of MB of binary files that change on every apply) goes into
 * the folder's `.gitignore`, which is created when missing and appended to
 * otherwise, never twice.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IGNORED_ENTRY = '.altan-cloud/';

/** The lines that already ignore the folder (anywhere or at the root, with or without its contents' glob). */
const ALREADY_IGNORED = new Set([
  '.altan-cloud',
  '.altan-cloud/',
  '/.altan-cloud',
  '/.altan-cloud/',
  '.altan-cloud/*',
  '.altan-cloud/**',
  '/.altan-cloud/*',
  '/.altan-cloud/**',
]);

export type GitignoreChange = 'created' | 'appended' | 'present';

/** Makes `<dir>/.gitignore` ignore the embedded database; says what it did. Throws the file system's error. */
export function ignoreEmbeddedDatabase(dir: string): GitignoreChange {
  const path = join(dir, '.gitignore');
  if (!existsSync(path)) {
    writeFileSync(path, `# the embedded database of altan-cloud\n${IGNORED_ENTRY}\n`, { flag: 'wx' });
    return 'created';
  }
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => ALREADY_IGNORED.has(line))) return 'present';
  // Written in the file's own line endings, after a line break of its own when its last line has none.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  writeFileSync(path, `${text}${separator}${IGNORED_ENTRY}${eol}`);
  return 'appended';
}
