/**
 * `buildFile`: a `FileSpec` (plain random choices) made into a requirements
 * object that follows the format's rules, its YAML text, and the
 * `LiteralCheck`s the SQL must pass (see arbitraries.ts).
 */
import { isReservedSchema } from '../../src/validate/rules/names.js';
import { put, toYaml } from './documents.js';
import { OPS, checkFor, effective, repairAccess, sqlDefaultFor } from './entitySpecs.js';
import type { EntitySpec, FieldSpec, PlainFieldSpec } from './entitySpecs.js';
import { expectedConstant } from './expected.js';
import type { GeneratedFile, LiteralCheck } from './expected.js';
import type { FileSpec } from './fileSpec.js';
import { buildRows, seedable, uniqueBy } from './buildRows.js';
import { buildViews, jobSql } from './buildViews.js';
import type { TableInfo } from './buildViews.js';
import { lit, q } from './names.js';
import { withTerms } from './accessTerms.js';
import type { ViaField } from './accessTerms.js';
import type { MembersSpec } from './entitySpecs.js';
import { singular } from '../../src/model/members.js';
import { ENUM_BASES, PK_BASES, elementOf, sampleKey } from './values.js';
import type { Json, TypeSpec } from './values.js';

// ---------------------------------------------------------------------------
// Building a valid file
// ---------------------------------------------------------------------------

const ORG_TABLES = ['organizations', 'organization_members'];
const IMPLICIT = ['id', 'created_at', 'updated_at', 'org_id', 'user_id'];

interface Planned {
  readonly name: string;
  readonly spec: EntitySpec;
  readonly access: EntitySpec['access'];
  readonly hasOwner: boolean;
  readonly usesOrg: boolean;
  /** The owner column and whether the file declares it. */
  readonly owner?: { name: string; declared: boolean };
  readonly fields: FieldSpec[];
  /** Declared primary key fields; undefined: the implicit id. */
  readonly pk?: string[];
  /** Type of the single-field key that references point at; undefined when the key is composite. */
  readonly keyType?: string;
  readonly profile: boolean;
  /** The members' roles and the members table's names (fitted to the file); undefined without members. */
  readonly members?: { roles: readonly string[]; table: string; column: string };
}

const DEFAULT_ROLES = ['admin', 'member'];
const MEMBERS_COLUMNS = ['user_id', 'role', 'created_at'];
const fits = (name: string) => Buffer.byteLength(name, 'utf8') <= 63;

/**
 * The members of an entity as written in the file: its table and column are
 * the spec's (or the defaults) unless they would collide or be too long, then
 * a name that fits (the mutations make the colliding ones on purpose).
 */
function fitMembers(name: string, i: number, m: MembersSpec, taken: Set<string>): { written: unknown; resolved: NonNullable<Planned['members']> } {
  const roles = m.roles ?? DEFAULT_ROLES;
  const tables = [m.table, `${name}_members`, `members_${i}`, `members_${i}_${taken.size}`].filter((t): t is string => t !== undefined);
  const table = tables.find((t) => fits(t) && !taken.has(t)) as string;
  taken.add(table);
  const columns = [m.column, `${singular(name)}_id`, 'key_id'];
  const column = columns.find((c): c is string => c !== undefined && fits(c) && !MEMBERS_COLUMNS.includes(c)) as string;
  const map: Record<string, unknown> = {};
  if (m.roles !== undefined) map.roles = m.roles;
  if (m.join !== undefined) map.join = m.join;
  if (table !== `${name}_members`) map.table = table;
  else if (m.table !== undefined) map.table = table;
  if (column !== `${singular(name)}_id` || m.column !== undefined) map.column = column;
  const written = m.asTrue && Object.keys(map).length === 0 ? true : map;
  return { written, resolved: { roles, table, column } };
}

/** Pure: the same spec always gives the same file. */
export function buildFile(spec: FileSpec): GeneratedFile {
  const checks: LiteralCheck[] = [];
  const entityNames = spec.entityNames.filter((n) => !ORG_TABLES.includes(n));

  // 1. Access, owner, primary key of each entity.
  const planned: Planned[] = entityNames.map((name, i) => {
    const es = spec.entities[i % spec.entities.length] as EntitySpec;
    const access = repairAccess(es.access, es.members !== undefined);
    const eff = effective(access);
    const levels = OPS.map((op) => eff[op]);
    // An entity with members always has an owner: the first member.
    const hasOwner = levels.some((l) => l === 'owner' || l === 'org') || es.members !== undefined;
    const usesOrg = levels.includes('org');
    const profile = hasOwner && es.ownerMode === 'profile';
    let owner: Planned['owner'];
    if (hasOwner) {
      if (profile) owner = { name: 'id', declared: true };
      else if (es.ownerMode === 'named' && !IMPLICIT.includes(es.ownerName)) owner = { name: es.ownerName, declared: false };
      else if (es.ownerMode === 'declared' && !IMPLICIT.includes(es.ownerName)) owner = { name: es.ownerName, declared: true };
      else if (es.ownerMode === 'declared-default') owner = { name: 'user_id', declared: true };
      else owner = { name: 'user_id', declared: false };
    }
    const reservedNames = new Set([...IMPLICIT, ...(owner ? [owner.name] : [])]);
    const fields = es.fields.filter((f) => !reservedNames.has(f.name));
    // The parent reference points at an entity planned before this one (slot i-1 … 0), or at the organizations (slot n+1).
    if (es.parent !== undefined && !reservedNames.has(es.parent.name) && !fields.some((f) => f.name === es.parent?.name)) {
      const n = entityNames.length;
      fields.push({ ...es.parent, target: i > 0 ? es.parent.target % i : n + 1 });
    }
    const keyable = fields.filter((f): f is PlainFieldSpec => f.kind === 'plain' && !f.type.array && PK_BASES.has(f.type.base));
    let pk: string[] | undefined;
    let keyType: string | undefined = 'uuid';
    if (profile) {
      pk = ['id'];
    } else if (es.pkMode === 'single' && keyable.length >= 1) {
      pk = [(keyable[0] as PlainFieldSpec).name];
      keyType = (keyable[0] as PlainFieldSpec).type.sql;
    } else if (es.pkMode === 'composite' && keyable.length >= 2 && es.members === undefined) {
      pk = keyable.slice(0, 2).map((f) => f.name);
      keyType = undefined;
    }
    return { name, spec: es, access, hasOwner, usesOrg, ...(owner ? { owner } : {}), fields, ...(pk ? { pk } : {}), ...(keyType ? { keyType } : {}), profile };
  });
  const anyOrg = planned.some((p) => p.usesOrg);
  // Members tables share the relations' namespace with the entities and the organization tables.
  const relations = new Set([...entityNames, ...(anyOrg ? ORG_TABLES : [])]);
  const membersWritten = new Map<string, unknown>();
  const withMembers: Planned[] = planned.map((p, i) => {
    if (p.spec.members === undefined) return p;
    const { written, resolved } = fitMembers(p.name, i, p.spec.members, relations);
    membersWritten.set(p.name, written);
    return { ...p, members: resolved };
  });

  // 2. Entities.
  const entities: Record<string, unknown> = {};
  const tables: TableInfo[] = [];
  for (const [index, p] of withMembers.entries()) {
    const es = p.spec;
    const entity: Record<string, unknown> = {};
    const fields: Record<string, unknown> = {};
    const types = new Map<string, TypeSpec>();
    const samples = new Map<string, Json[]>();
    const needed = new Set<string>();
    // Rows of an org entity could never be inserted: org_id must reference an organization, and
    // the organizations table is created empty by the same transaction.
    const hasRows = es.rows > 0 && !p.usesOrg;
    /** Columns each seed row gives a value of its own: they are unique (see the indexes below). */
    const distinct = new Set<string>();
    /** Reference fields: seed rows never give them, so they are NULL there (and never collide in a unique index). */
    const refs = new Set<string>();
    /** Declared references to auth.users: what `{ user: FIELD }` terms may name. */
    const userFields: string[] = [];
    /** References to entities before this one, or to the organizations: what `{ via: FIELD }` terms may name. */
    const viaFields: ViaField[] = p.usesOrg ? [{ field: 'org_id', roles: ['admin', 'member'], organizations: true }] : [];
    if (es.description !== undefined) {
      entity.description = es.description;
      checks.push({ kind: 'table-comment', table: p.name, value: es.description });
    }
    if (p.access !== undefined) entity.access = p.access;
    if (p.owner && (p.owner.name !== 'user_id' || p.profile)) entity.owner = p.owner.name;
    if (p.pk) entity.primary_key = p.pk.length === 1 && !es.pkAsList ? p.pk[0] : p.pk;
    if (membersWritten.has(p.name)) entity.members = membersWritten.get(p.name);
    if (es.timestamps !== undefined) entity.timestamps = es.timestamps;
    if (es.realtime !== undefined) entity.realtime = es.realtime;

    if (p.owner?.declared) {
      const o = p.owner.name;
      const onDelete = es.ownerOnDelete === undefined ? {} : { on_delete: es.ownerOnDelete };
      put(
        fields,
        o,
        p.profile
          ? { type: 'uuid', references: 'auth.users', on_delete: 'cascade' }
          : es.ownerStyle === 'uuid'
            ? 'uuid'
            : es.ownerStyle === 'map'
              ? { type: 'uuid', required: true }
              : es.ownerStyle === 'ref-auth'
                ? { references: 'auth.users', ...onDelete }
                : { type: 'uuid', references: 'auth.users', ...onDelete },
      );
      types.set(o, { written: 'uuid', sql: 'uuid', base: 'uuid', array: false });
    }

    for (const f of p.fields) {
      const isPk = p.pk?.includes(f.name) ?? false;
      if (f.kind === 'ref') {
        // Targets: the entities, then auth.users, then organizations (when org access is used).
        const n = withMembers.length;
        const slot = f.target % (n + 2);
        const target = slot < n ? (withMembers[slot] as Planned) : undefined;
        let references: string;
        let keyType = 'uuid';
        if (target && target.keyType !== undefined) {
          references = target.name;
          keyType = target.keyType;
        } else {
          references = slot === n + 1 && anyOrg ? 'organizations' : 'auth.users';
        }
        const required = f.required && !hasRows;
        const onDelete = f.onDelete === 'set null' && required ? 'cascade' : f.onDelete;
        const field: Record<string, unknown> = { ...(f.typed ? { type: keyType } : {}), references };
        if (required) field.required = true;
        if (f.unique) field.unique = true;
        if (onDelete !== undefined) field.on_delete = onDelete;
        // IS NOT NULL (variant 0) would refuse the seed rows, which leave references NULL.
        if (f.check !== undefined) field.check = checkFor(f.name, hasRows && f.check === 0 ? 1 : f.check, f.nasty);
        if (f.description !== undefined) {
          field.description = f.description;
          checks.push({ kind: 'column-comment', table: p.name, column: f.name, value: f.description });
        }
        // A read-only reference has no default: only one the API leaves unset.
        if (f.flag === 'immutable' || (f.flag === 'readonly' && !required)) field[f.flag] = true;
        if (references === 'auth.users') userFields.push(f.name);
        // Only through entities planned before this one: a chain of via never comes back (via-cycle).
        else if (references === 'organizations') viaFields.push({ field: f.name, roles: ['admin', 'member'], organizations: true });
        else if (slot < index) viaFields.push({ field: f.name, ...(target?.members ? { roles: target.members.roles } : {}), organizations: false });
        refs.add(f.name);
        put(fields, f.name, field);
        continue;
      }
      const t = f.type;
      types.set(f.name, t);
      const element = elementOf(t);
      const isJson = t.base === 'json' || t.base === 'jsonb';
      const enumValues = f.enumValues;
      const pick = (k: number): Json => {
        // A value of the enum (for arrays: a list of enum values), else a generated one.
        if (enumValues === undefined) return f.literal;
        if (!t.array) return enumValues[k % enumValues.length] as Json;
        return enumValues.filter((_, i) => (k >> i) & 1);
      };
      const fieldSamples: Json[] = uniqueBy(enumValues === undefined ? f.samples : t.array ? f.picks.map((k) => pick(k)) : enumValues, (v) => sampleKey(t, v));
      samples.set(f.name, fieldSamples);
      if (f.shorthand && !isPk) {
        put(fields, f.name, t.written);
        continue;
      }
      const field: Record<string, unknown> = { type: t.written };
      const required = f.required || isPk;
      if (f.required) field.required = true;
      // Seed rows give a unique column distinct values, which needs to know when two are equal.
      if (f.unique && t.base !== 'json' && (!hasRows || seedable(t))) {
        field.unique = true;
        if (hasRows) distinct.add(f.name);
      }
      if (enumValues !== undefined) field.enum = enumValues;
      let hasDefault = false;
      // An SQL default of an enum field would have to be one of its values: a literal is.
      const defaultKind = f.defaultKind === 'sql' && enumValues !== undefined ? 'literal' : f.defaultKind;
      if (defaultKind === 'literal' || (defaultKind === 'null' && required)) {
        const value = pick(f.picks[0] as number);
        if (isJson && !t.array && typeof value === 'object' && value !== null && !Array.isArray(value) && 'sql' in value) {
          // A map with `sql` is an SQL default, never a json literal.
        } else if (value === null && required) {
          // A required field cannot default to null (json null is SQL NULL).
        } else {
          field.default = value;
          hasDefault = true;
          const expected = expectedConstant(t, value);
          if (expected) checks.push({ kind: 'default', table: p.name, column: f.name, expected });
        }
      } else if (defaultKind === 'null') {
        field.default = null;
      } else if (defaultKind === 'sql') {
        const sql = sqlDefaultFor(t, f.nasty);
        field.default = { sql };
        hasDefault = sql !== 'NULL';
      }
      if (f.check !== undefined) {
        field.check = checkFor(f.name, f.check, f.nasty);
        // IS NOT NULL: every seed row must give the column.
        if (f.check === 0) needed.add(f.name);
      }
      if (f.description !== undefined) {
        field.description = f.description;
        checks.push({ kind: 'column-comment', table: p.name, column: f.name, value: f.description });
      }
      if (enumValues !== undefined && ENUM_BASES.has(element.base) && !['smallint', 'integer', 'bigint', 'numeric'].includes(element.base)) {
        checks.push({ kind: 'enum', table: p.name, column: f.name, values: enumValues as string[] });
      }
      if (required && !hasDefault) needed.add(f.name);
      // readonly: the guard compares a new row's value with the default, which must give the same value twice
      // (gen_random_uuid() does not); a required one needs a default.
      const stableDefault = !(defaultKind === 'sql' && t.base === 'uuid' && !t.array);
      if (f.flag === 'immutable' || (f.flag === 'readonly' && !isPk && stableDefault && (!required || hasDefault))) field[f.flag] = true;
      put(fields, f.name, field);
    }

    // Columns in table order (as indexes may name them), json ones left out of indexes.
    const columns = [
      ...(p.pk ? [] : ['id']),
      ...(p.usesOrg ? ['org_id'] : []),
      ...(p.owner && !p.owner.declared ? [p.owner.name] : []),
      ...Object.keys(fields),
      ...(es.timestamps === false ? [] : ['created_at', 'updated_at']),
    ];
    const indexable = columns.filter((c) => {
      const t = types.get(c);
      return t === undefined || t.base !== 'json';
    });
    const indexes: unknown[] = [];
    const signatures = new Set<string>();
    for (const ix of es.indexes) {
      if (indexable.length === 0) break;
      const cols = [...new Set(ix.columns.map((k) => indexable[k % indexable.length] as string))];
      const where =
        ix.where === undefined || ix.form === 'list'
          ? undefined
          : `${q(cols[0] as string)} IS NOT NULL${ix.where % 2 ? ` AND ${lit(String(ix.where))} <> ''` : ''}`;
      let unique = ix.form === 'map' && ix.unique;
      if (unique && hasRows) {
        // Distinct rows: a column that is NULL in every row (a reference), or distinct in every row (the
        // implicit id, the owner, the key's first column), or one made distinct; else not unique.
        const covered = cols.some((c) => refs.has(c) || c === p.owner?.name || c === (p.pk ?? ['id'])[0]);
        const candidate = cols.find((c) => samples.has(c) && seedable(types.get(c) as TypeSpec));
        if (!covered && candidate !== undefined) distinct.add(candidate);
        unique = covered || candidate !== undefined;
      }
      const signature = JSON.stringify([cols, unique, where ?? null]);
      if (signatures.has(signature)) continue;
      signatures.add(signature);
      indexes.push(ix.form === 'list' ? cols : { fields: cols, ...(unique ? { unique: true } : {}), ...(where !== undefined ? { where } : {}) });
    }

    const rows = hasRows
      ? buildRows(
          {
            table: p.name,
            spec: es,
            ...(p.pk ? { pk: p.pk } : {}),
            profile: p.profile,
            ...(p.owner ? { owner: p.owner.name } : {}),
            samples,
            types,
            needed,
            distinct,
          },
          checks,
        )
      : [];

    tables.push({
      name: p.name,
      columns,
      unordered: new Set(columns.filter((c) => types.get(c)?.base === 'json')),
      modifiedArrays: new Set(columns.filter((c) => types.get(c)?.array === true && types.get(c)?.length !== undefined)),
      key: p.pk ?? ['id'],
      timestamps: es.timestamps !== false,
    });
    if (typeof p.access === 'object' && p.access !== null) {
      entity.access = withTerms(p.access, es.terms, {
        hasOwner: p.hasOwner,
        usesOrg: p.usesOrg,
        columns,
        userFields,
        viaFields,
        ...(p.members ? { memberRoles: p.members.roles } : {}),
      });
    }
    if (Object.keys(fields).length > 0 || es.emptyForm === 'fields') entity.fields = fields;
    if (indexes.length > 0) entity.indexes = indexes;
    if (rows.length > 0) entity.rows = rows;
    put(entities, p.name, entity);
  }

  // 3. Buckets.
  const buckets: Record<string, unknown> = {};
  for (const [id, b] of spec.buckets) {
    const bucket: Record<string, unknown> = {};
    if (b.public !== undefined) bucket.public = b.public;
    if (b.size !== undefined) bucket.file_size_limit = b.size;
    if (b.mimes !== undefined) bucket.allowed_mime_types = b.mimes;
    if (b.access !== undefined) bucket.access = b.access;
    put(buckets, id, bucket);
    checks.push({ kind: 'bucket', id, ...(b.mimes ? { mimes: b.mimes } : {}) });
  }

  // 4. Materialized views and jobs over the generated tables.
  const schema = spec.schema !== undefined && !isReservedSchema(spec.schema) ? spec.schema : undefined;
  const taken = relations;
  const views = buildViews(spec.views, tables, schema ?? 'public', taken);
  const jobs: Record<string, unknown> = {};
  for (const j of spec.jobs) {
    if (Object.keys(views).some((v) => j.name === `refresh-${v}`)) continue;
    const sql = jobSql(j.sql, tables, schema ?? 'public');
    put(jobs, j.name, { schedule: j.schedule, sql });
    checks.push({ kind: 'job', name: j.name, command: sql.trim() });
  }

  const section = (map: Record<string, unknown>) => (Object.keys(map).length > 0 ? map : spec.empty === 'null' ? null : spec.empty === 'map' ? {} : undefined);
  const doc: Record<string, unknown> = {};
  if (spec.dollarSchema !== undefined) doc.$schema = spec.dollarSchema;
  doc.version = 1;
  if (schema !== undefined) doc.schema = schema;
  for (const [key, map] of [
    ['entities', entities],
    ['buckets', buckets],
    ['materialized_views', views],
    ['jobs', jobs],
  ] as const) {
    const value = section(map);
    if (value !== undefined) doc[key] = value;
  }
  return { doc, text: toYaml(doc, spec.style), checks };
}
