/**
 * The requests clients make on an entity, as PostgREST runs them: read
 * (GET), insert with only the fields a client sends (POST), update (PATCH)
 * and delete (DELETE) of each test row, and the hostile variants — a row
 * owned by someone else, a row in another organization, handing a row over.
 */
import type { ForeignKey, Table } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { RowFacts } from './expect.js';
import { canDelete, canInsert, canRead, canUpdate } from './expect.js';
import { keySql, primaryKey } from './fixtures.js';
import type { FixtureRow, TableFixture } from './fixtures.js';
import { deleting, expectIf, rowsOf, seen, untested, updating } from './probe.js';
import type { Probe } from './probe.js';
import { insertRow, typedText } from './rows.js';
import type { RowPlan } from './rows.js';
import type { Actor, Person, World } from './world.js';
import { ACTOR_LABEL, ORG_ACTORS, PLAIN_ACTORS, homeOrg, otherOrg, otherPerson } from './world.js';

export interface ProbeContext {
  readonly schema: string;
  readonly world: World;
  readonly fixtures: ReadonlyMap<string, TableFixture>;
  /** Foreign keys that close a cycle (not in their table's own list). */
  readonly deferredForeignKeys?: readonly ForeignKey[];
}

/** A slot no fixture row uses: a request's new row never collides with them on a unique key. */
export const REQUEST_SLOT = 7;

/** `(a, b)` of the key columns, and the same for one row's values. */
export function keyOf(table: Table) {
  const columns = primaryKey(table);
  const tuple = (parts: readonly string[]) => (parts.length === 1 ? (parts[0] as string) : `(${parts.join(', ')})`);
  const names = tuple(columns.map(ident));
  const values = (row: FixtureRow) =>
    tuple(columns.map((c) => typedText(row.keyValues[c] ?? '', table.columns.find((col) => col.name === c) ?? table.columns[0]!)));
  return { names, values, select: `${keySql(columns)} AS key`, match: (row: FixtureRow) => `${names} = ${values(row)}` };
}

/** The column a harmless PATCH sets to its own value: not the key, owner, organization or a reference. */
function patchColumn(table: Table): string {
  const key = new Set(primaryKey(table));
  const fks = new Set(table.foreignKeys.map((f) => f.column));
  const column = table.columns.find((c) => !key.has(c.name) && c.name !== table.owner && c.name !== table.org && !fks.has(c.name));
  return (column ?? table.columns[0]!).name;
}

/** The owner column alone is unique (say a profile keyed by its user): a new own row needs the old one gone. */
export function ownerIsUnique(table: Table): boolean {
  return table.constraints.some((c) => (c.kind === 'primary-key' || c.kind === 'unique') && c.columns.length === 1 && c.columns[0] === table.owner);
}

export function entityProbes(ctx: ProbeContext, fixture: TableFixture): Probe[] {
  const { table, facts } = fixture;
  const subject = table.name;
  if (fixture.untested !== undefined) {
    return [untested(subject, undefined, 'every request', fixture.untested)];
  }
  const target = qualified(ctx.schema, table.name);
  const key = keyOf(table);
  const rows = fixture.rows;
  const labels = new Map(rows.map((r) => [r.keyText, r.label]));
  const actors = table.org !== undefined ? ORG_ACTORS : PLAIN_ACTORS;
  const rowOf = (person: Person) => rows.find((r) => r.facts.owner === person);
  const probes: Probe[] = [];
  const probe = (actor: Actor, operation: string, p: Omit<Probe, 'subject' | 'actor' | 'operation'>) => probes.push({ subject, actor, operation, ...p });

  for (const actor of actors) {
    probe(actor, 'read', {
      expected: rowsOf(rows.filter((r) => canRead(facts, actor, r.facts)).map((r) => r.label)),
      run: async (query) => seen(await query(`SELECT ${key.select} FROM ${target} WHERE ${key.names} IN (${rows.map(key.values).join(', ')})`), labels),
    });
  }

  const insert = (actor: Actor, operation: string, plan: RowPlan, makeRoomFor?: Person) => {
    const built = insertRow({ schema: ctx.schema, world: ctx.world, fixtures: ctx.fixtures, families: fixture.families }, table, plan);
    if (!built.ok) {
      probes.push(untested(subject, actor, operation, built.reason));
      return;
    }
    const old = makeRoomFor !== undefined && ownerIsUnique(table) ? rowOf(makeRoomFor) : undefined;
    probe(actor, operation, {
      expected: expectIf(canInsert(facts, actor, built.facts)),
      ...(old ? { prepare: `DELETE FROM ${target} WHERE ${key.match(old)}` } : {}),
      run: async (query) => {
        await query(built.sql);
        return { kind: 'allowed' };
      },
    });
  };
  for (const actor of actors) {
    const person = actor === 'anon' ? undefined : actor;
    const org = table.org !== undefined ? homeOrg(actor) : undefined;
    // A parent other than the one the person's fixture row uses, so that a key made of references differs.
    const parentSlot = rows.findIndex((r) => r.facts.owner === person) + 1;
    const own: RowPlan = { ...(person ? { person } : {}), owner: 'default', ...(org ? { org } : {}), slot: REQUEST_SLOT, parentSlot, viewer: actor };
    insert(actor, 'insert own row', own, person);
    if (person === undefined) continue;
    if (table.owner !== undefined) {
      const other = otherPerson(person);
      insert(actor, `insert a row owned by ${ACTOR_LABEL[other]}`, { ...own, owner: other }, other);
    }
    if (org !== undefined) insert(actor, 'insert into another organization', { ...own, org: otherOrg(org) });
  }

  const update = (actor: Actor, operation: string, row: FixtureRow, after: RowFacts, set: string) =>
    probe(actor, operation, {
      expected: expectIf(canUpdate(facts, actor, row.facts, after)),
      run: (query) => updating(query, `UPDATE ${target} SET ${set} WHERE ${key.match(row)}`),
    });
  const patch = ident(patchColumn(table));
  for (const actor of actors) {
    for (const row of rows) update(actor, `update ${row.label}`, row, row.facts, `${patch} = ${patch}`);
    const person = actor === 'anon' ? undefined : actor;
    const mine = person ? rowOf(person) : undefined;
    if (person && mine && table.owner !== undefined) {
      const other = otherPerson(person);
      update(
        actor,
        `hand own row to ${ACTOR_LABEL[other]}`,
        mine,
        { ...mine.facts, owner: other },
        `${ident(table.owner)} = ${literal(ctx.world.users[other])}`,
      );
    }
    if (mine && table.org !== undefined && mine.facts.org !== undefined) {
      const org = otherOrg(mine.facts.org);
      update(actor, 'move own row to another organization', mine, { ...mine.facts, org }, `${ident(table.org)} = ${literal(ctx.world.orgs[org])}`);
    }
  }
  for (const actor of actors) {
    for (const row of rows) {
      probe(actor, `delete ${row.label}`, {
        expected: expectIf(canDelete(facts, actor, row.facts)),
        run: (query) => deleting(query, `DELETE FROM ${target} WHERE ${key.match(row)}`),
      });
    }
  }
  return probes;
}
