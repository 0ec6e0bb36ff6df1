/**
 * Access rules → row-level-security policies and table grants. One permissive
 * policy per command, naming its roles, so Postgres never ORs several
 * policies per row; conditions compare indexed columns with `auth.uid()`.
 */
import type { AccessLevel } from './input.js';
import type { ApiRole, Command, Condition, Grants, Policy } from './model.js';
import type { EffectiveAccess, Operation } from './resolve.js';
import { OPERATIONS } from './resolve.js';
import type { NameRegistry } from './names.js';

export const COMMAND_OF: Readonly<Record<Operation, Command>> = {
  read: 'SELECT',
  create: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
};

export function rolesFor(level: AccessLevel): readonly ApiRole[] {
  return level === 'public' ? ['anon', 'authenticated'] : level === 'none' ? [] : ['authenticated'];
}

interface Columns {
  readonly owner?: string;
  readonly org?: string;
}

/** Who passes, per access level and operation. */
export function accessCondition(level: AccessLevel, op: Operation, columns: Columns): Condition {
  const owner: Condition = { kind: 'owner', column: columns.owner ?? '' };
  const member: Condition = { kind: 'org-member', column: columns.org ?? '' };
  // On a table with an org column, an owner acts only within organizations they belong to:
  // otherwise `create: owner` would let anyone write rows into any organization.
  const ownerHere: Condition = columns.org === undefined ? owner : { kind: 'all', of: [owner, member] };
  if (level === 'owner') return ownerHere;
  if (level === 'public') return { kind: 'always' };
  if (level === 'authenticated') {
    // A new row of a table with an owner belongs to its creator; otherwise any real user may write.
    if (op === 'create' && columns.owner !== undefined) return ownerHere;
    return op === 'read' ? { kind: 'always' } : { kind: 'signed-in' };
  }
  if (op === 'read') return member;
  // A member creates rows they own; only the owner while still a member, or an admin, may change them.
  const ownerStillMember: Condition = { kind: 'all', of: [owner, member] };
  if (op === 'create') return ownerStillMember;
  return { kind: 'any', of: [ownerStillMember, { kind: 'org-admin', column: columns.org ?? '' }] };
}

/** Policy for one command: USING for what it sees, WITH CHECK for what it writes. */
export function policyFor(name: string, command: Command, roles: readonly ApiRole[], cond: Condition): Policy {
  const sees = command !== 'INSERT';
  const writes = command === 'INSERT' || command === 'UPDATE';
  return {
    kind: 'policy',
    name,
    command,
    roles,
    ...(sees ? { using: cond } : {}),
    ...(writes ? { check: cond } : {}),
  };
}

/** A foreign key to another entity's rows (or the generated organizations', or its own table's). */
export interface ParentReference {
  readonly column: string;
  readonly target: { readonly schema: string; readonly table: string; readonly column: string };
  /** The parent's read level (`org` for the generated organizations). */
  readonly read: AccessLevel;
  /** For a reference to the same table: the helper that evaluates its read rule (a subquery would recurse). */
  readonly readCheck?: string;
}

/**
 * What a write by `role` must show of one reference: nothing when every caller
 * with that role may read the parent's rows; that the caller reads the
 * referenced row when only some may; that it is unset when the role reads no
 * row of the parent at all (anon and an `authenticated`, `owner` or `org`
 * parent; anyone and a `none` parent). Otherwise the foreign key's own check,
 * which ignores the policies, would tell the writer which ids exist.
 */
export function parentCondition(table: string, p: ParentReference, role: ApiRole): Condition | undefined {
  if (p.read === 'public' || (p.read === 'authenticated' && role === 'authenticated')) return undefined;
  if (p.read === 'none' || role === 'anon' || p.read === 'authenticated') return { kind: 'no-parent', table, column: p.column };
  if (p.readCheck !== undefined) return { kind: 'readable-parent', table, column: p.column, key: p.target.column, check: p.readCheck };
  return { kind: 'visible-parent', table, column: p.column, target: p.target };
}

export function entityPolicies(
  table: string,
  access: EffectiveAccess,
  columns: Columns,
  parents: readonly ParentReference[],
  names: NameRegistry,
  namespace: string,
): Policy[] {
  const policies: Policy[] = [];
  // A written row may only point at rows its writer can see: no linking to, or probing for,
  // rows of another user, another organization, or rows only signed-in users may read.
  const shown = (role: ApiRole): Condition[] => parents.flatMap((p) => parentCondition(table, p, role) ?? []);
  const forRole = { anon: shown('anon'), authenticated: shown('authenticated') };
  // anon and authenticated may have to show different things: then each gets a policy of its own.
  const differ = JSON.stringify(forRole.anon) !== JSON.stringify(forRole.authenticated);
  for (const op of OPERATIONS) {
    const level = access[op];
    if (level === 'none') continue;
    const command = COMMAND_OF[op];
    const name = names.derive(namespace, [table], command.toLowerCase());
    const cond = accessCondition(level, op, columns);
    const roles = rolesFor(level);
    const writes = command === 'INSERT' || command === 'UPDATE';
    const splitAnon = writes && roles.includes('anon') && differ;
    const own = splitAnon ? ['authenticated' as const] : roles;
    const policy = policyFor(name, command, own, cond);
    // Both roles in one policy only when they show the same: authenticated's conditions serve both.
    const extra = forRole[own.includes('authenticated') ? 'authenticated' : 'anon'];
    policies.push(withCheck(policy, cond, extra));
    if (splitAnon) {
      const anon = policyFor(names.derive(namespace, [table], `${command.toLowerCase()}_anon`), command, ['anon'], cond);
      policies.push(withCheck(anon, cond, forRole.anon));
    }
  }
  return policies;
}

function withCheck(policy: Policy, cond: Condition, more: readonly Condition[]): Policy {
  return policy.check && more.length > 0 ? { ...policy, check: all(cond, more) } : policy;
}

function all(cond: Condition, more: readonly Condition[]): Condition {
  if (cond.kind === 'always') return more.length === 1 ? (more[0] as Condition) : { kind: 'all', of: more };
  return { kind: 'all', of: [...(cond.kind === 'all' ? cond.of : [cond]), ...more] };
}

/** Table privileges that match the policies: a role gets nothing it has no policy for. */
export function grantsFor(access: EffectiveAccess): Grants {
  const anon: Command[] = [];
  const authenticated: Command[] = [];
  for (const op of OPERATIONS) {
    const roles = rolesFor(access[op]);
    if (roles.includes('anon')) anon.push(COMMAND_OF[op]);
    if (roles.includes('authenticated')) authenticated.push(COMMAND_OF[op]);
  }
  return { anon, authenticated };
}
