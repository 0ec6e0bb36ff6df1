/** The embedded database's lock file: one process at a time, a dead holder's lock is taken over. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError } from '../src/db/errors.js';
import { lockFile } from '../src/db/fileLock.js';

const made: string[] = [];
const lockPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'altan-lock-'));
  made.push(dir);
  return join(dir, 'db.lock');
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('lockFile', () => {
  it('makes a second taker wait, then fail naming the holder; release lets it in', async () => {
    const path = lockPath();
    const release = await lockFile(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    const second = await lockFile(path, 300).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConnectionError);
    expect((second as Error).message).toBe(`the embedded database is in use by process ${process.pid} (lock file ${path})`);
    const waiting = lockFile(path, 5_000);
    release();
    const releaseSecond = await waiting;
    expect(existsSync(path)).toBe(true);
    releaseSecond();
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose process has died', async () => {
    const path = lockPath();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path, `${dead.stdout}\n`);
    const release = await lockFile(path, 1_000);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    release();
  });
});
