/**
 * The queue's side of `fleet`: `fleet apply --queue URL` enqueues a run
 * instead of applying (workers apply it), and `fleet status --queue URL`
 * shows how far a run has come. Neither prints a target's URL or the
 * queue's password.
 */
import type { RetryPolicy, TargetResult } from '../fleet/applyTarget.js';
import { DEFAULT_RETRIES } from '../fleet/applyTarget.js';
import { enqueueCompiled } from '../fleet/enqueue.js';
import { fleetStatus } from '../fleet/status.js';
import type { FleetStatusReport, FleetStatusTarget } from '../fleet/status.js';
import { readTargets } from '../fleet/targets.js';
import { compileSource } from './commands.js';
import { readTargetsText, targetLine as resultLine } from './fleetCommand.js';
import type { FleetApplyCommandOptions } from './fleetCommand.js';
import { displayName, readSource } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';
import { queueUrlOf } from './workerCommand.js';

/** fleet apply's column of statuses. */
const STATUS_WIDTH = 'destructive'.length;

/**
 * `fleet apply FILE --targets T --queue URL` (called by fleet apply's own command): the file and the targets
 * read and checked as fleet apply reads them, then enqueued. Prints the run's id (--json: { status:
 * "enqueued", run, file, fileSha256, targets, queue, options }).
 */
export async function fleetQueueApplyCommand(io: CliIo, file: string, options: FleetApplyCommandOptions): Promise<Outcome> {
  const url = queueUrlOf(io, options.queue);
  // Read once: the bytes compiled are the bytes stored with the run (standard input cannot be read twice).
  const bytes = readSource(io, file);
  const compiled = await compileSource(io, bytes, file, options.target, options.json === true);
  if (!compiled) return 'invalid';
  const targets = readTargets(readTargetsText(io, options.targets), displayName(options.targets));
  if (options.concurrency !== undefined) io.stderr.write('fleet: --concurrency is ignored with --queue: each worker has its own (worker --concurrency)\n');
  const retries: RetryPolicy = { ...DEFAULT_RETRIES, ...(options.retries !== undefined ? { attempts: options.retries + 1 } : {}) };
  const run = await enqueueCompiled(url, bytes, compiled, targets, {
    retries,
    dryRun: options.dryRun === true,
    allowDestructive: options.allowDestructive === true,
    timeouts: {
      ...(options.lockTimeout !== undefined ? { lockTimeoutMs: options.lockTimeout } : {}),
      ...(options.statementTimeout !== undefined ? { statementTimeoutMs: options.statementTimeout } : {}),
    },
    ...(options.jobTimeout !== undefined ? { jobTimeoutMs: options.jobTimeout } : {}),
    ...(options.jobRetries !== undefined ? { jobRetries: options.jobRetries } : {}),
  });
  if (options.json) {
    writeJson(io, { status: 'enqueued', ...run });
  } else {
    io.stderr.write(
      `fleet: ${run.file} to ${run.targets} ${run.targets === 1 ? 'target' : 'targets'} enqueued on ${run.queue}` +
        `${run.options.dryRun ? ' (dry run: each rolled back)' : ''}; workers (altan-cloud worker) apply them\n` +
        `follow it with: altan-cloud fleet status --queue <url> ${run.run}\n`,
    );
    io.stdout.write(`${run.run}\n`);
  }
  return 'ok';
}

export interface FleetStatusCommandOptions {
  readonly queue?: string;
  readonly wait?: boolean;
  readonly json?: boolean;
}

/** How often --wait asks again. */
const WAIT_POLL_MS = 2000;

/**
 * `fleet status --queue URL [RUN]`: exit 0 when the run finished with every target applied or up to date,
 * 2 when it finished and some target did not, 3 while it is still running (--wait: waits for the end).
 */
export async function fleetStatusCommand(io: CliIo, run: string | undefined, options: FleetStatusCommandOptions): Promise<Outcome> {
  const url = queueUrlOf(io, options.queue);
  let status = await fleetStatus(url, run);
  while (options.wait && !status.finished) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    status = await fleetStatus(url, status.run);
  }
  if (options.json) writeJson(io, status);
  else io.stdout.write(statusText(status));
  if (!status.finished) return 'changes';
  return status.ok ? 'ok' : 'database';
}

/** A finished target as fleet apply prints it; a pending one with its state. */
function targetLine(t: FleetStatusTarget): string {
  if (t.status === 'queued' || t.status === 'active') return `${t.status.padEnd(STATUS_WIDTH)}  ${t.name}${t.tries > 0 ? ` (tries so far: ${t.tries})` : ''}`;
  return resultLine(t as TargetResult);
}

/** The run, a line per target, and the counts. */
export function statusText(s: FleetStatusReport): string {
  const done = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status === 'up-to-date' ? 'up to date' : status}`);
  const parts = [`${s.done} done${done.length > 0 ? ` (${done.join(', ')})` : ''}`, `${s.active} active`, `${s.queued} queued`];
  if (s.missing > 0) parts.push(`${s.missing} no longer in the queue database`);
  const state = s.finished ? (s.ok ? 'finished: every target ended well' : 'finished: some targets did not end well') : 'in progress';
  return [
    `run ${s.run}: ${s.file} (sha256 ${s.fileSha256.slice(0, 12)}…) to ${s.total} ${s.total === 1 ? 'target' : 'targets'}, enqueued ${s.createdAt}${s.options.dryRun ? ' (dry run)' : ''}`,
    ...s.targets.map(targetLine),
    `${s.total} ${s.total === 1 ? 'target' : 'targets'}: ${parts.join(', ')}; ${state}`,
    '',
  ].join('\n');
}
