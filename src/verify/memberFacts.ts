/**
 * Members of the test world's rows, for entities with `members`
 * (../shared/access-rules.md §4): who holds which role in which row. A row's
 * owner holds the first role (the entity's trigger makes that membership, as
 * in real use); in A's rows the persons admin, member and outsider hold one
 * role each, so that every role has a member who is not the owner; B's rows
 * have their owner alone, so that the same persons are non-members there.
 */
import type { Members } from '../model/members.js';
import type { Table } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { Actor, Person, World } from './world.js';

/** The role each person holds in a row (a person absent is no member). */
export type Membership = Readonly<Partial<Record<Person, string>>>;

/** The persons who hold a role in A's rows besides A, in the order roles are handed out. */
const HOLDERS: readonly Person[] = ['admin', 'member', 'outsider'];

/** Does `actor` hold one of `roles` (any role when undefined) in the row? */
export function holdsMemberRole(members: Membership | undefined, actor: Actor, roles?: readonly string[]): boolean {
  if (actor === 'anon' || members === undefined) return false;
  const role = members[actor];
  return role !== undefined && (roles === undefined || roles.includes(role));
}

/** Holds `actor` the first role, the one that manages the row's members? */
export const managesMembers = (members: Membership | undefined, actor: Actor, roles: readonly string[]): boolean =>
  holdsMemberRole(members, actor, roles.slice(0, 1));

/**
 * Which role each holder gets in A's rows: one role each, the first role
 * included while there are holders enough (a first-role member who is not the
 * owner); with more roles the owner alone holds the first.
 */
function handedOut(roles: readonly string[]): readonly string[] {
  return roles.length <= HOLDERS.length ? roles : roles.slice(1, HOLDERS.length + 1);
}

/** The roles no person of the world holds in any row: their requests cannot be made. */
export function rolesWithoutHolder(roles: readonly string[]): readonly string[] {
  const held = new Set([roles[0], ...handedOut(roles)]);
  return roles.filter((r) => !held.has(r));
}

/** The memberships of a row whose owner is `owner`, once the world is made. */
export function plannedMembers(members: Members, owner: Person | undefined): Membership {
  if (owner === undefined) return {};
  const first = members.roles[0] as string;
  if (owner !== 'a') return { [owner]: first };
  const roles = handedOut(members.roles);
  return { a: first, ...Object.fromEntries(roles.map((role, i) => [HOLDERS[i] as Person, role])) };
}

/**
 * The memberships the owner's trigger does not make, as the connection's own
 * user: `key` is the row's key as SQL. Empty when there are none.
 */
export function extraMembershipSql(schema: string, members: Members, world: World, key: string, membership: Membership, owner: Person | undefined): string {
  const rows = Object.entries(membership)
    .filter(([person]) => person !== owner)
    .map(([person, role]) => `(${key}, ${literal(world.users[person as Person])}, ${literal(role as string)})`);
  if (rows.length === 0) return '';
  return `INSERT INTO ${qualified(schema, members.table)} (${ident(members.column)}, user_id, role) VALUES ${rows.join(', ')}`;
}

/** The entity's members, as the model put them on its table. */
export const membersOfTable = (table: Table): Members | undefined => table.members;
