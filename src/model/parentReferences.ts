/**
 * The references a table's write policies check: a written foreign key only
 * points at rows its writer can read (../shared/access-rules.md §1).
 */
import type { ApiRole, Column, Condition, ForeignKey, ReadCheck } from './model.js';
import { AccessHelpers } from './accessHelpers.js';
import { FUNCTION_SPACE } from './names.js';
import { readReach, rolesFor, ruleCondition } from './policies.js';
import type { Columns, ParentReference } from './policies.js';
import { readRuleOf } from './members.js';
import type { AccessTerm, EffectiveAccess } from './resolve.js';
import { UUID } from './sqlTypes.js';
import type { TableContext } from './tables.js';

/**
 * Foreign keys to the schema's tables, with the parent's read level: writes
 * show the caller may read the row they point at (see parentCondition). The
 * org column is already checked by membership; auth.users is not readable
 * through the API at all. A reference to the same table is checked through a
 * read-check helper: a policy that queried its own table would recurse.
 */
export function parentReferences(
  ctx: TableContext,
  table: string,
  foreignKeys: readonly ForeignKey[],
  org: string | undefined,
  columns: readonly Column[],
  access: EffectiveAccess,
  policyColumns: Columns,
): ParentReference[] {
  // Only write policies check references: a table nobody writes through the API needs no helper.
  const reachesAnon = (t: AccessTerm) => ctx.helpers.reaches(table, t, 'anon');
  const writers = new Set([...rolesFor(access.create, reachesAnon), ...rolesFor(access.update, reachesAnon)]);
  return foreignKeys
    .filter((fk) => fk.target.schema === ctx.schema && fk.column !== org)
    .map((fk) => {
      const parent = ctx.input.entities?.[fk.target.table];
      // the generated organizations table: readable by members (and its creator)
      const read = parent ? readRuleOf(parent) : 'organizations';
      const parentReachesAnon = (t: AccessTerm) => ctx.helpers.reaches(fk.target.table, t, 'anon');
      const reach = readReach(read, parentReachesAnon);
      if (fk.target.table !== table && read !== 'organizations' && read.some((t) => t.kind === 'member' || t.kind === 'via')) {
        // The parent's rows each writer may read, through its helpers: a subquery under the parent's RLS is what
        // §7 measured slow, and must never meet a policy that queries back.
        const shown: Partial<Record<ApiRole, Condition>> = {};
        for (const role of writers) {
          if (reach[role] === 'all') continue;
          const source = ctx.helpers.keySource(fk.target.table, 'read', undefined, role, role);
          const unset: Condition = { kind: 'no-parent', table, column: fk.column };
          shown[role] = source.kind === 'no-row' ? unset : { kind: 'any', of: [unset, AccessHelpers.keyCondition(fk.column, source)] };
        }
        return { column: fk.column, target: fk.target, read, shown };
      }
      // A role that reads some rows of its own table, and writes it, asks the helper.
      const callers = (['anon', 'authenticated'] as const).filter((r) => writers.has(r) && reach[r] === 'some');
      if (fk.target.table !== table || callers.length === 0) return { column: fk.column, target: fk.target, read };
      // Each role's helper evaluates what that role may read: anon only the rule's terms that reach it.
      // The read rule as the table's read policy has it (readRuleOf: with members, the owner too).
      const own = read === 'organizations' ? access.read : read;
      const conditionFor = (role: ApiRole) =>
        ruleCondition(role === 'anon' ? own.filter(reachesAnon) : own, 'read', {
          ...policyColumns,
          ...(policyColumns.terms ? { terms: { ...policyColumns.terms, role, caller: undefined } } : {}),
        });
      const same = callers.length === 1 || JSON.stringify(conditionFor('anon')) === JSON.stringify(conditionFor('authenticated'));
      const readChecks: Partial<Record<ApiRole, string>> = {};
      if (same) {
        const name = readCheckOf(ctx, table, fk.target.column, columns, conditionFor(callers[0] as ApiRole), callers, 'readable').name;
        for (const role of callers) readChecks[role] = name;
      } else {
        for (const role of callers) {
          readChecks[role] = readCheckOf(
            ctx,
            table,
            fk.target.column,
            columns,
            conditionFor(role),
            [role],
            role === 'anon' ? 'readable_anon' : 'readable',
          ).name;
        }
      }
      return { column: fk.column, target: fk.target, read, readChecks };
    });
}

/** The table's read-check helper, made once (several columns may reference the same table). */
function readCheckOf(
  ctx: TableContext,
  table: string,
  column: string,
  columns: readonly Column[],
  condition: Condition,
  callers: ReadCheck['executableBy'],
  suffix: 'readable' | 'readable_anon',
): ReadCheck {
  const made = ctx.readChecks.find((c) => c.table === table && JSON.stringify(c.executableBy) === JSON.stringify(callers));
  if (made) return made;
  const keyType = columns.find((c) => c.name === column)?.type ?? UUID;
  // Named after the schema too: the private schema is shared by the files of every schema.
  const name = ctx.names.derive(FUNCTION_SPACE, [ctx.schema, table], suffix);
  // Only the roles whose write policies call it: anon reads no owner or org row, so its references stay unset.
  const check: ReadCheck = { kind: 'read-check', name, table, column, keyType, condition, executableBy: callers };
  ctx.readChecks.push(check);
  return check;
}
