/**
 * The inventory: the objects a compiled file owns, one entry each, as apply
 * records it next to the SQL it ran. An entry is the object's identity (kind,
 * table, name), a fingerprint of what it is, and how to remove it; the next
 * plan compares the file's new inventory with the recorded one (equal
 * fingerprints: unchanged) and with the catalog (presence), so it touches
 * only objects altan-cloud created, and only those whose meaning changed.
 *
 * The fingerprint is a hash of the object's meaning (render/objects.ts): the
 * model's nodes it is made from, with the author's SQL as Postgres parses it.
 * The blueprints' spacing is not part of it; what an object is, is.
 */
import { createHash } from 'node:crypto';
import type { ColumnRef, ColumnShape, ObjectKind, SqlObject } from '../render/objects.js';
import { catalogKey, RENDER_REVISION } from '../render/objects.js';
import { sqlMeaning, sqlReads } from '../sql/meaning.js';
import type { AuthorSqlKind } from '../sql/meaning.js';

export { catalogKey };
export type { ColumnShape };
export type EntryKind = ObjectKind;

/** The format apply records today; format 1 (SQL text instead of fingerprints) is upgraded when read (upgrade.ts). */
export const INVENTORY_FORMAT = 2;

/** An object as the inventory keeps it: its identity, how to remove it, and what it is (fingerprint). */
export interface Entry extends Pick<SqlObject, 'kind' | 'table' | 'name' | 'drop' | 'presence' | 'withTable' | 'column' | 'refreshes'> {
  /** What it is: equal fingerprints in two inventories mean the same object. */
  readonly fingerprint: string;
  /** A usage grant's API roles: verify's audit of another file's schema reads them. */
  readonly grantsTo?: readonly string[];
  /** The file's object (only in the inventory of the file being planned, never recorded). */
  readonly object?: SqlObject;
}

export interface Inventory {
  readonly format: typeof INVENTORY_FORMAT;
  readonly entries: readonly Entry[];
}

export const entryKey = (e: Pick<Entry, 'kind' | 'table' | 'name'>): string => `${e.kind}\u0000${e.table ?? ''}\u0000${e.name}`;

/** JSON with keys in order and undefined left out: the same meaning gives the same text, whatever built it. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  if (typeof record.authorSql === 'string') return sqlMeaning(record.authorSql, (record.as ?? 'expression') as AuthorSqlKind);
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
}

export function fingerprintOf(o: Pick<SqlObject, 'kind' | 'meaning'>): string {
  return createHash('sha256')
    .update(`${o.kind}\u0000${RENDER_REVISION[o.kind]}\u0000${canonical(o.meaning)}`)
    .digest('hex')
    .slice(0, 32);
}

/** The inventory of the file's objects (parser loaded when any holds author SQL). */
export function inventoryOf(objects: readonly SqlObject[]): Inventory {
  return {
    format: INVENTORY_FORMAT,
    entries: objects.map((o) => ({
      kind: o.kind,
      ...(o.table !== undefined ? { table: o.table } : {}),
      name: o.name,
      fingerprint: fingerprintOf(o),
      drop: o.drop,
      presence: o.presence,
      ...(o.withTable ? { withTable: true } : {}),
      ...(o.column ? { column: o.column } : {}),
      ...(o.refreshes !== undefined ? { refreshes: o.refreshes } : {}),
      ...(o.grantsTo !== undefined ? { grantsTo: o.grantsTo } : {}),
      object: o,
    })),
  };
}

/** The inventory as the record keeps it: without the file's objects. */
export function storedInventory(inventory: Inventory): string {
  return JSON.stringify({ format: inventory.format, entries: inventory.entries.map(({ object: _object, ...stored }) => stored) });
}

/**
 * What an object reads that can change under it: columns of the file's
 * schema (declared by the model, or referenced by the author's SQL of a
 * check), and for a view, the relations of its query.
 */
export interface Reads {
  readonly columns: readonly ColumnRef[];
  /** A view's query: the relations it names, the column names it references, and whether it selects `*`. */
  readonly query?: { readonly relations: ReadonlySet<string>; readonly columns: ReadonlySet<string>; readonly star: boolean };
}

export function readsOf(o: SqlObject): Reads {
  const columns = [...(o.reads ?? [])];
  let query: Reads['query'];
  for (const f of o.fragments ?? []) {
    const r = sqlReads(f.sql, f.kind);
    if (f.kind === 'query') {
      // A query that does not parse is read as naming everything: made again whenever anything changes.
      query = r ?? { relations: new Set(['*']), columns: new Set(), star: true };
    } else if (o.kind === 'constraint' && o.table !== undefined && r) {
      for (const column of r.columns) columns.push({ table: o.table, column });
    }
  }
  return { columns, ...(query ? { query } : {}) };
}
