/**
 * What the access rules promise, written from the format's documentation
 * (docs/format.md, "What each level does"), independently of the code that
 * generates the policies: a second reading of the same contract, so that a
 * wrong policy, a dropped one or a database changed by hand shows up as a
 * difference. It also knows what Postgres adds: an UPDATE or DELETE reaches
 * only rows its caller can read, and an updated row must stay readable.
 */
import type { AccessLevel } from '../model/input.js';
import type { Operation } from '../model/resolve.js';
import type { Actor, OrgName, Person } from './world.js';
import { CREATOR, isAdmin, isMember } from './world.js';

/** A row as the rules see it: whose it is and which organization it is in. */
export interface RowFacts {
  readonly owner?: Person;
  readonly org?: OrgName;
  /** Rows it references whose visibility a write must show (see `visibleParents`). */
  readonly parents: readonly ParentFacts[];
}

export interface ParentFacts {
  /** The referencing column (a request that changes it replaces this parent). */
  readonly column?: string;
  /** The parent's read level; `organizations` for the generated table. */
  readonly read: AccessLevel | 'organizations';
  readonly row: RowFacts;
  readonly hasOwner: boolean;
  readonly hasOrg: boolean;
}

export interface TableFacts {
  readonly access: Readonly<Record<Operation, AccessLevel>>;
  readonly hasOwner: boolean;
  readonly hasOrg: boolean;
}

/** Does `actor` pass `level` for `op` on `row`? */
export function passes(level: AccessLevel, op: Operation, actor: Actor, row: RowFacts, table: Omit<TableFacts, 'access'>): boolean {
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

/** Rows referenced through a foreign key to rows not everyone may read must be visible to the writer. */
function parentsVisible(actor: Actor, row: RowFacts): boolean {
  return row.parents.every((p) => {
    if (p.read === 'organizations') {
      const org = p.row.org;
      return org !== undefined && (isMember(actor, org) || CREATOR[org] === actor);
    }
    return passes(p.read, 'read', actor, p.row, p);
  });
}

export const canRead = (t: TableFacts, actor: Actor, row: RowFacts): boolean => passes(t.access.read, 'read', actor, row, t);

export const canInsert = (t: TableFacts, actor: Actor, row: RowFacts): boolean =>
  passes(t.access.create, 'create', actor, row, t) && parentsVisible(actor, row);

export const canUpdate = (t: TableFacts, actor: Actor, before: RowFacts, after: RowFacts): boolean =>
  canRead(t, actor, before) &&
  passes(t.access.update, 'update', actor, before, t) &&
  passes(t.access.update, 'update', actor, after, t) &&
  canRead(t, actor, after) &&
  parentsVisible(actor, after);

export const canDelete = (t: TableFacts, actor: Actor, row: RowFacts): boolean => canRead(t, actor, row) && passes(t.access.delete, 'delete', actor, row, t);
