/**
 * What the access rules promise, written from the format's documentation
 * (docs/format.md, "What each level does"; ../shared/access-rules.md §1 for
 * terms), independently of the code that generates the policies: a second
 * reading of the same contract, so that a wrong policy, a dropped one or a
 * database changed by hand shows up as a difference. It also knows what
 * Postgres adds: an UPDATE or DELETE reaches only rows its caller can read,
 * and an updated row must stay readable.
 *
 * A term's `where` is not read here: its value on each row is measured on
 * the database without the policies (`wheres`, see whereFacts.ts). A row
 * whose value was not measured yet makes a decision throw `UnknownWhere`
 * (`decide` turns it into undefined), so that a request asks for it only
 * when the answer depends on it.
 *
 * `member` reads the row's memberships (memberFacts.ts); `via` reads the
 * referenced row's facts and its table's rules, recursively through a chain
 * (comment → post → project): whoever passes the parent's rule for `can`, or
 * holds one of the roles in it. A NULL reference grants nothing; a reference
 * to the generated organizations grants its members.
 */
import type { AccessLevel, OrgRole } from '../model/input.js';
import type { AccessRule, AccessTerm, Operation } from '../model/resolve.js';
import type { Actor, OrgName, Person } from './world.js';
import { holdsMemberRole } from './memberFacts.js';
import type { Membership } from './memberFacts.js';
import { ownValue } from './records.js';
import { CREATOR, isAdmin, isMember } from './world.js';

/** A row as the rules see it: whose it is, which organization it is in, who its user fields name. */
export interface RowFacts {
  readonly owner?: Person;
  readonly org?: OrgName;
  /** The person each `user` field names (a field left NULL is absent). */
  readonly users?: Readonly<Record<string, Person>>;
  /** Whether each `where` of the table's terms holds on the row (NULL: not), by its SQL; absent until measured. */
  readonly wheres?: Readonly<Record<string, boolean>>;
  /** Rows it references whose visibility a write must show (see `visibleParents`). */
  readonly parents: readonly ParentFacts[];
  /** On an entity with members: who holds which role in the row. */
  readonly members?: Membership;
  /** The rows its references point at, by column, for `via` terms (a NULL reference is absent). */
  readonly refs?: Readonly<Record<string, ParentFacts>>;
}

export interface ParentFacts {
  /** The referencing column (a request that changes it replaces this parent). */
  readonly column?: string;
  /** The parent's read rule; `organizations` for the generated table. */
  readonly read: AccessRule | 'organizations';
  readonly row: RowFacts;
  readonly hasOwner: boolean;
  readonly hasOrg: boolean;
  /** The parent's rules, for a `via` asking whether it may be updated or deleted (absent for organizations). */
  readonly access?: Readonly<Record<Operation, AccessRule>>;
  /** The parent's member roles, when it has members. */
  readonly memberRoles?: readonly string[];
}

export interface TableFacts {
  readonly access: Readonly<Record<Operation, AccessRule>>;
  readonly hasOwner: boolean;
  readonly hasOrg: boolean;
  /** The roles of its members, first the one that manages them, when the entity has `members`. */
  readonly memberRoles?: readonly string[];
  /** `readonly` fields: no API role sets them (a new row holds their default). */
  readonly readonly: readonly string[];
  /**
   * Columns no API role ever changes: `readonly` and `immutable` fields, and
   * the owner field of an entity whose access uses terms.
   */
  readonly fixed: readonly string[];
}

type Shape = Pick<TableFacts, 'hasOwner' | 'hasOrg' | 'memberRoles'>;

/** A decision needed a `where` not measured on the row yet. */
export class UnknownWhere extends Error {
  constructor(readonly where: string) {
    super(`the value of ${where} on the row is not known`);
  }
}

/** The decision, or undefined when it depends on a `where` not measured yet. */
export function decide<T>(decision: () => T): T | undefined {
  try {
    return decision();
  } catch (e) {
    if (e instanceof UnknownWhere) return undefined;
    throw e;
  }
}

/** Does `actor` pass `level` for `op` on `row`? */
export function passes(level: AccessLevel, op: Operation, actor: Actor, row: RowFacts, table: Shape): boolean {
  const signedIn = actor !== 'anon';
  const own = signedIn && table.hasOwner && row.owner === actor;
  const inOrg = signedIn && table.hasOrg && row.org !== undefined && isMember(actor, row.org);
  // With an organization column, an owner acts only inside organizations they belong to.
  const ownHere = own && (!table.hasOrg || inOrg);
  switch (level) {
    case 'none':
      return false;
    case 'public':
      return true;
    case 'owner':
      return ownHere;
    case 'authenticated':
      // A new row of a table with an owner belongs to its creator.
      return signedIn && (op === 'create' && table.hasOwner ? ownHere : true);
    case 'org':
      if (op === 'read') return inOrg;
      if (op === 'create') return own && inOrg;
      return (own && inOrg) || (row.org !== undefined && isAdmin(actor, row.org));
  }
}

/** Holds the actor one of the roles in the organization? `member` is a member who is not an admin. */
function holdsRole(actor: Actor, org: OrgName, roles: readonly OrgRole[]): boolean {
  const admin = isAdmin(actor, org);
  return (roles.includes('admin') && admin) || (roles.includes('member') && isMember(actor, org) && !admin);
}

function whereHolds(term: AccessTerm, row: RowFacts): boolean {
  if (term.where === undefined) return true;
  const holds = ownValue(row.wheres, term.where);
  if (holds === undefined) throw new UnknownWhere(term.where);
  return holds;
}

/**
 * One term: who it names, then (only for them) its `where` on the row. On an
 * entity with an owner every create term also makes the caller the new row's
 * owner (inside an organization they belong to, on an entity with one: the
 * organization is a row they must be able to read).
 */
export function termPasses(term: AccessTerm, op: Operation, actor: Actor, row: RowFacts, table: Shape): boolean {
  const ownsNew = op !== 'create' || !table.hasOwner || passes('owner', 'create', actor, row, table);
  let who: boolean;
  if (term.kind === 'level') who = passes(term.level, op, actor, row, table);
  else if (term.kind === 'user') who = actor !== 'anon' && ownValue(row.users, term.column) === actor && ownsNew;
  else if (term.kind === 'member') who = holdsMemberRole(row.members, actor, term.roles) && ownsNew;
  else if (term.kind === 'via') who = viaPasses(term, actor, row) && ownsNew;
  else who = actor !== 'anon' && row.org !== undefined && holdsRole(actor, row.org, term.roles) && ownsNew;
  return who && whereHolds(term, row);
}

/**
 * `{ via: F, can, member }`: the row F references decides, under its own
 * table's rule for `can` (read unless written), or its memberships with
 * `member`. For the generated organizations, membership: any role to read,
 * `member` roles as written, an admin to update or delete (the rule of
 * organizations' own rows).
 */
function viaPasses(term: Extract<AccessTerm, { kind: 'via' }>, actor: Actor, row: RowFacts): boolean {
  const parent = ownValue(row.refs, term.column);
  return parent !== undefined && parentGrants(parent, actor, term.can, term.roles);
}

/**
 * What a `via` asks of the row it reaches: may the actor `can` it, or hold
 * one of `roles` in it. Also the answer for a bucket's `{ via: ENTITY }`
 * (the row a file's first folder names) and a view's `{ via, references }`.
 */
export function parentGrants(parent: ParentFacts, actor: Actor, can: 'read' | 'update' | 'delete', roles?: readonly string[]): boolean {
  if (parent.read === 'organizations') {
    const org = parent.row.org;
    if (org === undefined) return false;
    if (roles !== undefined) return holdsRole(actor, org, roles as readonly OrgRole[]);
    return can === 'read' ? isMember(actor, org) : isAdmin(actor, org);
  }
  if (roles !== undefined) return holdsMemberRole(parent.row.members, actor, roles);
  if (can === 'read') return readPasses(parent.read, actor, parent.row, parent);
  return parent.access !== undefined && rulePasses(parent.access[can], can, actor, parent.row, parent);
}

/** The read rule, and on an entity with members its owner too (insert … returning before the membership exists). */
function readPasses(rule: AccessRule, actor: Actor, row: RowFacts, table: Shape): boolean {
  // as the owner term has it: on an entity with an organization, only while the owner is still in it
  if (table.memberRoles !== undefined && passes('owner', 'read', actor, row, table)) return true;
  return rulePasses(rule, 'read', actor, row, table);
}

/** Any of the rule's terms; unknown only when no term passes and one of them is unknown. */
export function rulePasses(rule: AccessRule, op: Operation, actor: Actor, row: RowFacts, table: Shape): boolean {
  let unknown: UnknownWhere | undefined;
  for (const term of rule) {
    try {
      if (termPasses(term, op, actor, row, table)) return true;
    } catch (e) {
      if (!(e instanceof UnknownWhere)) throw e;
      unknown = e;
    }
  }
  if (unknown !== undefined) throw unknown;
  return false;
}

/** Everyone reads every row of a table with this rule (signed in, when `signedIn`): no reference to it needs checking. */
export function readsEveryRow(rule: AccessRule | 'organizations', signedIn: boolean): boolean {
  if (rule === 'organizations') return false;
  const plain = (t: AccessTerm, level: AccessLevel) => t.kind === 'level' && t.level === level && t.where === undefined;
  return rule.some((t) => plain(t, 'public') || (signedIn && plain(t, 'authenticated')));
}

/** Rows referenced through a foreign key must be rows the writer may read (access-rules.md §1). */
function parentsVisible(actor: Actor, row: RowFacts): boolean {
  return row.parents.every((p) => {
    if (p.read === 'organizations') {
      const org = p.row.org;
      return org !== undefined && (isMember(actor, org) || CREATOR[org] === actor);
    }
    return readPasses(p.read, actor, p.row, p);
  });
}

export const canRead = (t: TableFacts, actor: Actor, row: RowFacts): boolean => readPasses(t.access.read, actor, row, t);

/** An insert that sends `sent` columns beyond what a client must: none of them `readonly`. */
export const canInsert = (t: TableFacts, actor: Actor, row: RowFacts, sent: readonly string[] = []): boolean =>
  !sent.some((c) => t.readonly.includes(c)) && rulePasses(t.access.create, 'create', actor, row, t) && parentsVisible(actor, row);

/**
 * An update that sets `changed` columns: none of them fixed; the row passes
 * an update term before and one after (the same or another), and stays readable.
 */
export const canUpdate = (t: TableFacts, actor: Actor, before: RowFacts, after: RowFacts, changed: readonly string[] = []): boolean =>
  !changed.some((c) => t.fixed.includes(c)) &&
  canRead(t, actor, before) &&
  rulePasses(t.access.update, 'update', actor, before, t) &&
  rulePasses(t.access.update, 'update', actor, after, t) &&
  canRead(t, actor, after) &&
  parentsVisible(actor, after);

export const canDelete = (t: TableFacts, actor: Actor, row: RowFacts): boolean =>
  canRead(t, actor, row) && rulePasses(t.access.delete, 'delete', actor, row, t);
