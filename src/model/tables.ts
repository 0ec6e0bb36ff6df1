/**
 * One entity of the file → one table of the model: implicit columns, types,
 * constraints, foreign keys, indexes, policies, grants, triggers, seed rows.
 */
import type { EntityInput, FieldInput, RequirementsInput } from './input.js';
import type { Column, ColumnDefault, Constraint, ForeignKey, Index, SeedRows, Table, Trigger } from './model.js';
import { relationSpace, tableSpace } from './names.js';
import type { NameRegistry } from './names.js';
import { entityPolicies, grantsFor } from './policies.js';
import type { PrivateParent } from './policies.js';
import {
  AUTH_USERS, ORG_FIELD, ORGANIZATIONS, columnNames, declaredPrimaryKey, effectiveAccess, fieldSpec,
  involvesOrg, isSqlDefault, ownerField, referencedKey, resolveFieldType,
} from './resolve.js';
import { TEXT, TIMESTAMPTZ, UUID } from './sqlTypes.js';

export interface TableContext {
  readonly input: RequirementsInput;
  readonly schema: string;
  readonly names: NameRegistry;
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
  const constraints: Constraint[] = [
    { kind: 'primary-key', name: names.derive(relationSpace(schema), [name], 'pkey'), columns: primaryKey },
  ];
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
    if (field.check !== undefined) checks.push({ kind: 'check', name: names.derive(constraintSpace, [name, column], 'check'), column, sql: expression(field.check) });
    if (field.references !== undefined) foreignKeys.push(foreignKey(ctx, name, column, field.references, field.on_delete));
  }
  constraints.push(...checks);

  const indexes = declaredIndexes(ctx, name, entity);
  const policyColumns = [owner, org].filter((c): c is string => c !== undefined);
  for (const column of unique([...foreignKeys.map((fk) => fk.column), ...policyColumns])) {
    if (covered(column, constraints, indexes)) continue;
    indexes.push({ kind: 'index', name: names.derive(relationSpace(schema), [name, column], 'idx'), columns: [column], unique: false });
  }

  const triggers: Trigger[] = entity.timestamps === false ? [] : [
    { kind: 'trigger', name: names.derive(tableSpace(schema, name, 'trigger'), [name], 'set_updated_at'), timing: 'BEFORE UPDATE', function: 'set_updated_at' },
  ];
  const seed = seedRows(entity, columns, primaryKey);
  return {
    kind: 'table',
    name,
    role: 'entity',
    ...(entity.description !== undefined ? { description: entity.description } : {}),
    access,
    ...(owner ? { owner } : {}),
    ...(org ? { org } : {}),
    columns,
    constraints,
    foreignKeys,
    indexes,
    policies: entityPolicies(
      name,
      access,
      { ...(owner ? { owner } : {}), ...(org ? { org } : {}) },
      privateParents(ctx, foreignKeys, org),
      names,
      tableSpace(schema, name, 'policy'),
    ),
    grants: grantsFor(access),
    triggers,
    ...(seed ? { seed } : {}),
  };
}

/**
 * Foreign keys whose target rows not everyone may read: writes must show the
 * caller can see the row they point at (or, when nobody may read the parent,
 * leave the reference unset). The org column is already checked
 * by membership; auth.users is not readable through the API at all. A
 * self-reference is left out: a policy that queries its own table makes
 * Postgres report infinite recursion.
 */
function privateParents(ctx: TableContext, foreignKeys: readonly ForeignKey[], org: string | undefined): PrivateParent[] {
  return foreignKeys
    .filter((fk) => fk.target.schema === ctx.schema && fk.column !== org && fk.target.table !== fk.table)
    .flatMap((fk) => {
      const parent = ctx.input.entities?.[fk.target.table];
      // the generated organizations table: readable by members only
      const read = parent ? effectiveAccess(parent).read : 'org';
      if (read === 'public' || read === 'authenticated') return [];
      return [{ column: fk.column, target: fk.target, readable: read !== 'none' }];
    });
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
  const used = columns.filter((c) => rows.some((r) => Object.prototype.hasOwnProperty.call(r, c.name)));
  return {
    columns: used.map((c) => ({ name: c.name, type: c.type })),
    rows: rows.map((r) => used.map((c) => (Object.prototype.hasOwnProperty.call(r, c.name) ? r[c.name] : undefined))),
    conflictColumns: primaryKey,
  };
}
