/**
 * What the commands read from and write to: the process's streams, its
 * environment and its working directory, passed in (`CliIo`) so that the
 * command line runs the same in its own process (main.ts) and inside another
 * one (run.ts's `runCli`, as the tests call it). Nothing under src/cli/ but
 * main.ts touches `process`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { MAX_FILE_BYTES } from '../load/document.js';
import { readAtMost } from '../load/read.js';
import { AltanError } from '../problems.js';
import type { ProblemCategory } from '../problems.js';

/** Where text goes: `process.stdout` or anything with `write`. A TTY's width is used for `--help`. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /**
   * Standard input, read only for the file `-`: its bytes, or a function reading at most `limit`
   * bytes of it (the process's own standard input). Absent: empty.
   */
  readonly stdin?: Uint8Array | ((limit: number) => Uint8Array);
  /**
   * Standard input as a terminal, for `sql`'s prompt: whether it is one, and its streams with
   * the output's (made only when the prompt opens). Absent: no prompt; `sql` reads `stdin`.
   */
  readonly terminal?: {
    readonly isTTY: boolean;
    readonly open: () => { readonly input: NodeJS.ReadableStream; readonly output: NodeJS.WritableStream };
  };
  /** The environment: DATABASE_URL. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (the requirements file, -o, init's file, ./.altan-cloud/db) are taken from here. */
  readonly cwd: string;
  /**
   * Ctrl-C: `onInterrupt(handler)` makes an interrupt call `handler` (a database command
   * cancels its statement and rolls back) instead of ending the process; it returns the
   * function that stops that. Absent: never interrupted.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /**
   * SIGTERM (a service manager stopping the process): `onTerminate(handler)` makes it call `handler`
   * instead of ending the process, until the returned function is called. Only `worker` listens.
   */
  readonly onTerminate?: (handler: () => void) => () => void;
  /**
   * Show a slow step's progress on stderr (progress.ts): main.ts sets it when stderr is a
   * terminal. Absent: never. `progressAfterMs` (tests) replaces the second a step runs first.
   */
  readonly progress?: boolean;
  readonly progressAfterMs?: number;
}

/**
 * How a command ended without throwing: `ok`, `changes` (`plan --exit-code`
 * found some), or the category of a problem it has already printed (an
 * invalid file's diagnostics, a plan's blockers, a verify's failures).
 * Thrown problems (`AltanError`) are printed by run.ts. Only run.ts turns
 * either into an exit code.
 */
export type Outcome = 'ok' | 'changes' | ProblemCategory;

/**
 * A problem of the command line's own, reported without a stack trace:
 * `file-unreadable`, `file-exists` (init never overwrites), `output-unwritable`.
 */
export class UserError extends AltanError {
  constructor(message: string, code: 'file-unreadable' | 'file-exists' | 'output-unwritable', hint?: string) {
    super(message, 'invalid', { code, message, ...(hint !== undefined ? { hint } : {}) });
    this.name = 'UserError';
  }
}

/** `path` as the process would open it: relative to the command's working directory. */
export function pathIn(io: CliIo, path: string): string {
  return resolve(io.cwd, path);
}

/** An error of the file system, naming the path as the user gave it (Node's message names the one opened). */
export function fsMessage(e: unknown, opened: string, given: string): string {
  return (e as Error).message.split(opened).join(given);
}

function readStdin(io: CliIo, limit: number): Uint8Array {
  const stdin = io.stdin;
  if (stdin === undefined) return new Uint8Array(0);
  return typeof stdin === 'function' ? stdin(limit) : stdin.subarray(0, limit);
}

/**
 * The file's bytes; `-` reads standard input. Reading stops one byte past the
 * size limit, so that /dev/zero or an endless pipe is refused as too large
 * (by the loader, as any file over the limit) after 5 MiB, not read forever.
 */
export function readSource(io: CliIo, file: string): Uint8Array {
  try {
    return file === '-' ? readStdin(io, MAX_FILE_BYTES + 1) : readAtMost(pathIn(io, file), MAX_FILE_BYTES + 1);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : fsMessage(e, pathIn(io, file), file);
    throw new UserError(`${file}: cannot read the requirements file: ${why}`, 'file-unreadable');
  }
}

export function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

export function writeOutput(io: CliIo, path: string, text: string): void {
  try {
    writeFileSync(pathIn(io, path), text);
  } catch (e) {
    throw new UserError(`${path}: cannot write: ${fsMessage(e, pathIn(io, path), path)}`, 'output-unwritable');
  }
}

export function report(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
}
