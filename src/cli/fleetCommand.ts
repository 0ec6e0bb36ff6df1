/**
 * `altan-cloud fleet apply FILE --targets TARGETS`: the library's fleetApply
 * on the command line. A line per target on stdout as it finishes, then a
 * summary (or, with --json, the FleetReport alone); exit 0 only when every
 * target ended well. Ctrl-C starts no further target, cancels the running
 * ones, reports what finished and ends with 130.
 */
import type { Target } from '../target.js';
import { fleetApply } from '../fleet/fleetApply.js';
import type { FleetReport } from '../fleet/fleetApply.js';
import type { RetryPolicy, TargetResult } from '../fleet/applyTarget.js';
import { DEFAULT_RETRIES } from '../fleet/applyTarget.js';
import { readTargets } from '../fleet/targets.js';
import type { FleetTarget } from '../fleet/targets.js';
import { MAX_FILE_BYTES } from '../load/document.js';
import { readAtMost } from '../load/read.js';
import { compileFile } from './commands.js';
import { UserError, displayName, fsMessage, pathIn } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';

export interface FleetApplyCommandOptions {
  /** The targets file, `-` for standard input. */
  readonly targets: string;
  readonly concurrency?: number;
  /** Attempts after the first for a failure that passes (default DEFAULT_RETRIES'). */
  readonly retries?: number;
  readonly dryRun?: boolean;
  readonly allowDestructive?: boolean;
  readonly lockTimeout?: number;
  readonly statementTimeout?: number;
  readonly json?: boolean;
  readonly target: Target;
  /** Enqueue on this control database instead of applying (fleetQueueCommand.ts), with the jobs' time limit and retries. */
  readonly queue?: string;
  readonly jobTimeout?: number;
  readonly jobRetries?: number;
}

/** How a fleet with a target that did not end well ends: exit 2, as apply's own refusals and failures. */
const SOME_TARGETS_FAILED: Outcome = 'database';

/** The targets file's text; `-` reads standard input (the requirements file then cannot be `-` too). */
export function readTargetsText(io: CliIo, file: string): string {
  let bytes: Uint8Array;
  try {
    if (file === '-') {
      const stdin = io.stdin;
      bytes = stdin === undefined ? new Uint8Array(0) : typeof stdin === 'function' ? stdin(MAX_FILE_BYTES + 1) : stdin;
    } else {
      bytes = readAtMost(pathIn(io, file), MAX_FILE_BYTES + 1);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : fsMessage(e, pathIn(io, file), file);
    throw new UserError(`${file}: cannot read the targets file: ${why}`, 'file-unreadable');
  }
  if (bytes.byteLength > MAX_FILE_BYTES)
    throw new UserError(`${displayName(file)}: the targets file is more than ${MAX_FILE_BYTES} bytes (5 MiB), the limit`, 'file-unreadable');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${displayName(file)}: the targets file is not valid UTF-8 text`, 'file-unreadable');
  }
}

export async function fleetApplyCommand(io: CliIo, file: string, options: FleetApplyCommandOptions): Promise<Outcome> {
  if (file === '-' && options.targets === '-')
    throw new UserError('the requirements file and the targets cannot both be standard input (-)', 'file-unreadable');
  if (options.queue !== undefined) return (await import('./fleetQueueCommand.js')).fleetQueueApplyCommand(io, file, options);
  const compiled = await compileFile(io, file, options.target, options.json);
  if (!compiled) return 'invalid';
  const targets: FleetTarget[] = readTargets(readTargetsText(io, options.targets), displayName(options.targets));
  const retries: RetryPolicy = { ...DEFAULT_RETRIES, ...(options.retries !== undefined ? { attempts: options.retries + 1 } : {}) };
  const concurrency = Math.min(options.concurrency ?? 4, targets.length);
  io.stderr.write(
    `fleet: ${displayName(file)} to ${targets.length} ${targets.length === 1 ? 'target' : 'targets'}, ${concurrency} at a time` +
      `${options.dryRun ? ' (dry run: each rolled back)' : ''}\n`,
  );

  const interrupt = new AbortController();
  const stopWatching = io.onInterrupt?.(() => {
    io.stderr.write('interrupted: starting no further target; cancelling the running ones…\n');
    interrupt.abort();
  });
  let report: FleetReport;
  try {
    report = await fleetApply(compiled, targets, {
      concurrency,
      retries,
      signal: interrupt.signal,
      dryRun: options.dryRun === true,
      allowDestructive: options.allowDestructive === true,
      timeouts: {
        ...(options.lockTimeout !== undefined ? { lockTimeoutMs: options.lockTimeout } : {}),
        ...(options.statementTimeout !== undefined ? { statementTimeoutMs: options.statementTimeout } : {}),
      },
      ...(options.json ? {} : { onResult: (r: TargetResult) => void io.stdout.write(`${targetLine(r)}\n`) }),
    });
  } finally {
    stopWatching?.();
  }
  if (options.json) writeJson(io, report);
  else io.stdout.write(`${summaryLine(report)}\n`);
  if (report.interrupted) return 'interrupted';
  return report.ok ? 'ok' : SOME_TARGETS_FAILED;
}

const STATUS_WIDTH = 'destructive'.length;

/**
 * `applied     acme (1 attempt, 812 ms)`; a target that did not end well adds its code and the first line of its
 * message (without the code again when the message starts with it), and the message's further lines below, indented.
 */
export function targetLine(r: TargetResult): string {
  const how = `(${r.attempts} ${r.attempts === 1 ? 'attempt' : 'attempts'}, ${r.durationMs} ms)`;
  const head = `${r.status.padEnd(STATUS_WIDTH)}  ${r.name} ${how}`;
  if (r.code === undefined) return head;
  const [first = '', ...rest] = (r.message ?? '').split('\n');
  const why = first.startsWith(`${r.code}:`) ? first : `${r.code}: ${first}`;
  return [`${head}: ${why}`, ...rest.map((l) => `    ${l}`)].join('\n');
}

/** `notes.yaml: 30 targets in 4.2 s: 28 applied, 1 destructive, 1 failed`, and what an interrupt left unstarted. */
export function summaryLine(report: FleetReport): string {
  const total = report.targets.length + report.notStarted.length;
  const parts = Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status === 'up-to-date' ? 'up to date' : status}`);
  if (report.notStarted.length > 0) parts.push(`${report.notStarted.length} not started (interrupted)`);
  const seconds = (report.durationMs / 1000).toFixed(1);
  return `${report.file}: ${total} ${total === 1 ? 'target' : 'targets'} in ${seconds} s: ${parts.join(', ') || 'nothing done'}`;
}
