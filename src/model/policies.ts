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
function condition(level: AccessLevel, op: Operation, columns: Columns): Condition {
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

/** A foreign key to rows that not everyone can read. */
export interface PrivateParent {
  readonly column: string;
  readonly target: { readonly schema: string; readonly table: string; readonly column: string };
  /** Some callers may read the parent's rows; false when its read access is `none`. */
  readonly readable: boolean;
}

export function entityPolicies(
  table: string,
  access: EffectiveAccess,
  columns: Columns,
  parents: readonly PrivateParent[],
  names: NameRegistry,
  namespace: string,
): Policy[] {
  const policies: Policy[] = [];
  // A written row may only point at rows its writer can see: no linking to, or probing for,
  // another user's or another organization's rows through a foreign key.
  // A parent nobody may read needs no lookup (which the API roles may not even be granted): only NULL passes.
  const visible: Condition[] = parents.map((p): Condition =>
    p.readable ? { kind: 'visible-parent', table, column: p.column, target: p.target } : { kind: 'no-parent', table, column: p.column },
  );
  // anon reads no parent here (their read is owner, org or none) and may hold no privilege on them either:
  // for anon, a write open to the public gets a policy of its own in which only NULL passes.
  const unset: Condition[] = parents.map((p): Condition => ({ kind: 'no-parent', table, column: p.column }));
  for (const op of OPERATIONS) {
    const level = access[op];
    if (level === 'none') continue;
    const command = COMMAND_OF[op];
    const name = names.derive(namespace, [table], command.toLowerCase());
    const cond = condition(level, op, columns);
    const roles = rolesFor(level);
    const writes = command === 'INSERT' || command === 'UPDATE';
    const splitAnon = writes && roles.includes('anon') && parents.some((p) => p.readable);
    const policy = policyFor(name, command, splitAnon ? ['authenticated'] : roles, cond);
    const check = policy.check && visible.length > 0 ? all(cond, visible) : policy.check;
    policies.push({ ...policy, ...(check ? { check } : {}) });
    if (splitAnon) {
      const anon = policyFor(names.derive(namespace, [table], `${command.toLowerCase()}_anon`), command, ['anon'], cond);
      policies.push({ ...anon, check: all(cond, unset) });
    }
  }
  return policies;
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
