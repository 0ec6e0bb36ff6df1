/**
 * One entity of the file → one table of the model: implicit columns, types,
 * constraints, foreign keys, indexes, policies, grants, triggers, seed rows.
 */
import type { EntityInput, FieldInput, RequirementsInput } from './input.js';
import type { ApiRole, Column, ColumnDefault, ColumnGuard, Condition, Constraint, ForeignKey, Index, ReadCheck, SeedRows, Table, Trigger } from './model.js';
import { relationSpace, tableSpace } from './names.js';
import type { NameRegistry } from './names.js';
import { entityPolicies, grantsFor, readReach, rolesFor, ruleCondition } from './policies.js';
import type { ParentReference } from './policies.js';
import {
  AUTH_USERS,
  ORG_FIELD,
  ORGANIZATIONS,
  columnNames,
  declaredPrimaryKey,
  effectiveAccess,
  fieldSpec,
  involvesOrg,
  isSqlDefault,
  ownerField,
  referencedKey,
  resolveFieldType,
  usesAccessTerms,
  userColumns,
} from './resolve.js';
import { columnGuard, whereColumns, withColumnGrants } from './columnGuards.js';
import { FUNCTION_SPACE } from './names.js';

export { FUNCTION_SPACE } from './names.js';
import type { EffectiveAccess } from './resolve.js';
import { TEXT, TIMESTAMPTZ, UUID } from './sqlTypes.js';

export interface TableContext {
  readonly input: RequirementsInput;
  readonly schema: string;
  readonly names: NameRegistry;
  /** Read-check helpers the tables' policies call, collected for the model's functions. */
  readonly readChecks: ReadCheck[];
  /** Column guards of the tables with read-only or immutable columns, collected likewise. */
  readonly guards: ColumnGuard[];
}

/** An author-written SQL expression; validation has checked it stays one expression. */
const expression = (sql: string): string => sql.trim();

function foreignKey(ctx: TableContext, table: string, column: string, references: string, onDelete: FieldInput['on_delete']): ForeignKey {
  const key = referencedKey(ctx.input, references);
  const target =
    key?.builtin === AUTH_USERS
      ? { schema: 'auth', table: 'users', column: 'id' }
      : { schema: ctx.schema, table: key?.entity ?? ORGANIZATIONS, column: key?.field ?? 'id' };
  const name = ctx.names.derive(tableSpace(ctx.schema, table, 'constraint'), [table, column], 'fkey');
  return { kind: 'foreign-key', name, table, column, target, onDelete: onDelete ?? 'no action' };
}

function columnDefault(field: FieldInput): ColumnDefault | undefined {
  if (field.default === undefined) return undefined;
  if (isSqlDefault(field.default)) return { kind: 'sql', sql: expression(field.default.sql) };
  return { kind: 'literal', value: field.default };
}

export function entityTable(ctx: TableContext, name: string, entity: EntityInput): Table {
  const { names, schema } = ctx;
  const access = effectiveAccess(entity);
  const owner = ownerField(entity);
  const org = involvesOrg(access) ? ORG_FIELD : undefined;
  const primaryKey = declaredPrimaryKey(entity) ?? ['id'];
  const constraintSpace = tableSpace(schema, name, 'constraint');
  const fields = entity.fields ?? {};

  const columns: Column[] = [];
  const constraints: Constraint[] = [{ kind: 'primary-key', name: names.derive(relationSpace(schema), [name], 'pkey'), columns: primaryKey }];
  const foreignKeys: ForeignKey[] = [];
  const checks: Constraint[] = [];

  for (const column of columnNames(entity)) {
    // Own keys only: an implicit owner column named __proto__ or constructor is no declared field.
    const raw = Object.hasOwn(fields, column) ? fields[column] : undefined;
    if (raw === undefined) {
      columns.push(implicitColumn(column, { owner, org }));
      if (column === owner) foreignKeys.push(foreignKey(ctx, name, column, AUTH_USERS, 'cascade'));
      if (column === org) foreignKeys.push(foreignKey(ctx, name, column, ORGANIZATIONS, 'cascade'));
      continue;
    }
    const field = fieldSpec(raw);
    const isOwner = column === owner;
    const type = resolveFieldType(ctx.input, name, column) ?? TEXT;
    const fallback: ColumnDefault | undefined = isOwner ? { kind: 'auth-uid' } : undefined;
    const dflt = columnDefault(field) ?? fallback;
    columns.push({
      kind: 'column',
      name: column,
      type,
      // The owner column is what policies compare: a NULL owner would make a row nobody's.
      notNull: field.required === true || primaryKey.includes(column) || isOwner,
      ...(dflt ? { default: dflt } : {}),
      ...(field.description !== undefined ? { description: field.description } : {}),
    });
    // A UNIQUE on exactly the primary key is one Postgres never makes (CREATE TABLE folds it into the key).
    const repeatsKey = primaryKey.length === 1 && primaryKey[0] === column;
    if (field.unique && !repeatsKey) constraints.push({ kind: 'unique', name: names.derive(relationSpace(schema), [name, column], 'key'), columns: [column] });
    if (field.enum) checks.push({ kind: 'enum', name: names.derive(constraintSpace, [name, column], 'enum'), column, type, values: field.enum });
    if (field.check !== undefined)
      checks.push({ kind: 'check', name: names.derive(constraintSpace, [name, column], 'check'), column, sql: expression(field.check) });
    if (field.references !== undefined) foreignKeys.push(foreignKey(ctx, name, column, field.references, field.on_delete));
  }
  constraints.push(...checks);

  const indexes = declaredIndexes(ctx, name, entity);
  const users = userColumns(access);
  const policyColumns = [...[owner, org].filter((c): c is string => c !== undefined), ...users, ...whereColumns(access, columns)];
  for (const column of unique([...foreignKeys.map((fk) => fk.column), ...policyColumns])) {
    if (covered(column, constraints, indexes)) continue;
    indexes.push({ kind: 'index', name: names.derive(relationSpace(schema), [name, column], 'idx'), columns: [column], unique: false });
  }

  const triggers: Trigger[] =
    entity.timestamps === false
      ? []
      : [
          {
            kind: 'trigger',
            name: names.derive(tableSpace(schema, name, 'trigger'), [name], 'set_updated_at'),
            timing: 'BEFORE INSERT OR UPDATE',
            function: 'set_updated_at',
          },
        ];
  const guard = columnGuard(ctx, name, entity, columns, owner, usesAccessTerms(access));
  if (guard) {
    triggers.push({
      kind: 'trigger',
      name: names.derive(tableSpace(schema, name, 'trigger'), [name], 'guard_columns'),
      timing: 'BEFORE INSERT OR UPDATE',
      function: guard.name,
    });
  }
  const seed = seedRows(entity, columns, primaryKey);
  const policyColumnsOf = { ...(owner ? { owner } : {}), ...(org ? { org } : {}) };
  return {
    kind: 'table',
    name,
    role: 'entity',
    ...(entity.description !== undefined ? { description: entity.description } : {}),
    access,
    ...(owner ? { owner } : {}),
    ...(org ? { org } : {}),
    ...(users.length > 0 ? { userColumns: users } : {}),
    columns,
    constraints,
    foreignKeys,
    indexes,
    policies: entityPolicies(
      name,
      access,
      policyColumnsOf,
      parentReferences(ctx, name, foreignKeys, org, columns, access, policyColumnsOf),
      names,
      tableSpace(schema, name, 'policy'),
    ),
    grants: withColumnGrants(grantsFor(access), columns, guard),
    triggers,
    ...(seed ? { seed } : {}),
    ...(entity.realtime === true ? { realtime: true } : {}),
  };
}

/**
 * Foreign keys to the schema's tables, with the parent's read level: writes
 * show the caller may read the row they point at (see parentCondition). The
 * org column is already checked by membership; auth.users is not readable
 * through the API at all. A reference to the same table is checked through a
 * read-check helper: a policy that queried its own table would recurse.
 */
function parentReferences(
  ctx: TableContext,
  table: string,
  foreignKeys: readonly ForeignKey[],
  org: string | undefined,
  columns: readonly Column[],
  access: EffectiveAccess,
  policyColumns: { readonly owner?: string; readonly org?: string },
): ParentReference[] {
  // Only write policies check references: a table nobody writes through the API needs no helper.
  const writers = new Set([...rolesFor(access.create), ...rolesFor(access.update)]);
  return foreignKeys
    .filter((fk) => fk.target.schema === ctx.schema && fk.column !== org)
    .map((fk) => {
      const parent = ctx.input.entities?.[fk.target.table];
      // the generated organizations table: readable by members (and its creator)
      const read = parent ? effectiveAccess(parent).read : 'organizations';
      const reach = readReach(read);
      // A role that reads some rows of its own table, and writes it, asks the helper.
      const callers = (['anon', 'authenticated'] as const).filter((r) => writers.has(r) && reach[r] === 'some');
      if (fk.target.table !== table || callers.length === 0) return { column: fk.column, target: fk.target, read };
      // Each role's helper evaluates what that role may read: anon only the rule's public terms.
      const conditionFor = (role: ApiRole) =>
        ruleCondition(role === 'anon' ? access.read.filter((t) => t.kind === 'level' && t.level === 'public') : access.read, 'read', policyColumns);
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

function implicitColumn(column: string, roles: { owner?: string; org?: string }): Column {
  if (column === 'id') return { kind: 'column', name: 'id', type: UUID, notNull: true, default: { kind: 'random-uuid' } };
  if (column === roles.owner) return { kind: 'column', name: column, type: UUID, notNull: true, default: { kind: 'auth-uid' } };
  if (column === roles.org) return { kind: 'column', name: column, type: UUID, notNull: true };
  return { kind: 'column', name: column, type: TIMESTAMPTZ, notNull: true, default: { kind: 'now' } };
}

function declaredIndexes(ctx: TableContext, table: string, entity: EntityInput): Index[] {
  return (entity.indexes ?? []).map((raw) => {
    const spec = Array.isArray(raw) ? { fields: raw } : raw;
    const isUnique = spec.unique === true;
    return {
      kind: 'index',
      name: ctx.names.derive(relationSpace(ctx.schema), [table, ...spec.fields], isUnique ? 'key' : 'idx'),
      columns: spec.fields,
      unique: isUnique,
      ...(spec.where !== undefined ? { where: expression(spec.where) } : {}),
    };
  });
}

/** An index serves lookups on `column` when its first column is `column` and it has no WHERE. */
function covered(column: string, constraints: readonly Constraint[], indexes: readonly Index[]): boolean {
  return (
    constraints.some((c) => (c.kind === 'primary-key' || c.kind === 'unique') && c.columns[0] === column) ||
    indexes.some((i) => i.columns[0] === column && i.where === undefined)
  );
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function seedRows(entity: EntityInput, columns: readonly Column[], primaryKey: readonly string[]): SeedRows | undefined {
  const rows = entity.rows ?? [];
  if (rows.length === 0) return undefined;
  const used = columns.filter((c) => rows.some((r) => Object.hasOwn(r, c.name)));
  return {
    columns: used.map((c) => ({ name: c.name, type: c.type })),
    rows: rows.map((r) => used.map((c) => (Object.hasOwn(r, c.name) ? r[c.name] : undefined))),
    conflictColumns: primaryKey,
  };
}
