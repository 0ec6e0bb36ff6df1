/**
 * The queue's control database: a Postgres database of the platform's that
 * holds the fleet's job queue (pg-boss, in schema altan_fleet_queue) and
 * the runs (altan_fleet.runs: each run's requirements file, its options).
 * Every job's data holds its target's connection URL, password included:
 * the control database holds the secrets of every target it was given, and
 * nothing here ever prints one (messages name it by redactUrl).
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import { asDatabaseError, connectFailure } from '../db/errors.js';
import { checkDatabaseUrl, redactUrl } from '../db/url.js';
import type { Target } from '../target.js';
import type { Timeouts } from '../db/timeouts.js';
import type { RetryPolicy } from './applyTarget.js';

/** pg-boss's tables (job, archive, queue, version…): a schema of their own, beside any pg-boss the platform runs. */
export const QUEUE_SCHEMA = 'altan_fleet_queue';
/** The one queue every fleet job goes on; a job's data names its run. */
export const QUEUE_NAME = 'altan-cloud-fleet';
export const RUNS_SCHEMA = 'altan_fleet';
export const RUNS_TABLE = `${RUNS_SCHEMA}.runs`;

/** 'fleet' in ASCII: serializes the creation of altan_fleet between enqueuers starting at once. */
const RUNS_LOCK_KEY = 0x666c656574;

const RUNS_SQL = `BEGIN;
SELECT pg_advisory_xact_lock(${RUNS_LOCK_KEY});
CREATE SCHEMA IF NOT EXISTS ${RUNS_SCHEMA};
REVOKE ALL ON SCHEMA ${RUNS_SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS ${RUNS_TABLE} (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  file_name text NOT NULL,
  file_text text NOT NULL,
  file_sha256 text NOT NULL,
  sql_sha256 text NOT NULL,
  target text NOT NULL,
  tool_version text NOT NULL,
  options jsonb NOT NULL,
  targets integer NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_created_at_idx ON ${RUNS_TABLE} (created_at);
COMMIT`;

/** How every target of a run is applied, and how long its job may take: stored with the run, read by the workers. */
export interface RunOptions {
  readonly dryRun: boolean;
  readonly allowDestructive: boolean;
  readonly timeouts: Timeouts;
  /** applyTarget's own retries (connection failures, lock timeouts), inside one job. */
  readonly retries: RetryPolicy;
  /** Past this, a job's worker is taken for dead: the job is failed and tried again elsewhere. */
  readonly jobTimeoutMs: number;
  /** How many times such a job is tried again before it is reported failed. */
  readonly jobRetries: number;
}

/** A run as altan_fleet.runs keeps it. */
export interface StoredRun {
  readonly id: string;
  readonly createdAt: string;
  readonly fileName: string;
  /** The requirements file as enqueued (a byte order mark kept): its sha256 is fileSha256. */
  readonly fileText: string;
  readonly fileSha256: string;
  /** The sha256 of the SQL it compiled to: a worker compiling it otherwise (another version) refuses the job. */
  readonly sqlSha256: string;
  readonly target: Target;
  readonly toolVersion: string;
  readonly options: RunOptions;
  /** How many targets (jobs) it has. */
  readonly targets: number;
}

/** What a job's data holds: `url` is the target's secret. */
export interface JobData {
  readonly run: string;
  /** The target's place in the targets file: the report's order. */
  readonly index: number;
  readonly name: string;
  readonly url: string;
}

/** A connection pool on the control database; `description` names it without its password. */
export interface ControlDatabase {
  readonly pool: pg.Pool;
  readonly description: string;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Opens (and tries) a pool of at most `size` connections to the control database at `url`. */
export async function openControlDatabase(url: string, size: number): Promise<ControlDatabase> {
  checkDatabaseUrl(url);
  const description = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: size, application_name: 'altan-cloud fleet', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection the server ends while idle in the pool: the next query gets a new one.
  pool.on('error', () => {});
  try {
    (await pool.connect()).release();
  } catch (e) {
    await pool.end().catch(() => {});
    throw connectFailure(`the queue database ${description}`, e);
  }
  let closed: Promise<void> | undefined;
  return { pool, description, close: () => (closed ??= pool.end().catch(() => {})) };
}

/** `pool.query`, its errors as DatabaseError (they never hold a URL). */
export async function query<Row extends pg.QueryResultRow>(control: ControlDatabase, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  try {
    return (await control.pool.query<Row>(sql, [...params])).rows;
  } catch (e) {
    throw asDatabaseError(e);
  }
}

/**
 * Runs `sql` on a connection of the pool's own, rolling back after a failure: a script with its own
 * BEGIN (ours, pg-boss's schema changes) that fails half-way leaves its session in the failed
 * transaction, and the pool would hand that session to the next query.
 */
async function executeScript(control: ControlDatabase, sql: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = await control.pool.connect();
  try {
    return await client.query(sql, values);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** Creates altan_fleet.runs when it is not there yet. */
export async function ensureRunsTable(control: ControlDatabase): Promise<void> {
  try {
    await executeScript(control, RUNS_SQL);
  } catch (e) {
    throw asDatabaseError(e);
  }
}

/** Whether altan_fleet.runs exists (status reads, and creates nothing). */
export async function runsTableExists(control: ControlDatabase): Promise<boolean> {
  const [row] = await query<{ found: boolean }>(control, `SELECT pg_catalog.to_regclass('${RUNS_TABLE}') IS NOT NULL AS found`);
  return row?.found === true;
}

interface RunRow {
  id: string;
  created_at: string;
  file_name: string;
  file_text: string;
  file_sha256: string;
  sql_sha256: string;
  target: Target;
  tool_version: string;
  options: RunOptions;
  targets: number;
}

const RUN_COLUMNS = 'id::text AS id, created_at::text AS created_at, file_name, file_text, file_sha256, sql_sha256, target, tool_version, options, targets';

const runOf = (r: RunRow): StoredRun => ({
  id: r.id,
  createdAt: r.created_at,
  fileName: r.file_name,
  fileText: r.file_text,
  fileSha256: r.file_sha256,
  sqlSha256: r.sql_sha256,
  target: r.target,
  toolVersion: r.tool_version,
  options: r.options,
  targets: r.targets,
});

/** The run `id`, or the newest run when `id` is undefined; undefined when there is none. */
export async function readRun(control: ControlDatabase, id: string | undefined): Promise<StoredRun | undefined> {
  const rows =
    id === undefined
      ? await query<RunRow>(control, `SELECT ${RUN_COLUMNS} FROM ${RUNS_TABLE} ORDER BY created_at DESC, id LIMIT 1`)
      : await query<RunRow>(control, `SELECT ${RUN_COLUMNS} FROM ${RUNS_TABLE} WHERE id = $1::uuid`, [id]);
  return rows[0] === undefined ? undefined : runOf(rows[0]);
}

export interface BossOptions {
  /** Expire the jobs of dead workers (pg-boss's supervision), at most once per interval among all workers. */
  readonly superviseIntervalSeconds?: number;
}

/**
 * pg-boss on the control database's pool, its schema created or brought up to its version, the fleet's
 * queue created. Without `superviseIntervalSeconds` it only enqueues (and expires nothing).
 */
export async function startBoss(control: ControlDatabase, options: BossOptions = {}): Promise<PgBoss> {
  const supervise = options.superviseIntervalSeconds !== undefined;
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => executeScript(control, text, values) },
    schema: QUEUE_SCHEMA,
    schedule: false,
    supervise,
    ...(supervise ? { maintenanceIntervalSeconds: options.superviseIntervalSeconds } : {}),
  });
  // Errors of supervision (the control database away for a while) are tried again at its next interval.
  boss.on('error', () => {});
  try {
    await boss.start();
    await boss.createQueue(QUEUE_NAME, { name: QUEUE_NAME, policy: 'standard' });
  } catch (e) {
    await boss.stop({ graceful: false, close: false }).catch(() => {});
    throw asDatabaseError(e);
  }
  return boss;
}

/** pg-boss stopped (its supervision timer too); the pool is the caller's to close. */
export async function stopBoss(boss: PgBoss): Promise<void> {
  await boss.stop({ graceful: false, close: false }).catch(() => {});
}
