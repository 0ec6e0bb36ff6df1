/**
 * `altan-cloud worker --queue URL`: the library's runWorker as a service
 * process. A line per job event on stdout (with --json, one JSON object per
 * line), until SIGTERM or Ctrl-C: then it takes no more jobs, lets the
 * running ones finish (--grace), abandons what is left (rolled back, back on
 * the queue) and exits 0. A second signal abandons the running jobs at once.
 */
import { redactUrl } from '../db/url.js';
import { DEFAULT_CONCURRENCY, runWorker } from '../fleet/worker.js';
import type { WorkerEvent } from '../fleet/worker.js';
import { AltanError } from '../problems.js';
import { targetLine } from './fleetCommand.js';
import type { CliIo, Outcome } from './io.js';

/** Where the queue's URL is read from when --queue is not given: a secret is better kept off the command line (ps shows it). */
export const QUEUE_URL_VARIABLE = 'ALTAN_CLOUD_QUEUE_URL';

export interface WorkerCommandOptions {
  readonly queue?: string;
  readonly concurrency?: number;
  readonly grace?: number;
  readonly pollInterval?: number;
  readonly superviseInterval?: number;
  readonly json?: boolean;
}

/** --queue, else $ALTAN_CLOUD_QUEUE_URL; neither is a usage error. */
export function queueUrlOf(io: CliIo, given: string | undefined): string {
  const url = given ?? io.env[QUEUE_URL_VARIABLE];
  if (url === undefined || url === '') {
    const message = `no queue database: give its URL with --queue or ${QUEUE_URL_VARIABLE}`;
    throw new AltanError(message, 'usage', { code: 'queue-url-missing', message });
  }
  return url;
}

/** fleet apply's column of statuses. */
const STATUS_WIDTH = 'destructive'.length;

/** A line for the service's log: the run's id first, so that lines of one run can be picked out. */
export function eventLine(e: WorkerEvent): string {
  switch (e.kind) {
    case 'started':
      return `${e.run} ${'started'.padEnd(STATUS_WIDTH)}  ${e.target}${e.try > 1 ? ` (try ${e.try})` : ''}`;
    case 'finished':
      return `${e.run} ${targetLine(e.result)}`;
    case 'released':
    case 'refused':
      return `${e.run} ${e.kind.padEnd(STATUS_WIDTH)}  ${e.target}: ${e.code}: ${e.message.split('\n')[0]}`;
    case 'error':
      return `error: ${e.message}`;
  }
}

export async function workerCommand(io: CliIo, options: WorkerCommandOptions): Promise<Outcome> {
  const url = queueUrlOf(io, options.queue);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const stop = new AbortController();
  const abandon = new AbortController();
  // First signal: stop taking jobs; the second: give up the running ones now.
  const onSignal = (name: string) => () => {
    if (!stop.signal.aborted) {
      io.stderr.write(`worker: ${name}: taking no more jobs; finishing the running ones (a second signal gives them up)\n`);
      stop.abort();
      // Ctrl-C's handlers are called once; listen again for the second.
      stopInterrupt = io.onInterrupt?.(onSignal('interrupted'));
    } else if (!abandon.signal.aborted) {
      io.stderr.write(`worker: ${name} again: giving up the running jobs (rolled back, back on the queue)\n`);
      abandon.abort();
    }
  };
  let stopInterrupt = io.onInterrupt?.(onSignal('interrupted'));
  const stopTerminate = io.onTerminate?.(onSignal('SIGTERM'));
  try {
    io.stderr.write(`worker: taking jobs from ${redactUrl(url)}, ${concurrency} at a time; stop with SIGTERM or Ctrl-C\n`);
    const report = await runWorker(url, {
      concurrency,
      signal: stop.signal,
      abandonSignal: abandon.signal,
      ...(options.grace !== undefined ? { graceMs: options.grace } : {}),
      ...(options.pollInterval !== undefined ? { pollIntervalMs: options.pollInterval } : {}),
      ...(options.superviseInterval !== undefined ? { superviseIntervalMs: options.superviseInterval } : {}),
      onEvent: (e) => {
        if (options.json) io.stdout.write(`${JSON.stringify({ event: e.kind, ...e, kind: undefined })}\n`);
        else (e.kind === 'error' ? io.stderr : io.stdout).write(`${eventLine(e)}\n`);
      },
    });
    io.stderr.write(`worker: stopped: ${report.finished} finished, ${report.released} given back to the queue\n`);
    return 'ok';
  } finally {
    stopInterrupt?.();
    stopTerminate?.();
  }
}
