#!/usr/bin/env node
/**
 * The altan-cloud command line, as a process: run.ts's `runCli` with this
 * process's arguments, streams, environment and working directory; its
 * result becomes the exit status.
 *
 * Exit status, by how the command ended (a problem's category, src/problems.ts;
 * the table is run.ts's `exitCode`):
 *   0   ok
 *   1   invalid or unreadable requirements file (`invalid`)
 *   2   the database refused or lacks something: cannot connect, something
 *       missing, the SQL failed, bootstrap without the privileges it needs,
 *       verify before apply, or a refused plan (destructive, blocked,
 *       conflict) — `preflight`, `conflict`, `blocked`, `destructive`,
 *       `database`, `connection`, `not-applied`
 *   3   plan --exit-code found changes to make; fleet status: the run is still going
 *   4   verify (or apply --verify) found a request not as the access rules
 *       promise, or a privilege the file does not grant (`verify-failed`)
 *   64  usage error (`usage`), also a database URL that cannot be read
 *   70  internal error (a bug: reported as one, with its stack)
 *   130 interrupted (Ctrl-C): the statement was cancelled, nothing applied (`interrupted`)
 * A closed stdout or stderr (`| head -1`) changes none of these (pipes.ts).
 */
import { isatty } from 'node:tty';
import { setFlagsFromString } from 'node:v8';
import { readAtMost } from '../load/read.js';
import { quietWhenClosed } from './pipes.js';
import { runCli } from './run.js';

// PGlite's WebAssembly runs on V8's baseline compiler only. With the default tiering, V8 recompiles
// Postgres' hot functions with its optimising compiler on background threads; a command ends
// long before that pays off, yet waits for it at exit and shares two cores with it: measured on
// the embedded database, a warm apply ends ~0.3 s sooner and verify runs 3x faster without it.
// Set before PGlite is loaded (on demand, src/db/database.ts); the tests' own processes do the same (vitest.config.ts).
setFlagsFromString('--liftoff-only');

// Ctrl-C goes to whatever a command registered (a database command cancels its statement and
// rolls back, then ends with 130); with nothing registered, or at a second Ctrl-C, it ends the process at once.
const interruptHandlers = new Set<() => void>();
process.on('SIGINT', () => {
  if (interruptHandlers.size === 0) process.exit(130);
  const handlers = [...interruptHandlers];
  interruptHandlers.clear();
  for (const handler of handlers) handler();
});

process.exitCode = await runCli(process.argv.slice(2), {
  // A reader that closes the pipe early (`| head -1`) ends nothing with a stack trace: pipes.ts.
  stdout: quietWhenClosed(process.stdout),
  stderr: quietWhenClosed(process.stderr),
  // Read only for `-`, and at most what is asked: an endless pipe is not read forever.
  stdin: (limit) => readAtMost(0, limit),
  // process.stdin is made only for the prompt: made for a pipe, it would hold the process open.
  terminal: { isTTY: isatty(0), open: () => ({ input: process.stdin, output: process.stdout }) },
  env: process.env,
  cwd: process.cwd(),
  // The real stream's, not the wrapper's: a slow step's progress line is for a terminal only (progress.ts).
  progress: process.stderr.isTTY === true,
  onInterrupt: (handler) => {
    interruptHandlers.add(handler);
    return () => interruptHandlers.delete(handler);
  },
  // Listened to only while a command asks (worker): any other command ends at SIGTERM as before.
  onTerminate: (handler) => {
    process.on('SIGTERM', handler);
    return () => void process.off('SIGTERM', handler);
  },
});
