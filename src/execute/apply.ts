/**
 * Runs a compiled file against a database: preflight, then one transaction
 * under the advisory lock that records what it applied. Any error rolls the
 * whole transaction back and is reported at its line in the generated SQL.
 */
import type { CompileResult, FilePosition } from '../compile.js';
import { AltanError } from '../problems.js';
import type { ProblemInput } from '../problems.js';
import { VERSION } from '../version.js';
import { EMBEDDED_CRON_NOTE } from './bootstrap.js';
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { DatabaseError, INSUFFICIENT_PRIVILEGE, PRIVILEGE_HINT, describeDatabaseError } from '../db/errors.js';
import { PlanError, planAgainst } from '../plan/plan.js';
import type { Change, Plan } from '../plan/plan.js';
import { describeChange } from '../plan/format.js';
import { readRecord, record, RECORD_SQL, sqlSha256 } from '../db/record.js';
import type { NewRecord } from '../db/record.js';
import type { Inventory } from '../plan/inventory.js';
import { storedInventory } from '../plan/inventory.js';
import { LOCK_SQL } from '../db/lock.js';
import { timeoutKind } from '../db/timeouts.js';
import { READING_SETTINGS_SQL } from '../render/readingSettings.js';
import { preflight } from '../db/preflight.js';
import type { Missing } from '../db/preflight.js';
import type { PlacedStatement } from '../render/script.js';
import { excerptAt, indexOfPosition, lineColumnAt, summarizeCreated } from './statements.js';

export interface ApplyOptions {
  /** Execute and report, then roll back. */
  readonly dryRun?: boolean;
  /**
   * Runs inside the transaction after the file's SQL, before COMMIT (or the
   * dry run's ROLLBACK): `apply --dry-run --verify` checks what it would apply.
   */
  readonly beforeEnd?: (db: Database) => Promise<void>;
  /** Run changes that may lose data (drop a table or column, narrow a type, …); refused otherwise. */
  readonly allowDestructive?: boolean;
  /**
   * Aborted (Ctrl-C): checked before each step and before COMMIT, which
   * then rolls back. Cancelling a running statement is the caller's (the
   * CLI cancels it on the server from a second connection).
   */
  readonly signal?: AbortSignal;
}

export interface ApplyReport {
  readonly status: 'applied' | 'dry-run' | 'up-to-date';
  readonly database: string;
  /** `3 tables`, `8 policies`, …: what a first apply created (nothing on a later one: see `changes`). */
  readonly created: readonly string[];
  /** What the plan changed (every object, on a first apply too); none when up to date. */
  readonly changes: readonly Change[];
  readonly notes: readonly string[];
  readonly durationMs: number;
  /** When up to date: the earlier apply that this one matches. */
  readonly appliedAt?: string;
}

type ApplyReason = 'preflight' | 'conflict' | 'blocked' | 'destructive' | 'database' | 'connection' | 'interrupted';

/** Each reason's problem code and what to do, unless the throw site says more. */
const APPLY_PROBLEMS: Readonly<Record<ApplyReason, { readonly code: string; readonly hint?: string }>> = {
  preflight: { code: 'prerequisite-missing', hint: 'a local database gets what is missing from `altan-cloud bootstrap`' },
  conflict: { code: 'record-without-inventory', hint: 'apply the recorded file again with this version first, then this one' },
  blocked: { code: 'plan-blocked', hint: 'move what is in the way (`altan-cloud plan` lists it), then apply again' },
  destructive: { code: 'destructive-change', hint: 'read `altan-cloud plan`, then apply with --allow-destructive to make them' },
  database: { code: 'database-error' },
  connection: { code: 'connection-lost', hint: 'nothing was applied: apply again once the database is reachable' },
  interrupted: { code: 'interrupted' },
};

const INTERRUPTED = 'interrupted: the transaction was rolled back; nothing was applied';

/**
 * Why an apply did not happen; every case leaves the database as it was.
 * `reason` is the problem category; `problems` default to one with the reason's code.
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

const elapsed = (since: number) => Math.round(performance.now() - since);

/** The statements of a script between its own `BEGIN;` and `COMMIT;` (its first and last): apply runs its own transaction around them. */
interface Body {
  readonly start: number;
  readonly text: string;
  readonly statements: readonly PlacedStatement[];
}

function bodyOf(sql: string, all: readonly PlacedStatement[]): Body {
  const first = all[1];
  const commit = all[all.length - 1];
  if (!first || !commit || all[0]?.sql !== 'BEGIN;' || commit.sql !== 'COMMIT;') throw new Error('internal: the SQL is not one BEGIN … COMMIT transaction');
  return { start: first.start, text: sql.slice(first.start, commit.start), statements: all.slice(1, -1) };
}

/** `db` may be any `Database`, the caller's own too: its errors are read as Postgres's (withDatabaseErrors). */
export async function apply(given: Database, compiled: CompileResult, options: ApplyOptions = {}): Promise<ApplyReport> {
  const db = withDatabaseErrors(given);
  const started = performance.now();
  const { model } = compiled;
  const step = <T>(work: () => Promise<T>): Promise<T> => guardedStep(db, options.signal, work);
  // Reading the catalog may itself be refused (a role without USAGE on auth): a database problem, not a bug.
  const missing = await step(() => preflight(db, model, compiled.target));
  if (missing.length > 0)
    throw new ApplyError(
      missingMessage(db, missing),
      'preflight',
      missing.map((m) => ({ ...APPLY_PROBLEMS.preflight, message: `${m.what} is missing: ${m.why}` })),
    );

  const notes = db.kind === 'embedded' && model.jobs.length > 0 ? [EMBEDDED_CRON_NOTE] : [];

  let open = true;
  const rollback = async () => {
    if (open) await db.exec('ROLLBACK').catch(() => {});
    open = false;
  };
  try {
    // The reading settings first: the record and the plan are read under them too.
    await step(() => db.exec(`BEGIN;\n${READING_SETTINGS_SQL.join('\n')}\n${LOCK_SQL};\n${RECORD_SQL}`));
    // Planned under the lock, in the transaction that runs it: nothing can change in between.
    const records = await step(() => readRecord(db, model.schema));
    const previous = records.last;
    const { plan, inventory, statements } = await step(() => planAgainst(db, compiled, records));
    if (plan.status === 'up-to-date') {
      // A record from before inventories: keep the same file's inventory now, so its next change can be planned.
      if (previous?.has_inventory === false && inventory && !options.dryRun) {
        await step(() => record(db, recordOf(compiled, compiled.sql, inventory, elapsed(started))));
        await step(() => db.exec('COMMIT'));
        open = false;
      }
      await rollback();
      return {
        status: 'up-to-date',
        database: db.description,
        created: [],
        changes: [],
        notes: [],
        durationMs: elapsed(started),
        ...(previous ? { appliedAt: previous.applied_at } : {}),
      };
    }
    if (plan.blockers.length > 0)
      throw new ApplyError(
        blockedMessage(model.schema, plan),
        'blocked',
        plan.blockers.map((b) => ({ ...APPLY_PROBLEMS.blocked, message: b })),
      );
    if (plan.destructive.length > 0 && !options.allowDestructive) {
      throw new ApplyError(
        destructiveMessage(plan),
        'destructive',
        plan.destructive.map((c) => ({ ...APPLY_PROBLEMS.destructive, message: changeLine(c).trim() })),
      );
    }

    // A plan with changes always comes with the inventory to record.
    if (!inventory) throw new Error('internal: a plan with changes and no inventory');
    const body = bodyOf(plan.sql, statements);
    if (options.signal?.aborted) throw new ApplyError(INTERRUPTED, 'interrupted');
    try {
      await db.exec(body.text);
    } catch (e) {
      await rollback();
      throw await failure(db, compiled, plan.sql, body, e, options.signal);
    }
    const durationMs = elapsed(started);
    await step(() => record(db, recordOf(compiled, plan.sql, inventory, durationMs)));
    if (options.beforeEnd) await options.beforeEnd(db);
    // The last moment an interrupt can keep the changes out.
    await step(() => db.exec(options.dryRun ? 'ROLLBACK' : 'COMMIT'));
    open = false;
    return {
      status: options.dryRun ? 'dry-run' : 'applied',
      database: db.description,
      created: plan.fresh ? summarizeCreated(model) : [],
      changes: plan.changes,
      notes,
      durationMs: elapsed(started),
    };
  } finally {
    await rollback();
  }
}

function recordOf(compiled: CompileResult, sql: string, inventory: Inventory, durationMs: number): NewRecord {
  const { model } = compiled;
  return {
    schema: model.schema,
    fileName: model.source.fileName,
    fileSha256: model.source.sha256,
    sqlSha256: sqlSha256(compiled.sql),
    target: compiled.target,
    toolVersion: VERSION,
    durationMs,
    sql,
    inventory: storedInventory(inventory),
  };
}

/** A step of apply's own (not the file's SQL): its errors are not about a generated line. Not begun once interrupted. */
async function guardedStep<T>(db: Database, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new ApplyError(INTERRUPTED, 'interrupted');
  try {
    return await work();
  } catch (e) {
    throw asApplyError(db, e, signal);
  }
}

function isConnectionLoss(e: unknown): boolean {
  if (e instanceof DatabaseError) return /^(08|57P)/.test(e.code ?? '');
  return e instanceof Error && /connection|terminat|ECONNRESET|EPIPE/i.test(e.message);
}

function asApplyError(db: Database, e: unknown, signal: AbortSignal | undefined): unknown {
  if (e instanceof ApplyError) return e;
  if (signal?.aborted) return new ApplyError(INTERRUPTED, 'interrupted');
  const timeout = timeoutKind(e);
  if (timeout === 'lock-timeout' || timeout === 'statement-timeout') {
    const error = e as DatabaseError;
    const message = `${db.description}: ${describeDatabaseError(error)}\nNothing was applied: the transaction was rolled back.`;
    return new ApplyError(message, 'database', [{ code: timeout, message: error.message, ...(error.code ? { sqlstate: error.code } : {}) }]);
  }
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

/** The file's SQL failed: say where, in the generated SQL and in the file, and what Postgres said. */
async function failure(db: Database, compiled: CompileResult, sql: string, body: Body, e: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  // A timeout or a cancel says nothing of the SQL, and replaying it would wait (or be cancelled) again.
  if (!(e instanceof DatabaseError) || isConnectionLoss(e) || signal?.aborted || timeoutKind(e)) return asApplyError(db, e, signal);
  let at: number | undefined;
  let statement: PlacedStatement | undefined;
  if (e.position !== undefined) {
    at = body.start + indexOfPosition(body.text, e.position);
    statement = body.statements.find((s) => s.start <= (at as number) && (at as number) <= s.end);
  } else {
    // Postgres gave no position (e.g. "already exists"): find the statement by running them one by one.
    statement = await firstFailing(db, body.statements, e.code);
    at = statement?.start;
  }
  const position = at === undefined ? undefined : lineColumnAt(sql, at);
  const where = position === undefined ? '' : ` (generated SQL line ${position.line}:${position.column})`;
  const label = statement ? ` in ${statement.label}` : '';
  const excerpt = at === undefined ? '' : `\n${indent(excerptAt(sql, at))}`;
  const origin = statement && at !== undefined ? originAt(compiled, statement, at - statement.start) : undefined;
  const from = origin ? `\n  from ${origin.file}:${origin.line}:${origin.column}: the ${origin.what}` : '';
  return new ApplyError(
    `apply failed${label}${where}:\n${indent(describeDatabaseError(e))}${excerpt}${from}\nNothing was applied: the transaction was rolled back.`,
    'database',
    [
      {
        code: 'apply-failed',
        message: e.message,
        ...(e.code ? { sqlstate: e.code } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
        ...(statement ? { statement: statement.label } : {}),
        ...(position ? { sql: position } : {}),
        ...(origin ? { file: origin.file, line: origin.line, column: origin.column } : {}),
      },
    ],
  );
}

/** The author's SQL inside the failing statement's object that holds offset `offset` of the statement, and where the file has it. */
function originAt(compiled: CompileResult, statement: PlacedStatement, offset: number): (FilePosition & { what: string }) | undefined {
  for (const f of statement.object?.fragments ?? []) {
    const sql = f.sql.trim();
    if (sql === '') continue;
    for (let i = statement.sql.indexOf(sql); i >= 0; i = statement.sql.indexOf(sql, i + 1)) {
      if (i <= offset && offset < i + sql.length) return { ...compiled.locate(f.path), what: f.what };
    }
  }
  return undefined;
}

/** The first statement that fails with `code`, replayed in a transaction that is always rolled back. */
async function firstFailing(db: Database, statements: readonly PlacedStatement[], code: string | undefined): Promise<PlacedStatement | undefined> {
  try {
    await db.exec('BEGIN');
    await db.exec(LOCK_SQL);
    for (const s of statements) {
      try {
        await db.exec(s.sql);
      } catch (e) {
        return e instanceof DatabaseError && e.code === code ? s : undefined;
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

function missingMessage(db: Database, missing: readonly Missing[]): string {
  const items = missing.map((m) => `  - ${m.what}: ${m.why}`);
  return (
    `${db.description} is missing what this file needs; nothing was run:\n${items.join('\n')}\n` +
    'A local database gets all of these from `altan-cloud bootstrap` (pg_cron once the server has it).'
  );
}

const changeLine = (c: Change) => `  ${describeChange(c)}${c.destructive ? `: ${c.destructive}` : ''}`;

function blockedMessage(schema: string, plan: Plan): string {
  return `the plan for schema ${schema} cannot run; nothing was applied:\n${plan.blockers.map((b) => `  - ${b}`).join('\n')}`;
}

function destructiveMessage(plan: Plan): string {
  return (
    `refused: ${plan.destructive.length === 1 ? 'this change' : `these ${plan.destructive.length} changes`} may lose data, and nothing was applied:\n` +
    `${plan.destructive.map(changeLine).join('\n')}\n` +
    'Run `altan-cloud plan` to see the whole plan; apply with --allow-destructive to make them.'
  );
}
