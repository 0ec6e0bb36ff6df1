/**
 * A standard output or error that its reader closed (`altan-cloud generate
 * big.yaml | head -1`): Node reports the failed write as an `EPIPE` 'error'
 * event on the stream, and without a listener that event ends the process
 * with a stack trace. A closed stream is the reader saying it has read
 * enough, so writing to it stops quietly and the command ends as it would
 * have (its own exit code: generate 0, `plan --exit-code` 3, …). Commands
 * write their output once, after their work (apply after its commit), so
 * finishing costs nothing and never cuts a command short halfway.
 */
import type { Output } from './io.js';

/** What main.ts passes: `process.stdout` or `process.stderr`. */
export interface ProcessStream extends Output {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/** `stream` as an `Output` that stops writing, silently, once its reader has closed it. */
export function quietWhenClosed(stream: ProcessStream): Output {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') closed = true;
    // A write that was already under way when the pipe closed fails as a write to a destroyed stream.
    else if (!(closed && error.code === 'ERR_STREAM_DESTROYED')) throw error;
  });
  return {
    write: (text: string) => (closed ? true : stream.write(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}
