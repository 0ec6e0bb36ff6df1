/**
 * `members` of an entity resolved (../shared/access-rules.md §4): the roles,
 * who may join, and the members table's names. The default key column is the
 * entity's name made singular by fixed rules (documented in docs/format.md,
 * "Members"), so that the same file always gives the same column.
 */
import type { EntityInput, RequirementsInput } from './input.js';
import type { AccessRule } from './resolve.js';
import { effectiveAccess, fieldSpec, hasMembers, involvesOrg, ORG_FIELD, ORG_ROLES, ORGANIZATIONS, usesOrganizations } from './resolve.js';

export const DEFAULT_MEMBER_ROLES: readonly string[] = ['admin', 'member'];

export interface Members {
  /** At least one; the first manages the members, the last is what joining gives. */
  readonly roles: readonly string[];
  readonly join: 'invite' | 'open';
  /** The members table (in the entity's schema). */
  readonly table: string;
  /** Its column referencing the entity's key. */
  readonly column: string;
}

/** The entity's members, or undefined without `members`. */
export function membersOf(entityName: string, entity: EntityInput): Members | undefined {
  if (!hasMembers(entity)) return undefined;
  const spec = typeof entity.members === 'object' ? entity.members : {};
  return {
    roles: spec.roles !== undefined && spec.roles.length > 0 ? [...new Set(spec.roles)] : DEFAULT_MEMBER_ROLES,
    join: spec.join ?? 'invite',
    table: spec.table ?? `${entityName}_members`,
    column: spec.column ?? `${singular(entityName)}_id`,
  };
}

/**
 * What `{ via: column }` of an entity goes through: the `references` of that
 * field (the org_id the tool adds to an org entity: organizations); undefined
 * when the column references nothing.
 */
export function viaTarget(entity: EntityInput, column: string): string | undefined {
  const fields = entity.fields ?? {};
  if (Object.hasOwn(fields, column)) return fieldSpec(fields[column] as NonNullable<(typeof fields)[string]>).references;
  return column === ORG_FIELD && involvesOrg(effectiveAccess(entity)) ? ORGANIZATIONS : undefined;
}

/**
 * The member roles of `target` (an entity of the file, or the generated
 * organizations, whose members are admins and members); undefined when it has
 * no members or is unknown.
 */
export function memberRolesOf(input: RequirementsInput, target: string): readonly string[] | undefined {
  const entities = input.entities ?? {};
  if (Object.hasOwn(entities, target)) return membersOf(target, entities[target] as EntityInput)?.roles;
  return target === ORGANIZATIONS && usesOrganizations(input) ? ORG_ROLES : undefined;
}

/**
 * A table name made singular, by fixed rules rather than a dictionary, so the
 * default never changes between versions: `categories` → `category`;
 * `-sses`, `-uses`, `-xes`, `-ches`, `-shes` drop `es` (`classes`, `buses`,
 * `statuses`, `boxes`, `matches`, `wishes`); `-zzes` drops `zes` (`quizzes`);
 * another final `s` is dropped unless it follows `s`, `u` or `i` (`rooms` →
 * `room`; `class`, `status`, `campus`, `analysis` stay); anything else stays
 * as it is (`staff`). A name these rules get wrong (`series`, `news`) takes
 * `column:` in the file.
 */
export function singular(name: string): string {
  if (/ies$/.test(name) && name.length > 3) return `${name.slice(0, -3)}y`;
  if (/zzes$/.test(name)) return name.slice(0, -3);
  if (/(sses|uses|xes|ches|shes)$/.test(name)) return name.slice(0, -2);
  if (/[^siu]s$/.test(name)) return name.slice(0, -1);
  return name;
}

/**
 * The rows of an entity a caller reads, as its read policy has them: on an
 * entity with members its owner always reads the row (`insert … returning`
 * works before the creator's membership is visible), whatever the rule says.
 * Children's `via` and written references ask this same rule.
 */
export function readRuleOf(entity: EntityInput): AccessRule {
  const read = effectiveAccess(entity).read;
  const owned = read.some((t) => t.kind === 'level' && t.level === 'owner' && t.where === undefined);
  return hasMembers(entity) && !owned ? [...read, { kind: 'level', level: 'owner' }] : read;
}
