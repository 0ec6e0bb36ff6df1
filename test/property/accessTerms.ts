/**
 * Random access terms beyond plain levels (docs/format.md, "Access rules"):
 * a `where` on a level, a `{ user: FIELD }` naming a reference to auth.users,
 * `{ org: ROLES }`, `member` and `{ member: ROLES }` on entities with members,
 * and `{ via: FIELD }` (with `can` or `member`) through a reference to an
 * entity generated before this one (so that via never makes a cycle) or to
 * the organizations; and `readonly` / `immutable` flags on fields. They are
 * chosen before the entity's fields are known and fitted afterwards, only
 * where the format's rules accept them, so every file stays valid.
 */
import fc from 'fast-check';
import type { ArbValue } from './values.js';
import { q } from './names.js';

type Op = 'read' | 'create' | 'update' | 'delete';
type Level = 'public' | 'authenticated' | 'owner' | 'org' | 'none';

export const termSpecArb = fc.record({
  op: fc.constantFrom<Op>('read', 'create', 'update', 'delete'),
  kind: fc.constantFrom(
    'where',
    'where',
    'user',
    'user',
    'org-role',
    'org-role',
    'member',
    'member-roles',
    'via',
    'via',
    'via',
    'via-can',
    'via-member',
    'via-member',
  ),
  pick: fc.nat(),
  /** A `where` on a member or via term. */
  narrowed: fc.nat(3).map((n) => n === 0),
  roles: fc.constantFrom<('admin' | 'member')[]>(['admin'], ['member'], ['admin', 'member']),
  /** The role list written as one name when it has one. */
  rolesAsName: fc.boolean(),
});
export type TermSpec = ArbValue<typeof termSpecArb>;

/** A field's flag: mostly none. */
export const fieldFlagArb = fc.constantFrom<undefined | 'readonly' | 'immutable'>(undefined, undefined, undefined, undefined, 'readonly', 'immutable');

export interface TermContext {
  readonly hasOwner: boolean;
  readonly usesOrg: boolean;
  /** Columns a `where` may test (the entity's own). */
  readonly columns: readonly string[];
  /** Declared fields that reference auth.users (the owner column excluded). */
  readonly userFields: readonly string[];
  /** The roles of the entity's members; undefined without members. */
  readonly memberRoles?: readonly string[];
  /** References a `via` may go through, with the roles of the referenced entity's members (if any). */
  readonly viaFields: readonly ViaField[];
}

export interface ViaField {
  readonly field: string;
  readonly roles?: readonly string[];
  /** Through the generated organizations: membership, where `can` has no meaning. */
  readonly organizations: boolean;
}

const pickOf = <T>(items: readonly T[], k: number): T | undefined => (items.length === 0 ? undefined : items[k % items.length]);

/** The level a `where` term may have on `op` without breaking the write-access rule. */
function whereLevels(op: Op, ctx: TermContext): readonly Level[] {
  if (op === 'read') return ['public', 'authenticated', ...(ctx.hasOwner ? (['owner'] as const) : [])];
  if (op === 'create') return ctx.hasOwner ? ['authenticated', 'owner'] : ['public', 'authenticated'];
  if (ctx.hasOwner) return ['owner'];
  return ctx.usesOrg ? [] : ['authenticated'];
}

/** Some of `roles` (at least one, chosen by the bits of `k`), written as one name when it is one and `asName`. */
function someRoles(roles: readonly string[], k: number, asName: boolean): string | string[] {
  const chosen = roles.filter((_, i) => (k >> i) & 1);
  const list = chosen.length > 0 ? chosen : [roles[k % roles.length] as string];
  return asName && list.length === 1 ? (list[0] as string) : list;
}

function narrowedBy(t: TermSpec, ctx: TermContext): { where?: string } {
  const column = pickOf(ctx.columns, t.pick >> 5);
  return t.narrowed && column !== undefined ? { where: `${q(column)} IS NOT NULL` } : {};
}

function termFor(t: TermSpec, ctx: TermContext): unknown {
  switch (t.kind) {
    case 'member':
    case 'member-roles': {
      // A new row has no members yet: member terms grant nobody on create (member-create).
      if (ctx.memberRoles === undefined || t.op === 'create') return undefined;
      if (t.kind === 'member' && !t.narrowed) return 'member';
      const roles = t.kind === 'member' ? undefined : someRoles(ctx.memberRoles, t.pick >> 2, t.rolesAsName);
      return { member: roles ?? ctx.memberRoles, ...narrowedBy(t, ctx) };
    }
    case 'via':
    case 'via-can':
    case 'via-member': {
      const fields = ctx.viaFields.filter((f) => (t.kind === 'via-can' ? !f.organizations : t.kind === 'via-member' ? f.roles !== undefined : true));
      const via = pickOf(fields, t.pick);
      if (via === undefined) return undefined;
      const extra =
        t.kind === 'via-can'
          ? { can: (t.pick >> 3) % 2 === 0 ? 'update' : 'delete' }
          : t.kind === 'via-member'
            ? { member: someRoles(via.roles as readonly string[], t.pick >> 2, t.rolesAsName) }
            : {};
      return { via: via.field, ...extra, ...narrowedBy(t, ctx) };
    }
    case 'where': {
      const level = pickOf(whereLevels(t.op, ctx), t.pick);
      const column = pickOf(ctx.columns, t.pick >> 3);
      return level === undefined || column === undefined ? undefined : { level, where: `${q(column)} IS NOT NULL` };
    }
    case 'user': {
      const field = pickOf(ctx.userFields, t.pick);
      return field === undefined ? undefined : { user: field };
    }
    default:
      if (!ctx.usesOrg) return undefined;
      return { org: t.rolesAsName && t.roles.length === 1 ? t.roles[0] : t.roles };
  }
}

/** A role written as one name is the list of that one role. */
const asWritten = (term: unknown): string =>
  JSON.stringify(term, (key, value) => ((key === 'org' || key === 'member') && typeof value === 'string' ? [value] : value));
const sameTerm = (a: unknown, b: unknown): boolean => asWritten(a) === asWritten(b);

/**
 * The access map with the terms added to its operations: a lone term where
 * the operation had `none`, else a list after the plain level. A term equal
 * to one already in the list is left out (a repeated term is an error).
 */
export function withTerms(access: Partial<Record<Op, unknown>>, terms: readonly TermSpec[], ctx: TermContext): Partial<Record<Op, unknown>> {
  const out: Partial<Record<Op, unknown>> = { ...access };
  for (const t of terms) {
    const term = termFor(t, ctx);
    if (term === undefined) continue;
    const current = out[t.op];
    const list = current === undefined || current === 'none' ? [] : Array.isArray(current) ? current : [current];
    if (list.some((x) => sameTerm(x, term))) continue;
    out[t.op] = list.length === 0 ? term : [...list, term];
  }
  return out;
}
