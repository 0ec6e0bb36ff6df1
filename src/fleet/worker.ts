/**
 * `altan-cloud worker`: takes the fleet's jobs from the queue and applies
 * them, up to `concurrency` at a time, until stopped. Any number of workers,
 * on any machines, share one queue: pg-boss hands each job to one of them
 * (SELECT … FOR UPDATE SKIP LOCKED).
 *
 * A worker that dies mid-job (SIGKILL, a machine lost) loses nothing: the
 * server rolls its transaction back when the connection drops, and once the
 * job's time limit has passed, the supervision any live worker runs (one per
 * interval among all of them) puts it back on the queue for another worker.
 * Nothing is applied twice: a second apply of the same file finds it in the
 * target's record and is `up-to-date`.
 *
 * A stop (signal) takes no more jobs, lets the running ones finish within
 * `graceMs`, then abandons them: their transactions roll back and the jobs
 * go back on the queue.
 */
import { openControlDatabase, QUEUE_NAME, startBoss, stopBoss } from './controlDatabase.js';
import type { JobData } from './controlDatabase.js';
import { sleep } from './applyTarget.js';
import { scrubSecrets } from './targets.js';
import { RunCache, runJob } from './workerJob.js';
import type { WorkerEvent } from './workerJob.js';

export type { WorkerEvent } from './workerJob.js';

export interface WorkerOptions {
  /** Jobs run at once (default 4). */
  readonly concurrency?: number;
  /** Stop: no more jobs; the running ones get `graceMs` to finish, then are abandoned. */
  readonly signal?: AbortSignal;
  /** Abandon the running jobs now (a second Ctrl-C). */
  readonly abandonSignal?: AbortSignal;
  /** Default 30 s. */
  readonly graceMs?: number;
  /** How often an idle worker asks the queue for jobs (default 2 s, at least 0.5 s). */
  readonly pollIntervalMs?: number;
  /** How often the workers look for jobs whose time ran out (a dead worker's): one of them per interval (default 30 s). */
  readonly superviseIntervalMs?: number;
  readonly onEvent?: (event: WorkerEvent) => void;
}

export interface WorkerReport {
  /** Jobs it ended (completed, with a target's result). */
  readonly finished: number;
  /** Jobs it gave back to the queue unfinished, or refused. */
  readonly released: number;
}

export const DEFAULT_CONCURRENCY = 4;
const DEFAULT_GRACE_MS = 30_000;
const DEFAULT_POLL_MS = 2000;
const DEFAULT_SUPERVISE_MS = 30_000;

/**
 * Works the queue in the control database at `queueUrl` until `options.signal` aborts (without one: for ever).
 * Throws only when it cannot start (the control database unreachable: ConnectionError).
 */
export async function runWorker(queueUrl: string, options: WorkerOptions = {}): Promise<WorkerReport> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const pollMs = Math.max(500, options.pollIntervalMs ?? DEFAULT_POLL_MS);
  const superviseIntervalSeconds = Math.max(1, Math.round((options.superviseIntervalMs ?? DEFAULT_SUPERVISE_MS) / 1000));
  const onEvent = options.onEvent ?? (() => {});
  // Each running job holds a connection to settle it, besides fetching and supervision.
  const control = await openControlDatabase(queueUrl, concurrency + 3);
  const abandon = new AbortController();
  const abandonNow = () => abandon.abort();
  options.abandonSignal?.addEventListener('abort', abandonNow, { once: true });
  let finished = 0;
  let released = 0;
  const count = (event: WorkerEvent) => {
    if (event.kind === 'finished') finished++;
    if (event.kind === 'released' || event.kind === 'refused') released++;
    onEvent(event);
  };
  try {
    const boss = await startBoss(control, { superviseIntervalSeconds });
    const ctx = { control, boss, runs: new RunCache(control), abandon: abandon.signal, onEvent: count };
    const running = new Set<Promise<void>>();
    try {
      while (!options.signal?.aborted) {
        const free = concurrency - running.size;
        // pg-boss's fetch answers no jobs when the control database is away: the loop asks again later.
        const jobs = free > 0 ? await boss.fetch<JobData>(QUEUE_NAME, { batchSize: free, includeMetadata: true }) : [];
        for (const job of jobs) {
          // runJob settles its job whatever happens; a bug in it is reported, not the end of the worker.
          const done: Promise<void> = runJob(ctx, job)
            .catch((e: unknown) =>
              count({ kind: 'error', message: scrubSecrets(`internal error (this is a bug, please report it): ${(e as Error).message}`, job.data.url) }),
            )
            .finally(() => running.delete(done));
          running.add(done);
        }
        if (running.size >= concurrency) await Promise.race([...running, sleep(pollMs * 10, options.signal)]);
        else if (jobs.length < free) await sleep(pollMs, options.signal);
      }
      if (running.size > 0) {
        const graceOver = setTimeout(abandonNow, options.graceMs ?? DEFAULT_GRACE_MS);
        await Promise.allSettled([...running]);
        clearTimeout(graceOver);
      }
    } finally {
      abandonNow();
      await Promise.allSettled([...running]);
      await stopBoss(boss);
    }
  } finally {
    options.abandonSignal?.removeEventListener('abort', abandonNow);
    await control.close();
  }
  return { finished, released };
}
