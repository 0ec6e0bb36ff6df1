/**
 * Two inventories (what the last apply made, what the file asks for now)
 * and the catalog's names → the changes, each with its statements in the
 * phase it must run in, and why. Minimal: an object is touched when its own
 * fingerprint changed, or when something it reads changes under it (a column
 * it compares changes type or goes; a view's `*` over a table that gains a
 * column). Pure: the data a decision needs (rows, NULLs, rows in a table) is
 * asked for as `count` and settled by the planner.
 */
import type { ColumnShape, Entry, EntryKind, Inventory } from './inventory.js';
import { catalogKey, entryKey, readsOf } from './inventory.js';
import type { PlanStep } from '../render/script.js';
import { ident, qualified } from '../sql/quote.js';
import { alterColumn } from './columns.js';

/** The order statements run in: everything that goes or is replaced first, in reverse dependency order. */
export const PHASES = [
  'drop-views',
  'drop-jobs',
  'drop-realtime',
  'drop-policies',
  'drop-triggers',
  'drop-foreign-keys',
  'drop-constraints',
  'drop-indexes',
  'drop-columns',
  'drop-tables',
  'drop-functions',
  'tables',
  'columns',
  'constraints',
  'foreign-keys',
  'indexes',
  'backfills',
  'functions',
  'security',
  'triggers',
  'comments',
  'seeds',
  'realtime',
  'storage',
  'views',
  'jobs',
] as const;
export type Phase = (typeof PHASES)[number];

const CREATE_PHASE: Readonly<Record<EntryKind, Phase>> = {
  'schema-usage': 'security',
  table: 'tables',
  column: 'columns',
  constraint: 'constraints',
  'foreign-key': 'foreign-keys',
  index: 'indexes',
  rls: 'security',
  policy: 'security',
  grants: 'security',
  trigger: 'triggers',
  comment: 'comments',
  seed: 'seeds',
  function: 'functions',
  bucket: 'storage',
  'storage-policy': 'storage',
  view: 'views',
  job: 'jobs',
  realtime: 'realtime',
  backfill: 'backfills',
};
const DROP_PHASE: Readonly<Partial<Record<EntryKind, Phase>>> = {
  view: 'drop-views',
  job: 'drop-jobs',
  policy: 'drop-policies',
  'storage-policy': 'drop-policies',
  trigger: 'drop-triggers',
  'foreign-key': 'drop-foreign-keys',
  constraint: 'drop-constraints',
  index: 'drop-indexes',
  column: 'drop-columns',
  table: 'drop-tables',
  function: 'drop-functions',
  bucket: 'storage',
  comment: 'comments',
  realtime: 'drop-realtime',
};
/** Kinds replaced by dropping and creating; the others are altered in place or re-run (idempotent). */
const REPLACED = new Set<EntryKind>(['constraint', 'foreign-key', 'index', 'policy', 'storage-policy', 'trigger', 'view']);
/** Parts of a table not worth a line of their own when the whole table is created. */
const QUIET_WITH_TABLE = new Set<EntryKind>(['rls', 'grants', 'comment', 'seed', 'backfill']);

/** A number the planner reads before it decides; `sql` is a scalar subquery. */
export interface Count {
  readonly sql: string;
  readonly of: 'rows' | 'nulls';
  /** A new column's default that gives the rows already there no value (see addCount). */
  readonly default?: string;
}

export interface Change {
  readonly action: 'create' | 'alter' | 'drop';
  readonly kind: EntryKind;
  readonly table?: string;
  readonly name: string;
  readonly details: readonly string[];
  /** Owned and unchanged in the file, but missing from the database (dropped by hand). */
  readonly drift?: boolean;
  /** Why data may be lost: such a change needs --allow-destructive. */
  readonly destructive?: string;
  readonly count?: Count;
}

export interface Diff {
  readonly changes: readonly Change[];
  readonly steps: ReadonlyMap<Phase, readonly PlanStep[]>;
  /** New objects whose names the database already uses for something altan-cloud did not make. */
  readonly conflicts: readonly Entry[];
}

const tableOf = (e: Entry) => e.table ?? (e.kind === 'table' ? e.name : undefined);

export interface DiffOptions {
  /** Files for other schemas were applied too: they share the private schema, so its usage is never taken back. */
  readonly privateSchemaShared: boolean;
  /** The file's schema (every table of the inventories is in it). */
  readonly schema: string;
  /** Keys of objects adopted as they were, unlike the file (adopt.ts): changed because they differ, not because the file did. */
  readonly adoptedChanged?: ReadonlySet<string>;
}

export function diff(previous: Inventory, next: Inventory, present: ReadonlySet<string>, options: DiffOptions): Diff {
  // Each entry's key made once: the same string object again is hashed once, a new one every time.
  const keys = new Map<Entry, string>();
  const key = (e: Entry): string => {
    let k = keys.get(e);
    if (k === undefined) keys.set(e, (k = entryKey(e)));
    return k;
  };
  const before = new Map(previous.entries.map((e, i) => [key(e), { e, i }]));
  const after = new Map(next.entries.map((e) => [key(e), e]));
  // Drops run in reverse order of the last apply's creation: dependents go before what they depend on.
  const drops: { phase: Phase; sql: string; order: number }[] = [];
  const drop = (phase: Phase, e: Entry) => drops.push({ phase, sql: e.drop, order: before.get(key(e))?.i ?? 0 });
  const isPresent = (e: Entry) => e.presence.every((k) => present.has(k));
  const steps = new Map<Phase, PlanStep[]>();
  const run = (phase: Phase, step: PlanStep) => {
    if (step.sql === '') return;
    let list = steps.get(phase);
    if (!list) steps.set(phase, (list = []));
    list.push(step);
  };
  /** The statements that make `e`; a helper function's comment above the first. */
  const make = (phase: Phase, e: Entry) => {
    const o = e.object;
    if (!o) return;
    o.statements.forEach((sql, i) => run(phase, { sql, object: o, ...(i === 0 && o.comment ? { comment: o.comment } : {}) }));
  };
  const changes: Change[] = [];
  const conflicts: Entry[] = [];

  // Names the last apply's objects hold (a unique constraint's index too: it has the constraint's name). A new
  // object of another kind may take one over (a unique index renamed when a field becomes unique): the old one is
  // dropped first, so the name is no one else's.
  const owned = new Set(
    previous.entries.flatMap((e) => (e.kind === 'constraint' ? [...e.presence, catalogKey('index', e.table as string, e.name)] : e.presence)),
  );
  const createdTables = new Set<string>();
  // A new table whose name the database already uses: reported once; its parts are not planned on someone else's table.
  const takenTables = new Set<string>();
  for (const e of next.entries) {
    if (e.kind !== 'table') continue;
    const old = before.get(key(e))?.e;
    if (old === undefined && e.presence.some((k) => present.has(k))) {
      conflicts.push(e);
      takenTables.add(e.name);
    } else if (old === undefined || !isPresent(e)) createdTables.add(e.name);
  }
  const qtableOf = (e: Entry) => qualified(options.schema, tableOf(e) as string);
  const droppedTables = new Set(previous.entries.filter((e) => e.kind === 'table' && !after.has(key(e))).map((e) => e.name));

  // Columns that change type or go: what reads them is dropped first and made again (Postgres refuses to alter
  // a column a policy or view reads, and re-parses a CHECK's text into another expression than a fresh CREATE).
  const changedColumns = new Map<string, string>();
  for (const e of previous.entries) {
    if (e.kind !== 'column' || droppedTables.has(e.table as string)) continue;
    const now = after.get(key(e));
    if (now === undefined) changedColumns.set(columnKey(e.table as string, e.name), 'which is dropped');
    else if (now.column?.type.sql !== e.column?.type.sql) changedColumns.set(columnKey(e.table as string, e.name), 'whose type changes');
  }
  // Tables that gain columns: a view's `*` stands for the columns there were when it was made.
  const grown = new Set(next.entries.filter((e) => e.kind === 'column' && !before.has(key(e))).map((e) => e.table as string));
  const remade = remadeBy(previous, next, changedColumns, grown, droppedTables);
  for (const e of next.entries) {
    const old = before.get(key(e))?.e;
    const table = tableOf(e);
    const base = { kind: e.kind, ...(e.table !== undefined ? { table: e.table } : {}), name: e.name };
    if (table !== undefined && takenTables.has(table)) {
      // Listed, never planned: the blocker stops the apply.
      if (e.kind === 'table') changes.push({ action: 'create', ...base, details: ['the name is taken by a table altan-cloud did not create'] });
      continue;
    }
    if (e.kind === 'table') {
      if (createdTables.has(e.name)) {
        make('tables', e);
        changes.push({ action: 'create', ...base, details: [], ...(old ? { drift: true } : {}) });
      }
      continue;
    }
    if (table !== undefined && createdTables.has(table)) {
      if (e.withTable) continue;
      make(CREATE_PHASE[e.kind], e);
      if (!QUIET_WITH_TABLE.has(e.kind)) changes.push({ action: 'create', ...base, details: [] });
      continue;
    }
    if (old === undefined) {
      if (e.kind === 'schema-usage') {
        make('security', e);
        continue;
      }
      // Helper functions are shared by the files of every schema (same names, the tool's own private schema);
      // buckets are upserted by id, as on a first apply; a table already published stays so (the add looks first).
      if (e.kind !== 'function' && e.kind !== 'bucket' && e.kind !== 'realtime' && e.presence.some((k) => present.has(k) && !owned.has(k))) conflicts.push(e);
      make(CREATE_PHASE[e.kind], e);
      changes.push({ action: 'create', ...base, details: [], ...(e.kind === 'column' ? addCount(e, qtableOf(e)) : {}) });
      continue;
    }
    const forced = remade.get(e);
    if (old.fingerprint === e.fingerprint && forced === undefined) {
      if (isPresent(e)) continue;
      make(CREATE_PHASE[e.kind], e);
      changes.push({ action: 'create', ...base, details: [], drift: true });
      continue;
    }
    if (e.kind === 'column') {
      if (!isPresent(e)) {
        make('columns', e);
        changes.push({ action: 'create', ...base, details: [], drift: true });
        continue;
      }
      const a = alterColumn(qtableOf(e), e.name, old.column as ColumnShape, e.column as ColumnShape);
      for (const sql of a.sql) run('columns', { sql, ...(e.object ? { object: e.object } : {}) });
      changes.push({
        action: 'alter',
        ...base,
        details: a.details,
        ...(a.destructive ? { destructive: a.destructive } : {}),
        ...(a.setsNotNull ? { count: { sql: `SELECT count(*) FROM ${qtableOf(e)} WHERE ${ident(e.name)} IS NULL`, of: 'nulls' as const } } : {}),
      });
      continue;
    }
    if (REPLACED.has(e.kind)) drop(DROP_PHASE[e.kind] as Phase, old);
    if (e.kind === 'schema-usage' && !options.privateSchemaShared) run('security', { sql: old.drop });
    make(CREATE_PHASE[e.kind], e);
    // What it reads changing is the more telling reason (an enum's meaning holds its column's type, say).
    const cause = options.adoptedChanged?.has(key(e)) ? 'it differs from the file' : 'the file changed it';
    const why = forced !== undefined ? `made again: ${forced}` : `${REPLACED.has(e.kind) ? 'replaced' : 'updated'}: ${cause}`;
    changes.push({ action: 'alter', ...base, details: [why] });
  }

  for (const old of previous.entries) {
    if (after.has(key(old))) continue;
    const table = tableOf(old);
    const base = { kind: old.kind, ...(old.table !== undefined ? { table: old.table } : {}), name: old.name };
    if (old.kind !== 'table' && table !== undefined && droppedTables.has(table)) continue;
    // A column's comment goes with the column (which is dropped before comments are written).
    if (old.kind === 'comment' && old.name !== '' && !after.has(entryKey({ kind: 'column', table: old.table, name: old.name }))) continue;
    const phase = DROP_PHASE[old.kind];
    if (phase === undefined) continue;
    // Already gone (dropped by hand): nothing to run, nothing to lose; DROP TABLE, DROP COLUMN and cron.unschedule would fail.
    if (old.presence.length > 0 && !old.presence.some((k) => present.has(k))) {
      changes.push({ action: 'drop', ...base, details: [], drift: true });
      continue;
    }
    drop(phase, old);
    const details = old.kind === 'bucket' ? [BUCKET_STAYS] : [];
    changes.push({ action: 'drop', ...base, details, ...dropEffects(old, isPresent(old), options.schema) });
  }
  for (const d of drops.sort((a, b) => b.order - a.order)) run(d.phase, { sql: d.sql });
  return { changes: sortChanges(changes), steps, conflicts };
}

/** auth.uid(), an owner column's default, is NULL outside a request: ADD COLUMN gives the rows already there NULL. */
const NULL_FOR_EXISTING_ROWS = new Set(['auth.uid()']);

/** A new column that is NOT NULL without a default that fills the rows already there can only join an empty table. */
function addCount(e: Entry, qtable: string): Pick<Change, 'count'> {
  const d = e.column?.default;
  if (e.kind !== 'column' || !e.column?.notNull || (d !== undefined && !NULL_FOR_EXISTING_ROWS.has(d))) return {};
  return { count: { sql: `SELECT count(*) FROM ${qtable}`, of: 'rows', ...(d !== undefined ? { default: d } : {}) } };
}

/** Storage refuses a direct DELETE of a bucket: what the plan says instead of deleting one. */
const BUCKET_STAYS =
  'its policies are dropped; the bucket stays, with its files (Storage refuses a direct DELETE: remove it with the Storage API or the dashboard)';

/** What removing `old` loses; counts are asked only of objects that are there. */
function dropEffects(old: Entry, present: boolean, schema: string): Pick<Change, 'destructive' | 'count'> {
  switch (old.kind) {
    case 'table':
      return {
        destructive: 'its rows are deleted',
        ...(present ? { count: { sql: `SELECT count(*) FROM ${qualified(schema, old.name)}`, of: 'rows' as const } } : {}),
      };
    case 'column':
      return { destructive: 'its values are deleted' };
    case 'job':
      // A view's refresh job goes with its view, whose rows are only ever computed from the tables.
      return old.refreshes !== undefined ? {} : { destructive: 'the job stops running' };
    default:
      return {};
  }
}

const columnKey = (table: string, column: string) => `${table}\u0000${column}`;

/**
 * The objects of the file made again although their own meaning is the same, and why: what reads a
 * column that changes type or goes; a view whose query reads a table that goes, selects `*` from a
 * table that gains a column, or reads a view made again. (A view's query is the author's SQL: the
 * columns it references are matched by name against every table it names.)
 */
function remadeBy(
  previous: Inventory,
  next: Inventory,
  changedColumns: ReadonlyMap<string, string>,
  grown: ReadonlySet<string>,
  dropped: ReadonlySet<string>,
): Map<Entry, string> {
  const fingerprints = new Map(previous.entries.map((e) => [entryKey(e), e.fingerprint]));
  const out = new Map<Entry, string>();
  const views: { e: Entry; query: NonNullable<ReturnType<typeof readsOf>['query']> }[] = [];
  for (const e of next.entries) {
    if (!e.object || !fingerprints.has(entryKey(e)) || !FOLLOWS_READS.has(e.kind)) continue;
    const reads = readsOf(e.object);
    for (const r of reads.columns) {
      const why = changedColumns.get(columnKey(r.table, r.column));
      if (why !== undefined) {
        out.set(e, `it reads ${r.table}.${r.column}, ${why}`);
        break;
      }
    }
    if (out.has(e) || !reads.query) continue;
    views.push({ e, query: reads.query });
    const q = reads.query;
    const names = (t: string) => q.relations.has('*') || q.relations.has(t.toLowerCase()) || q.relations.has(t);
    const changed = [...changedColumns].find(([k]) => {
      const [table, column] = k.split('\u0000') as [string, string];
      return names(table) && (q.star || q.columns.has(column));
    });
    const why = changed
      ? `it reads ${changed[0].replace('\u0000', '.')}, ${changed[1]}`
      : [...dropped].some(names)
        ? `it reads table ${[...dropped].find(names)}, which is dropped`
        : q.star && [...grown].some(names)
          ? `it selects * from ${[...grown].find(names)}, which gains a column`
          : undefined;
    if (why !== undefined) out.set(e, why);
  }
  // A view that reads a view made again is made again too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const { e, query } of views) {
      if (out.has(e)) continue;
      // Made again for its own change or for something it reads: either way it is dropped, and its readers with it.
      const source = views.find(
        (v) => v.e !== e && (out.has(v.e) || fingerprints.get(entryKey(v.e)) !== v.e.fingerprint) && query.relations.has(v.e.name.toLowerCase()),
      );
      if (source) {
        out.set(e, `it reads materialized view ${source.e.name}, which is made again`);
        grew = true;
      }
    }
  }
  return out;
}

/** Kinds Postgres ties to the columns they read: made again when one changes type or goes. */
const FOLLOWS_READS = new Set<EntryKind>(['policy', 'constraint', 'view']);

const ACTION_ORDER = { drop: 0, alter: 1, create: 2 } as const;

/** Stable reading order: removals, then changes, then additions, each in inventory order. */
function sortChanges(changes: Change[]): Change[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ACTION_ORDER[a.c.action] - ACTION_ORDER[b.c.action] || a.i - b.i)
    .map((x) => x.c);
}
