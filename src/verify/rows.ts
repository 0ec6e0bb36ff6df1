/**
 * Rows of the test world as INSERT statements: the fixture rows verify
 * creates as the connection's own user, and the rows a client sends in a
 * request — only the fields a client supplies: required fields without a
 * default, the organization it works in, the parents it points at; never the
 * owner (its default is auth.uid()) unless the request is about naming
 * someone else.
 */
import type { Column, Table } from '../model/model.js';
import { ORGANIZATIONS, viaTerms } from '../model/resolve.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { ParentFacts, RowFacts } from './expect.js';
import { canRead, decide } from './expect.js';
import type { FixtureRow, TableFixture } from './fixtures.js';
import { enumOf, synthesize } from './values.js';
import type { Actor, OrgName, Person, World } from './world.js';
import { homeOrg } from './world.js';
import { ownValue } from './records.js';

export interface RowPlan {
  /** Whose row it is; also whose parent rows it points at by preference. */
  readonly person?: Person;
  /** The owner column: left to its default (the caller), or set to someone. */
  readonly owner?: Person | 'default';
  readonly org?: OrgName;
  /** Distinct per row where a unique key needs distinct values. */
  readonly slot: number;
  /** Which visible parent a unique reference picks (default: `slot`): a request picks another than its person's fixture row. */
  readonly parentSlot?: number;
  /** The actor whose view decides which parent rows to point at (a client picks rows it can see). */
  readonly viewer?: Actor;
  /** A column the request sets to a given value (a reference to a chosen or missing row, a client's updated_at). */
  readonly set?: { readonly column: string; readonly sql: string; readonly parent?: ParentFacts };
  /** Whom `user` fields name (access-rules.md: a's order sold by b); a required one left out names `person`. */
  readonly users?: Readonly<Record<string, Person>>;
  /** More columns set to given SQL values (a value a term's `where` reads, a read-only column). */
  readonly columns?: Readonly<Record<string, string>>;
}

export type BuiltRow = { readonly ok: true; readonly sql: string; readonly facts: RowFacts } | { readonly ok: false; readonly reason: string };

/** Columns that must differ between rows: those of the primary key and of every unique constraint or index. */
export function uniqueColumns(table: Table): ReadonlySet<string> {
  const columns = new Set<string>();
  for (const c of table.constraints) if (c.kind === 'primary-key' || c.kind === 'unique') c.columns.forEach((n) => columns.add(n));
  for (const i of table.indexes) if (i.unique) i.columns.forEach((n) => columns.add(n));
  return columns;
}

/** The SQL text of a key value read back from the database, typed as its column. */
export const typedText = (text: string, column: Column): string => `${literal(text)}::${column.type.sql}`;

export interface RowContext {
  readonly schema: string;
  readonly world: World;
  readonly fixtures: ReadonlyMap<string, TableFixture>;
  /** Chosen value family per column (see values.ts). */
  readonly families: ReadonlyMap<string, number>;
  /**
   * The table's read-only columns, for a request's row: a client leaves them to their
   * defaults (writing one is a request of its own). The fixtures, written by the tables'
   * owner, give them values like any column.
   */
  readonly readonly?: readonly string[];
}

/** An INSERT of one row into `table` following `plan`. */
export function insertRow(ctx: RowContext, table: Table, plan: RowPlan): BuiltRow {
  const unique = uniqueColumns(table);
  const names: string[] = [];
  const values: string[] = [];
  const parents: ParentFacts[] = [];
  // the rows `via` terms read through, by column: a reference left NULL grants nothing
  const refs: Record<string, ParentFacts> = Object.create(null);
  const via = viaColumns(table);
  // Without a prototype: a user column named __proto__ is a key like any other.
  const users: Record<string, Person> = Object.create(null);
  const userColumns = new Set(table.userColumns ?? []);
  const owner = plan.owner === undefined || plan.owner === 'default' ? plan.person : plan.owner;
  for (const column of table.columns) {
    const set = (sql: string) => {
      names.push(ident(column.name));
      values.push(sql);
    };
    if (column.name === table.owner) {
      if (plan.owner !== 'default' && owner !== undefined) set(literal(ctx.world.users[owner]));
      // a `user` term may name the owner field itself
      if (userColumns.has(column.name) && owner !== undefined) users[column.name] = owner;
      continue;
    }
    if (plan.set !== undefined && column.name === plan.set.column) {
      set(plan.set.sql);
      if (plan.set.parent) {
        parents.push(plan.set.parent);
        refs[column.name] = plan.set.parent;
      }
      continue;
    }
    // a request leaves read-only columns to their defaults (writing one is a request of its own)
    if (ctx.readonly?.includes(column.name) && plan.set?.column !== column.name && ownValue(plan.columns, column.name) === undefined) continue;
    const named = ownValue(plan.users, column.name);
    if (named !== undefined) {
      set(literal(ctx.world.users[named]));
      if (userColumns.has(column.name)) users[column.name] = named;
      continue;
    }
    const given = ownValue(plan.columns, column.name);
    if (given !== undefined) {
      set(given);
      continue;
    }
    if (column.name === table.org) {
      set(literal(ctx.world.orgs[plan.org ?? 'X']));
      // `{ via: org_id }` on an `org` table: membership of the row's organization
      if (via.has(column.name)) refs[column.name] = organizationParent(plan.org ?? 'X', column.name);
      continue;
    }
    const fk = table.foreignKeys.find((f) => f.column === column.name);
    // A `via` reference is set even when optional: the term has a row to read through (a NULL one is a variant
    // row). One that closes a foreign-key cycle is added after the tables: left NULL, as other such references are.
    const needed =
      (column.notNull && column.default === undefined) ||
      (unique.has(column.name) && column.default?.kind === 'literal') ||
      (via.has(column.name) && fk !== undefined);
    if (fk && needed) {
      if (fk.target.schema === 'auth') {
        const person = plan.person ?? 'a';
        set(literal(ctx.world.users[person]));
        if (userColumns.has(column.name)) users[column.name] = person;
      } else if (fk.target.table === ORGANIZATIONS && !ctx.fixtures.has(fk.target.table)) {
        // a client points at the organization it works in
        const org = plan.org ?? (plan.viewer !== undefined ? homeOrg(plan.viewer) : 'X');
        set(literal(ctx.world.orgs[org]));
        const parent = organizationParent(org, column.name);
        parents.push(parent);
        refs[column.name] = parent;
      } else {
        const parent = ctx.fixtures.get(fk.target.table);
        if (fk.target.table === table.name) return { ok: false, reason: `${column.name} must reference a row of the same table` };
        if (parent === undefined || parent.rows.length === 0)
          return { ok: false, reason: `needs a row of ${fk.target.table}${parent?.untested ? ` (${parent.untested})` : ''}` };
        const row = chooseParent(parent, plan, unique.has(column.name));
        const keyColumn = parent.table.columns.find((c) => c.name === fk.target.column);
        const text = row.keyValues[fk.target.column];
        if (keyColumn === undefined || text === undefined) return { ok: false, reason: `cannot read the key of ${fk.target.table}` };
        set(typedText(text, keyColumn));
        const facts = parentFacts(parent, row, column.name);
        if (parent.visibilityChecked) parents.push(facts);
        refs[column.name] = facts;
      }
      continue;
    }
    if (!needed) continue;
    const value = synthesize({
      column,
      slot: plan.slot,
      varying: unique.has(column.name),
      family: ctx.families.get(column.name) ?? 0,
      ...(enumOf(table.constraints, column.name) ? { enumValues: enumOf(table.constraints, column.name) } : {}),
    });
    if (value === undefined) return { ok: false, reason: `no value of type ${column.type.sql} to try for ${column.name}` };
    set(value);
  }
  const target = qualified(ctx.schema, table.name);
  const sql = names.length === 0 ? `INSERT INTO ${target} DEFAULT VALUES` : `INSERT INTO ${target} (${names.join(', ')}) VALUES (${values.join(', ')})`;
  const facts: RowFacts = {
    ...(owner !== undefined && table.owner !== undefined ? { owner } : {}),
    ...(plan.org ? { org: plan.org } : {}),
    ...(userColumns.size > 0 ? { users } : {}),
    parents,
    ...(Object.keys(refs).length > 0 ? { refs } : {}),
  };
  return { ok: true, sql, facts };
}

/** The columns the table's `via` terms read through. */
export const viaColumns = (table: Table): ReadonlySet<string> => new Set(table.access === undefined ? [] : viaTerms(table.access).map((t) => t.column));

/** A reference to one of the generated organizations (through `column`, when a column makes it). */
export const organizationParent = (org: OrgName, column?: string): ParentFacts => ({
  ...(column !== undefined ? { column } : {}),
  read: 'organizations',
  row: { org, parents: [] },
  hasOwner: false,
  hasOrg: true,
});

/** What a reference to `row` of `parent` through `column` asks of its writer. */
export function parentFacts(parent: TableFixture, row: FixtureRow, column: string): ParentFacts {
  const { access, hasOwner, hasOrg, memberRoles } = parent.facts;
  return { column, read: access.read, row: row.facts, hasOwner, hasOrg, access, ...(memberRoles !== undefined ? { memberRoles } : {}) };
}

/** The parent row a fixture row of `plan` points at, when its reference is not part of a unique key. */
export const fixtureParent = (parent: TableFixture, plan: RowPlan): FixtureRow => chooseParent(parent, plan, false);

/**
 * The parent row a row points at: among the rows the viewer can read (all
 * rows for fixtures), the row's own person's, else — when the reference is
 * part of a unique key — one chosen by slot so that rows differ, else the
 * first. A client picks what it sees; when it sees nothing, the write is
 * expected to be refused.
 */
function chooseParent(parent: TableFixture, plan: RowPlan, varying: boolean) {
  const viewer = plan.viewer;
  const visible = viewer === undefined ? parent.rows : parent.rows.filter((r) => decide(() => canRead(parent.facts, viewer, r.facts)) === true);
  const pool = visible.length > 0 ? visible : parent.rows;
  const who = viewer ?? plan.person;
  const mine = pool.find((r) => r.facts.owner !== undefined && r.facts.owner === who);
  if (mine) return mine;
  // a parent nobody owns is its person's (A's comment on a task of A's project): a chain stays one person's
  const theirs = varying ? undefined : pool.find((r) => r.facts.owner === undefined && r.person !== undefined && r.person === who);
  if (theirs) return theirs;
  return (varying ? pool[(plan.parentSlot ?? plan.slot) % pool.length] : pool[0]) as (typeof pool)[number];
}
