/**
 * Random access terms beyond plain levels (docs/format.md, "Access rules"):
 * a `where` on a level, a `{ user: FIELD }` naming a reference to auth.users,
 * `{ org: ROLES }`; and `readonly` / `immutable` flags on fields. They are
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
  kind: fc.constantFrom('where', 'where', 'user', 'user', 'org-role', 'org-role'),
  pick: fc.nat(),
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
}

const pickOf = <T>(items: readonly T[], k: number): T | undefined => (items.length === 0 ? undefined : items[k % items.length]);

/** The level a `where` term may have on `op` without breaking the write-access rule. */
function whereLevels(op: Op, ctx: TermContext): readonly Level[] {
  if (op === 'read') return ['public', 'authenticated', ...(ctx.hasOwner ? (['owner'] as const) : [])];
  if (op === 'create') return ctx.hasOwner ? ['authenticated', 'owner'] : ['public', 'authenticated'];
  if (ctx.hasOwner) return ['owner'];
  return ctx.usesOrg ? [] : ['authenticated'];
}

function termFor(t: TermSpec, ctx: TermContext): unknown {
  switch (t.kind) {
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
    if (list.some((x) => JSON.stringify(x) === JSON.stringify(term))) continue;
    out[t.op] = list.length === 0 ? term : [...list, term];
  }
  return out;
}
