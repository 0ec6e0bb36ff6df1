/**
 * One target of a fleet: the same apply as `altan-cloud apply` (its advisory
 * lock, its own transaction, its own record) on a connection of its own,
 * tried again with backoff when the failure is one that passes (the server
 * unreachable or restarting, the connection lost, a lock held by someone
 * else), and reported as a result, never thrown: one target's failure is a
 * line of the fleet's report, not the end of the fleet.
 */
import type { CompileResult } from '../compile.js';
import { openPostgres, redactUrl } from '../db/database.js';
import type { OpenedDatabase } from '../db/database.js';
import type { Timeouts } from '../db/timeouts.js';
import { apply } from '../execute/apply.js';
import { AltanError } from '../problems.js';
import { scrubSecrets } from './targets.js';
import type { FleetTarget } from './targets.js';

export type TargetStatus = 'applied' | 'dry-run' | 'up-to-date' | 'destructive' | 'failed';

export interface TargetResult {
  readonly name: string;
  /** The target's URL without its password (redactUrl). */
  readonly database: string;
  /**
   * `applied`; `dry-run` (it would have been applied, and was rolled back); `up-to-date` (the database's record
   * says this file is applied: nothing ran); `destructive` (refused: changes that may lose data, without
   * allowDestructive); `failed` (`code` and `message` say why).
   */
  readonly status: TargetStatus;
  /** The problem code when it did not end well: `destructive-change`, `server-unreachable`, `lock-timeout`, … */
  readonly code?: string;
  /** What went wrong, as apply words it; never holds a password. */
  readonly message?: string;
  /** How many times apply was tried (1: no retry). */
  readonly attempts: number;
  /** From the first attempt to the result, waits between attempts included. */
  readonly durationMs: number;
  /** What a first apply created (`3 tables`, `8 policies`, …). */
  readonly created?: readonly string[];
  /** How many changes the plan made (or, dry run, would make). */
  readonly changes?: number;
}

export interface RetryPolicy {
  /** The most attempts in all, the first included (1: never retried). */
  readonly attempts: number;
  /** The wait before the second attempt; doubled for each next one (at most MAX_DELAY_MS), with jitter. */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRIES: RetryPolicy = { attempts: 4, baseDelayMs: 1000 };

/** No wait between attempts is longer, however many there are. */
const MAX_DELAY_MS = 30_000;

export interface ApplyTargetOptions {
  /** Execute and report, then roll back. */
  readonly dryRun?: boolean;
  /** Make changes that may lose data; refused otherwise (status `destructive`). */
  readonly allowDestructive?: boolean;
  /** Each attempt's lock and statement timeouts (default DEFAULT_TIMEOUTS: a lock waited for at most 10 s). */
  readonly timeouts?: Partial<Timeouts>;
  readonly retries?: RetryPolicy;
  /**
   * Aborted: no attempt starts, a wait between attempts ends, and a running statement is cancelled on the
   * server (the transaction rolls back); the result is `failed` with code `interrupted`.
   */
  readonly signal?: AbortSignal;
}

/**
 * Problem codes worth another attempt: the server could not be reached, or the connection was lost
 * (the server rolled the transaction back), or a lock (another session's, or another apply's advisory
 * lock) was held past the lock timeout. Anything else would fail the same way again.
 */
const RETRIED_CODES = new Set(['server-unreachable', 'connection-lost', 'lock-timeout']);
/** A connection refused for a while: too many connections (53300), the server starting or stopping (57P03). */
const RETRIED_SQLSTATES = new Set(['53300', '57P03']);

interface Failure {
  readonly code: string;
  readonly message: string;
  readonly sqlstate?: string;
}

/** `e` as a failure of the target: its first problem's code and the error's message, secrets scrubbed. */
function failureOf(e: unknown, target: FleetTarget): Failure {
  if (e instanceof AltanError) {
    const first = e.problems[0];
    const code = e.category === 'internal' ? 'internal-error' : (first?.code ?? 'error');
    return { code, message: scrubSecrets(e.message, target.url), ...(first?.sqlstate !== undefined ? { sqlstate: first.sqlstate } : {}) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal-error', message: scrubSecrets(`internal error (this is a bug, please report it): ${message}`, target.url) };
}

/** Whether another attempt may end otherwise. */
export function isRetried(failure: { readonly code: string; readonly sqlstate?: string }): boolean {
  return RETRIED_CODES.has(failure.code) || (failure.code === 'connection-failed' && RETRIED_SQLSTATES.has(failure.sqlstate ?? ''));
}

/** The wait before attempt `attempt` + 1: base · 2^(attempt−1), capped, its upper half random so that many targets do not retry in step. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const full = Math.min(MAX_DELAY_MS, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + Math.random() * (full / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const INTERRUPTED: Failure = { code: 'interrupted', message: 'interrupted: nothing was applied (a running transaction was rolled back)' };

type Outcome = { readonly ok: Omit<TargetResult, 'name' | 'database' | 'attempts' | 'durationMs'> } | { readonly failed: Failure };

/**
 * Applies `compiled` to `target` and says how it ended; never throws for the target's failure. Each attempt
 * opens its own connection (closed after it), so an attempt after a lost connection starts clean.
 */
export async function applyTarget(compiled: CompileResult, target: FleetTarget, options: ApplyTargetOptions = {}): Promise<TargetResult> {
  const started = performance.now();
  const policy = options.retries ?? DEFAULT_RETRIES;
  const maxAttempts = Math.max(1, Math.floor(policy.attempts));
  const base = { name: target.name, database: redactUrl(target.url) };
  let attempts = 0;
  let outcome: Outcome = { failed: INTERRUPTED };
  while (!options.signal?.aborted) {
    attempts++;
    outcome = await attempt(compiled, target, options);
    if ('ok' in outcome || !isRetried(outcome.failed) || attempts >= maxAttempts) break;
    await sleep(backoffDelay(policy, attempts), options.signal);
  }
  const durationMs = Math.round(performance.now() - started);
  if ('ok' in outcome) return { ...base, ...outcome.ok, attempts, durationMs };
  // An abort during a wait ends the target as interrupted, whatever the attempt before it met.
  const failed = options.signal?.aborted ? INTERRUPTED : outcome.failed;
  const status = failed.code === 'destructive-change' ? 'destructive' : 'failed';
  return { ...base, status, code: failed.code, message: failed.message, attempts, durationMs };
}

async function attempt(compiled: CompileResult, target: FleetTarget, options: ApplyTargetOptions): Promise<Outcome> {
  let db: OpenedDatabase;
  try {
    db = await connect(target.url, options.signal);
  } catch (e) {
    return { failed: failureOf(e, target) };
  }
  const stopCancelling = cancelOnAbort(db, target.url, options.signal);
  try {
    const report = await apply(db, compiled, {
      dryRun: options.dryRun === true,
      allowDestructive: options.allowDestructive === true,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      ok: {
        status: report.status,
        ...(report.created.length > 0 ? { created: report.created } : {}),
        ...(report.status !== 'up-to-date' ? { changes: report.changes.length } : {}),
      },
    };
  } catch (e) {
    return { failed: options.signal?.aborted ? INTERRUPTED : failureOf(e, target) };
  } finally {
    await stopCancelling();
    await db.close();
  }
}

/** openPostgres, given up on when `signal` aborts (a connection that opens after that is closed unused). */
async function connect(url: string, signal: AbortSignal | undefined): Promise<OpenedDatabase> {
  const opening = openPostgres(url);
  if (!signal) return opening;
  if (signal.aborted) {
    void opening.then((db) => db.close()).catch(() => {});
    throw new AltanError(INTERRUPTED.message, 'interrupted', INTERRUPTED);
  }
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AltanError(INTERRUPTED.message, 'interrupted', INTERRUPTED));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([opening, aborted]);
  } catch (e) {
    void opening.then((db) => db.close()).catch(() => {});
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * At abort, cancels what `db`'s session runs, from a second connection (the first is busy with it): the
 * statement fails, apply rolls back. Returns the function that stops watching and waits for the cancel.
 */
function cancelOnAbort(db: OpenedDatabase, url: string, signal: AbortSignal | undefined): () => Promise<void> {
  if (!signal) return async () => {};
  // Asked now, while the session is idle: at abort it is busy.
  const pid = db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').then(
    (rows) => rows[0]?.pid,
    () => undefined,
  );
  let cancelling: Promise<void> = Promise.resolve();
  const onAbort = () => {
    cancelling = (async () => {
      const p = await pid;
      if (p === undefined) return;
      const other = await openPostgres(url).catch(() => undefined);
      await other?.query('SELECT pg_cancel_backend($1)', [p]).catch(() => {});
      await other?.close();
    })();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return async () => {
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  };
}
