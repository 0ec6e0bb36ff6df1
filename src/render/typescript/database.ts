/**
 * The `Database` type of a model's exposed schema, in the shape Supabase's
 * generator gives for the applied schema: its tables (Row, Insert, Update,
 * Relationships), its views (the API views of materialized views), and no
 * functions, enums or composite types (the file makes none in that schema:
 * its helpers live in the private schema, its enums are CHECK constraints).
 * Names are sorted as the generator sorts them (English collation), and so
 * are columns and relationships.
 */
import type { Column, ColumnDefault, ForeignKey, Model, Table } from '../../model/model.js';
import type { JsonValue } from '../../model/input.js';
import { arrayElement, catalogName, tsTypeOf, withNull } from './pgTypes.js';
import type { Columns } from './viewColumns.js';

const collator = new Intl.Collator('en');
const byName = <T extends { readonly name: string }>(items: readonly T[]): T[] => [...items].sort((a, b) => collator.compare(a.name, b.name));

/** A property name, quoted unless it is a plain identifier. */
export const key = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

/** Indents every line of a block but the first by `depth` levels of two spaces. */
const indent = (text: string, depth: number): string => text.split('\n').join(`\n${'  '.repeat(depth)}`);

/** `{ … }` with one member a line, or the generator's spelling of an empty group. */
function group(members: readonly string[]): string {
  return members.length === 0 ? '{\n  [_ in never]: never\n}' : `{\n  ${members.map((m) => indent(m, 1)).join('\n  ')}\n}`;
}

function object(members: readonly string[]): string {
  return members.length === 0 ? '{}' : `{\n  ${members.map((m) => indent(m, 1)).join('\n  ')}\n}`;
}

/** The types' choice for a CHECK-constraint enum: the union of its values (not char(N), which pads what it stores). */
function enumUnion(table: Table, column: Column): string | undefined {
  const check = table.constraints.find((c) => c.kind === 'enum' && c.column === column.name);
  if (check?.kind !== 'enum' || column.type.base === 'char') return undefined;
  const literal = (v: JsonValue) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? JSON.stringify(v) : undefined);
  const values = check.values.map(literal);
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  const union = values.join(' | ');
  return column.type.array ? `${arrayElement(union)}[]` : union;
}

/** Postgres keeps no default for DEFAULT NULL: such a column is optional only when nullable. */
const hasDefault = (d: ColumnDefault | undefined): boolean =>
  d !== undefined && !(d.kind === 'literal' && d.value === null) && !(d.kind === 'sql' && /^null$/i.test(d.sql.trim()));

function tableType(table: Table, foreignKeys: readonly ForeignKey[]): string {
  const columns = byName(table.columns);
  const ts = (c: Column) => enumUnion(table, c) ?? tsTypeOf(catalogName(c.type));
  const line = (c: Column, optional: boolean) => `${key(c.name)}${optional ? '?' : ''}: ${withNull(ts(c), !c.notNull)}`;
  const keys = table.constraints.flatMap((c) => (c.kind === 'primary-key' || c.kind === 'unique' ? [JSON.stringify(c.columns)] : []));
  const relationships = [...foreignKeys]
    .sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.target.table, b.target.table))
    .map((fk) =>
      [
        '{',
        `  foreignKeyName: ${JSON.stringify(fk.name)}`,
        `  columns: [${JSON.stringify(fk.column)}]`,
        // One-to-one when the referencing columns are the table's key or unique (PostgREST's rule).
        `  isOneToOne: ${keys.includes(JSON.stringify([fk.column]))}`,
        `  referencedRelation: ${JSON.stringify(fk.target.table)}`,
        `  referencedColumns: [${JSON.stringify(fk.target.column)}]`,
        '},',
      ].join('\n'),
    );
  return object([
    `Row: ${object(columns.map((c) => line(c, false)))}`,
    `Insert: ${object(columns.map((c) => line(c, !c.notNull || hasDefault(c.default))))}`,
    `Update: ${object(columns.map((c) => line(c, true)))}`,
    relationships.length === 0 ? 'Relationships: []' : `Relationships: [\n  ${relationships.map((r) => indent(r, 1)).join('\n  ')}\n]`,
  ]);
}

/** A view's columns may all be NULL (Postgres knows no NOT NULL on a view); it is read-only (over a materialized view). */
function viewType(columns: Columns): string {
  const row =
    columns === undefined ? '{\n  [key: string]: unknown\n}' : object(byName(columns).map((c) => `${key(c.name)}: ${withNull(tsTypeOf(c.type), true)}`));
  return object([`Row: ${row}`, 'Relationships: []']);
}

/** The schema's entry of `Database`. */
export function schemaType(model: Pick<Model, 'schema' | 'tables' | 'deferredForeignKeys'>, views: ReadonlyMap<string, Columns>): string {
  // Only references within the schema: the generator leaves out those to auth.users.
  const foreignKeysOf = (t: Table) =>
    [...t.foreignKeys, ...model.deferredForeignKeys.filter((fk) => fk.table === t.name)].filter((fk) => fk.target.schema === model.schema);
  const tables = byName(model.tables).map((t) => `${key(t.name)}: ${tableType(t, foreignKeysOf(t))}`);
  const viewEntries = [...views.keys()].sort(collator.compare).map((name) => `${key(name)}: ${viewType(views.get(name))}`);
  return object([`Tables: ${group(tables)}`, `Views: ${group(viewEntries)}`, `Functions: ${group([])}`, `Enums: ${group([])}`, `CompositeTypes: ${group([])}`]);
}
