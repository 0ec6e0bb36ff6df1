/**
 * `fleet status`: how far a run has come, read from the control database:
 * its jobs' states (pg-boss's job table, and its archive, where completed
 * jobs move after 12 hours) and each finished target's result, stored as
 * its job's output. Reads only; creates nothing.
 */
import { redactUrl } from '../db/url.js';
import { AltanError } from '../problems.js';
import type { Target } from '../target.js';
import type { TargetResult, TargetStatus } from './applyTarget.js';
import { openControlDatabase, query, QUEUE_NAME, QUEUE_SCHEMA, readRun, runsTableExists } from './controlDatabase.js';
import type { ControlDatabase, RunOptions } from './controlDatabase.js';

/** A target whose job has not ended: waiting on the queue (`queued`, also between tries) or being applied (`active`). */
export interface PendingTarget {
  readonly name: string;
  readonly database: string;
  readonly status: 'queued' | 'active';
  /** How many times a worker has taken its job so far (more than one: a worker died or stopped mid-job). */
  readonly tries: number;
}

export type FleetStatusTarget = TargetResult | PendingTarget;

export interface FleetStatusReport {
  readonly run: string;
  /** When it was enqueued (ISO 8601). */
  readonly createdAt: string;
  readonly file: string;
  readonly fileSha256: string;
  readonly target: Target;
  readonly toolVersion: string;
  readonly options: RunOptions;
  /** How many targets the run has. */
  readonly total: number;
  readonly queued: number;
  readonly active: number;
  readonly done: number;
  /** Jobs no longer in the queue database (pg-boss deletes archived jobs after 7 days). */
  readonly missing: number;
  /** No job is queued or active any more. */
  readonly finished: boolean;
  /** Finished, and every target ended applied, up to date (or, dry run, would be applied). */
  readonly ok: boolean;
  /** How many finished targets ended in each status. */
  readonly counts: Readonly<Record<TargetStatus, number>>;
  /** Every target whose job is still in the queue database, in the targets file's order. */
  readonly targets: readonly FleetStatusTarget[];
}

const GOOD: ReadonlySet<string> = new Set(['applied', 'up-to-date', 'dry-run']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const noRun = (message: string) => new AltanError(message, 'usage', { code: 'run-not-found', message });

/** The status of run `run` (default: the newest run) in the control database at `queueUrl`. */
export async function fleetStatus(queueUrl: string, run?: string): Promise<FleetStatusReport> {
  if (run !== undefined && !UUID.test(run)) throw noRun(`${JSON.stringify(run)} is not a run id (a UUID, as fleet apply --queue prints it)`);
  const control = await openControlDatabase(queueUrl, 1);
  try {
    return await statusOf(control, run);
  } finally {
    await control.close();
  }
}

interface JobRow {
  index: number;
  name: string;
  url: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retry_count: number;
  output: unknown;
}

async function statusOf(control: ControlDatabase, id: string | undefined): Promise<FleetStatusReport> {
  const stored = (await runsTableExists(control)) ? await readRun(control, id) : undefined;
  if (stored === undefined)
    throw noRun(id === undefined ? `no fleet run in the queue database ${control.description}` : `no run ${id} in the queue database ${control.description}`);
  const jobColumns = `(data->>'index')::int AS index, data->>'name' AS name, data->>'url' AS url, state::text AS state, retry_count, output`;
  const rows = await query<JobRow>(
    control,
    `SELECT ${jobColumns} FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND data->>'run' = $2
     UNION ALL
     SELECT ${jobColumns} FROM ${QUEUE_SCHEMA}.archive WHERE name = $1 AND data->>'run' = $2
     ORDER BY index`,
    [QUEUE_NAME, stored.id],
  );
  const targets = rows.map((row) => targetOf(row, stored.options));
  const counts: Record<TargetStatus, number> = { applied: 0, 'dry-run': 0, 'up-to-date': 0, destructive: 0, failed: 0 };
  let queued = 0;
  let active = 0;
  for (const t of targets) {
    if (t.status === 'queued') queued++;
    else if (t.status === 'active') active++;
    else counts[t.status]++;
  }
  const done = targets.length - queued - active;
  const missing = Math.max(0, stored.targets - targets.length);
  const finished = queued === 0 && active === 0;
  return {
    run: stored.id,
    createdAt: new Date(stored.createdAt).toISOString(),
    file: stored.fileName,
    fileSha256: stored.fileSha256,
    target: stored.target,
    toolVersion: stored.toolVersion,
    options: stored.options,
    total: stored.targets,
    queued,
    active,
    done,
    missing,
    finished,
    ok: finished && missing === 0 && targets.every((t) => GOOD.has(t.status)),
    counts,
    targets,
  };
}

function targetOf(row: JobRow, options: RunOptions): FleetStatusTarget {
  const base = { name: row.name, database: redactUrl(row.url) };
  switch (row.state) {
    case 'created':
    case 'retry':
      return { ...base, status: 'queued', tries: row.retry_count + (row.output === null ? 0 : 1) };
    case 'active':
      return { ...base, status: 'active', tries: row.retry_count + 1 };
    case 'completed': {
      const result = row.output as Partial<TargetResult> | null;
      if (result && typeof result.status === 'string') return { ...(result as TargetResult), ...base };
      return { ...base, status: 'failed', code: 'result-missing', message: 'the job completed without a result', attempts: 0, durationMs: 0 };
    }
    default:
      return { ...base, status: 'failed', ...queueFailure(row, options), attempts: row.retry_count + 1, durationMs: 0 };
  }
}

/** Why the queue gave a job up: the worker's own reason, or pg-boss's expiry (a worker that died each time). */
function queueFailure(row: JobRow, options: RunOptions): { code: string; message: string } {
  const tries = row.retry_count + 1;
  if (row.state === 'cancelled') return { code: 'job-cancelled', message: 'the job was cancelled in the queue: nothing was applied' };
  const output = row.output as { code?: unknown; message?: unknown } | null;
  if (output && typeof output.code === 'string' && typeof output.message === 'string') {
    return { code: output.code, message: `${output.message} (given up after ${tries} ${tries === 1 ? 'try' : 'tries'})` };
  }
  return {
    code: 'worker-lost',
    message:
      `no worker finished the job in ${tries} ${tries === 1 ? 'try' : 'tries'}: each time its worker died or ran past ` +
      `the job's time limit (${Math.round(options.jobTimeoutMs / 1000)} s); any transaction it had begun was rolled back`,
  };
}
