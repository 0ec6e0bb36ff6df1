/**
 * One job of a worker: its run's file compiled (once per run), applyTarget,
 * and the job settled on the queue: completed with the TargetResult as its
 * output, or failed back onto the queue (tried again elsewhere) when the
 * worker gave it up mid-way. Settling is fenced: a job whose time ran out
 * may already be another worker's, and must not be settled by this one.
 */
import type PgBoss from 'pg-boss';
import { compile } from '../compile.js';
import type { CompileResult } from '../compile.js';
import { InvalidRequirementsError } from '../diagnostics.js';
import { sqlSha256 } from '../db/record.js';
import { redactUrl } from '../db/url.js';
import { VERSION } from '../version.js';
import { applyTarget } from './applyTarget.js';
import type { ApplyTargetOptions, TargetResult } from './applyTarget.js';
import { QUEUE_NAME, QUEUE_SCHEMA, readRun } from './controlDatabase.js';
import type { ControlDatabase, JobData } from './controlDatabase.js';
import { scrubSecrets } from './targets.js';

/** What a worker reports as it goes (the CLI prints a line of each). */
export type WorkerEvent =
  | { readonly kind: 'started'; readonly run: string; readonly target: string; readonly database: string; readonly try: number }
  | { readonly kind: 'finished'; readonly run: string; readonly result: TargetResult }
  /** Given back to the queue unfinished (its transaction rolled back): the worker stopped, or the job's time ran out. */
  | { readonly kind: 'released'; readonly run: string; readonly target: string; readonly code: string; readonly message: string }
  /** Not run: the run is gone, or this worker compiles its file otherwise; failed back onto the queue. */
  | { readonly kind: 'refused'; readonly run: string; readonly target: string; readonly code: string; readonly message: string }
  /** The control database could not be told how a job ended: the job will expire and run again (up to date then). */
  | { readonly kind: 'error'; readonly message: string };

/** A job's failure output (pg-boss keeps it as the job's `output`). */
export interface JobFailure {
  readonly code: string;
  readonly message: string;
}

class RefusedJob extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface PreparedRun {
  readonly compiled: CompileResult;
  readonly options: Omit<ApplyTargetOptions, 'signal'>;
}

/** Runs compiled so far: a run's jobs come one after another, its file is compiled once. */
export class RunCache {
  private readonly runs = new Map<string, Promise<PreparedRun>>();
  constructor(
    private readonly control: ControlDatabase,
    private readonly size = 16,
  ) {}

  get(id: string): Promise<PreparedRun> {
    let prepared = this.runs.get(id);
    if (prepared === undefined) {
      prepared = prepare(this.control, id);
      // A failure (the control database away) is not kept: the next job asks again.
      prepared.catch(() => this.runs.delete(id));
      this.runs.set(id, prepared);
      const oldest = this.runs.keys().next().value;
      if (this.runs.size > this.size && oldest !== undefined) this.runs.delete(oldest);
    }
    return prepared;
  }
}

async function prepare(control: ControlDatabase, id: string): Promise<PreparedRun> {
  const run = await readRun(control, id);
  if (run === undefined) throw new RefusedJob('run-missing', `run ${id} is not in the queue database`);
  let compiled: CompileResult;
  try {
    compiled = await compile(Buffer.from(run.fileText, 'utf8'), { fileName: run.fileName, target: run.target });
  } catch (e) {
    if (!(e instanceof InvalidRequirementsError)) throw e;
    throw new RefusedJob('file-invalid', `altan-cloud ${VERSION} finds ${run.fileName} invalid (altan-cloud ${run.toolVersion} enqueued it): ${e.message}`);
  }
  // Every target of a run gets the same SQL, whichever worker applies it.
  if (sqlSha256(compiled.sql) !== run.sqlSha256)
    throw new RefusedJob(
      'sql-mismatch',
      `altan-cloud ${VERSION} compiles ${run.fileName} to other SQL than altan-cloud ${run.toolVersion}, which enqueued run ${id}: run workers of that version`,
    );
  const { dryRun, allowDestructive, timeouts, retries } = run.options;
  return { compiled, options: { dryRun, allowDestructive, timeouts, retries } };
}

export interface JobContext {
  readonly control: ControlDatabase;
  readonly boss: PgBoss;
  readonly runs: RunCache;
  /** Aborted when the worker gives up its running jobs (its grace after a stop is over). */
  readonly abandon: AbortSignal;
  readonly onEvent: (event: WorkerEvent) => void;
}

/** A job is let go this long before the queue's own expiry, so that this worker releases it, not the queue. */
const expiryMargin = (seconds: number) => Math.min(5000, seconds * 100);

/** Runs one fetched job to its end; never throws. */
export async function runJob(ctx: JobContext, job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
  const { run, name, url } = job.data;
  const timeout = AbortSignal.timeout(Math.max(500, job.expireInSeconds * 1000 - expiryMargin(job.expireInSeconds)));
  const signal = AbortSignal.any([ctx.abandon, timeout]);
  let prepared: PreparedRun;
  try {
    prepared = await ctx.runs.get(run);
  } catch (e) {
    const failure = e instanceof RefusedJob ? { code: e.code, message: e.message } : { code: 'worker-error', message: scrubSecrets(String(e), url) };
    ctx.onEvent({ kind: 'refused', run, target: name, ...failure });
    await settle(ctx, job, (db) => ctx.boss.fail(QUEUE_NAME, job.id, failure, { db }));
    return;
  }
  ctx.onEvent({ kind: 'started', run, target: name, database: redactUrl(url), try: job.retryCount + 1 });
  const result = await applyTarget(prepared.compiled, { name, url }, { ...prepared.options, signal });
  if (result.code === 'interrupted' && signal.aborted) {
    const failure: JobFailure = timeout.aborted
      ? { code: 'job-timeout', message: `the job ran past its time limit (${job.expireInSeconds} s) and was given up: nothing was applied` }
      : { code: 'worker-stopped', message: 'the worker stopped before the target was done: nothing was applied' };
    ctx.onEvent({ kind: 'released', run, target: name, ...failure });
    await settle(ctx, job, (db) => ctx.boss.fail(QUEUE_NAME, job.id, failure, { db }));
    return;
  }
  await settle(ctx, job, (db) => ctx.boss.complete(QUEUE_NAME, job.id, result, { db }));
  ctx.onEvent({ kind: 'finished', run, result });
}

/** Tries to settle a job this long before leaving it to expire. */
const SETTLE_ATTEMPTS = 3;

/**
 * Runs `how` (pg-boss's complete or fail, on this transaction's connection) if the job is still the one this
 * worker fetched: active, and fetched as many times as then (pg-boss counts a retry at each fetch).
 */
async function settle(ctx: JobContext, job: PgBoss.JobWithMetadata<JobData>, how: (db: PgBoss.Db) => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const client = await ctx.control.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const { rowCount } = await client.query(
          `SELECT FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 FOR UPDATE`,
          [QUEUE_NAME, job.id, job.retryCount],
        );
        if (rowCount === 1) await how({ executeSql: (text, values) => client.query(text, values) });
        await client.query('COMMIT');
        return;
      } catch (e) {
        broken = true;
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        // A connection that failed is not given back to the pool for the next job.
        client.release(broken);
      }
    } catch (e) {
      if (attempt >= SETTLE_ATTEMPTS) {
        ctx.onEvent({ kind: 'error', message: `cannot record how job ${job.id} ended in the queue database: ${(e as Error).message}` });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}
