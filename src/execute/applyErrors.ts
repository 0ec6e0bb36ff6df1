/**
 * Why an apply did not happen, as the `ApplyError` it throws: each failure
 * of apply's own steps by its kind, and a failure of the file's SQL at its
 * statement, its line in the generated SQL and, where the file wrote it,
 * its place in the file.
 */
import type { CompileResult, FilePosition } from '../compile.js';
import { AltanError } from '../problems.js';
import type { ProblemInput } from '../problems.js';
import type { Database } from '../db/database.js';
import { DatabaseError, INSUFFICIENT_PRIVILEGE, PRIVILEGE_HINT, describeDatabaseError } from '../db/errors.js';
import { LOCK_SQL } from '../db/lock.js';
import { LIBRARY_SETTINGS, timeoutHint, timeoutSentence } from '../db/sessionTimeouts.js';
import type { TimeoutKind } from '../db/sessionTimeouts.js';
import { timeoutKind } from '../db/timeouts.js';
import type { Timeouts } from '../db/timeouts.js';
import { describeObject } from '../plan/format.js';
import { PlanError } from '../plan/plan.js';
import type { PlacedStatement } from '../render/script.js';
import { excerptAt, indexOfPosition, lineColumnAt } from './statements.js';
import type { Body, LineColumn } from './statements.js';

export type ApplyReason = 'preflight' | 'conflict' | 'blocked' | 'destructive' | 'database' | 'connection' | 'interrupted';

/** Each reason's problem code and what to do, unless the throw site says more. */
export const APPLY_PROBLEMS: Readonly<Record<ApplyReason, { readonly code: string; readonly hint?: string }>> = {
  preflight: { code: 'prerequisite-missing', hint: 'a local database gets what is missing from `altan-cloud bootstrap`' },
  conflict: { code: 'record-without-inventory', hint: 'apply the recorded file again with this version first, then this one' },
  blocked: { code: 'plan-blocked', hint: 'move what is in the way (`altan-cloud plan` lists it), then apply again' },
  destructive: { code: 'destructive-change', hint: 'read `altan-cloud plan`, then apply with --allow-destructive to make them' },
  database: { code: 'database-error' },
  connection: { code: 'connection-lost', hint: 'nothing was applied: apply again once the database is reachable' },
  interrupted: { code: 'interrupted' },
};

export const INTERRUPTED = 'interrupted: the transaction was rolled back; nothing was applied';

/** How a timeout's message ends in apply. */
const NOTHING_APPLIED = 'nothing was applied (the transaction was rolled back)';

/**
 * Why an apply did not happen; every case leaves the database as it was.
 * `reason` is the problem category; `problems` default to one with the reason's code.
 * A timeout's message says what timed out on its first line, and where on the lines after it.
 */
export class ApplyError extends AltanError {
  constructor(
    message: string,
    readonly reason: ApplyReason,
    problems: readonly ProblemInput[] = [{ ...APPLY_PROBLEMS[reason], message }],
  ) {
    super(message, reason, problems);
    this.name = 'ApplyError';
  }
}

/** What an apply's failure is read against. */
export interface ApplyContext {
  readonly db: Database;
  readonly compiled: CompileResult;
  readonly timeouts: Timeouts;
  readonly signal: AbortSignal | undefined;
}

function isConnectionLoss(e: unknown): boolean {
  if (e instanceof DatabaseError) return /^(08|57P)/.test(e.code ?? '');
  return e instanceof Error && /connection|terminat|ECONNRESET|EPIPE/i.test(e.message);
}

/** A failure of a step of apply's own (not the file's SQL), as the ApplyError of its kind; anything else as it is. */
export function asApplyError(ctx: ApplyContext, e: unknown): unknown {
  const { db, signal } = ctx;
  if (e instanceof ApplyError) return e;
  if (signal?.aborted) return new ApplyError(INTERRUPTED, 'interrupted');
  const timeout = timeoutKind(e);
  if (timeout === 'lock-timeout' || timeout === 'statement-timeout') return timeoutFailure(ctx, e as DatabaseError, timeout);
  if (e instanceof PlanError) return new ApplyError(e.message, 'conflict');
  if (isConnectionLoss(e)) {
    return new ApplyError(
      `lost the connection to ${db.description} during apply (${(e as Error).message}); ` +
        'the server rolls back an unfinished transaction, so nothing was applied',
      'connection',
    );
  }
  if (e instanceof DatabaseError) {
    const privilege = e.code === INSUFFICIENT_PRIVILEGE;
    return new ApplyError(`${db.description}: ${describeDatabaseError(e)}${privilege ? `\n${PRIVILEGE_HINT}` : ''}`, 'database', [
      {
        code: 'database-error',
        message: e.message,
        ...(e.code ? { sqlstate: e.code } : {}),
        ...(privilege ? { hint: PRIVILEGE_HINT } : e.hint ? { hint: e.hint } : {}),
      },
    ]);
  }
  return e;
}

/** Where in the generated SQL and in the file a statement failed. */
interface FailedAt {
  readonly statement?: PlacedStatement;
  readonly sql?: LineColumn;
  /** The generated line, numbered, with a caret; and where the file has it. */
  readonly lines: readonly string[];
  readonly origin?: FilePosition;
}

/** A timeout; `at` names the statement of the file's SQL that ran too long, when it is known. */
function timeoutFailure(ctx: ApplyContext, e: DatabaseError, kind: TimeoutKind, at?: FailedAt): ApplyError {
  const setting = LIBRARY_SETTINGS[kind];
  const what = at?.statement && statementNamed(at.statement.label, at.sql);
  const sentence = timeoutSentence(kind, ctx.timeouts, setting, NOTHING_APPLIED, what);
  const first = what === undefined ? `${ctx.db.description}: ${sentence}` : sentence;
  return new ApplyError([first, ...(at?.lines ?? [])].join('\n'), 'database', [
    {
      code: kind,
      message: sentence,
      hint: timeoutHint(kind, setting),
      ...(e.code ? { sqlstate: e.code } : {}),
      ...placeOf(at),
    },
  ]);
}

/** `ALTER TABLE public.todos ADD COLUMN done boolean (generated SQL line 30:1)`: a statement a timeout names. */
export function statementNamed(label: string, sql: LineColumn | undefined): string {
  return `${label}${sql ? ` (generated SQL line ${sql.line}:${sql.column})` : ''}`;
}

const placeOf = (at: FailedAt | undefined) => ({
  ...(at?.statement ? { statement: at.statement.label } : {}),
  ...(at?.sql ? { sql: at.sql } : {}),
  ...(at?.origin ? { file: at.origin.file, line: at.origin.line, column: at.origin.column } : {}),
});

/**
 * The file's SQL failed: say where, in the generated SQL and in the file, and what Postgres said.
 * `sql` is the script `body` was cut from.
 */
export async function failure(ctx: ApplyContext, sql: string, body: Body, e: unknown): Promise<unknown> {
  const { db, compiled, signal } = ctx;
  const timeout = timeoutKind(e);
  // A lock timeout (named by the object, CLI's guard) or a cancel says nothing of the SQL, and a replay would
  // wait (or be cancelled) again. A statement timeout has no other way to name its statement: it is replayed.
  if (!(e instanceof DatabaseError) || isConnectionLoss(e) || signal?.aborted || (timeout !== undefined && timeout !== 'statement-timeout'))
    return asApplyError(ctx, e);
  let at: number | undefined;
  let statement: PlacedStatement | undefined;
  if (e.position !== undefined) {
    at = body.start + indexOfPosition(body.text, e.position);
    statement = body.statements.find((s) => s.start <= (at as number) && (at as number) <= s.end);
  } else {
    // Postgres gave no position (e.g. "already exists", a timeout): find the statement by running them one by one.
    statement = await firstFailing(db, body.statements, e);
    at = statement?.start;
  }
  if (signal?.aborted) return asApplyError(ctx, e);
  const position = at === undefined ? undefined : lineColumnAt(sql, at);
  const found = statement && at !== undefined ? originAt(compiled, statement, at - statement.start) : undefined;
  // A statement that ran too long is the object's as a whole: point at the object when no SQL of the file's is at fault.
  const origin = found ?? (timeout && statement ? objectPlace(compiled, statement) : undefined);
  const lines = [
    ...(at === undefined ? [] : [indent(excerptAt(sql, at))]),
    ...(origin ? [`  from ${origin.file}:${origin.line}:${origin.column}: the ${origin.what}`] : []),
  ];
  const failedAt: FailedAt = { ...(statement ? { statement } : {}), ...(position ? { sql: position } : {}), lines, ...(origin ? { origin } : {}) };
  if (timeout === 'statement-timeout') return timeoutFailure(ctx, e, timeout, failedAt);
  const where = position === undefined ? '' : ` (generated SQL line ${position.line}:${position.column})`;
  const label = statement ? ` in ${statement.label}` : '';
  return new ApplyError(
    `apply failed${label}${where}:\n${indent(describeDatabaseError(e))}\n${lines.map((l) => `${l}\n`).join('')}Nothing was applied: the transaction was rolled back.`,
    'database',
    [
      {
        code: 'apply-failed',
        message: e.message,
        ...(e.code ? { sqlstate: e.code } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
        ...placeOf(failedAt),
      },
    ],
  );
}

type Place = FilePosition & { what: string };

/** The author's SQL inside the failing statement's object that holds offset `offset` of the statement, and where the file has it. */
function originAt(compiled: CompileResult, statement: PlacedStatement, offset: number): Place | undefined {
  for (const f of statement.object?.fragments ?? []) {
    const sql = f.sql.trim();
    if (sql === '') continue;
    for (let i = statement.sql.indexOf(sql); i >= 0; i = statement.sql.indexOf(sql, i + 1)) {
      if (i <= offset && offset < i + sql.length) return { ...compiled.locate(f.path), what: f.what };
    }
  }
  return undefined;
}

/** Where the file has the object a statement makes (a made-up one, such as a helper function, has no place). */
function objectPlace(compiled: CompileResult, statement: PlacedStatement): Place | undefined {
  const object = statement.object;
  if (object?.path === undefined) return undefined;
  return { ...compiled.locate(object.path), what: describeObject(object) };
}

/** The first statement that fails as `failed` did (same SQLSTATE, and a timeout for a timeout), replayed in a transaction that is always rolled back. */
async function firstFailing(db: Database, statements: readonly PlacedStatement[], failed: DatabaseError): Promise<PlacedStatement | undefined> {
  try {
    await db.exec('BEGIN');
    await db.exec(LOCK_SQL);
    for (const s of statements) {
      try {
        await db.exec(s.sql);
      } catch (e) {
        return e instanceof DatabaseError && e.code === failed.code && timeoutKind(e) === timeoutKind(failed) ? s : undefined;
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await db.exec('ROLLBACK').catch(() => {});
  }
}

const indent = (text: string) => text.replace(/^/gm, '  ');
