/**
 * Creating the test world in the database, as the connection's own user (the
 * tables' owner, whom RLS does not restrict): users in auth.users, the two
 * organizations with their members, and rows of every entity — two users'
 * rows, or three on `org` tables, parents before children.
 */
import type { Database } from '../db/database.js';
import { isRefusal } from '../db/sessionTimeouts.js';
import type { ColumnGuard, Model, Table } from '../model/model.js';
import { OPERATIONS, ORGANIZATION_MEMBERS, ORGANIZATIONS } from '../model/resolve.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { RowFacts, TableFacts } from './expect.js';
import { readsEveryRow } from './expect.js';
import { insertRow, typedText } from './rows.js';
import type { RowPlan } from './rows.js';
import { extraMembershipSql, membersOfTable, plannedMembers } from './memberFacts.js';
import { nullViaPlans, userPlan, variantPlans, viaParentPlans } from './termFixtures.js';
import { FAMILIES, constrainedColumn } from './values.js';
import { measureWheres, tableWheres } from './whereFacts.js';
import type { OrgName, Person, World } from './world.js';
import { CREATOR, OWNER_LABEL, PERSONS } from './world.js';

export interface FixtureRow {
  readonly label: string;
  readonly facts: RowFacts;
  /** The primary key's values as text, by column. */
  readonly keyValues: Readonly<Record<string, string>>;
  /** The key as `keySql` reads it: how a SELECT's rows are matched to labels. */
  readonly keyText: string;
  /** Whose row it is meant to be (its owner's, or the person whose parents it points at when nobody owns it). */
  readonly person?: Person;
}

/**
 * A row's primary key as one text: a JSON array of each column's text. JSON,
 * because a value may start with U+FEFF, which PGlite's client drops from the
 * start of a text result; the array's text starts with "[".
 */
export const keySql = (columns: readonly string[]): string => `json_build_array(${columns.map((c) => `${ident(c)}::text`).join(', ')})::text`;

export interface TableFixture {
  readonly table: Table;
  readonly facts: TableFacts;
  readonly rows: readonly FixtureRow[];
  /** The value family chosen per column (a CHECK refused the ones before). */
  readonly families: ReadonlyMap<string, number>;
  /** Writes pointing at this table's rows must show the writer can read them (docs/format.md). */
  readonly visibilityChecked: boolean;
  /** Why the table's requests cannot be made, when they cannot. */
  readonly untested?: string;
}

export const hasOrganizationTables = (model: Model): boolean => model.tables.some((t) => t.name === ORGANIZATIONS && t.role === 'organizations');

/** Users, organizations and memberships, in one round trip. */
export async function createWorld(db: Database, model: Model, world: World): Promise<void> {
  const statements = [`INSERT INTO auth.users (id) VALUES ${PERSONS.map((p) => `(${literal(world.users[p])})`).join(', ')}`];
  if (hasOrganizationTables(model)) {
    // The creators become the first admins through the table's trigger, as in real use.
    const org = (name: OrgName) => `(${literal(world.orgs[name])}, ${literal(`verify ${name} ${world.tag}`)}, ${literal(world.users[CREATOR[name]])})`;
    statements.push(
      `INSERT INTO ${qualified(model.schema, ORGANIZATIONS)} (id, name, created_by) VALUES ${org('X')}, ${org('Y')}`,
      `INSERT INTO ${qualified(model.schema, ORGANIZATION_MEMBERS)} (org_id, user_id, role) VALUES (${literal(world.orgs.X)}, ${literal(world.users.member)}, 'member') ON CONFLICT DO NOTHING`,
    );
  }
  await db.exec(statements.join(';\n'));
}

/** The file's column flags, as the model keeps them for the table's column guard. */
function guardOf(table: Table, functions: Model['functions']): ColumnGuard | undefined {
  for (const f of functions) if (f.body.kind === 'column-guard' && f.body.table === table.name) return f.body;
  return undefined;
}

/** Any operation whose rule is not one plain level (or none): a list, a `where`, a `user` or `{ org: ROLES }` term. */
function usesTerms(access: NonNullable<Table['access']>): boolean {
  return OPERATIONS.some((op) => access[op].length > 1 || access[op].some((t) => t.kind !== 'level' || t.where !== undefined));
}

/**
 * What the oracle knows of a table: its rules, whether it has an owner and an
 * organization, and the columns the API never writes. `functions`: the
 * model's, where the read-only and immutable fields are listed.
 */
export function tableFacts(table: Table, functions: Model['functions'] = []): TableFacts {
  const access = table.access ?? { read: [], create: [], update: [], delete: [] };
  const guard = guardOf(table, functions);
  const readonly = (guard?.readonly ?? []).map((c) => c.name);
  const immutable = (guard?.immutable ?? []).filter((c) => c !== table.owner);
  // access-rules.md §1: on an entity that uses terms, the owner field never changes through the API.
  const owner = table.owner !== undefined && usesTerms(access) ? [table.owner] : [];
  const members = membersOfTable(table);
  return {
    access,
    hasOwner: table.owner !== undefined,
    hasOrg: table.org !== undefined,
    ...(members !== undefined ? { memberRoles: members.roles } : {}),
    readonly,
    fixed: [...new Set([...readonly, ...immutable, ...owner])],
  };
}

/** The fixture rows of a table: whose they are, labelled; `user` fields name someone else than the owner. */
export function fixturePlans(table: Table): readonly (RowPlan & { readonly label: string })[] {
  const row = (person: Person, org: OrgName | undefined, slot: number) => {
    const users = userPlan(table, person);
    return { label: `${OWNER_LABEL[person]} row`, person, ...(org ? { org } : {}), slot, ...(users ? { users } : {}) };
  };
  if (table.org !== undefined) return [row('admin', 'X', 0), row('member', 'X', 1), row('outsider', 'Y', 2)];
  // a reference to the generated organizations (a `via` to them) points the two rows at X and Y
  const [first, second] = table.foreignKeys.some((fk) => fk.target.table === ORGANIZATIONS) ? (['X', 'Y'] as const) : [undefined, undefined];
  if (table.owner !== undefined) return [row('a', first, 0), row('b', second, 1)];
  // Rows nobody owns; a and b only decide what a required user reference points at.
  const users = (person: Person) => {
    const named = userPlan(table, person);
    return named ? { users: named } : {};
  };
  return [
    { label: 'row 1', person: 'a', slot: 0, ...(first ? { org: first } : {}), ...users('a') },
    { label: 'row 2', person: 'b', slot: 1, ...(second ? { org: second } : {}), ...users('b') },
  ];
}

/** The table's primary-key columns. */
export const primaryKey = (table: Table): readonly string[] => {
  const pk = table.constraints.find((c) => c.kind === 'primary-key');
  return pk?.kind === 'primary-key' ? pk.columns : [];
};

/** Rows for every entity, in foreign-key order; a table whose rows cannot be made says why. */
export async function createFixtures(db: Database, model: Model, world: World): Promise<Map<string, TableFixture>> {
  const fixtures = new Map<string, TableFixture>();
  for (const table of model.tables) {
    if (table.role !== 'entity') continue;
    fixtures.set(table.name, await tableFixture(db, model, world, table, fixtures));
  }
  return fixtures;
}

async function tableFixture(db: Database, model: Model, world: World, table: Table, fixtures: ReadonlyMap<string, TableFixture>): Promise<TableFixture> {
  const facts = tableFacts(table, model.functions);
  // Rows only some may read are rows a write must show its writer can read (or probe for).
  const base = { table, facts, visibilityChecked: !readsEveryRow(facts.access.read, false) };
  const families = new Map<string, number>();
  const key = primaryKey(table);
  const returning = `${keySql(key)} AS key`;
  for (let attempt = 0; ; attempt++) {
    await db.exec('SAVEPOINT altan_verify_fixture');
    const rows: FixtureRow[] = [];
    try {
      for (const plan of fixturePlans(table)) {
        const built = insertRow({ schema: model.schema, world, fixtures, families }, table, plan);
        if (!built.ok) {
          await db.exec('ROLLBACK TO SAVEPOINT altan_verify_fixture; RELEASE SAVEPOINT altan_verify_fixture');
          return { ...base, rows: [], families, untested: built.reason };
        }
        const [returned] = await db.query<{ key: string }>(`${built.sql} RETURNING ${returning}`);
        rows.push(await withMembers(db, model.schema, world, table, fixtureRow(plan, built.facts, key, returned?.key)));
      }
      await db.exec('RELEASE SAVEPOINT altan_verify_fixture');
      rows.push(...(await variantRows(db, model, world, table, fixtures, families)));
      return { ...base, rows: await withWheres(db, model, table, rows), families };
    } catch (e) {
      await db.exec('ROLLBACK TO SAVEPOINT altan_verify_fixture; RELEASE SAVEPOINT altan_verify_fixture');
      if (!isRefusal(e)) throw e;
      const column = e.code === '23514' ? constrainedColumn(table.constraints, e.constraint) : undefined;
      if (column === undefined || attempt >= FAMILIES * 4) return { ...base, rows: [], families, untested: `its test rows were refused: ${e.message}` };
      const next = (families.get(column) ?? 0) + 1;
      if (next >= FAMILIES) return { ...base, rows: [], families, untested: `no value tried for ${column} passes its check (${e.constraint})` };
      families.set(column, next);
    }
  }
}

function fixtureRow(plan: { readonly label: string; readonly person?: Person }, facts: RowFacts, key: readonly string[], keyText = '[]'): FixtureRow {
  const texts = JSON.parse(keyText) as string[];
  const person = plan.person !== undefined ? { person: plan.person } : {};
  return { label: plan.label, facts, keyValues: Object.fromEntries(key.map((c, i) => [c, texts[i] ?? ''])), keyText, ...person };
}

/**
 * On an entity with members, the row's memberships beyond the owner's (which
 * its trigger made): made as the connection's own user, and known to the oracle.
 */
async function withMembers(db: Database, schema: string, world: World, table: Table, row: FixtureRow): Promise<FixtureRow> {
  const members = membersOfTable(table);
  const [keyColumn] = primaryKey(table);
  const column = table.columns.find((c) => c.name === keyColumn);
  if (members === undefined || column === undefined) return row;
  const membership = plannedMembers(members, row.facts.owner);
  const sql = extraMembershipSql(schema, members, world, typedText(row.keyValues[column.name] ?? '', column), membership, row.facts.owner);
  if (sql !== '') await db.exec(sql);
  return { ...row, facts: { ...row.facts, members: membership } };
}

/** The rows a `where` needs besides the base ones (termFixtures.ts); one the database refuses is left out. */
async function variantRows(
  db: Database,
  model: Model,
  world: World,
  table: Table,
  fixtures: ReadonlyMap<string, TableFixture>,
  families: ReadonlyMap<string, number>,
): Promise<FixtureRow[]> {
  const rows: FixtureRow[] = [];
  const key = primaryKey(table);
  const base = fixturePlans(table);
  const plans = [...variantPlans(table, base, model.deferredForeignKeys), ...nullViaPlans(table, base), ...viaParentPlans(table, base, fixtures)];
  for (const plan of plans) {
    const built = insertRow({ schema: model.schema, world, fixtures, families }, table, plan);
    if (!built.ok) continue;
    await db.exec('SAVEPOINT altan_verify_variant');
    try {
      const [returned] = await db.query<{ key: string }>(`${built.sql} RETURNING ${keySql(key)} AS key`);
      const row = await withMembers(db, model.schema, world, table, fixtureRow(plan, built.facts, key, returned?.key));
      await db.exec('RELEASE SAVEPOINT altan_verify_variant');
      rows.push(row);
    } catch (e) {
      await db.exec('ROLLBACK TO SAVEPOINT altan_verify_variant; RELEASE SAVEPOINT altan_verify_variant');
      if (!isRefusal(e)) throw e;
    }
  }
  return rows;
}

/** The rows with each `where` of the table's terms measured on them (whereFacts.ts). */
async function withWheres(db: Database, model: Model, table: Table, rows: readonly FixtureRow[]): Promise<FixtureRow[]> {
  const wheres = tableWheres(table);
  if (wheres.length === 0 || rows.length === 0) return [...rows];
  // the fixture rows only, by key: a real table may be large
  const key = primaryKey(table);
  const tuple = (parts: readonly string[]) => (parts.length === 1 ? (parts[0] as string) : `(${parts.join(', ')})`);
  const typed = (r: FixtureRow) => tuple(key.map((c) => typedText(r.keyValues[c] ?? '', table.columns.find((col) => col.name === c) ?? table.columns[0]!)));
  const from = `${qualified(model.schema, table.name)} WHERE ${tuple(key.map(ident))} IN (${rows.map(typed).join(', ')})`;
  const measuredRows = await measureWheres(db, from, `${keySql(key)} AS key`, wheres);
  return rows.map((r) => {
    const values = measuredRows.get(r.keyText);
    return values === undefined ? r : { ...r, facts: { ...r.facts, wheres: values } };
  });
}
