/** Reading the requirements file and writing results, for the commands. */
import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { MAX_FILE_BYTES } from '../load/document.js';
import { readAtMost } from '../load/read.js';

export const EXIT = { ok: 0, invalid: 1, database: 2, changes: 3, usage: 64, internal: 70 } as const;

/** A problem the user can fix, reported without a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.invalid) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * The file's bytes; `-` reads standard input. Reading stops one byte past the
 * size limit, so that /dev/zero or an endless pipe is refused as too large
 * (by the loader, as any file over the limit) after 5 MiB, not read forever.
 */
export function readSource(file: string): Uint8Array {
  try {
    return readAtMost(file === '-' ? 0 : file, MAX_FILE_BYTES + 1);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`${file}: cannot read the requirements file: ${why}`);
  }
}

export function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UserError(`${path}: cannot write: ${(e as Error).message}`);
  }
}

export function report(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
}
