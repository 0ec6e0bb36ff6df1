/**
 * Lock and statement timeouts on a server, and what a session waits for.
 * Without a lock timeout, an apply behind another session's lock (a
 * migration, an open psql transaction) waits silently for ever; with one,
 * Postgres ends the wait with SQLSTATE 55P03, which says nothing of the
 * lock: `readLockWait` asks the server, from another connection, while the
 * wait lasts, so that the failure can name the object and its holder.
 */
import { literal } from '../sql/quote.js';
import { ADVISORY_LOCK_KEY } from './lock.js';
import type { Database } from './database.js';
import { DatabaseError } from './errors.js';

/** lock_not_available: lock_timeout fired (or NOWAIT). */
export const LOCK_NOT_AVAILABLE = '55P03';
/** query_canceled: statement_timeout fired, or a cancel request (Ctrl-C, pg_cancel_backend). */
export const QUERY_CANCELED = '57014';

export interface Timeouts {
  /** Longest wait for any one lock, in ms; 0: no limit (Postgres' default). */
  readonly lockTimeoutMs: number;
  /** Longest run of any one statement, in ms; 0: no limit. */
  readonly statementTimeoutMs: number;
}

/**
 * The defaults of the command line's --lock-timeout and --statement-timeout and of the library's
 * `timeouts` option: a lock held for more than 10 s is someone else's work in progress.
 */
export const DEFAULT_TIMEOUTS: Timeouts = { lockTimeoutMs: 10_000, statementTimeoutMs: 0 };

/** Session settings for `timeouts`: sent once, right after connecting, so that every later transaction runs under them. */
export function timeoutSettingsSql(timeouts: Timeouts): string {
  return `SET lock_timeout = ${literal(`${timeouts.lockTimeoutMs}ms`)}; SET statement_timeout = ${literal(`${timeouts.statementTimeoutMs}ms`)}`;
}

/** `1s`, `1.5s`, `250ms`, `2min`: a duration as the options take it. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return ms % 1000 === 0 || ms > 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** How a failure from the server was a timeout, when it was one. */
export function timeoutKind(e: unknown): 'lock-timeout' | 'statement-timeout' | 'canceled' | undefined {
  if (!(e instanceof DatabaseError)) return undefined;
  if (e.code === LOCK_NOT_AVAILABLE) return 'lock-timeout';
  if (e.code !== QUERY_CANCELED) return undefined;
  return /statement timeout/i.test(e.message) ? 'statement-timeout' : 'canceled';
}

/** A session holding (or queued before) the lock that another one waits for. */
export interface Blocker {
  readonly pid: number;
  readonly applicationName: string;
  readonly user: string;
  readonly state: string;
  readonly queryStart: string;
  readonly query: string;
}

/** What a session waits for: the object, the mode it asked for, and who is in the way. */
export interface LockWait {
  readonly object: string;
  readonly mode: string;
  readonly blockers: readonly Blocker[];
}

interface WaitRow {
  readonly locktype: string;
  readonly mode: string;
  readonly relation: string | null;
  readonly relkind: string | null;
  readonly classid: string | null;
  readonly objid: string | null;
  readonly pid: number;
  readonly application_name: string | null;
  readonly usename: string | null;
  readonly state: string | null;
  readonly query_start: string | null;
  readonly query: string | null;
}

// The relation's name qualified whatever the search_path; times to the second.
const WAIT_SQL = `SELECT w.locktype, w.mode,
  (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = w.relation) AS relation,
  (SELECT c.relkind::text FROM pg_class c WHERE c.oid = w.relation) AS relkind,
  w.classid::text AS classid, w.objid::text AS objid,
  b.pid, b.application_name, b.usename::text AS usename, b.state, date_trunc('second', b.query_start)::text AS query_start, left(b.query, 200) AS query
FROM pg_locks w
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid)
JOIN pg_stat_activity b ON b.pid = bp.pid
WHERE w.pid = $1 AND NOT w.granted
ORDER BY b.pid`;

const KINDS: Readonly<Record<string, string>> = { r: 'table', p: 'table', i: 'index', I: 'index', v: 'view', m: 'materialized view', S: 'sequence' };

function objectOf(row: WaitRow): string {
  if (row.relation !== null) return `${KINDS[row.relkind ?? ''] ?? 'relation'} ${row.relation}${row.locktype === 'tuple' ? ' (a row of it)' : ''}`;
  // pg_advisory_xact_lock(bigint) shows its key as classid (high 32 bits) and objid (low 32 bits).
  if (row.locktype === 'advisory' && row.classid === String(ADVISORY_LOCK_KEY >> 32n) && row.objid === String(ADVISORY_LOCK_KEY & 0xffffffffn))
    return "altan-cloud's apply lock (another apply, plan-and-apply or bootstrap is running)";
  if (row.locktype === 'transactionid') return 'a row another transaction is changing';
  return `a ${row.locktype} lock`;
}

/** What session `pid` waits for now, as the server sees it; undefined when it waits for no lock. */
export async function readLockWait(watcher: Database, pid: number): Promise<LockWait | undefined> {
  const rows = await watcher.query<WaitRow>(WAIT_SQL, [pid]);
  const first = rows[0];
  if (!first) return undefined;
  return {
    object: objectOf(first),
    mode: first.mode,
    blockers: rows.map((r) => ({
      pid: r.pid,
      applicationName: r.application_name ?? '',
      user: r.usename ?? '',
      state: r.state ?? '',
      queryStart: r.query_start ?? '',
      query: (r.query ?? '').replace(/\s+/g, ' ').trim(),
    })),
  };
}

/** `process 123 (application_name "psql", user postgres, idle in transaction, query started …)`. */
export function describeBlocker(b: Blocker): string {
  const app = b.applicationName === '' ? 'no application_name' : `application_name ${JSON.stringify(b.applicationName)}`;
  return `process ${b.pid} (${app}, user ${b.user}, ${b.state}, query started ${b.queryStart})`;
}

/** The last query of a blocker, shortened to a line. */
export function blockerQuery(b: Blocker): string {
  return b.query.length > 100 ? `${b.query.slice(0, 100)}…` : b.query;
}

/** `table public.todos (ACCESS EXCLUSIVE wanted)`: the lock modes as LOCK TABLE spells them. */
export function describeLockObject(wait: LockWait): string {
  const mode = wait.mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return `${wait.object} (${mode} wanted)`;
}
