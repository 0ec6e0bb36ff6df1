/**
 * Runs before every test file (vitest.config.ts, setupFiles): the file gets a
 * temporary directory of its own inside the run's scratch directory
 * (test/db/globalSetup.ts makes it and removes it after the run). os.tmpdir()
 * — TMPDIR — points there while the file runs, so what the file and the
 * processes it starts create under tmpdir() (project directories, embedded
 * databases of about 40 MB) is the file's, and nothing lands in /tmp.
 *
 * After the file's own hooks (this one was registered first, and after-hooks
 * run last-registered first), whatever is left in its directory is removed,
 * and the file fails naming it: a test removes what it creates, also when it
 * fails (afterAll / afterEach / try … finally).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, inject } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/**
 * What the file left elsewhere (test/db/harness.ts: databases on the test
 * server), reported here: an after-hook that throws would keep the hooks
 * registered before it, this one included, from running.
 */
const leftovers: string[] = [];
export function reportLeftovers(message: string): void {
  leftovers.push(message);
}
const scratch = inject('scratchDirectory');
if (scratch) {
  const files = join(scratch, 'files');
  mkdirSync(files, { recursive: true });
  const own = mkdtempSync(join(files, 'file-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = own;

  // (vitest reads the first parameter as fixtures: it must be a destructuring pattern)
  // biome-ignore lint/correctness/noEmptyPattern: vitest requires the fixtures parameter to be a pattern
  afterAll(({}, suite) => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(own);
    rmSync(own, { recursive: true, force: true });
    const file = 'filepath' in suite ? relative(ROOT, suite.filepath) : suite.name;
    const problems = [...leftovers];
    if (left.length > 0) {
      const message = `${file} left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in its temporary directory (now removed): ${left.sort().join(', ')}`;
      problems.push(message);
    }
    if (problems.length > 0) throw new Error(`${problems.join('; ')}. A test removes what it creates, in afterAll or afterEach`);
  });
}
