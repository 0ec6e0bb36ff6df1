/**
 * Watches a command's database session: sets its lock and statement
 * timeouts, notes what it waits for while it waits (from a second
 * connection, opened only once the command has run a moment), cancels its
 * statement on the server at Ctrl-C, and turns the failures these cause into
 * problems that say what happened: which object was locked and by whom, or
 * that the user interrupted and nothing was applied.
 */
import { openPostgres } from '../db/database.js';
import type { Database } from '../db/database.js';
import { timeoutHint, timeoutSentence } from '../db/sessionTimeouts.js';
import { statementNamed } from '../execute/applyErrors.js';
import { blockerQuery, describeBlocker, describeLockObject, readLockWait, timeoutKind, timeoutSettingsSql } from '../db/timeouts.js';
import type { LockWait } from '../db/timeouts.js';
import type { Timeouts } from './durations.js';
import { AltanError } from '../problems.js';
import type { Problem } from '../problems.js';
import type { CliIo } from './io.js';

export interface Guard {
  /** Aborted at Ctrl-C: apply checks it before each step and before COMMIT. */
  readonly signal: AbortSignal;
  /** `e` as the user should see it: a lock timeout naming the lock and its holder, an interruption; anything else as it is. */
  explain(e: unknown): unknown;
  /** Stops watching and closes the second connection. */
  close(): Promise<void>;
}

const LOCK_OPTION = '--lock-timeout';
const STATEMENT_OPTION = '--statement-timeout';

/**
 * A guard on `db`. A server session (`url` given) gets `timeouts` and a cancel on the server at
 * Ctrl-C; the embedded database, one process's own, has no other session to wait for and
 * cannot be cancelled mid-statement: Ctrl-C there aborts at the next step.
 */
export async function guardSession(io: CliIo, db: Database, url: string | undefined, timeouts: Timeouts, outcome: string): Promise<Guard> {
  const interrupt = new AbortController();
  let watcher: Promise<Database> | undefined;
  let pid: number | undefined;
  let lastWait: LockWait | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let closed = false;

  const watcherDb = () => {
    watcher ??= openPostgres(url as string);
    return watcher;
  };
  if (url !== undefined) {
    await db.exec(timeoutSettingsSql(timeouts));
    pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid;
  }

  // Polled a few times per lock timeout, so that a wait is seen before the timeout ends it.
  const interval = Math.min(500, Math.max(50, timeouts.lockTimeoutMs / 4));
  const poll = () => {
    polling = (async () => {
      try {
        const wait = await readLockWait(await watcherDb(), pid as number);
        if (wait) lastWait = wait;
      } catch {
        // The watcher is a help for messages: a watcher that cannot connect changes nothing else.
      }
      if (!closed) timer = setTimeout(poll, interval).unref();
    })();
  };
  if (url !== undefined && pid !== undefined && timeouts.lockTimeoutMs > 0) timer = setTimeout(poll, interval).unref();

  const stopWatching = io.onInterrupt?.(() => {
    interrupt.abort();
    if (url === undefined || pid === undefined) return;
    // From a second connection: the first is busy with the statement to cancel.
    void watcherDb()
      .then((w) => w.query('SELECT pg_cancel_backend($1)', [pid]))
      .catch(() => {});
  });

  const explain = (e: unknown): unknown => {
    if (interrupt.signal.aborted) {
      if (e instanceof AltanError && e.category === 'interrupted') return e;
      const message = `interrupted: the statement was cancelled on the server and the transaction rolled back; ${outcome}`;
      return new AltanError(message, 'interrupted', { code: 'interrupted', message });
    }
    const kind = kindOf(e);
    if (kind === 'lock-timeout') {
      const blockers = lastWait?.blockers ?? [];
      const what = lastWait
        ? `${describeLockObject(lastWait)}, held by ${blockers.map(describeBlocker).join(' and ')}`
        : 'a lock another session holds (not seen in time to name it)';
      const message = timeoutSentence(kind, timeouts, LOCK_OPTION, outcome, what);
      const hint = timeoutHint(kind, LOCK_OPTION);
      const queries = blockers.filter((b) => b.query !== '').map((b) => `\n  process ${b.pid}'s last query: ${blockerQuery(b)}`);
      return new AltanError(`${message}${queries.join('')}\nhint: ${hint}`, 'database', { code: kind, message, sqlstate: '55P03', hint });
    }
    if (kind === 'statement-timeout') {
      // apply names the statement that ran too long: its problem has the places, its message's lines after the first show them.
      const found = e instanceof AltanError ? e.problems.find((p) => p.code === kind) : undefined;
      const message = timeoutSentence(kind, timeouts, STATEMENT_OPTION, outcome, found?.statement && statementNamed(found.statement, found.sql));
      const hint = timeoutHint(kind, STATEMENT_OPTION);
      const lines = found?.statement ? (e as AltanError).message.split('\n').slice(1) : [];
      return new AltanError([message, ...lines, `hint: ${hint}`].join('\n'), 'database', {
        code: kind,
        message,
        sqlstate: '57014',
        hint,
        ...placeOf(found),
      });
    }
    return e;
  };

  return {
    signal: interrupt.signal,
    explain,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      stopWatching?.();
      await polling;
      clearTimeout(timer);
      if (watcher) await (await watcher.catch(() => undefined))?.close();
    },
  };
}

/** Where a problem points: the statement, its line in the generated SQL, the file's place. */
function placeOf(p: Problem | undefined): Partial<Problem> {
  if (p === undefined) return {};
  const { statement, sql, file, line, column } = p;
  return {
    ...(statement !== undefined ? { statement } : {}),
    ...(sql !== undefined ? { sql } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
}

/** A timeout, whether it comes as Postgres' error or already as a problem (apply reports its own). */
function kindOf(e: unknown): ReturnType<typeof timeoutKind> {
  const direct = timeoutKind(e);
  if (direct) return direct;
  if (!(e instanceof AltanError)) return undefined;
  const codes = new Set(e.problems.map((p) => p.code));
  return codes.has('lock-timeout') ? 'lock-timeout' : codes.has('statement-timeout') ? 'statement-timeout' : undefined;
}
