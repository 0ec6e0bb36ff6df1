/**
 * `init` keeps the embedded database out of git: `.altan-cloud/` in the
 * folder's .gitignore, created or appended to, never twice.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, runCliInProcess, temporaryDirectory } from './helpers.js';

afterAll(removeTemporaryDirectories);

const gitignore = (dir: string) => readFileSync(join(dir, '.gitignore'), 'utf8');

describe('init and .gitignore', () => {
  it('creates .gitignore when there is none', async () => {
    const dir = temporaryDirectory('altan-init-');
    const r = await runCliInProcess(['init'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\nwrote .gitignore: the embedded database stays out of git\n');
    expect(gitignore(dir)).toBe('# the embedded database of altan-cloud\n.altan-cloud/\n');
  });

  it('appends to an existing one, after a line break of its own, in its line endings', async () => {
    const dir = temporaryDirectory('altan-init-');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\r\ndist');
    const r = await runCliInProcess(['init'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\nadded .altan-cloud/ to .gitignore: the embedded database stays out of git\n');
    expect(gitignore(dir)).toBe('node_modules\r\ndist\r\n.altan-cloud/\r\n');

    const other = temporaryDirectory('altan-init-');
    writeFileSync(join(other, '.gitignore'), 'node_modules\n');
    expect((await runCliInProcess(['init'], { cwd: other })).status).toBe(0);
    expect(gitignore(other)).toBe('node_modules\n.altan-cloud/\n');
  });

  it('never adds it twice: a second init, or the folder already ignored in another spelling', async () => {
    const dir = temporaryDirectory('altan-init-');
    expect((await runCliInProcess(['init'], { cwd: dir })).status).toBe(0);
    const again = await runCliInProcess(['init', 'second.yaml'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('.gitignore');
    expect(gitignore(dir)).toBe('# the embedded database of altan-cloud\n.altan-cloud/\n');

    for (const spelling of ['/.altan-cloud', '  .altan-cloud  ', '.altan-cloud/**']) {
      const other = temporaryDirectory('altan-init-');
      writeFileSync(join(other, '.gitignore'), `dist\n${spelling}\n`);
      expect((await runCliInProcess(['init'], { cwd: other })).status).toBe(0);
      expect(gitignore(other)).toBe(`dist\n${spelling}\n`);
    }
  });

  it('a .gitignore that cannot be written is a note, not a failed init', async () => {
    const dir = temporaryDirectory('altan-init-');
    // A directory where the file should be: neither readable as text nor writable.
    mkdirSync(join(dir, '.gitignore'));
    const r = await runCliInProcess(['init'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: could not add \.altan-cloud\/ to \.gitignore: /);
    expect(readFileSync(join(dir, 'altan.yaml'), 'utf8')).toMatch(/^#/);
  });
});
