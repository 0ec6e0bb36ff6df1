/**
 * Access rules → row-level-security policies and table grants. One permissive
 * policy per command, naming its roles, so Postgres never ORs several
 * policies per row; conditions compare indexed columns with `auth.uid()`.
 */
import type { AccessLevel, OrgRole } from './input.js';
import type { ApiRole, Command, Condition, Grants, Policy } from './model.js';
import type { AccessRule, AccessTerm, EffectiveAccess, Operation } from './resolve.js';
import { OPERATIONS } from './resolve.js';
import type { NameRegistry } from './names.js';

export const COMMAND_OF: Readonly<Record<Operation, Command>> = {
  read: 'SELECT',
  create: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
};

/** A `public` term (with or without `where`): what grants anon, without `via` terms. */
export const isPublicTerm = (t: AccessTerm): boolean => t.kind === 'level' && t.level === 'public';

/** The API roles a rule grants: both when a term reaches anon (a `public` one, or a `via` to what anon may do), else signed-in users. */
export function rolesFor(rule: AccessRule, reachesAnon: (t: AccessTerm) => boolean = isPublicTerm): readonly ApiRole[] {
  if (rule.length === 0) return [];
  return rule.some(reachesAnon) ? ['anon', 'authenticated'] : ['authenticated'];
}

/** The columns a rule's terms compare, and for `member` and `via` terms, whose rule it is and for which role. */
export interface Columns {
  readonly owner?: string;
  readonly org?: string;
  readonly terms?: TermScope;
}

/** What `member` and `via` terms need: the entity, its key, the role whose policy (or helper) it is, the helpers. */
export interface TermScope {
  readonly entity: string;
  readonly key: string;
  readonly role: ApiRole;
  /** The API role whose policy calls the helpers (granted EXECUTE); undefined inside a helper. */
  readonly caller?: ApiRole;
  readonly helpers: TermHelpers;
}

/** The helpers' questions (accessHelpers.ts answers them). */
export interface TermHelpers {
  member(entity: string, key: string, roles: readonly string[] | undefined, caller: ApiRole | undefined): Condition;
  via(entity: string, term: Extract<AccessTerm, { kind: 'via' }>, role: ApiRole, caller: ApiRole | undefined): Condition;
  reaches(entity: string, term: AccessTerm, role: ApiRole): boolean;
}

/** Who passes, per access level and operation. */
export function accessCondition(level: Exclude<AccessLevel, 'none'>, op: Operation, columns: Columns): Condition {
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

/** Both conditions; `always` drops out and nested ANDs stay flat. */
export function both(a: Condition, b: Condition): Condition {
  if (a.kind === 'always') return b;
  if (b.kind === 'always') return a;
  const parts = (c: Condition) => (c.kind === 'all' ? c.of : [c]);
  return { kind: 'all', of: [...parts(a), ...parts(b)] };
}

/** Members of the row's organization holding one of the roles. */
export function orgRoleCondition(roles: readonly OrgRole[], column: string): Condition {
  if (roles.includes('admin') && roles.includes('member')) return { kind: 'org-member', column };
  return roles.includes('admin') ? { kind: 'org-admin', column } : { kind: 'org-plain-member', column };
}

/**
 * Who one term lets do `op`, on which rows. On a table with an owner column,
 * every create term also makes the caller the new row's owner.
 */
export function termCondition(term: AccessTerm, op: Operation, columns: Columns): Condition {
  const owner: Condition = { kind: 'owner', column: columns.owner ?? '' };
  let cond: Condition;
  if (term.kind === 'level') cond = accessCondition(term.level, op, columns);
  else if (term.kind === 'user') {
    const user: Condition = { kind: 'user', column: term.column };
    cond = op === 'create' && columns.owner !== undefined ? both(user, accessCondition('owner', op, columns)) : user;
  } else if (term.kind === 'member' || term.kind === 'via') {
    const scope = columns.terms;
    if (scope === undefined) throw new Error(`internal: a ${term.kind} term compiled without its entity`);
    const reached =
      term.kind === 'member'
        ? scope.helpers.member(scope.entity, scope.key, term.roles, scope.caller)
        : scope.helpers.via(scope.entity, term, scope.role, scope.caller);
    // A new row belongs to its creator, as with `{ org: ROLES }`.
    cond = op === 'create' && columns.owner !== undefined ? both(reached, accessCondition('owner', op, columns)) : reached;
  } else {
    const role = orgRoleCondition(term.roles, columns.org ?? '');
    cond = op === 'create' ? both(owner, role) : role;
  }
  return term.where === undefined ? cond : both(cond, { kind: 'where', sql: term.where });
}

/** A rule's condition: any of its terms (one term is its own condition, as before lists existed). */
export function ruleCondition(rule: AccessRule, op: Operation, columns: Columns): Condition {
  const conds = rule.map((t) => termCondition(t, op, columns));
  return conds.length === 1 ? (conds[0] as Condition) : { kind: 'any', of: conds };
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
  /** The parent's read rule (`organizations` for the generated table: its members, and its creator). */
  readonly read: AccessRule | 'organizations';
  /** For a reference to the same table: per role, the helper that evaluates what it reads (a subquery would recurse). */
  readonly readChecks?: Partial<Record<ApiRole, string>>;
  /**
   * For a parent whose read rule has `member` or `via` terms: per role, what a written reference must
   * show (its rows reached through the parent's helpers, never a query on a table with RLS); absent: nothing.
   */
  readonly shown?: Partial<Record<ApiRole, Condition>>;
}

/** Which of a parent's rows each API role may read: every row, some rows, or none. */
export interface ReadReach {
  readonly anon: 'all' | 'some' | 'none';
  readonly authenticated: 'all' | 'some' | 'none';
}

export function readReach(read: AccessRule | 'organizations', reachesAnon: (t: AccessTerm) => boolean = isPublicTerm): ReadReach {
  if (read === 'organizations') return { anon: 'none', authenticated: 'some' };
  const plain = (t: AccessTerm, levels: readonly string[]) => t.kind === 'level' && levels.includes(t.level) && t.where === undefined;
  const anonAll = read.some((t) => plain(t, ['public']));
  const anonSome = read.some(reachesAnon);
  const authAll = read.some((t) => plain(t, ['public', 'authenticated']));
  return { anon: anonAll ? 'all' : anonSome ? 'some' : 'none', authenticated: authAll ? 'all' : read.length > 0 ? 'some' : 'none' };
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
  if (p.shown !== undefined) return p.shown[role];
  const reach = readReach(p.read)[role];
  if (reach === 'all') return undefined;
  if (reach === 'none') return { kind: 'no-parent', table, column: p.column };
  const check = p.readChecks?.[role];
  if (check !== undefined) return { kind: 'readable-parent', table, column: p.column, key: p.target.column, check };
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
  const scope = columns.terms;
  const reachesAnon = (t: AccessTerm) => (scope === undefined ? isPublicTerm(t) : scope.helpers.reaches(scope.entity, t, 'anon'));
  const as = (role: ApiRole): Columns => (scope === undefined ? columns : { ...columns, terms: { ...scope, role, caller: role } });
  for (const op of OPERATIONS) {
    const rule = access[op];
    if (rule.length === 0) continue;
    const command = COMMAND_OF[op];
    const name = names.derive(namespace, [table], command.toLowerCase());
    const roles = rolesFor(rule, reachesAnon);
    const writes = command === 'INSERT' || command === 'UPDATE';
    // anon is granted by the terms that reach it alone: an `authenticated` term would be `true` for it, an org
    // or member term would call helpers anon may not run. When the rule has other terms, anon gets its own policy.
    const anonTerms = rule.filter(reachesAnon);
    const anonCond = roles.includes('anon') ? ruleCondition(anonTerms, op, as('anon')) : undefined;
    const cond = ruleCondition(rule, op, as('authenticated'));
    const splitAnon = anonCond !== undefined && (anonTerms.length < rule.length || (writes && differ) || JSON.stringify(anonCond) !== JSON.stringify(cond));
    const own = splitAnon ? ['authenticated' as const] : roles;
    const policy = policyFor(name, command, own, cond);
    // Both roles in one policy only when they show the same: authenticated's conditions serve both.
    const extra = forRole[own.includes('authenticated') ? 'authenticated' : 'anon'];
    policies.push(withCheck(policy, cond, extra));
    if (splitAnon && anonCond !== undefined) {
      const anon = policyFor(names.derive(namespace, [table], `${command.toLowerCase()}_anon`), command, ['anon'], anonCond);
      policies.push(withCheck(anon, anonCond, forRole.anon));
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
export function grantsFor(access: EffectiveAccess, reachesAnon: (t: AccessTerm) => boolean = isPublicTerm): Grants {
  const anon: Command[] = [];
  const authenticated: Command[] = [];
  for (const op of OPERATIONS) {
    const roles = rolesFor(access[op], reachesAnon);
    if (roles.includes('anon')) anon.push(COMMAND_OF[op]);
    if (roles.includes('authenticated')) authenticated.push(COMMAND_OF[op]);
  }
  return { anon, authenticated };
}
