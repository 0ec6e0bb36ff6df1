/**
 * The library's lock and statement timeouts: set on the session for one
 * call (apply, plan, verify, bootstrap) and taken back after it, since the
 * connection may be the caller's own and must be left as it came; and the
 * coded problems (`lock-timeout`, `statement-timeout`) a timeout becomes,
 * worded once for the library and the command line.
 */
import { AltanError } from '../problems.js';
import { literal } from '../sql/quote.js';
import type { Database } from './database.js';
import { DatabaseError } from './errors.js';
import { DEFAULT_TIMEOUTS, formatDuration, timeoutKind } from './timeouts.js';
import type { Timeouts } from './timeouts.js';

/** The `timeouts` option of apply, plan, verify and bootstrap: either one in ms (0: no limit); each left out is DEFAULT_TIMEOUTS'. */
export interface TimeoutOptions {
  readonly timeouts?: Partial<Timeouts>;
}

export type TimeoutKind = 'lock-timeout' | 'statement-timeout';

/** How the library's messages name the settings; the command line names its options instead. */
export const LIBRARY_SETTINGS: Readonly<Record<TimeoutKind, string>> = {
  'lock-timeout': 'timeouts.lockTimeoutMs',
  'statement-timeout': 'timeouts.statementTimeoutMs',
};

export function resolveTimeouts(given: Partial<Timeouts> | undefined): Timeouts {
  return {
    lockTimeoutMs: given?.lockTimeoutMs ?? DEFAULT_TIMEOUTS.lockTimeoutMs,
    statementTimeoutMs: given?.statementTimeoutMs ?? DEFAULT_TIMEOUTS.statementTimeoutMs,
  };
}

/** A server's lock or statement timeout, as opposed to any other error (a cancel at Ctrl-C included). */
export function isTimeout(e: unknown): e is DatabaseError {
  const kind = timeoutKind(e);
  return kind === 'lock-timeout' || kind === 'statement-timeout';
}

/**
 * What the database answered a statement with (a refusal: a policy, a constraint, a privilege),
 * as opposed to a timeout or a cancel, which stopped it: code that reads refusals as answers
 * (verify's requests) lets these end the call instead.
 */
export function isRefusal(e: unknown): e is DatabaseError {
  return e instanceof DatabaseError && timeoutKind(e) === undefined;
}

/**
 * The first line of a timeout's message. `what`: the locked object and its holder (lock), or the
 * statement that ran too long (statement), when known; `setting`: the option that sets it.
 */
export function timeoutSentence(kind: TimeoutKind, timeouts: Timeouts, setting: string, outcome: string, what?: string): string {
  if (kind === 'lock-timeout')
    return `lock timeout: waited ${formatDuration(timeouts.lockTimeoutMs)} (${setting}) for ${what ?? 'a lock another session holds'}; ${outcome}`;
  return `statement timeout: ${what ?? 'a statement'} ran longer than ${formatDuration(timeouts.statementTimeoutMs)} (${setting}); ${outcome}`;
}

export function timeoutHint(kind: TimeoutKind, setting: string): string {
  return kind === 'lock-timeout'
    ? `end or commit the session that holds it (or wait for it), or give ${setting} more time`
    : `give ${setting} more time (0: no limit)`;
}

/** A timeout Postgres reported as the library's coded problem; undefined for any other error. */
export function timeoutError(db: Database, e: unknown, timeouts: Timeouts, outcome: string): AltanError | undefined {
  if (!isTimeout(e)) return undefined;
  const kind = timeoutKind(e) as TimeoutKind;
  const message = timeoutSentence(kind, timeouts, LIBRARY_SETTINGS[kind], outcome);
  const hint = timeoutHint(kind, LIBRARY_SETTINGS[kind]);
  return new AltanError(`${db.description}: ${message}\nhint: ${hint}`, 'database', { code: kind, message, hint, ...(e.code ? { sqlstate: e.code } : {}) });
}

interface SettingRow {
  readonly name: 'lock_timeout' | 'statement_timeout';
  /** In ms, as pg_settings gives both. */
  readonly setting: string;
  /** `session` when SET in this session; otherwise where the value comes from (default, role, database, connection options, …). */
  readonly source: string;
}

const SETTINGS_SQL = "SELECT name, setting, source FROM pg_settings WHERE name IN ('lock_timeout', 'statement_timeout')";

const setSql = (name: string, ms: number | string) => `SET ${name} = ${literal(`${ms}ms`)}`;

/**
 * Runs `work` with `timeouts` on `db`'s session; what it changed is set back afterwards: a
 * setting the session had SET to its value, one from the server, database, role or connection
 * options RESET to it. A session that already has them is not touched. Outside a transaction
 * the settings hold for the whole call; inside the caller's, they end with it as well.
 * A timeout that fires becomes the coded problem (`timeoutError`), `outcome` its end.
 */
export async function withTimeouts<T>(db: Database, timeouts: Timeouts, outcome: string, work: () => Promise<T>): Promise<T> {
  const wanted: Readonly<Record<SettingRow['name'], number>> = { lock_timeout: timeouts.lockTimeoutMs, statement_timeout: timeouts.statementTimeoutMs };
  const changed = (await db.query<SettingRow>(SETTINGS_SQL)).filter((r) => Number(r.setting) !== wanted[r.name]);
  if (changed.length > 0) await db.exec(changed.map((r) => setSql(r.name, wanted[r.name])).join('; '));
  try {
    return await work();
  } catch (e) {
    throw timeoutError(db, e, timeouts, outcome) ?? e;
  } finally {
    if (changed.length > 0) {
      const restore = changed.map((r) => (r.source === 'session' ? setSql(r.name, r.setting) : `RESET ${r.name}`));
      // A connection that broke took its session with it; in an aborted transaction of the caller's, its ROLLBACK restores them.
      await db.exec(restore.join('; ')).catch(() => {});
    }
  }
}
