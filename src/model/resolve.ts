/**
 * Small resolution helpers shared by the semantic rules and `normalize`, so
 * that what validation checks and what rendering uses are the same answers:
 * field shorthand, effective access, primary key, owner field, field types.
 */
import { parseType, TIMESTAMPTZ, UUID } from './sqlTypes.js';
import type { SqlType } from './sqlTypes.js';
import type { AccessLevel, AccessMap, AccessRuleInput, AccessTermInput, EntityInput, FieldInput, OrgRole, RequirementsInput, SqlDefault } from './input.js';

export const OPERATIONS = ['read', 'create', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * One term of a rule, resolved. A plain level (`owner`) is `{ kind: 'level' }`
 * with no `where`; `none` is the empty rule. `at` is the term's index in the
 * file's list (undefined when the rule is written as one term or a preset).
 */
export type AccessTerm =
  | { readonly kind: 'level'; readonly level: Exclude<AccessLevel, 'none'>; readonly where?: string; readonly at?: number }
  | { readonly kind: 'user'; readonly column: string; readonly where?: string; readonly at?: number }
  | { readonly kind: 'org-role'; readonly roles: readonly OrgRole[]; readonly where?: string; readonly at?: number }
  /** `member` (roles undefined: any role) or `{ member: ROLES }`: members of this row (roles as written, deduplicated). */
  | { readonly kind: 'member'; readonly roles?: readonly string[]; readonly where?: string; readonly at?: number }
  /**
   * `{ via: FIELD }`: whoever may `can` (read unless written) the row FIELD references, under that
   * entity's own rule; with `roles` (`{ via: FIELD, member: ROLES }`): that row's members holding one.
   */
  | {
      readonly kind: 'via';
      readonly column: string;
      readonly can: 'read' | 'update' | 'delete';
      readonly roles?: readonly string[];
      readonly where?: string;
      readonly at?: number;
    };
/** The terms of one operation, any of which grants it; empty: nobody through the API. */
export type AccessRule = readonly AccessTerm[];
export type EffectiveAccess = Readonly<Record<Operation, AccessRule>>;

/** The org roles in the order the format lists them (a term's roles are kept in this order). */
export const ORG_ROLES: readonly OrgRole[] = ['admin', 'member'];

/** One term as written → resolved (the schema has accepted its shape). */
export function resolveTerm(term: AccessTermInput, at?: number): AccessTerm | undefined {
  const place = at === undefined ? {} : { at };
  if (term === 'member') return { kind: 'member', ...place };
  if (typeof term === 'string') return term === 'none' ? undefined : { kind: 'level', level: term, ...place };
  const where = term.where === undefined ? {} : { where: term.where.trim() };
  if ('level' in term) return { kind: 'level', level: term.level, ...where, ...place };
  if ('user' in term) return { kind: 'user', column: term.user, ...where, ...place };
  if ('via' in term) {
    const roles = term.member === undefined ? {} : { roles: roleList(term.member) };
    return { kind: 'via', column: term.via, can: term.can ?? 'read', ...roles, ...where, ...place };
  }
  if ('member' in term) return { kind: 'member', roles: roleList(term.member), ...where, ...place };
  const roles = typeof term.org === 'string' ? [term.org] : term.org;
  return { kind: 'org-role', roles: ORG_ROLES.filter((r) => roles.includes(r)), ...where, ...place };
}

/** `admin` or `[admin, editor]` → the roles, each once, in the order written. */
export const roleList = (roles: string | readonly string[]): readonly string[] => [...new Set(typeof roles === 'string' ? [roles] : roles)];

/** A rule as written → its terms (`none` alone, or in a list where validation refuses it, grants nothing). */
export function resolveRule(rule: AccessRuleInput | undefined): AccessRule {
  if (rule === undefined) return [];
  if (!Array.isArray(rule)) return [resolveTerm(rule)].filter((t): t is AccessTerm => t !== undefined);
  return rule.map((t, i) => resolveTerm(t, i)).filter((t): t is AccessTerm => t !== undefined);
}

/** The rule's level when it is one plain level (or `none`), as every file before access terms wrote it. */
export function plainLevel(rule: AccessRule): AccessLevel | undefined {
  if (rule.length === 0) return 'none';
  const [only] = rule;
  return rule.length === 1 && only?.kind === 'level' && only.where === undefined ? only.level : undefined;
}

/** Does the access use any of the terms beyond plain levels (a list, `where`, `user`, `{ org: ROLES }`)? */
export function usesAccessTerms(access: EffectiveAccess): boolean {
  return OPERATIONS.some((op) => plainLevel(access[op]) === undefined);
}

const level = (l: AccessLevel): AccessRule => (l === 'none' ? [] : [{ kind: 'level', level: l }]);
const preset = (read: AccessLevel, write: AccessLevel): EffectiveAccess => ({
  read: level(read),
  create: level(write),
  update: level(write),
  delete: level(write),
});

export const PRESETS: Readonly<Record<string, EffectiveAccess>> = {
  owner: preset('owner', 'owner'),
  'public-read': preset('public', 'owner'),
  'authenticated-read': preset('authenticated', 'owner'),
  org: preset('org', 'org'),
  reference: preset('public', 'none'),
  private: preset('none', 'none'),
};

export const DEFAULT_SCHEMA = 'public';
export const DEFAULT_OWNER_FIELD = 'user_id';
export const ORG_FIELD = 'org_id';
export const ORGANIZATIONS = 'organizations';
export const ORGANIZATION_MEMBERS = 'organization_members';
/** `references: auth.users` — GoTrue's users table. */
export const AUTH_USERS = 'auth.users';

/** Access as a full map. Operations left out of the map form get `none`: closed unless opened. */
export function effectiveAccess(entity: EntityInput): EffectiveAccess {
  // Asked for every field by rules and model alike: one answer per entity (inputs are never mutated).
  let access = accessOf.get(entity);
  if (access === undefined) {
    access = accessFrom(entity);
    accessOf.set(entity, access);
  }
  return access;
}

const accessOf = new WeakMap<EntityInput, EffectiveAccess>();

function accessFrom(entity: EntityInput): EffectiveAccess {
  const access = entity.access ?? 'owner';
  if (typeof access === 'string') return PRESETS[access] ?? (PRESETS.owner as EffectiveAccess);
  const map: AccessMap = access;
  return { read: resolveRule(map.read), create: resolveRule(map.create), update: resolveRule(map.update), delete: resolveRule(map.delete) };
}

const anyTerm = (access: EffectiveAccess, test: (t: AccessTerm) => boolean): boolean => OPERATIONS.some((op) => access[op].some(test));

/** Access involves an owner when any term is `owner`, `org` or `{ org: ROLES }` (org rows have an owner too). */
export function involvesOwner(access: EffectiveAccess): boolean {
  return anyTerm(access, (t) => (t.kind === 'level' && (t.level === 'owner' || t.level === 'org')) || t.kind === 'org-role');
}

export function involvesOrg(access: EffectiveAccess): boolean {
  return anyTerm(access, (t) => (t.kind === 'level' && t.level === 'org') || t.kind === 'org-role');
}

/** The `user` fields the access names, in the order first named (read, create, update, delete). */
export function userColumns(access: EffectiveAccess): string[] {
  return [...new Set(OPERATIONS.flatMap((op) => access[op].flatMap((t) => (t.kind === 'user' ? [t.column] : []))))];
}

/** Asked once per reference while resolving types: remembered per input, which is never mutated. */
const orgUse = new WeakMap<RequirementsInput, boolean>();

export function usesOrganizations(input: RequirementsInput): boolean {
  let uses = orgUse.get(input);
  if (uses === undefined) {
    uses = Object.values(input.entities ?? {}).some((e) => involvesOrg(effectiveAccess(e)));
    orgUse.set(input, uses);
  }
  return uses;
}

/** `name: text` shorthand → `{ type: text }`. */
export function fieldSpec(field: string | FieldInput): FieldInput {
  return typeof field === 'string' ? { type: field } : field;
}

export function isSqlDefault(value: unknown): value is SqlDefault {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { sql?: unknown }).sql === 'string'
  );
}

/** Declared primary key fields, or undefined when the implicit `id` is used. */
export function declaredPrimaryKey(entity: EntityInput): readonly string[] | undefined {
  const pk = entity.primary_key;
  if (pk === undefined) return undefined;
  return typeof pk === 'string' ? [pk] : pk;
}

/** Name of the owner column, when the access involves one (an entity with members always has one: its creator is the first member). */
export function ownerField(entity: EntityInput): string | undefined {
  return involvesOwner(effectiveAccess(entity)) || hasMembers(entity) ? (entity.owner ?? DEFAULT_OWNER_FIELD) : undefined;
}

/** `members: true` or a map (`members: false` is none). */
export const hasMembers = (entity: EntityInput): boolean => entity.members !== undefined && entity.members !== false;

/** The `via` terms of the access (each names a reference field), in rule order. */
export function viaTerms(access: EffectiveAccess): Extract<AccessTerm, { kind: 'via' }>[] {
  return OPERATIONS.flatMap((op) => access[op].flatMap((t) => (t.kind === 'via' ? [t] : [])));
}

/**
 * The SQL type of a field: declared, or taken from the referenced key.
 * Undefined when it cannot be resolved (the rules report why).
 */
export function resolveFieldType(input: RequirementsInput, entityName: string, fieldName: string, seen: ReadonlySet<string> = new Set()): SqlType | undefined {
  const entity = input.entities?.[entityName];
  // Own keys only: a field named __proto__ or constructor must not find Object.prototype's.
  const raw = entity?.fields !== undefined && Object.hasOwn(entity.fields, fieldName) ? entity.fields[fieldName] : undefined;
  if (!entity) return undefined;
  if (raw === undefined) return implicitFieldType(entity, fieldName);
  const field = fieldSpec(raw);
  if (field.type !== undefined) {
    const parsed = parseType(field.type);
    return parsed.ok ? parsed.type : undefined;
  }
  const key = `${entityName}.${fieldName}`;
  if (field.references === undefined || seen.has(key)) return undefined;
  const target = referencedKey(input, field.references);
  if (!target) return undefined;
  if (target.entity === undefined) return UUID;
  return resolveFieldType(input, target.entity, target.field, new Set([...seen, key]));
}

/** Types of the columns the tool adds itself. */
function implicitFieldType(entity: EntityInput, fieldName: string): SqlType | undefined {
  if (fieldName === 'id' && declaredPrimaryKey(entity) === undefined) return UUID;
  if (fieldName === ownerField(entity) || (fieldName === ORG_FIELD && involvesOrg(effectiveAccess(entity)))) return UUID;
  if ((fieldName === 'created_at' || fieldName === 'updated_at') && entity.timestamps !== false) return TIMESTAMPTZ;
  return undefined;
}

/** An entity's key, or a table the tool does not take from the file (`auth.users`, the generated `organizations`). */
export type ReferencedKey =
  | { readonly entity: string; readonly builtin?: undefined; readonly field: string }
  | { readonly entity?: undefined; readonly builtin: typeof AUTH_USERS | typeof ORGANIZATIONS; readonly field: 'id' };

/**
 * What `references: X` points at: `auth.users(id)`, or an entity's single
 * primary-key field. Undefined when X is unknown or has a composite key.
 */
export function referencedKey(input: RequirementsInput, references: string): ReferencedKey | undefined {
  if (references === AUTH_USERS) return { builtin: AUTH_USERS, field: 'id' };
  if (references === ORGANIZATIONS && usesOrganizations(input) && !input.entities?.[ORGANIZATIONS]) {
    return { builtin: ORGANIZATIONS, field: 'id' };
  }
  const target = input.entities?.[references];
  if (!target) return undefined;
  const pk = declaredPrimaryKey(target) ?? ['id'];
  return pk.length === 1 ? { entity: references, field: pk[0] as string } : undefined;
}

/** Every column name an entity ends up with (declared and implicit), in table order. */
export function columnNames(entity: EntityInput): string[] {
  const names: string[] = [];
  if (declaredPrimaryKey(entity) === undefined) names.push('id');
  const access = effectiveAccess(entity);
  const declared = Object.keys(entity.fields ?? {});
  if (involvesOrg(access) && !declared.includes(ORG_FIELD)) names.push(ORG_FIELD);
  const owner = ownerField(entity);
  if (owner !== undefined && !declared.includes(owner)) names.push(owner);
  names.push(...declared);
  if (entity.timestamps !== false) names.push('created_at', 'updated_at');
  return names;
}
