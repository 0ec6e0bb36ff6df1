/**
 * Fixture rows for the terms beyond plain levels: `user` fields that name
 * someone else than the owner (a's order sold by b), and more rows per person
 * whose columns read by a term's `where` take other values (each enum value,
 * true and false, other values of the type), so that each `where` holds on
 * some rows and fails on others. Whether it does is measured afterwards
 * (whereFacts.ts); what no row covers is reported, never passed silently.
 */
import type { JsonValue } from '../model/input.js';
import { sqlLiteral } from '../model/literals.js';
import type { Column, ForeignKey, Table } from '../model/model.js';
import type { TableFixture } from './fixtures.js';
import { fixtureParent, parentFacts, typedText, viaColumns } from './rows.js';
import type { RowPlan } from './rows.js';
import { whereReads, tableWheres } from './whereFacts.js';
import { enumOf, synthesize } from './values.js';
import type { Person } from './world.js';
import { otherPerson } from './world.js';

/** At most this many more rows per person: enough for a `where` on an enum of four values. */
const MAX_VARIANTS = 3;

/**
 * Whom the table's `user` fields name in a row of `person`: on an entity with
 * an owner someone else (the order's seller is not its buyer); else the
 * row's person. Undefined for a table without `user` fields.
 */
export function userPlan(table: Table, person: Person | undefined): Readonly<Record<string, Person>> | undefined {
  const columns = (table.userColumns ?? []).filter((c) => c !== table.owner);
  if (columns.length === 0 || person === undefined) return undefined;
  const named = table.owner !== undefined ? otherPerson(person, table.org === undefined) : person;
  return Object.fromEntries(columns.map((c) => [c, named]));
}

/** A value a row may hold in a column, as SQL and as the few words a label shows. */
export interface Candidate {
  readonly sql: string;
  readonly text: string;
}

const shown = (value: JsonValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Values of one column: each enum value, true and false, else three values
 * of its type; NULL when it may be NULL and has a default. Without
 * `withDefault`, not what a row that leaves the column out holds (its literal
 * default; NULL when it has none).
 */
export function candidates(table: Table, column: Column, withDefault = false): Candidate[] {
  const dflt = column.default?.kind === 'literal' && !withDefault ? column.default.value : undefined;
  const literal = (value: JsonValue): Candidate[] => {
    if (dflt !== undefined && JSON.stringify(dflt) === JSON.stringify(value)) return [];
    const r = sqlLiteral(column.type, value);
    return r.ok ? [{ sql: r.sql, text: shown(value) }] : [];
  };
  const values = enumOf(table.constraints, column.name);
  let out: Candidate[];
  if (values !== undefined && values.length > 0) out = values.flatMap(literal);
  else if (column.type.base === 'boolean' && !column.type.array) out = [true, false].flatMap(literal);
  else {
    out = [];
    for (let family = 0; family < 3; family++) {
      const sql = synthesize({ column, slot: 0, varying: false, family });
      if (sql !== undefined && !out.some((c) => c.sql === sql))
        out.push({ sql, text: sql.replace(/::[a-z ]+(\(\d+\))?(\[\])?$/, '').replace(/^'(.*)'$/, '$1') });
    }
  }
  if (!column.notNull && column.default !== undefined) out.push({ sql: 'NULL', text: 'null' });
  return out;
}

/**
 * The columns a row can vary for the `where`s of `ops`: read by a `where`,
 * and not the key, owner, organization, a `user` field (those are who a
 * row is for, set by the plans themselves) or another reference.
 */
export function whereColumns(table: Table, ops?: Parameters<typeof tableWheres>[1], deferred: readonly ForeignKey[] = []): Column[] {
  if (tableWheres(table, ops).length === 0) return [];
  const reads = whereReads(table, ops);
  const pk = table.constraints.find((c) => c.kind === 'primary-key');
  // References too: a value made up for one points at no row, and the reference probes choose their parents.
  const fixed = new Set([
    ...(pk?.kind === 'primary-key' ? pk.columns : []),
    table.owner,
    table.org,
    ...(table.userColumns ?? []),
    ...table.foreignKeys.map((fk) => fk.column),
    // the references that close a cycle are added after the tables (Model.deferredForeignKeys)
    ...deferred.filter((fk) => fk.table === table.name).map((fk) => fk.column),
  ]);
  return reads === undefined ? [] : table.columns.filter((c) => !fixed.has(c.name) && reads.has(c.name));
}

/**
 * More rows for each base row of a table whose read, update or delete terms
 * have a `where`: the i-th sets every column such a `where` reads to its i-th
 * candidate value. (A create term's `where` is about new rows: the requests
 * send each value instead.)
 */
export function variantPlans<P extends RowPlan & { readonly label: string }>(table: Table, base: readonly P[], deferred: readonly ForeignKey[] = []): P[] {
  const columns = whereColumns(table, ['read', 'update', 'delete'], deferred)
    .map((c) => ({ column: c, values: candidates(table, c) }))
    .filter((c) => c.values.length > 0);
  if (columns.length === 0) return [];
  const count = Math.min(MAX_VARIANTS, Math.max(...columns.map((c) => c.values.length)));
  const out: P[] = [];
  for (const plan of base) {
    for (let i = 0; i < count; i++) {
      const picked = columns.map(({ column, values }) => ({ column: column.name, value: values[i % values.length] as Candidate }));
      out.push({
        ...plan,
        // a slot of its own: a unique column differs from the base rows' and the requests'
        slot: plan.slot + 10 * (i + 1),
        label: `${plan.label} (${picked.map((p) => `${p.column} ${p.value.text}`).join(', ')})`,
        columns: { ...plan.columns, ...Object.fromEntries(picked.map((p) => [p.column, p.value.sql])) },
      });
    }
  }
  return out;
}

/**
 * For each base row, one whose optional `via` references are NULL: a NULL
 * reference grants nothing through the term (access-rules.md §1).
 */
export function nullViaPlans<P extends RowPlan & { readonly label: string }>(table: Table, base: readonly P[]): P[] {
  // (a reference that closes a foreign-key cycle is NULL in every fixture row already)
  const columns = [...viaColumns(table)].filter(
    (c) => table.columns.find((col) => col.name === c)?.notNull === false && table.foreignKeys.some((fk) => fk.column === c),
  );
  if (columns.length === 0) return [];
  const unset = Object.fromEntries(columns.map((c) => [c, 'NULL']));
  return base.map((plan) => ({ ...plan, slot: plan.slot + 50, label: `${plan.label} (${columns.join(', ')} null)`, columns: { ...plan.columns, ...unset } }));
}

/** At most this many more rows per base row, each pointing a `via` reference at another parent row. */
const MAX_VIA_PARENTS = 3;

/**
 * For each base row, rows whose `via` reference points at the parent's other
 * rows (a comment of B's on A's post, one on a published post): the term is
 * then probed through every kind of parent row, each person's and each
 * `where`'s, and at every level of a chain.
 */
export function viaParentPlans<P extends RowPlan & { readonly label: string }>(
  table: Table,
  base: readonly P[],
  fixtures: ReadonlyMap<string, TableFixture>,
): P[] {
  const out: P[] = [];
  const columns = viaColumns(table);
  for (const fk of table.foreignKeys.filter((f) => columns.has(f.column) && f.target.table !== table.name)) {
    const parent = fixtures.get(fk.target.table);
    const keyColumn = parent?.table.columns.find((c) => c.name === fk.target.column);
    if (parent === undefined || keyColumn === undefined || parent.rows.length < 2) continue;
    for (const plan of base) {
      const already = fixtureParent(parent, plan);
      const others = parent.rows.filter((r) => r !== already).slice(0, MAX_VIA_PARENTS);
      others.forEach((row, i) => {
        const sql = typedText(row.keyValues[fk.target.column] ?? '', keyColumn);
        out.push({
          ...plan,
          slot: plan.slot + 100 + 10 * i,
          label: `${plan.label} (${fk.column} → ${row.label})`,
          set: { column: fk.column, sql, parent: parentFacts(parent, row, fk.column) },
        });
      });
    }
  }
  return out;
}
