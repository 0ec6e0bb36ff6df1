/**
 * The test world verify builds inside its transaction: five users, two
 * organizations, and who belongs where. Ids are random per run, so a run never
 * meets real rows or another run's rows; nothing of it is ever committed.
 */
import { randomUUID } from 'node:crypto';

/** The users of the world. a and b meet on tables without organizations; the other three on `org` tables. */
export const PERSONS = ['a', 'b', 'admin', 'member', 'outsider'] as const;
export type Person = (typeof PERSONS)[number];
/** Who makes a request: a user, or nobody signed in. */
export type Actor = Person | 'anon';

/** X has an admin and a member; Y belongs to the outsider alone (its admin). */
export type OrgName = 'X' | 'Y';

export const ACTOR_LABEL: Readonly<Record<Actor, string>> = {
  anon: 'anon',
  a: 'user A',
  b: 'user B',
  admin: 'org admin',
  member: 'org member',
  outsider: 'outsider',
};

/** Possessive labels for rows and files: "A's row", "org admin's file". */
export const OWNER_LABEL: Readonly<Record<Person, string>> = {
  a: "A's",
  b: "B's",
  admin: "admin's",
  member: "member's",
  outsider: "outsider's",
};

const MEMBERSHIP: Readonly<Record<OrgName, Readonly<Partial<Record<Person, 'admin' | 'member'>>>>> = {
  X: { admin: 'admin', member: 'member' },
  Y: { outsider: 'admin' },
};

export const isMember = (actor: Actor, org: OrgName): boolean => actor !== 'anon' && MEMBERSHIP[org][actor] !== undefined;
export const isAdmin = (actor: Actor, org: OrgName): boolean => actor !== 'anon' && MEMBERSHIP[org][actor] === 'admin';
/** Who created each organization (and so became its first admin). */
export const CREATOR: Readonly<Record<OrgName, Person>> = { X: 'admin', Y: 'outsider' };

/** The organization an actor works in: their own, else X (where an outsider of X would try). */
export const homeOrg = (actor: Actor): OrgName => (actor === 'outsider' ? 'Y' : 'X');
export const otherOrg = (org: OrgName): OrgName => (org === 'X' ? 'Y' : 'X');

/** Actors of tables without organizations, and of those with them. */
export const PLAIN_ACTORS: readonly Actor[] = ['anon', 'a', 'b'];
export const ORG_ACTORS: readonly Actor[] = ['anon', 'admin', 'member', 'outsider'];
/** Actors of tables with members or reached through them: the owners, a member of each role, non-members. */
export const ALL_ACTORS: readonly Actor[] = ['anon', ...PERSONS];

/**
 * Another user of the same table, for "insert a row owned by someone else" and "hand a row over".
 * On a table without organizations (`plain`) the outsider is the third user beside A and B.
 */
export function otherPerson(person: Person, plain = false): Person {
  const others: Readonly<Record<Person, Person>> = { a: 'b', b: 'a', admin: 'member', member: 'admin', outsider: plain ? 'a' : 'admin' };
  return others[person];
}

export interface World {
  readonly users: Readonly<Record<Person, string>>;
  /** How reports name the actors: without organizations, admin and member are two more users (C and D). */
  readonly labels: Readonly<Record<Actor, string>>;
  readonly orgs: Readonly<Record<OrgName, string>>;
  /** A tag in the names of files and organizations, unique to this run. */
  readonly tag: string;
}

/** `organizations`: the file has the generated organizations, where admin and member are X's. */
export function newWorld(organizations = true): World {
  const users = Object.fromEntries(PERSONS.map((p) => [p, randomUUID()])) as Record<Person, string>;
  const labels = organizations ? ACTOR_LABEL : { ...ACTOR_LABEL, admin: 'user C', member: 'user D' };
  return { users, labels, orgs: { X: randomUUID(), Y: randomUUID() }, tag: randomUUID().slice(0, 8) };
}

/** The JWT claims PostgREST would set for the actor. */
export function claimsOf(world: World, actor: Actor): string {
  return JSON.stringify(actor === 'anon' ? { role: 'anon' } : { sub: world.users[actor], role: 'authenticated' });
}
