/**
 * Creating the test world in the database, as the connection's own user (the
 * tables' owner, whom RLS does not restrict): users in auth.users, the two
 * organizations with their members, and rows of every entity — two users'
 * rows, or three on `org` tables, parents before children.
 */
import type { Database } from '../db/database.js';
import { DatabaseError } from '../db/errors.js';
import type { Model, Table } from '../model/model.js';
import { ORGANIZATION_MEMBERS, ORGANIZATIONS, plainLevel } from '../model/resolve.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { RowFacts, TableFacts } from './expect.js';
import { insertRow } from './rows.js';
import type { RowPlan } from './rows.js';
import { FAMILIES, constrainedColumn } from './values.js';
import type { OrgName, Person, World } from './world.js';
import { CREATOR, OWNER_LABEL, PERSONS } from './world.js';

export interface FixtureRow {
  readonly label: string;
  readonly facts: RowFacts;
  /** The primary key's values as text, by column. */
  readonly keyValues: Readonly<Record<string, string>>;
  /** The key as `keySql` reads it: how a SELECT's rows are matched to labels. */
  readonly keyText: string;
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

export function tableFacts(table: Table): TableFacts {
  return {
    // Interim: terms beyond plain levels are not probed yet.
    access: {
      read: plainLevel(table.access?.read ?? []) ?? 'none',
      create: plainLevel(table.access?.create ?? []) ?? 'none',
      update: plainLevel(table.access?.update ?? []) ?? 'none',
      delete: plainLevel(table.access?.delete ?? []) ?? 'none',
    },
    hasOwner: table.owner !== undefined,
    hasOrg: table.org !== undefined,
  };
}

/** The fixture rows of a table: whose they are, labelled. */
export function fixturePlans(table: Table): readonly (RowPlan & { readonly label: string })[] {
  const row = (person: Person, org: OrgName | undefined, slot: number) => ({ label: `${OWNER_LABEL[person]} row`, person, ...(org ? { org } : {}), slot });
  if (table.org !== undefined) return [row('admin', 'X', 0), row('member', 'X', 1), row('outsider', 'Y', 2)];
  if (table.owner !== undefined) return [row('a', undefined, 0), row('b', undefined, 1)];
  // Rows nobody owns; a and b only decide what a required user reference points at.
  return [
    { label: 'row 1', person: 'a', slot: 0 },
    { label: 'row 2', person: 'b', slot: 1 },
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
  const facts = tableFacts(table);
  const read = facts.access.read;
  // Rows only signed-in users may read are no rows anon may point at (or probe for).
  const base = { table, facts, visibilityChecked: read !== 'public' };
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
        const keyText = returned?.key ?? '[]';
        const texts = JSON.parse(keyText) as string[];
        rows.push({ label: plan.label, facts: built.facts, keyValues: Object.fromEntries(key.map((c, i) => [c, texts[i] ?? ''])), keyText });
      }
      await db.exec('RELEASE SAVEPOINT altan_verify_fixture');
      return { ...base, rows, families };
    } catch (e) {
      await db.exec('ROLLBACK TO SAVEPOINT altan_verify_fixture; RELEASE SAVEPOINT altan_verify_fixture');
      if (!(e instanceof DatabaseError)) throw e;
      const column = e.code === '23514' ? constrainedColumn(table.constraints, e.constraint) : undefined;
      if (column === undefined || attempt >= FAMILIES * 4) return { ...base, rows: [], families, untested: `its test rows were refused: ${e.message}` };
      const next = (families.get(column) ?? 0) + 1;
      if (next >= FAMILIES) return { ...base, rows: [], families, untested: `no value tried for ${column} passes its check (${e.constraint})` };
      families.set(column, next);
    }
  }
}
