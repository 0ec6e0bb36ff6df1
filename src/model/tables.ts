/**
 * One entity of the file → one table of the model: implicit columns, types,
 * constraints, foreign keys, indexes, policies, grants, triggers, seed rows.
 */
import type { EntityInput, FieldInput, RequirementsInput } from './input.js';
import type { Column, ColumnDefault, ColumnGuard, Constraint, ForeignKey, Index, ReadCheck, SeedRows, Table, Trigger } from './model.js';
import type { AccessHelpers } from './accessHelpers.js';
import type { AccessTerm } from './resolve.js';
import { membersOf } from './members.js';
import { membersTable } from './membersTables.js';
import type { MembersParts } from './membersTables.js';
import { relationSpace, tableSpace } from './names.js';
import type { NameRegistry } from './names.js';
import { entityPolicies, grantsFor } from './policies.js';
import { parentReferences } from './parentReferences.js';
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
  /** The member_ids and ids helpers, made on demand. */
  readonly helpers: AccessHelpers;
  /** Members tables of the entities with `members`, with their triggers' functions, collected likewise. */
  readonly members: MembersParts[];
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
  const terms = { entity: name, key: primaryKey[0] as string, role: 'authenticated' as const, helpers: ctx.helpers };
  const policyColumnsOf = { ...(owner ? { owner } : {}), ...(org ? { org } : {}), terms };
  const reachesAnon = (t: AccessTerm) => ctx.helpers.reaches(name, t, 'anon');
  const members = membersOf(name, entity);
  // The owner of a row with members always reads it: `insert … returning` works before the trigger's membership is visible.
  const ownerReads = members !== undefined && !access.read.some((t) => t.kind === 'level' && t.level === 'owner' && t.where === undefined);
  const policyAccess: EffectiveAccess = ownerReads ? { ...access, read: [...access.read, { kind: 'level', level: 'owner' }] } : access;
  if (members !== undefined && owner !== undefined) {
    const key = columns.find((c) => c.name === primaryKey[0]) as Column;
    const parts = membersTable({ schema, names, helpers: ctx.helpers, entity: name, members, key, owner });
    ctx.members.push(parts);
    triggers.push(parts.trigger);
  }
  return {
    kind: 'table',
    name,
    role: 'entity',
    ...(entity.description !== undefined ? { description: entity.description } : {}),
    access,
    ...(owner ? { owner } : {}),
    ...(org ? { org } : {}),
    ...(members !== undefined ? { members } : {}),
    ...(users.length > 0 ? { userColumns: users } : {}),
    columns,
    constraints,
    foreignKeys,
    indexes,
    policies: entityPolicies(
      name,
      policyAccess,
      policyColumnsOf,
      parentReferences(ctx, name, foreignKeys, org, columns, access, policyColumnsOf),
      names,
      tableSpace(schema, name, 'policy'),
    ),
    grants: withColumnGrants(grantsFor(policyAccess, reachesAnon), columns, guard),
    triggers,
    ...(seed ? { seed } : {}),
    ...(entity.realtime === true ? { realtime: true } : {}),
  };
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
