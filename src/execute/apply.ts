/**
 * Runs a compiled file against a database: preflight, then one transaction
 * under the advisory lock that records what it applied. Any error rolls the
 * whole transaction back and is reported at its line in the generated SQL.
 */
import type { CompileResult } from '../compile.js';
import { VERSION } from '../version.js';
import { EMBEDDED_CRON_NOTE } from './bootstrap.js';
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { planAgainst } from '../plan/plan.js';
import type { AdoptedObject, Change, Plan, UnownedObject } from '../plan/plan.js';
import { describeChange } from '../plan/format.js';
import { readRecord, record, RECORD_SQL, sqlSha256 } from '../db/record.js';
import type { NewRecord } from '../db/record.js';
import type { Inventory } from '../plan/inventory.js';
import { storedInventory } from '../plan/inventory.js';
import { LOCK_SQL } from '../db/lock.js';
import { resolveTimeouts, withTimeouts } from '../db/sessionTimeouts.js';
import type { TimeoutOptions } from '../db/sessionTimeouts.js';
import { READING_SETTINGS_SQL } from '../render/readingSettings.js';
import { preflight } from '../db/preflight.js';
import type { Missing } from '../db/preflight.js';
import { APPLY_PROBLEMS, ApplyError, INTERRUPTED, asApplyError, failure } from './applyErrors.js';
import type { ApplyContext } from './applyErrors.js';
import { bodyOf, summarizeCreated } from './statements.js';

export { ApplyError } from './applyErrors.js';

/**
 * `timeouts`: the session's lock and statement timeouts for the call (default DEFAULT_TIMEOUTS: a lock
 * waited for at most 10 s), the session's own settings back afterwards; one that fires throws an
 * ApplyError coded `lock-timeout` or `statement-timeout`, the statement named for the latter.
 */
export interface ApplyOptions extends TimeoutOptions {
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
  /**
   * Take over the file's objects that already exist but altan-cloud did not make (a table made by hand, by
   * `supabase db push`, by the generated SQL run through psql): recorded as its own when they are as the file
   * describes them, changed in place when not (destructive changes still need allowDestructive).
   */
  readonly adopt?: boolean;
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
  /** With `adopt`: the objects that already existed and are now recorded as altan-cloud's. */
  readonly adopted?: readonly AdoptedObject[];
  /** With `adopt`: what the adopted tables hold that the file does not describe, left as it is. */
  readonly unowned?: readonly UnownedObject[];
}

/** What to do about a blocker that is an object in the way. */
const ADOPT_HINT = 'take it over with --adopt (`altan-cloud plan --adopt` shows what that changes), or rename one of them';

const elapsed = (since: number) => Math.round(performance.now() - since);

/**
 * `db` may be any `Database`, the caller's own too: its errors are read as Postgres's (withDatabaseErrors),
 * and its session's timeouts are as they were once apply returns.
 */
export async function apply(given: Database, compiled: CompileResult, options: ApplyOptions = {}): Promise<ApplyReport> {
  const db = withDatabaseErrors(given);
  const ctx: ApplyContext = { db, compiled, timeouts: resolveTimeouts(options.timeouts), signal: options.signal };
  try {
    return await withTimeouts(db, ctx.timeouts, 'nothing was applied', () => applyWith(ctx, options));
  } catch (e) {
    // Reading or setting the timeouts can fail as any first step does (a connection lost before apply).
    throw asApplyError(ctx, e);
  }
}

async function applyWith(ctx: ApplyContext, options: ApplyOptions): Promise<ApplyReport> {
  const { db, compiled } = ctx;
  const started = performance.now();
  const { model } = compiled;
  const step = <T>(work: () => Promise<T>): Promise<T> => guardedStep(ctx, work);
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
    const { plan, inventory, statements, conflicts = [] } = await step(() => planAgainst(db, compiled, records, { adopt: options.adopt === true }));
    const adoption = options.adopt ? { adopted: plan.adopted ?? [], unowned: plan.unowned ?? [] } : {};
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
        ...adoption,
      };
    }
    if (plan.blockers.length > 0)
      throw new ApplyError(
        blockedMessage(model.schema, plan),
        'blocked',
        plan.blockers.map((b) => ({ ...APPLY_PROBLEMS.blocked, ...(conflicts.includes(b) && !options.adopt ? { hint: ADOPT_HINT } : {}), message: b })),
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
    if (options.signal?.aborted) throw new ApplyError(INTERRUPTED, 'interrupted');
    // Adopting objects that are all as the file describes them runs no SQL: the record is all there is to write.
    if (plan.sql !== '') {
      const body = bodyOf(plan.sql, statements);
      try {
        await db.exec(body.text);
      } catch (e) {
        await rollback();
        throw await failure(ctx, plan.sql, body, e);
      }
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
      ...adoption,
    };
  } finally {
    await rollback();
  }
}

/** The record of an apply of `compiled` that ran `sql` and left `inventory` (a migration file writes the same one). */
export function recordOf(compiled: CompileResult, sql: string, inventory: Inventory, durationMs: number): NewRecord {
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
async function guardedStep<T>(ctx: ApplyContext, work: () => Promise<T>): Promise<T> {
  if (ctx.signal?.aborted) throw new ApplyError(INTERRUPTED, 'interrupted');
  try {
    return await work();
  } catch (e) {
    throw asApplyError(ctx, e);
  }
}

function missingMessage(db: Database, missing: readonly Missing[]): string {
  const items = missing.map((m) => `  - ${m.what}: ${m.why}`);
  return (
    `${db.description} is missing what this file needs; nothing was run:\n${items.join('\n')}\n` +
    'A local database gets all of these from `altan-cloud bootstrap` (pg_cron once the server has it).'
  );
}

const changeLine = (c: Change) => `  ${describeChange(c)}${c.destructive ? `: ${c.destructive}` : ''}`;

function blockedMessage(schema: string, plan: Plan): string {
  const adopt =
    plan.adoptable !== undefined
      ? '\nWhat already exists can be taken over instead: `altan-cloud plan --adopt` shows what that changes, `altan-cloud apply --adopt` does it.'
      : '';
  return `the plan for schema ${schema} cannot run; nothing was applied:\n${plan.blockers.map((b) => `  - ${b}`).join('\n')}${adopt}`;
}

function destructiveMessage(plan: Plan): string {
  return (
    `refused: ${plan.destructive.length === 1 ? 'this change' : `these ${plan.destructive.length} changes`} may lose data, and nothing was applied:\n` +
    `${plan.destructive.map(changeLine).join('\n')}\n` +
    'Run `altan-cloud plan` to see the whole plan; apply with --allow-destructive to make them.'
  );
}
