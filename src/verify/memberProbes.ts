/**
 * The requests around an entity's members table, as organization members are
 * probed (orgProbes.ts), for any roles (access-rules.md §4): who sees which
 * memberships; adding members, with the last role and the first; joining
 * oneself (only with `join: open`, only with the last role, only into a row
 * one may read); promoting, demoting, stepping down, raising one's own role,
 * moving a membership to another row; removing members and leaving; creating
 * a row and becoming its first member; an owner who left still reading their
 * row. A's row has a member of each role, B's row its owner alone, or the
 * roles A's row has no room for (memberFacts.ts).
 */
import type { Members } from '../model/members.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { ProbeContext } from './entityProbes.js';
import { REQUEST_SLOT } from './entityProbes.js';
import { canInsert, canRead, decide } from './expect.js';
import { primaryKey } from './fixtures.js';
import type { FixtureRow, TableFixture } from './fixtures.js';
import type { Membership } from './memberFacts.js';
import { holdsMemberRole, managesMembers, membersOfTable, rolesWithoutHolder } from './memberFacts.js';
import { deleting, expectIf, rowsOf, seen, untested, updating } from './probe.js';
import type { Actual, Probe } from './probe.js';
import { insertRow, typedText } from './rows.js';
import type { Actor, Person } from './world.js';
import { ALL_ACTORS } from './world.js';

export function memberProbes(ctx: ProbeContext, fixture: TableFixture): Probe[] {
  const members = membersOfTable(fixture.table);
  if (members === undefined) return [];
  const subject = members.table;
  if (fixture.untested !== undefined) return [untested(subject, undefined, 'every request', fixture.untested)];
  const base = (owner: Person) => fixture.rows.find((r) => r.facts.owner === owner && r.facts.members !== undefined);
  const rowA = base('a');
  const rowB = base('b');
  if (rowA === undefined || rowB === undefined) return [untested(subject, undefined, 'every request', "the entity has no rows of A's and B's")];
  const probes: Probe[] = rolesWithoutHolder(members.roles).map((role) =>
    untested(subject, undefined, `requests of a member with role ${role}`, 'the test world has no more persons to hold it'),
  );
  const kit = memberKit(ctx, fixture, members, probes);
  const first = members.roles[0] as string;
  const last = members.roles[members.roles.length - 1] as string;
  const holders = (row: FixtureRow) => Object.entries(row.facts.members ?? {}) as [Person, string][];

  // Who sees which memberships: the members of the same row.
  const labels = new Map<string, string>();
  const all: { row: FixtureRow; person: Person; label: string }[] = [];
  for (const row of fixture.rows) {
    for (const [person, role] of holders(row)) {
      const label = `${row.label}: ${ctx.world.labels[person]} (${role})`;
      labels.set(`${kit.keyText(row)}/${ctx.world.users[person]}`, label);
      all.push({ row, person, label });
    }
  }
  const keys = fixture.rows.map(kit.keySql).join(', ');
  for (const actor of ALL_ACTORS) {
    probes.push({
      subject,
      actor,
      operation: 'read',
      expected: rowsOf(all.filter((m) => holdsMemberRole(m.row.facts.members, actor)).map((m) => m.label)),
      run: async (q) => seen(await q(`SELECT concat_ws('/', ${kit.key}::text, user_id::text) AS key FROM ${kit.target} WHERE ${kit.key} IN (${keys})`), labels),
    });
  }

  // Adding B to A's row.
  for (const actor of ALL_ACTORS) {
    if (actor === 'b') continue;
    for (const role of new Set([last, first])) kit.add(actor, rowA, 'b', role);
  }
  // joining: into each row of A's and B's (those one may read, and those one may not), never with a higher role
  for (const row of fixture.rows.filter((r) => r.facts.owner === 'a')) kit.add('b', row, 'b', last);
  if (first !== last) kit.add('b', rowA, 'b', first);
  for (const row of fixture.rows.filter((r) => r.facts.owner === 'b')) kit.add('outsider', row, 'outsider', last);

  // Changing roles: only the first role does; nobody raises their own.
  const [lastHolder] = holders(rowA).filter(([p, r]) => r === last && p !== 'a');
  // a first-role member who is not the owner, demoted by each actor
  const [firstHolder] = holders(rowA).filter(([p, r]) => r === first && p !== 'a');
  for (const actor of ALL_ACTORS) {
    if (first === last) break;
    if (lastHolder !== undefined && actor !== lastHolder[0]) kit.setRole(actor, rowA, lastHolder[0], first, 'promote');
    if (firstHolder !== undefined && actor !== firstHolder[0]) kit.setRole(actor, rowA, firstHolder[0], last, 'demote');
  }
  for (const [person, role] of holders(rowA)) {
    if (role !== first) kit.setRole(person, rowA, person, first, 'raise own role of');
    else if (first !== last) kit.setRole(person, rowA, person, last, 'step down in');
  }
  // the roles only B's row has a holder of (more than four roles)
  const extra = holders(rowB).filter(([p]) => p !== 'b');
  for (const [person] of extra) kit.setRole(person, rowB, person, first, 'raise own role of');
  if (lastHolder !== undefined) for (const actor of ['a', 'b', 'admin'] as const) kit.move(actor, rowA, lastHolder[0], rowB);

  // Removing members and leaving.
  for (const actor of ALL_ACTORS) {
    for (const [person] of holders(rowA)) if (person !== actor) kit.remove(actor, rowA, person);
  }
  for (const [person] of holders(rowA)) kit.remove(person, rowA, person);
  for (const [person] of extra) kit.remove(person, rowB, person);

  for (const actor of ['anon', 'b'] as const) kit.create(actor);
  kit.ownerLeaves(rowA);
  return probes;
}

/** The shapes of the members table's requests. */
function memberKit(ctx: ProbeContext, fixture: TableFixture, members: Members, probes: Probe[]) {
  const { table, facts } = fixture;
  const target = qualified(ctx.schema, members.table);
  const key = ident(members.column);
  // the members table references the entity's key, one column
  const [keyColumn] = primaryKey(table);
  const keyName = table.columns.find((c) => c.name === keyColumn);
  const keySql = (row: FixtureRow) => (keyName === undefined ? 'NULL' : typedText(row.keyValues[keyName.name] ?? '', keyName));
  const keyText = (row: FixtureRow) => (keyName === undefined ? '' : (row.keyValues[keyName.name] ?? ''));
  const uid = (person: Person) => literal(ctx.world.users[person]);
  const first = members.roles[0] as string;
  const last = members.roles[members.roles.length - 1] as string;
  const manages = (m: Membership | undefined, actor: Actor) => managesMembers(m, actor, members.roles);
  const probe = (actor: Actor, operation: string, p: Omit<Probe, 'subject' | 'actor' | 'operation'>) =>
    probes.push({ subject: members.table, actor, operation, ...p });
  const where = (row: FixtureRow, person: Person) => `${key} = ${keySql(row)} AND user_id = ${uid(person)}`;

  return {
    target,
    key,
    keySql,
    keyText,
    /** `actor` adds `person` to `row` with `role`: the first role adds anyone; with `join: open`, anyone joins a row they may read, with the last role. */
    add(actor: Actor, row: FixtureRow, person: Person, role: string) {
      // a member already: the primary key, not a policy, would refuse it
      if (row.facts.members?.[person] !== undefined) return;
      const joins = actor === person;
      const open = joins && members.join === 'open' && role === last && decide(() => canRead(facts, actor, row.facts));
      if (open === undefined) return;
      const what = joins ? `join ${row.label} as ${role}` : `add ${ctx.world.labels[person]} to ${row.label} as ${role}`;
      probe(actor, what, {
        expected: expectIf(manages(row.facts.members, actor) || open),
        run: async (q) => {
          await q(`INSERT INTO ${target} (${key}, user_id, role) VALUES (${keySql(row)}, ${uid(person)}, ${literal(role)})`);
          return { kind: 'allowed' };
        },
      });
    },
    /** A change of `person`'s role in `row`: the first role only (and so never one's own rise). */
    setRole(actor: Actor, row: FixtureRow, person: Person, role: string, verb: string) {
      const operation = actor === person ? `${verb} ${row.label} to ${role}` : `${verb} ${ctx.world.labels[person]} in ${row.label} to ${role}`;
      probe(actor, operation, {
        expected: expectIf(manages(row.facts.members, actor)),
        run: (q) => updating(q, `UPDATE ${target} SET role = ${literal(role)} WHERE ${where(row, person)}`),
      });
    },
    /** Moving `person`'s membership of `from` to `to`: the first role of both rows. */
    move(actor: Actor, from: FixtureRow, person: Person, to: FixtureRow) {
      if (to.facts.members?.[person] !== undefined) return;
      probe(actor, `move ${ctx.world.labels[person]}'s membership of ${from.label} to ${to.label}`, {
        expected: expectIf(manages(from.facts.members, actor) && manages(to.facts.members, actor)),
        run: (q) => updating(q, `UPDATE ${target} SET ${key} = ${keySql(to)} WHERE ${where(from, person)}`),
      });
    },
    /** Removing `person` from `row`: the first role removes anyone, anyone removes themselves. */
    remove(actor: Actor, row: FixtureRow, person: Person) {
      const operation = actor === person ? `leave ${row.label}` : `remove ${ctx.world.labels[person]} from ${row.label}`;
      probe(actor, operation, {
        expected: expectIf(manages(row.facts.members, actor) || (actor !== 'anon' && actor === person)),
        run: (q) => deleting(q, `DELETE FROM ${target} WHERE ${where(row, person)}`),
      });
    },
    /** The row's owner leaves it, then reads it: the owner's read does not depend on the membership (§4). */
    ownerLeaves(row: FixtureRow) {
      const owner = row.facts.owner;
      if (owner === undefined || keyName === undefined) return;
      const entity = qualified(ctx.schema, table.name);
      probes.push({
        subject: table.name,
        actor: owner,
        operation: `leave ${row.label}, then read it`,
        expected: rowsOf([row.label]),
        run: async (q) => {
          await q(`DELETE FROM ${target} WHERE ${where(row, owner)}`);
          const read = await q(`SELECT ${ident(keyName.name)}::text AS key FROM ${entity} WHERE ${ident(keyName.name)} = ${keySql(row)}`);
          return seen(read, new Map([[keyText(row), row.label]]));
        },
      });
    },
    /** A new row of the entity, read back with the caller's membership: its creator holds the first role. */
    create(actor: Actor) {
      const person = actor === 'anon' ? undefined : actor;
      const rowCtx = { schema: ctx.schema, world: ctx.world, fixtures: ctx.fixtures, families: fixture.families, readonly: facts.readonly };
      const built = insertRow(rowCtx, table, { ...(person ? { person } : {}), owner: 'default', slot: REQUEST_SLOT, viewer: actor });
      if (!built.ok) return;
      const may = decide(() => canInsert(facts, actor, built.facts));
      if (may === undefined) return;
      probe(actor, `create a ${table.name} row and become its ${first}`, {
        expected: expectIf(may),
        run: async (q): Promise<Actual> => {
          const [created] = await q(`${built.sql} RETURNING ${keyName === undefined ? 'NULL' : ident(keyName.name)}::text AS id`);
          const cast = keyName === undefined ? 'NULL' : typedText(String(created?.id), keyName);
          const [mine] = await q(`SELECT role FROM ${target} WHERE ${key} = ${cast} AND user_id = (select auth.uid())`);
          return mine?.role === first ? { kind: 'allowed' } : { kind: 'denied', detail: `created, but its creator is not its ${first}` };
        },
      });
    },
  };
}
