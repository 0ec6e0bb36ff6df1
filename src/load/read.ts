/**
 * Reading at most a given number of bytes from a file, a device, a FIFO or
 * standard input. `readFileSync` reads until the end, which /dev/zero or an
 * endless pipe never reach: the caller asks for one byte more than it
 * accepts, and a result that long means "too large" without reading on.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const FIRST_CHUNK = 64 * 1024;
const RETRY_MS = 5;

/** Blocks the thread for `ms` (only while a non-blocking standard input has nothing yet). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Up to `limit` bytes of `source` (a path, or a descriptor such as 0 for standard input), read in growing chunks. */
export function readAtMost(source: string | number, limit: number): Buffer {
  const fd = typeof source === 'number' ? source : openSync(source, 'r');
  try {
    // The buffer grows as data comes, so a small file costs a small buffer, and never past `limit`.
    let buffer = Buffer.allocUnsafe(Math.min(limit, FIRST_CHUNK));
    let total = 0;
    while (total < limit) {
      if (total === buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, total, buffer.length - total, null);
      } catch (e) {
        // A standard input its parent made non-blocking says "nothing yet" instead of waiting.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          pause(RETRY_MS);
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      total += n;
    }
    return buffer.subarray(0, total);
  } finally {
    if (typeof source !== 'number') closeSync(fd);
  }
}
