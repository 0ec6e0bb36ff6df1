/**
 * The plan: what a database needs to reach a file's state. On a schema no
 * file was applied to it is the whole generated script; after an apply it
 * is the difference between the recorded inventory and the file's, plus
 * whatever owned object has gone missing (drift), as one transaction.
 */
import type { CompileResult } from '../compile.js';
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { AltanError } from '../problems.js';
import { preflight } from '../db/preflight.js';
import { resolveTimeouts, withTimeouts } from '../db/sessionTimeouts.js';
import type { TimeoutOptions } from '../db/sessionTimeouts.js';
import { readRecord, recordedInventory, sqlSha256 } from '../db/record.js';
import type { AppliedRecord, RecordState } from '../db/record.js';
import { commentSafe, headerLines } from '../render/prepare/transaction.js';
import { planScript } from '../render/script.js';
import type { PlacedStatement, PlanStep } from '../render/script.js';
import { loadSqlParser } from '../sql/parser.js';
import { READING_SETTINGS_SQL } from '../render/readingSettings.js';
import { adoptExisting } from './adopt.js';
import type { AdoptedObject, Adoption, UnownedObject } from './adopt.js';
import { presentObjects } from './catalog.js';
import { diff, PHASES } from './diff.js';
import type { Change, Phase } from './diff.js';
import { INVENTORY_FORMAT, inventoryOf } from './inventory.js';
import { readInventory } from './upgrade.js';
import type { Entry, Inventory } from './inventory.js';

export type { AdoptedObject, Change, UnownedObject };

/** `timeouts`: as apply's (ApplyOptions); plan waits for a lock when it counts the rows of a table another session locked. */
export interface PlanOptions extends TimeoutOptions {
  /**
   * Take over the file's objects that already exist but altan-cloud did not make (adopt.ts): those
   * as the file describes them are recorded with no DDL, the others are changed in place.
   */
  readonly adopt?: boolean;
}

export interface Plan {
  readonly status: 'up-to-date' | 'changes';
  readonly database: string;
  readonly schema: string;
  /** Nothing was applied to this schema before: the plan is the whole generated script. */
  readonly fresh: boolean;
  /** Removals, then changes, then additions. */
  readonly changes: readonly Change[];
  /** The changes that may lose data: apply refuses them without `allowDestructive`. */
  readonly destructive: readonly Change[];
  /** Why the plan cannot run at all (names taken by objects altan-cloud did not make, NULLs where NOT NULL is asked). */
  readonly blockers: readonly string[];
  /** The transaction that makes the changes; '' when up to date. */
  readonly sql: string;
  /** When something was applied before: the file it was, and when. */
  readonly lastApplied?: { readonly file: string; readonly at: string };
  /** With `adopt`: the objects that already existed and become altan-cloud's (`changed`: also among the changes). */
  readonly adopted?: readonly AdoptedObject[];
  /** With `adopt`: what the adopted tables hold that the file does not describe; left as it is. */
  readonly unowned?: readonly UnownedObject[];
  /** Without `adopt`: how many objects in the way (blockers) `adopt` would take over instead. */
  readonly adoptable?: number;
}

/** Why no plan can be made: the schema's record predates inventories and the file changed (`record-without-inventory`). */
export class PlanError extends AltanError {
  constructor(message: string, code = 'record-without-inventory', hint = 'apply the recorded file again with this version first, then this one') {
    super(message, 'conflict', { code, message, hint });
    this.name = 'PlanError';
  }
}

const EMPTY: Inventory = { format: INVENTORY_FORMAT, entries: [] };

const SECTIONS: readonly (readonly [string, readonly Phase[]])[] = [
  ['Remove what changed or is gone (made again below where it changed)', PHASES.filter((p) => p.startsWith('drop-'))],
  ['Tables and columns', ['tables', 'columns']],
  ['Constraints and foreign keys', ['constraints', 'foreign-keys']],
  ['Indexes', ['indexes']],
  ["Members of rows already there: each row's owner, with the first role", ['backfills']],
  ['Helper functions', ['functions']],
  ['Row level security, policies and grants', ['security']],
  ['Triggers', ['triggers']],
  ['Comments', ['comments']],
  ['Seed rows, upserted by primary key', ['seeds']],
  ['Realtime: tables whose changes Supabase Realtime streams (publication supabase_realtime, made when absent)', ['realtime']],
  ['Storage buckets (upserted by id) and their policies on storage.objects', ['storage']],
  ['Materialized views and scheduled jobs (pg_cron)', ['views', 'jobs']],
];

/**
 * Plans `compiled` against the database as it is now; changes nothing. With `adopt` it makes the
 * file's objects to compare them with those there, in a transaction it rolls back.
 */
export async function plan(given: Database, compiled: CompileResult, options: PlanOptions = {}): Promise<Plan> {
  const db = withDatabaseErrors(given);
  return withTimeouts(db, resolveTimeouts(options.timeouts), 'nothing was changed', async () => {
    // What apply's preflight would refuse is a reason this plan cannot run.
    const missing = await preflight(db, compiled.model, compiled.target);
    const planned = async () => (await planAgainst(db, compiled, await readRecord(db, compiled.model.schema), options)).plan;
    let p: Plan;
    if (options.adopt) {
      // The file's statements are read as apply's transaction reads them.
      await db.exec(`BEGIN;\n${READING_SETTINGS_SQL.join('\n')}`);
      try {
        p = await planned();
      } finally {
        await db.exec('ROLLBACK').catch(() => {});
      }
    } else p = await planned();
    return missing.length === 0 ? p : { ...p, blockers: [...missing.map((m) => `${m.what} is missing: ${m.why}`), ...p.blockers] };
  });
}

/**
 * What `plan` would make of `next` on a database that `previous` was applied
 * to, left as that apply left it: no database is read (so no row is counted,
 * and nothing dropped by hand is found). For previews and tests.
 */
export async function planBetween(previous: CompileResult, next: CompileResult): Promise<Pick<Plan, 'changes' | 'destructive' | 'sql'>> {
  const fragments = [...previous.objects, ...next.objects].some((o) => o.fragments !== undefined && o.fragments.length > 0);
  if (fragments) await loadSqlParser();
  const before = inventoryOf(previous.objects);
  const present = new Set(before.entries.flatMap((e) => e.presence));
  const d = diff(before, inventoryOf(next.objects), present, { privateSchemaShared: false, schema: next.model.schema });
  const changes = d.changes.map(({ count: _count, ...c }) => c);
  const record = { id: '0', file_name: previous.model.source.fileName, sql_sha256: '', applied_at: '(the last apply)', has_inventory: true };
  const sql = changes.length > 0 || d.steps.size > 0 ? renderPlan(next, d.steps, record, undefined).text : '';
  return { changes, destructive: changes.filter((c) => c.destructive !== undefined), sql };
}

/** What planning gives apply: the plan, the inventory to record once it ran, and the statements of its SQL. */
export interface Planned {
  readonly plan: Plan;
  /** What apply records; absent when the plan is up to date and the record already has an inventory. */
  readonly inventory?: Inventory;
  readonly statements: readonly PlacedStatement[];
  /** The blockers that are objects in the way (what `adopt` takes over). */
  readonly conflicts?: readonly string[];
}

/** The plan against what the record says of the schema (`records`); with `adopt`, inside the caller's transaction. */
export async function planAgainst(db: Database, compiled: CompileResult, records: RecordState, options: PlanOptions = {}): Promise<Planned> {
  const previous = records.last;
  const { model } = compiled;
  // Fingerprints read the author's SQL as Postgres parses it.
  if (compiled.objects.some((o) => o.fragments !== undefined && o.fragments.length > 0)) await loadSqlParser();
  const present = await presentObjects(db, model.schema, model.privateSchema);
  const last = previous ? { lastApplied: { file: previous.file_name, at: previous.applied_at } } : {};
  // The same SQL as last time means the same objects, whichever version recorded it; all there: up to date,
  // with no fingerprint to take and no diff to make (the inventory is made only for a record that has none).
  if (previous && previous.sql_sha256 === sqlSha256(compiled.sql) && compiled.objects.every((o) => o.presence.every((k) => present.has(k)))) {
    const plan: Plan = {
      status: 'up-to-date',
      database: db.description,
      schema: model.schema,
      fresh: false,
      changes: [],
      destructive: [],
      blockers: [],
      sql: '',
      ...last,
    };
    return { plan, statements: [], ...(previous.has_inventory ? {} : { inventory: inventoryOf(compiled.objects) }) };
  }
  const next = inventoryOf(compiled.objects);
  const prior = previous && previous.sql_sha256 === sqlSha256(compiled.sql) ? next : await previousInventory(db, compiled, next, previous);
  const privateSchemaShared = prior !== undefined && records.otherSchemas;
  const adoption = options.adopt ? await adoptExisting(db, model, compiled.target, prior ?? EMPTY, next, present) : undefined;
  const d = diff(adoption?.inventory ?? prior ?? EMPTY, next, present, {
    privateSchemaShared,
    schema: model.schema,
    ...(adoption ? { adoptedChanged: adoption.changed } : {}),
  });
  const counts = await readCounts(db, d.changes);
  const conflicts = d.conflicts.map((e) => conflictLine(e, model.schema));
  const blockers = [...conflicts];
  const changes = d.changes.map((c, i) => settle(c, counts[i], blockers));
  const adopting = adoption !== undefined && adoption.adopted.length > 0;
  const fresh = prior === undefined && !adopting;
  // Adopting alone runs nothing: apply only records what is there.
  const pending = fresh || changes.length > 0 || d.steps.size > 0;
  const script = !pending
    ? { text: '', statements: [] }
    : fresh
      ? { text: compiled.sql, statements: compiled.statements }
      : renderPlan(compiled, d.steps, previous, adoption);
  const sql = script.text;
  return {
    plan: {
      status: pending || adopting ? 'changes' : 'up-to-date',
      database: db.description,
      schema: model.schema,
      fresh,
      changes,
      destructive: changes.filter((c) => c.destructive !== undefined),
      blockers,
      sql,
      ...last,
      ...adoptionFields(adoption, conflicts.length),
    },
    inventory: next,
    statements: script.statements,
    conflicts,
  };
}

async function previousInventory(db: Database, compiled: CompileResult, next: Inventory, previous: AppliedRecord | undefined): Promise<Inventory | undefined> {
  if (previous === undefined) return undefined;
  const text = await recordedInventory(db, previous);
  const parsed = text === undefined ? undefined : readInventory(text, next);
  if (text !== undefined && parsed === undefined) {
    throw new PlanError(
      `schema ${compiled.model.schema} holds ${previous.file_name} as applied at ${previous.applied_at} by an altan-cloud whose record ` +
        'this version cannot read (a newer one?); plan and apply it with that version or a later one.',
      'record-unreadable',
      'plan and apply with the release that wrote the record, or a later one',
    );
  }
  if (parsed === undefined) {
    throw new PlanError(
      `schema ${compiled.model.schema} holds ${previous.file_name} as applied at ${previous.applied_at} by an earlier altan-cloud ` +
        'that did not record which objects it made, and this file differs; apply that file again with this version first ' +
        '(it records them without changing anything), then this one.',
    );
  }
  return parsed;
}

/** Each change's count, from one query (in change order; undefined where none is asked). */
async function readCounts(db: Database, changes: readonly Change[]): Promise<(number | undefined)[]> {
  const asked = changes.flatMap((c, i) => (c.count ? [{ i, sql: c.count.sql }] : []));
  const result: (number | undefined)[] = changes.map(() => undefined);
  if (asked.length === 0) return result;
  const [row] = await db.query<Record<string, string | number>>(`SELECT ${asked.map((a, n) => `(${a.sql}) AS c${n}`).join(', ')}`);
  asked.forEach((a, n) => (result[a.i] = Number(row?.[`c${n}`])));
  return result;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A change with its count read: a detail or a blocker. */
function settle(c: Change, n: number | undefined, blockers: string[]): Change {
  if (c.count === undefined || n === undefined) return c;
  const { count, ...rest } = c;
  const label = c.table === undefined ? c.name : `${c.table}.${c.name}`;
  if (count.of === 'nulls') {
    if (n > 0)
      blockers.push(
        `column ${label} cannot be made NOT NULL: ${plural(n, 'row holds', 'rows hold')} NULL in it; set a value in them, or give the field a default, first`,
      );
    return rest;
  }
  if (c.kind === 'table') return { ...rest, details: [...c.details, `holds ${plural(n, 'row', 'rows')}`] };
  if (n > 0 && count.default === undefined)
    blockers.push(
      `column ${label} is required and has no default, but ${c.table} holds ${plural(n, 'row', 'rows')}; give the field a default (or add it as optional and fill it) first`,
    );
  else if (n > 0)
    blockers.push(
      `column ${label} is required, but ${c.table} holds ${plural(n, 'row', 'rows')} and its default ${count.default} gives them no value (it is NULL outside a request); add the field as optional and fill it (or empty the table) first`,
    );
  return rest;
}

function conflictLine(e: Entry, schema: string): string {
  const what = e.table !== undefined ? `${e.kind} ${e.name} on ${schema}.${e.table}` : e.kind === 'table' ? `table ${schema}.${e.name}` : `${e.kind} ${e.name}`;
  return `${what} already exists and altan-cloud did not create it (it never touches objects it did not make); rename one of them`;
}

/** The plan's adoption, as it reports it: what was adopted (with `adopt`), or how much could be (without). */
function adoptionFields(adoption: Adoption | undefined, conflicts: number): Pick<Plan, 'adopted' | 'unowned' | 'adoptable'> {
  if (adoption === undefined) return conflicts > 0 ? { adoptable: conflicts } : {};
  return { adopted: adoption.adopted, unowned: adoption.unowned };
}

function renderPlan(
  compiled: CompileResult,
  steps: ReadonlyMap<Phase, readonly PlanStep[]>,
  previous: AppliedRecord | undefined,
  adoption: Adoption | undefined,
) {
  const sections = SECTIONS.map(([title, phases]) => ({ title, steps: phases.flatMap((p) => steps.get(p) ?? []) }));
  const header = [
    ...headerLines(compiled.model),
    ...(previous ? [`-- Changes from the last apply: ${commentSafe(previous.file_name)} at ${previous.applied_at}`] : []),
    ...(adoption && adoption.adopted.length > 0
      ? [`-- Adopts ${adoption.adopted.length} objects that already exist (recorded as altan-cloud's; changed only where listed below)`]
      : []),
  ];
  const script = planScript(compiled.model, compiled.target, header, sections);
  return { text: script.text, statements: script.statements };
}
