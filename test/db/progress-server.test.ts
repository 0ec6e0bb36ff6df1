/**
 * Progress on a terminal against a server (src/cli/progress.ts): with stderr
 * taken for a terminal and a delay of 0 ms, connecting, applying, verifying
 * and planning each show their line, and each line is cleared before the
 * next output. The embedded database's cases: test/cli-progress.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, runCliInProcess, temporaryDirectory } from '../helpers.js';
import { dropDatabase, freshDatabase } from './harness.js';

const CLEAR = '\r\x1b[K';
const env = { DATABASE_URL: undefined };
let url: string;
let dir: string;

beforeAll(async () => {
  url = await freshDatabase('progress');
  dir = temporaryDirectory('altan-progress-');
  writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  todos:\n    owner: user\n    fields:\n      title: text\n');
});

afterAll(async () => {
  await dropDatabase(url);
  removeTemporaryDirectories();
});

describe('progress against a server', () => {
  it('names each slow step and clears it; none without a terminal', async () => {
    const applied = await runCliInProcess(['apply', '--verify', '--database-url', url], { cwd: dir, env, progressAfterMs: 0 });
    expect(applied.status, applied.stderr).toBe(0);
    for (const label of ['connecting to the database…', 'applying…', 'verifying the access rules…']) expect(applied.stderr).toContain(`${label}${CLEAR}`);
    // Once the terminal has erased each line, what is left is the usual stderr.
    expect(applied.stderr.replace(/[^\r\n]*\r\x1b\[K/g, '')).toMatch(/^database: postgres:\/\/.*\(--database-url\)\n$/);

    const planned = await runCliInProcess(['plan', '--database-url', url], { cwd: dir, env, progressAfterMs: 0 });
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stderr).toContain(`comparing with the database…${CLEAR}`);

    const quiet = await runCliInProcess(['verify', '--database-url', url], { cwd: dir, env });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('…');
  });
});
