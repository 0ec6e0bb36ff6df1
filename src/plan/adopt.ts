/**
 * Adoption (`plan --adopt`, `apply --adopt`): objects the file describes that
 * the database already holds, made by hand, by `supabase db push` or by
 * running the generated SQL through psql, become altan-cloud's own instead
 * of blocking the plan. Each is compared with what the file would make
 * (adoptProbe.ts) and put in the inventory the plan starts from, as if an
 * earlier apply had made it: one that is the file's, with the file's own
 * fingerprint (diff.ts finds nothing to do), one that differs, with a
 * fingerprint no file has and, for a column, its shape as the catalog has
 * it (diff.ts plans the change in place: ALTER COLUMN through columns.ts,
 * a policy or index made again, grants given again). A table is never
 * made again, so its rows stay; what the file does not describe is not
 * the tool's, and is left as it is.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Model } from '../model/model.js';
import type { Target } from '../target.js';
import { catalogColumnType } from './columns.js';
import type { ColumnShape, Entry, EntryKind, Inventory } from './inventory.js';
import { catalogKey, entryKey } from './inventory.js';
import { copyStatements, ON_COPY, probeOf, runProbes } from './adoptProbe.js';
import type { ProbeResult } from './adoptProbe.js';

/** An object that already existed and is now recorded as altan-cloud's. */
export interface AdoptedObject {
  readonly kind: EntryKind;
  readonly table?: string;
  readonly name: string;
  /** It differs from the file: the plan changes it in place (listed among the changes). */
  readonly changed: boolean;
}

/** What a table that was adopted holds beyond the file: not altan-cloud's, left as it is. */
export interface UnownedObject {
  readonly kind: 'column' | 'constraint' | 'index' | 'policy' | 'trigger';
  readonly table: string;
  readonly name: string;
}

export interface Adoption {
  /** The inventory to plan from: the recorded one (if any) and the adopted objects. */
  readonly inventory: Inventory;
  readonly adopted: readonly AdoptedObject[];
  /** Keys (entryKey) of the adopted objects that differ from the file. */
  readonly changed: ReadonlySet<string>;
  readonly unowned: readonly UnownedObject[];
}

/** The fingerprint of an adopted object that is not the file's: equal to no file's. */
const DIFFERS = 'adopted: not as the file describes it';

const UNOWNED_KINDS = new Set<string>(['column', 'constraint', 'index', 'policy', 'trigger']);

/** The file's objects the database holds that `base` (the record's inventory, or none) does not own: to compare. */
function candidates(base: Inventory, next: Inventory, present: ReadonlySet<string>): Entry[] {
  const owned = new Set(base.entries.map(entryKey));
  const isPresent = (e: Entry) => e.presence.every((k) => present.has(k));
  const tables = new Set(next.entries.filter((e) => e.kind === 'table' && isPresent(e)).map((e) => e.name));
  return next.entries.filter((e) => {
    if (owned.has(entryKey(e))) return false;
    if (e.kind === 'schema-usage') return true;
    if (e.table !== undefined && !tables.has(e.table)) return false;
    // A column's comment needs its column; grants, seed rows and a table's comment need only the table.
    if (e.kind === 'comment' && e.name !== '') return present.has(catalogKey('column', e.table as string, e.name));
    return e.presence.length === 0 ? e.table !== undefined : isPresent(e);
  });
}

/** A column as the database has it, in the file's terms where the catalog renders both alike. */
function columnAsItIs(e: Entry, r: ProbeResult): ColumnShape {
  const file = e.column as ColumnShape;
  const [type, notNull, defaultSql] = JSON.parse(r.actual ?? '[]') as [string, boolean, string | null];
  const [fileType, , fileDefault] = r.expected === null ? [] : (JSON.parse(r.expected) as [string, boolean, string | null]);
  const sameDefault = defaultSql === (fileDefault ?? null) && r.expected !== null;
  return {
    type: type === fileType ? file.type : catalogColumnType(type),
    notNull,
    ...(sameDefault ? (file.default !== undefined ? { default: file.default } : {}) : defaultSql !== null ? { default: defaultSql } : {}),
  };
}

/** What tables adopted now hold that the file does not describe (a unique or primary key's index goes with its constraint). */
function unownedIn(tables: ReadonlySet<string>, next: Inventory, present: ReadonlySet<string>): UnownedObject[] {
  const described = new Set(next.entries.flatMap((e) => e.presence));
  const out: UnownedObject[] = [];
  for (const key of present) {
    if (described.has(key)) continue;
    const [kind, table, name] = key.split('\u0000') as [string, string, string];
    if (!tables.has(table) || !UNOWNED_KINDS.has(kind)) continue;
    if (kind === 'index' && present.has(catalogKey('constraint', table, name))) continue;
    out.push({ kind: kind as UnownedObject['kind'], table, name });
  }
  return out.sort((a, b) => a.table.localeCompare(b.table) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** Compares the file's objects that already exist with the database's, inside the caller's transaction (rolled back to where it was). */
export async function adoptExisting(
  db: Database,
  model: Model,
  target: Target,
  base: Inventory,
  next: Inventory,
  present: ReadonlySet<string>,
): Promise<Adoption> {
  const candidate = candidates(base, next, present);
  if (candidate.length === 0) return { inventory: base, adopted: [], changed: new Set(), unowned: [] };
  const scratch = `altan_adopt_${randomBytes(6).toString('hex')}`;
  const probes = candidate.flatMap((e) => probeOf(e, model, scratch) ?? []);
  const copied = new Set(probes.filter((p) => ON_COPY.has(p.entry.kind)).map((p) => p.entry.table as string));
  const columns = next.entries.filter((e) => e.kind === 'column' && copied.has(e.table as string));
  const results = new Map((await runProbes(db, model, target, scratch, copyStatements(model, scratch, columns), probes)).map((r) => [r.entry, r]));
  // Nothing read (the private schema of a database that never had one): nothing there to adopt, it is made as new.
  const found = candidate.filter((e) => results.get(e)?.actual !== null);

  const changed = new Set<string>();
  const adoptedEntries = found.map((e): Entry => {
    const { object: _object, ...stored } = e;
    const r = results.get(e);
    if (r === undefined || (!r.failed && r.actual !== null && r.actual === r.expected)) return stored;
    changed.add(entryKey(e));
    return { ...stored, fingerprint: DIFFERS, ...(e.kind === 'column' ? { column: columnAsItIs(e, r) } : {}) };
  });
  const adopted = found
    .filter((e) => e.kind !== 'schema-usage')
    .map((e) => ({ kind: e.kind, ...(e.table !== undefined ? { table: e.table } : {}), name: e.name, changed: changed.has(entryKey(e)) }));
  const newTables = new Set(found.filter((e) => e.kind === 'table').map((e) => e.name));
  return {
    inventory: { format: base.format, entries: [...base.entries, ...adoptedEntries] },
    adopted,
    changed,
    unowned: unownedIn(newTables, next, present),
  };
}
