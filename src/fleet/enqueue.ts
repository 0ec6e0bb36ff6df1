/**
 * `fleet apply --queue`: instead of applying, a run is stored in the control
 * database with one job per target on its queue, in one transaction (a run
 * is enqueued whole or not at all); workers (worker.ts) apply them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { compile, DEFAULT_FILE } from '../compile.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import { sqlSha256 } from '../db/record.js';
import { DEFAULT_TIMEOUTS } from '../db/timeouts.js';
import type { Timeouts } from '../db/timeouts.js';
import { AltanError } from '../problems.js';
import { VERSION } from '../version.js';
import { DEFAULT_RETRIES } from './applyTarget.js';
import type { RetryPolicy } from './applyTarget.js';
import type PgBoss from 'pg-boss';
import { asDatabaseError } from '../db/errors.js';
import { ensureRunsTable, openControlDatabase, QUEUE_NAME, RUNS_TABLE, startBoss, stopBoss } from './controlDatabase.js';
import type { ControlDatabase, JobData, RunOptions } from './controlDatabase.js';
import type { FleetTarget } from './targets.js';

/** A job's default time limit: a worker not done by then is taken for dead and the job goes to another. */
export const DEFAULT_JOB_TIMEOUT_MS = 15 * 60_000;
/** How many times a job whose worker died (or stopped mid-job) is tried again. */
export const DEFAULT_JOB_RETRIES = 3;
/** pg-boss keeps a job's expiry under a day. */
const MAX_JOB_TIMEOUT_MS = 23 * 3_600_000;
/** The first wait before a dead worker's job is tried again, in seconds; doubled for each next try, with jitter (pg-boss). */
const JOB_RETRY_DELAY_SECONDS = 2;

export interface EnqueueOptions extends CompileOptions {
  readonly dryRun?: boolean;
  readonly allowDestructive?: boolean;
  /** Each target's lock and statement timeouts (default DEFAULT_TIMEOUTS). */
  readonly timeouts?: Partial<Timeouts>;
  /** applyTarget's retries of a failure that passes (default DEFAULT_RETRIES). */
  readonly retries?: RetryPolicy;
  /** Default 15 min: longer than any one target's apply with its retries may take. */
  readonly jobTimeoutMs?: number;
  /** Default 3. */
  readonly jobRetries?: number;
}

export interface EnqueuedRun {
  /** What `fleet status` and fleetStatus() take. */
  readonly run: string;
  readonly file: string;
  readonly fileSha256: string;
  readonly targets: number;
  /** The control database, without its password. */
  readonly queue: string;
  readonly options: RunOptions;
}

function runOptions(options: EnqueueOptions): RunOptions {
  const jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  if (!Number.isFinite(jobTimeoutMs) || jobTimeoutMs < 1000 || jobTimeoutMs > MAX_JOB_TIMEOUT_MS)
    throw new AltanError('the job timeout must be at least 1 s and less than 23 h', 'usage', {
      code: 'job-timeout-invalid',
      message: 'the job timeout must be at least 1 s and less than 23 h',
    });
  const jobRetries = options.jobRetries ?? DEFAULT_JOB_RETRIES;
  if (!Number.isInteger(jobRetries) || jobRetries < 0)
    throw new AltanError('the job retries must be a whole number, 0 or more', 'usage', {
      code: 'job-retries-invalid',
      message: 'the job retries must be a whole number, 0 or more',
    });
  return {
    dryRun: options.dryRun === true,
    allowDestructive: options.allowDestructive === true,
    timeouts: {
      lockTimeoutMs: options.timeouts?.lockTimeoutMs ?? DEFAULT_TIMEOUTS.lockTimeoutMs,
      statementTimeoutMs: options.timeouts?.statementTimeoutMs ?? DEFAULT_TIMEOUTS.statementTimeoutMs,
    },
    retries: options.retries ?? DEFAULT_RETRIES,
    jobTimeoutMs,
    jobRetries,
  };
}

/**
 * Compiles `source` (an invalid file throws InvalidRequirementsError: nothing is enqueued), then stores the
 * run and one job per target in the control database at `queueUrl`, creating its tables on first use.
 * Returns the run's id. The jobs' data holds the targets' URLs, passwords included.
 */
export async function enqueueFleet(
  queueUrl: string,
  source: string | Uint8Array,
  targets: readonly FleetTarget[],
  options: EnqueueOptions = {},
): Promise<EnqueuedRun> {
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const compiled = await compile(bytes, { fileName: options.fileName ?? DEFAULT_FILE, ...(options.target ? { target: options.target } : {}) });
  return enqueueCompiled(queueUrl, bytes, compiled, targets, options);
}

/** enqueueFleet for a caller that has compiled `bytes` already (the CLI, which reports the file's problems itself). */
export async function enqueueCompiled(
  queueUrl: string,
  bytes: Uint8Array,
  compiled: CompileResult,
  targets: readonly FleetTarget[],
  options: EnqueueOptions = {},
): Promise<EnqueuedRun> {
  const stored = runOptions(options);
  if (targets.length === 0) throw new AltanError('no targets to enqueue', 'usage', { code: 'no-targets', message: 'no targets to enqueue' });
  const fileName = compiled.model.source.fileName;
  // The loader has checked that the bytes are UTF-8; a byte order mark is kept, so the text hashes as the file did.
  const fileText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const fileSha256 = createHash('sha256').update(bytes).digest('hex');
  const run = randomUUID();
  const control = await openControlDatabase(queueUrl, 2);
  try {
    await ensureRunsTable(control);
    const boss = await startBoss(control);
    try {
      await insertRun(control, boss, {
        values: [run, fileName, fileText, fileSha256, sqlSha256(compiled.sql), compiled.target, VERSION, JSON.stringify(stored), targets.length],
        jobs: targets.map((t, index) => ({
          id: orderedJobId(index),
          name: QUEUE_NAME,
          data: { run, index, name: t.name, url: t.url } satisfies JobData,
          expireInSeconds: Math.ceil(stored.jobTimeoutMs / 1000),
          retryLimit: stored.jobRetries,
          retryDelay: JOB_RETRY_DELAY_SECONDS,
          retryBackoff: true,
        })),
      });
    } finally {
      await stopBoss(boss);
    }
  } finally {
    await control.close();
  }
  return { run, file: fileName, fileSha256, targets: targets.length, queue: control.description, options: stored };
}

/**
 * A job id that sorts by the target's place: pg-boss hands out jobs of one moment by id, so a run's
 * targets are taken in the targets file's order. The rest of a random UUID keeps it unique.
 */
function orderedJobId(index: number): string {
  return `${index.toString(16).padStart(8, '0')}${randomUUID().slice(8)}`;
}

/** The run's row and its jobs (pg-boss's own insert, on this transaction's connection): all or nothing. */
async function insertRun(control: ControlDatabase, boss: PgBoss, run: { values: unknown[]; jobs: PgBoss.JobInsert[] }): Promise<void> {
  const client = await control.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${RUNS_TABLE} (id, file_name, file_text, file_sha256, sql_sha256, target, tool_version, options, targets)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      run.values,
    );
    await boss.insert(run.jobs, { db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) } });
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw asDatabaseError(e);
  } finally {
    client.release();
  }
}
