/**
 * The requests around organizations: who sees which organization and
 * membership, creating one (and becoming its admin), adding members, trying
 * to join or promote oneself, removing members, leaving, renaming, deleting.
 * X has an admin and a member; Y is the outsider's; user A belongs to none.
 */
import { ORGANIZATION_MEMBERS, ORGANIZATIONS } from '../model/resolve.js';
import { literal, qualified } from '../sql/quote.js';
import { deleting, denied, expectIf, rowsOf, seen, updating } from './probe.js';
import type { Probe } from './probe.js';
import type { Actor, OrgName, Person, World } from './world.js';
import { CREATOR, isAdmin, isMember } from './world.js';

const ACTORS: readonly Actor[] = ['anon', 'a', 'admin', 'member', 'outsider'];
const MEMBERSHIPS: readonly { org: OrgName; person: Person; label: string }[] = [
  { org: 'X', person: 'admin', label: "X's admin" },
  { org: 'X', person: 'member', label: "X's member" },
  { org: 'Y', person: 'outsider', label: "Y's admin" },
];

export function organizationProbes(schema: string, world: World): Probe[] {
  const orgs = qualified(schema, ORGANIZATIONS);
  const members = qualified(schema, ORGANIZATION_MEMBERS);
  const id = (org: OrgName) => literal(world.orgs[org]);
  const uid = (person: Person) => literal(world.users[person]);
  const probes: Probe[] = [];
  const probe = (subject: string, actor: Actor, operation: string, p: Omit<Probe, 'subject' | 'actor' | 'operation'>) =>
    probes.push({ subject, actor, operation, ...p });

  const orgLabels = new Map([
    [world.orgs.X, 'X'],
    [world.orgs.Y, 'Y'],
  ]);
  const memberLabels = new Map(MEMBERSHIPS.map((m) => [`${world.orgs[m.org]}/${world.users[m.person]}`, m.label]));
  for (const actor of ACTORS) {
    probe(ORGANIZATIONS, actor, 'read', {
      expected: rowsOf((['X', 'Y'] as const).filter((o) => isMember(actor, o) || CREATOR[o] === actor)),
      run: async (q) => seen(await q(`SELECT id::text AS key FROM ${orgs} WHERE id IN (${id('X')}, ${id('Y')})`), orgLabels),
    });
    probe(ORGANIZATION_MEMBERS, actor, 'read', {
      expected: rowsOf(MEMBERSHIPS.filter((m) => isMember(actor, m.org)).map((m) => m.label)),
      run: async (q) =>
        seen(await q(`SELECT concat_ws('/', org_id::text, user_id::text) AS key FROM ${members} WHERE org_id IN (${id('X')}, ${id('Y')})`), memberLabels),
    });
  }

  for (const actor of ['anon', 'a'] as const) {
    probe(ORGANIZATIONS, actor, 'create an organization and become its admin', {
      expected: expectIf(actor !== 'anon'),
      run: async (q) => {
        const [created] = await q(`INSERT INTO ${orgs} (name) VALUES (${literal(`verify new ${world.tag}`)}) RETURNING id::text AS id`);
        const role = await q(`SELECT role FROM ${members} WHERE org_id = ${literal(String(created?.id))} AND user_id = (select auth.uid())`);
        return role[0]?.role === 'admin' ? { kind: 'allowed' } : { kind: 'denied', detail: 'created, but its creator is not its admin' };
      },
    });
  }

  const add = (actor: Actor, operation: string, org: OrgName, person: Person, role: 'admin' | 'member') =>
    probe(ORGANIZATION_MEMBERS, actor, operation, {
      expected: expectIf(isAdmin(actor, org)),
      run: async (q) => {
        await q(`INSERT INTO ${members} (org_id, user_id, role) VALUES (${id(org)}, ${uid(person)}, ${literal(role)})`);
        return { kind: 'allowed' };
      },
    });
  for (const actor of ['anon', 'admin', 'member', 'outsider'] as const) {
    add(actor, 'add user A to X as member', 'X', 'a', 'member');
    add(actor, 'add user B to X as admin', 'X', 'b', 'admin');
  }
  add('outsider', 'join X', 'X', 'outsider', 'member');
  add('a', 'join X as admin', 'X', 'a', 'admin');
  probe(ORGANIZATION_MEMBERS, 'member', 'promote self to admin of X', {
    expected: denied,
    run: (q) => updating(q, `UPDATE ${members} SET role = 'admin' WHERE org_id = ${id('X')} AND user_id = ${uid('member')}`),
  });

  const remove = (actor: Actor, operation: string, person: Person, allowed: boolean) =>
    probe(ORGANIZATION_MEMBERS, actor, operation, {
      expected: expectIf(allowed),
      run: (q) => deleting(q, `DELETE FROM ${members} WHERE org_id = ${id('X')} AND user_id = ${uid(person)}`),
    });
  for (const actor of ['anon', 'admin', 'member', 'outsider'] as const) {
    if (actor !== 'member') remove(actor, "remove X's member", 'member', isAdmin(actor, 'X'));
    if (actor !== 'admin') remove(actor, "remove X's admin", 'admin', false);
  }
  remove('member', 'leave X', 'member', true);

  for (const actor of ['anon', 'admin', 'member', 'outsider'] as const) {
    probe(ORGANIZATIONS, actor, 'rename X', {
      expected: expectIf(isAdmin(actor, 'X')),
      run: (q) => updating(q, `UPDATE ${orgs} SET name = name WHERE id = ${id('X')}`),
    });
    probe(ORGANIZATIONS, actor, 'delete X', {
      expected: expectIf(isAdmin(actor, 'X')),
      run: (q) => deleting(q, `DELETE FROM ${orgs} WHERE id = ${id('X')}`),
    });
  }
  return probes;
}
