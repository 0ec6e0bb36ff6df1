/**
 * A lock file for the embedded database. PGlite is one process's database:
 * two processes opening the same directory would corrupt it, so a second
 * `apply` waits here for the first, as two applies on a server wait for the
 * advisory lock.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAtMost } from '../load/read.js';
import { ConnectionError } from './errors.js';

const POLL_MS = 100;
const WAIT_MS = 120_000;
const STALE_EMPTY_MS = 2_000;

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Another waiter removed it first.
  }
}

function holder(path: string): number | undefined {
  try {
    // A pid and a newline: whatever else the file holds is not read.
    const pid = Number.parseInt(readAtMost(path, 32).toString('utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` still runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `path` (waiting for a live holder, taking over from a dead one); returns the release function. */
export async function lockFile(path: string, waitMs = WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  let emptySince: number | undefined;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        removeStale(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConnectionError(`cannot lock ${path}: ${(e as Error).message}`);
      }
    }
    const pid = holder(path);
    if (pid === undefined) {
      // Being written by its new holder, or left empty by a crash: give it a moment.
      emptySince ??= Date.now();
      if (Date.now() - emptySince > STALE_EMPTY_MS) removeStale(path);
      else await sleep(POLL_MS);
      continue;
    }
    emptySince = undefined;
    if (!processAlive(pid)) {
      removeStale(path);
      continue;
    }
    if (Date.now() > deadline) {
      throw new ConnectionError(
        `the embedded database is in use by process ${pid} (lock file ${path})`,
        'database-in-use',
        `wait until process ${pid} is done, then run the command again`,
      );
    }
    await sleep(POLL_MS);
  }
}
