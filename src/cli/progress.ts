/**
 * Progress on a terminal: a step that is still running after a second (opening
 * the embedded database, applying, verifying) says so on stderr, on one line
 * that is cleared when the step ends, so that a slow first run does not look
 * hung. Only when stderr is a terminal (`CliIo.progress`, set by main.ts from
 * the real stream's isTTY; off by default, so tests and pipes see nothing)
 * and never with --json. Anything else written to stderr while a line is
 * shown clears it first, so messages never land at the end of it.
 */
import type { CliIo, Output } from './io.js';

/** How long a step runs before it is announced. */
export const PROGRESS_AFTER_MS = 1000;

/** Moves to the start of the line and erases it. */
const CLEAR_LINE = '\r\x1b[K';

export interface Progress {
  /** `io`, its stderr clearing a shown progress line before anything else is written. */
  readonly io: CliIo;
  /** `work`'s result; `label` ("applying…") is shown while it runs, once it has run for PROGRESS_AFTER_MS. */
  step<T>(label: string, work: Promise<T>): Promise<T>;
}

/** Progress for one command on `io`; `json` (or a stderr that is not a terminal) shows none. */
export function progressFor(io: CliIo, json: boolean | undefined): Progress {
  if (io.progress !== true || json === true) return { io, step: (_label, work) => work };
  const stderr = io.stderr;
  let shown = false;
  const clear = () => {
    if (shown) stderr.write(CLEAR_LINE);
    shown = false;
  };
  const clearing: Output = {
    write: (text: string) => {
      clear();
      return stderr.write(text);
    },
    ...(stderr.isTTY !== undefined ? { isTTY: stderr.isTTY } : {}),
    ...(stderr.columns !== undefined ? { columns: stderr.columns } : {}),
  };
  const afterMs = io.progressAfterMs ?? PROGRESS_AFTER_MS;
  return {
    io: { ...io, stderr: clearing },
    step: async (label, work) => {
      const timer = setTimeout(() => {
        clear();
        stderr.write(label);
        shown = true;
      }, afterMs);
      // A step that ends the process early (Ctrl-C's second press) must not be held up by the timer.
      timer.unref?.();
      try {
        return await work;
      } finally {
        clearTimeout(timer);
        clear();
      }
    },
  };
}
