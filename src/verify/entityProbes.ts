/**
 * The requests clients make on an entity, as PostgREST runs them: read
 * (GET), insert with only the fields a client sends (POST), update (PATCH)
 * and delete (DELETE) of each test row, and the hostile variants — a row
 * owned by someone else, a row in another organization, handing a row over.
 */
import type { ForeignKey, Table } from '../model/model.js';
import { OPERATIONS } from '../model/resolve.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { RowFacts } from './expect.js';
import { canDelete, canInsert, canRead, canUpdate, decide } from './expect.js';
import { fixedColumnUpdates, readonlyInserts } from './columnProbes.js';
import { keySql, primaryKey } from './fixtures.js';
import type { FixtureRow, TableFixture } from './fixtures.js';
import { deleting, expectIf, rowsOf, seen, untested, updating } from './probe.js';
import type { Probe } from './probe.js';
import { insertRow, typedText } from './rows.js';
import type { RowPlan } from './rows.js';
import { userPlan } from './termFixtures.js';
import { termInserts, termUpdates, whereCoverage } from './termProbes.js';
import { afterFacts, judge, measured } from './whereFacts.js';
import type { Actor, Person, World } from './world.js';
import { ALL_ACTORS, ORG_ACTORS, PLAIN_ACTORS, homeOrg, otherOrg, otherPerson } from './world.js';
import { membersOfTable } from './memberFacts.js';
import { ownValue } from './records.js';

export interface ProbeContext {
  readonly schema: string;
  readonly world: World;
  readonly fixtures: ReadonlyMap<string, TableFixture>;
  /** Foreign keys that close a cycle (not in their table's own list). */
  readonly deferredForeignKeys?: readonly ForeignKey[];
}

/** Does the table's access name members, its own or a parent's (`member`, `via`)? */
export const usesMembership = (table: Table): boolean =>
  table.access !== undefined && OPERATIONS.some((op) => table.access?.[op].some((t) => t.kind === 'member' || t.kind === 'via'));

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

/** The column a harmless PATCH sets to its own value: not the key, owner, organization, a reference or a column the API never writes. */
function patchColumn(table: Table, fixed: readonly string[]): string {
  const key = new Set(primaryKey(table));
  const fks = new Set(table.foreignKeys.map((f) => f.column));
  const column = table.columns.find((c) => !key.has(c.name) && c.name !== table.owner && c.name !== table.org && !fks.has(c.name) && !fixed.includes(c.name));
  // else a key column the API may still write (setting it to itself changes nothing)
  return (column ?? table.columns.find((c) => !fixed.includes(c.name)) ?? table.columns[0]!).name;
}

/** The owner column alone is unique (say a profile keyed by its user): a new own row needs the old one gone. */
export function ownerIsUnique(table: Table): boolean {
  return table.constraints.some((c) => (c.kind === 'primary-key' || c.kind === 'unique') && c.columns.length === 1 && c.columns[0] === table.owner);
}

/**
 * Who makes a table's requests: anon, A and B; on `org` tables the
 * organization's admin, member and an outsider; with `user` fields also a
 * third user whom no row names (the outsider); on an entity with members or
 * `member`/`via` terms everyone (the owners, a member of each role, non-members).
 */
export function actorsOf(table: Table): readonly Actor[] {
  if (membersOfTable(table) !== undefined || usesMembership(table)) return ALL_ACTORS;
  if (table.org !== undefined) return ORG_ACTORS;
  return (table.userColumns ?? []).some((c) => c !== table.owner) ? [...PLAIN_ACTORS, 'outsider'] : PLAIN_ACTORS;
}

/** What the probes of one entity share: its rows, the requests' shapes, and where each probe goes. */
export interface EntityKit {
  readonly ctx: ProbeContext;
  readonly fixture: TableFixture;
  readonly actors: readonly Actor[];
  readonly target: string;
  readonly key: ReturnType<typeof keyOf>;
  readonly probes: Probe[];
  /** The row a client sends as `actor`: their own, in their organization, naming whom the fixtures name. */
  ownPlan(actor: Actor): RowPlan;
  /** The first fixture row of `person`. */
  rowOf(person: Person): FixtureRow | undefined;
  /** An INSERT; `sent`: the columns it sends beyond what a client must (a read-only one). */
  insert(actor: Actor, operation: string, plan: RowPlan, makeRoomFor?: Person, sent?: readonly string[]): void;
  /** An UPDATE of `row` setting `set`, which changes `changed` columns and the facts by `change`. */
  update(actor: Actor, operation: string, row: FixtureRow, change: Partial<RowFacts>, set: string, changed: readonly string[]): void;
  /** The rules may let the actor insert their own row (whatever a `where` says of it). */
  mayInsert(actor: Actor): boolean;
  /** The rules let the actor update the row as it is. */
  mayUpdate(actor: Actor, row: FixtureRow): boolean;
}

function entityKit(ctx: ProbeContext, fixture: TableFixture): EntityKit {
  const { table, facts, rows } = fixture;
  const target = qualified(ctx.schema, table.name);
  const key = keyOf(table);
  const probes: Probe[] = [];
  const rowOf = (person: Person) => rows.find((r) => r.facts.owner === person);
  const probe = (actor: Actor, operation: string, p: Omit<Probe, 'subject' | 'actor' | 'operation'>) =>
    probes.push({ subject: table.name, actor, operation, ...p });
  const rowCtx = { schema: ctx.schema, world: ctx.world, fixtures: ctx.fixtures, families: fixture.families, readonly: fixture.facts.readonly };
  const kit: EntityKit = {
    ctx,
    fixture,
    actors: actorsOf(table),
    target,
    key,
    probes,
    rowOf,
    ownPlan(actor) {
      const person = actor === 'anon' ? undefined : actor;
      const org = table.org !== undefined ? homeOrg(actor) : undefined;
      // A parent other than the one the person's fixture row uses, so that a key made of references differs.
      const parentSlot = rows.findIndex((r) => r.facts.owner === person) + 1;
      const users = userPlan(table, person);
      return {
        ...(person ? { person } : {}),
        owner: 'default',
        ...(org ? { org } : {}),
        slot: REQUEST_SLOT,
        parentSlot,
        viewer: actor,
        ...(users ? { users } : {}),
      };
    },
    insert(actor, operation, plan, makeRoomFor, sent = []) {
      const built = insertRow(rowCtx, table, plan);
      if (!built.ok) {
        probes.push(untested(table.name, actor, operation, built.reason));
        return;
      }
      const old = makeRoomFor !== undefined && ownerIsUnique(table) ? rowOf(makeRoomFor) : undefined;
      probe(actor, operation, {
        ...judge(table, built.sql, (w) => canInsert(facts, actor, measured(built.facts, w), sent)),
        ...(old ? { prepare: `DELETE FROM ${target} WHERE ${key.match(old)}` } : {}),
        run: async (query) => {
          await query(built.sql);
          return { kind: 'allowed' };
        },
      });
    },
    update(actor, operation, row, change, set, changed) {
      const after = afterFacts(table, row.facts, change, changed);
      const statement = `UPDATE ${target} SET ${set} WHERE ${key.match(row)}`;
      probe(actor, operation, {
        ...judge(table, statement, (w) => canUpdate(facts, actor, row.facts, measured(after, w), changed)),
        run: (query) => updating(query, statement),
      });
    },
    mayInsert(actor) {
      const built = insertRow(rowCtx, table, kit.ownPlan(actor));
      return built.ok && decide(() => canInsert(facts, actor, built.facts)) !== false;
    },
    mayUpdate: (actor, row) => decide(() => canUpdate(facts, actor, row.facts, row.facts)) === true,
  };
  return kit;
}

/** A fixture row on which a term's `where` could not be measured (it is, after the rows exist). */
const UNMEASURED = 'a where of its terms was not measured on the test rows';

export function entityProbes(ctx: ProbeContext, fixture: TableFixture): Probe[] {
  const { table, facts } = fixture;
  const subject = table.name;
  if (fixture.untested !== undefined) {
    return [untested(subject, undefined, 'every request', fixture.untested)];
  }
  const kit = entityKit(ctx, fixture);
  const { actors, target, key, probes, rowOf } = kit;
  const rows = fixture.rows;
  const labels = new Map(rows.map((r) => [r.keyText, r.label]));

  for (const actor of actors) {
    const readable = rows.map((r) => decide(() => canRead(facts, actor, r.facts)));
    if (readable.includes(undefined)) {
      probes.push(untested(subject, actor, 'read', UNMEASURED));
      continue;
    }
    probes.push({
      subject,
      actor,
      operation: 'read',
      expected: rowsOf(rows.filter((_r, i) => readable[i]).map((r) => r.label)),
      run: async (query) => seen(await query(`SELECT ${key.select} FROM ${target} WHERE ${key.names} IN (${rows.map(key.values).join(', ')})`), labels),
    });
  }

  for (const actor of actors) {
    const person = actor === 'anon' ? undefined : actor;
    const own = kit.ownPlan(actor);
    kit.insert(actor, 'insert own row', own, person);
    if (person === undefined) continue;
    if (table.owner !== undefined) {
      const other = otherPerson(person, table.org === undefined);
      kit.insert(actor, `insert a row owned by ${ctx.world.labels[other]}`, { ...own, owner: other }, other);
    }
    if (own.org !== undefined) kit.insert(actor, 'insert into another organization', { ...own, org: otherOrg(own.org) });
  }
  termInserts(kit);
  readonlyInserts(kit);

  const patch = ident(patchColumn(table, facts.fixed));
  for (const actor of actors) {
    for (const row of rows) kit.update(actor, `update ${row.label}`, row, {}, `${patch} = ${patch}`, []);
    const person = actor === 'anon' ? undefined : actor;
    const mine = person ? rowOf(person) : undefined;
    if (person && mine && table.owner !== undefined) {
      const other = otherPerson(person, table.org === undefined);
      kit.update(actor, `hand own row to ${ctx.world.labels[other]}`, mine, { owner: other }, `${ident(table.owner)} = ${literal(ctx.world.users[other])}`, [
        table.owner,
      ]);
    }
    if (mine && table.org !== undefined && mine.facts.org !== undefined) {
      const org = otherOrg(mine.facts.org);
      // a `via` through the organization column follows the row to its new organization
      const moved = ownValue(mine.facts.refs, table.org);
      const refs = moved === undefined ? {} : { refs: { ...mine.facts.refs, [table.org]: { ...moved, row: { ...moved.row, org } } } };
      kit.update(actor, 'move own row to another organization', mine, { org, ...refs }, `${ident(table.org)} = ${literal(ctx.world.orgs[org])}`, [table.org]);
    }
  }
  termUpdates(kit);
  fixedColumnUpdates(kit);
  for (const actor of actors) {
    for (const row of rows) {
      const may = decide(() => canDelete(facts, actor, row.facts));
      if (may === undefined) {
        probes.push(untested(subject, actor, `delete ${row.label}`, UNMEASURED));
        continue;
      }
      probes.push({
        subject,
        actor,
        operation: `delete ${row.label}`,
        expected: expectIf(may),
        run: (query) => deleting(query, `DELETE FROM ${target} WHERE ${key.match(row)}`),
      });
    }
  }
  probes.push(...whereCoverage(table, rows));
  return probes;
}
