/**
 * A second file derived from a generated one by a few random edits, each a
 * change people make between two versions of a requirements file: fields
 * added, removed, retyped (widened and narrowed), made required or optional,
 * defaults, enums, checks, uniqueness and descriptions changed; access
 * changed (org access included); realtime turned on or off; indexes, entities, buckets, materialized
 * views, jobs and seed rows added, changed or removed; members and via terms (evolveMemberEdits.ts).
 *
 * Edits work on the file's object and are kept only when the file stays valid
 * (the project's validate()); an edit that would make it invalid is dropped
 * (and so is one that changes nothing). Removing a field or an entity takes
 * what names it along (its indexes, seed values, references to it, views and
 * jobs whose SQL mentions it), so that the file can stay valid.
 */
import fc from 'fast-check';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { validateSync as validate } from '../../src/compile.js';
import { put, sameData, toYaml } from './documents.js';
import { checkFor, repairAccess } from './entitySpecs.js';
import type { GeneratedFile } from './expected.js';
import { lit, q } from './names.js';
import { TERM_ACCESS, toggleFlag } from './evolveTermEdits.js';
import { MEMBER_EDITS } from './evolveMemberEdits.js';

type Doc = Record<string, unknown>;

export interface EditSpec {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export const editArb: fc.Arbitrary<EditSpec> = fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() });

/** A pair of files: the generated one and the one its edits made. */
export interface EvolvedPair {
  readonly a: GeneratedFile;
  readonly b: { readonly doc: Doc; readonly text: string };
  /** The edits kept, described. */
  readonly edits: readonly string[];
}

// ---------------------------------------------------------------------------
// Plain-data helpers

const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (m: unknown, k: string): boolean => isMap(m) && Object.hasOwn(m, k);
const get = (m: unknown, k: string): unknown => (has(m, k) ? (m as Doc)[k] : undefined);
const keysOf = (m: unknown): string[] => (isMap(m) ? Object.keys(m) : []);
const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isMap(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) put(out, k, clone(v[k]));
    return out as T;
  }
  return v;
}

/** The map under `key`, made when missing (a null section becomes a map). */
function section(doc: Doc, key: string): Doc {
  const v = get(doc, key);
  if (isMap(v)) return v;
  const m: Doc = {};
  put(doc, key, m);
  return m;
}

const entitiesOf = (doc: Doc): Doc => section(doc, 'entities');
const schemaOf = (doc: Doc): string => (typeof get(doc, 'schema') === 'string' ? (get(doc, 'schema') as string) : 'public');

/** A field as a map (the shorthand `name: type` written out). */
function fieldMap(fields: Doc, name: string): Doc {
  const f = get(fields, name);
  if (typeof f === 'string') {
    const m: Doc = { type: f };
    put(fields, name, m);
    return m;
  }
  return f as Doc;
}

function fieldsOf(entity: Doc): Doc {
  const f = get(entity, 'fields');
  if (isMap(f)) return f;
  const m: Doc = {};
  put(entity, 'fields', m);
  return m;
}

const typeOfField = (f: unknown): string | undefined =>
  typeof f === 'string' ? f : typeof get(f, 'type') === 'string' ? (get(f, 'type') as string) : undefined;

/** Primary-key field names of an entity (declared ones). */
function pkOf(entity: Doc): string[] {
  const pk = get(entity, 'primary_key');
  return typeof pk === 'string' ? [pk] : Array.isArray(pk) ? (pk as string[]) : [];
}

/** The word `name` appears in `text` (as an identifier: not inside a longer one). */
function mentions(text: unknown, name: string): boolean {
  if (typeof text !== 'string') return false;
  const lower = text.toLowerCase();
  for (let i = lower.indexOf(name); i >= 0; i = lower.indexOf(name, i + 1)) {
    const before = lower[i - 1] ?? ' ';
    const after = lower[i + name.length] ?? ' ';
    if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
  }
  return false;
}

/** Views and jobs whose SQL names `word` go (their query would fail without it). */
function dropSqlNaming(doc: Doc, word: string): void {
  const views = get(doc, 'materialized_views');
  for (const v of keysOf(views)) if (mentions(get(get(views, v), 'query'), word)) delete (views as Doc)[v];
  const jobs = get(doc, 'jobs');
  for (const j of keysOf(jobs)) if (mentions(get(get(jobs, j), 'sql'), word)) delete (jobs as Doc)[j];
}

// ---------------------------------------------------------------------------
// Types and values

const TYPES = [
  'text',
  'varchar(20)',
  'varchar(5)',
  'char(3)',
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'numeric(10,2)',
  'numeric(4,1)',
  'real',
  'double precision',
  'boolean',
  'uuid',
  'date',
  'time',
  'timestamptz',
  'timestamp',
  'interval',
  'jsonb',
  'json',
  'inet',
  'bytea',
  'text[]',
  'integer[]',
  'varchar(10)[]',
] as const;

function baseOf(type: string): { base: string; array: boolean; length?: number } {
  const t = type.toLowerCase().replace(/\s+/g, ' ').trim();
  const array = /\[\]$/.test(t);
  const bare = t.replace(/\s*\[\]$/, '');
  const m = /^([a-z ]+?)\s*(?:\((\d+)(?:,\s*\d+)?\))?$/.exec(bare);
  const name = (m?.[1] ?? bare).trim();
  const aliases: Record<string, string> = {
    string: 'text',
    int: 'integer',
    decimal: 'numeric',
    float: 'double precision',
    bool: 'boolean',
    datetime: 'timestamptz',
  };
  return { base: aliases[name] ?? name, array, ...(m?.[2] !== undefined ? { length: Number(m[2]) } : {}) };
}

/** A literal of the type (as the file writes it), or undefined for a type this does not know. */
function literalFor(type: string, n: number): unknown {
  const { base, array, length } = baseOf(type);
  const scalar = (k: number): unknown => {
    switch (base) {
      case 'text':
      case 'varchar':
      case 'char': {
        const text = pick(['a', "it's", 'draft', 'x y', '$$q$$'], k) as string;
        return length === undefined ? text : text.slice(0, length);
      }
      case 'smallint':
      case 'integer':
      case 'bigint':
        return k % 100;
      case 'numeric':
        return pick([1.5, 0, 12], k);
      case 'real':
      case 'double precision':
        return pick([2.5, -1, 0], k);
      case 'boolean':
        return k % 2 === 0;
      case 'uuid':
        return pick(['00000000-0000-4000-8000-000000000001', '9b2e3c1a-5f4d-4e6b-8a7c-1d2e3f4a5b6c'], k);
      case 'date':
        return '2024-01-31';
      case 'time':
        return '10:00:00';
      case 'timestamptz':
      case 'timestamp':
        return '2024-01-31 10:00:00+00';
      case 'interval':
        return '1 day';
      case 'json':
      case 'jsonb':
        return pick([{ a: 1 }, [1, 'two'], 'text'], k);
      case 'inet':
        return '10.0.0.1';
      case 'bytea':
        return 'ab';
      default:
        return undefined;
    }
  };
  if (array) {
    const item = scalar(n);
    return item === undefined ? undefined : n % 3 === 0 ? [] : [item];
  }
  return scalar(n);
}

const ENUMS: Record<string, unknown[]> = {
  text: ['draft', 'live', 'archived', "it's"],
  varchar: ['a', 'bb', 'ccc', 'draft'],
  char: ['a', 'b', 'c'],
  smallint: [1, 2, 3, 0],
  integer: [1, 2, 3, 0],
  bigint: [1, 2, 3, 0],
  numeric: [1, 2.5, 0, 12],
};

const DESCRIPTIONS = ['Shown in listings', "it's $$ a -- note /* */", 'changed', '日本語 😀'];
const ACCESS: readonly unknown[] = [
  'owner',
  'public-read',
  'authenticated-read',
  'org',
  'reference',
  'private',
  { read: 'public', create: 'authenticated', update: 'owner', delete: 'owner' },
  { read: 'authenticated', create: 'none', update: 'none', delete: 'none' },
  { read: 'org', create: 'org', update: 'org', delete: 'none' },
  { read: 'owner', create: 'owner' },
  { read: 'public' },
  ...TERM_ACCESS,
];
const SCHEDULES = ['hourly', 'daily', 'every 5 minutes', '0 3 * * *', '*/10 * * * *'];
const MIMES = [['image/png'], ['image/*', 'application/pdf'], ['text/plain']];
const SIZES = [1024, '5 MB', '1.5 GB', 10];

const IMPLICIT = ['id', 'created_at', 'updated_at', 'org_id', 'user_id'];

// ---------------------------------------------------------------------------
// The edits: each changes `doc` in place and says what it did, or returns undefined when it does not apply.

type Edit = (doc: Doc, e: EditSpec) => string | undefined;

/** An entity and its fields, picked by `n`. */
function someEntity(doc: Doc, n: number): { name: string; entity: Doc } | undefined {
  const entities = entitiesOf(doc);
  const name = pick(keysOf(entities), n);
  if (name === undefined) return undefined;
  let entity = get(entities, name);
  if (!isMap(entity)) {
    entity = {};
    put(entities, name, entity);
  }
  return { name, entity: entity as Doc };
}

/** A declared field of some entity, with its map. */
function someField(doc: Doc, e: EditSpec, plain = false): { table: string; entity: Doc; fields: Doc; name: string; field: Doc } | undefined {
  const found = someEntity(doc, e.a);
  if (!found) return undefined;
  const fields = fieldsOf(found.entity);
  const candidates = keysOf(fields).filter((f) => !plain || !has(get(fields, f), 'references'));
  const name = pick(candidates, e.b);
  if (name === undefined) return undefined;
  return { table: found.name, entity: found.entity, fields, name, field: fieldMap(fields, name) };
}

/** Removes field `name` of `table` and what names it. */
function removeField(doc: Doc, table: string, entity: Doc, name: string): void {
  const fields = fieldsOf(entity);
  delete fields[name];
  const indexes = get(entity, 'indexes');
  if (Array.isArray(indexes)) {
    const kept = indexes.filter((ix) => {
      const cols = Array.isArray(ix) ? ix : (get(ix, 'fields') as unknown[]);
      return !cols.includes(name) && !mentions(get(ix, 'where'), name);
    });
    if (kept.length > 0) put(entity, 'indexes', kept);
    else delete entity.indexes;
  }
  const rows = get(entity, 'rows');
  if (Array.isArray(rows)) for (const row of rows) if (isMap(row)) delete row[name];
  if (get(entity, 'owner') === name) delete entity.owner;
  // A view or job that names the column (or, to be safe, the table) over it.
  dropSqlNaming(doc, name);
  void table;
}

const EDITS: readonly (readonly [number, Edit])[] = [
  // a field becomes readonly, immutable, or neither
  [
    2,
    (doc, e) => {
      const found = someField(doc, e);
      return found && `${found.table}.${found.name}: ${toggleFlag(found.field, e.c)}`;
    },
  ],
  // add a field
  [
    4,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      const fields = fieldsOf(found.entity);
      const name = `f${e.b % 30}`;
      if (has(fields, name) || IMPLICIT.includes(name)) return undefined;
      const type = pick(TYPES, e.c) as string;
      const field: Doc = { type };
      if (e.b % 3 === 0) field.required = true;
      if (e.c % 4 < 2) {
        const v = literalFor(type, e.b);
        if (v !== undefined) field.default = v;
      }
      if (e.c % 7 === 0) field.unique = true;
      put(fields, name, e.c % 5 === 0 && Object.keys(field).length === 1 ? type : field);
      return `add field ${found.name}.${name} ${JSON.stringify(field)}`;
    },
  ],
  // a field referencing another entity or auth.users
  [
    1,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      const fields = fieldsOf(found.entity);
      const name = `r${e.b % 10}`;
      if (has(fields, name)) return undefined;
      const target = pick([...keysOf(entitiesOf(doc)), 'auth.users'], e.c) as string;
      const field: Doc = { references: target };
      if (e.b % 3 === 0) field.on_delete = pick(['cascade', 'set null', 'restrict'], e.c);
      put(fields, name, field);
      return `add field ${found.name}.${name} referencing ${target}`;
    },
  ],
  // remove a field
  [
    3,
    (doc, e) => {
      const f = someField(doc, e);
      if (!f || pkOf(f.entity).includes(f.name)) return undefined;
      removeField(doc, f.table, f.entity, f.name);
      return `remove field ${f.table}.${f.name}`;
    },
  ],
  // change a field's type
  [
    4,
    (doc, e) => {
      const f = someField(doc, e, true);
      if (!f) return undefined;
      const from = typeOfField(f.field);
      const type = pick(TYPES, e.c) as string;
      if (from === undefined || from === type) return undefined;
      f.field.type = type;
      if (e.c % 3 >= 1) delete f.field.default;
      if (e.c % 3 === 2) delete f.field.enum;
      const rows = get(f.entity, 'rows');
      if (e.c % 2 === 1 && Array.isArray(rows) && !pkOf(f.entity).includes(f.name)) for (const row of rows) if (isMap(row)) delete row[f.name];
      return `change type of ${f.table}.${f.name}: ${from} → ${type}`;
    },
  ],
  // required on / off
  [
    3,
    (doc, e) => {
      const f = someField(doc, e);
      if (!f) return undefined;
      if (f.field.required === true) delete f.field.required;
      else f.field.required = true;
      return `${f.field.required ? 'require' : 'no longer require'} ${f.table}.${f.name}`;
    },
  ],
  // default: set, change, remove, SQL
  [
    3,
    (doc, e) => {
      const f = someField(doc, e, true);
      // Not the owner's: its default is auth.uid(), what lets a client insert its own row without naming itself
      // (a file may set another, and verify then finds "insert own row" refused, fresh or evolved alike).
      if (!f || f.name === (get(f.entity, 'owner') ?? 'user_id')) return undefined;
      const type = typeOfField(f.field);
      if (type === undefined) return undefined;
      const mode = e.c % 4;
      if (mode === 0) {
        if (!has(f.field, 'default')) return undefined;
        delete f.field.default;
        return `remove default of ${f.table}.${f.name}`;
      }
      if (mode === 3) {
        const { base, array } = baseOf(type);
        const sql = array
          ? 'NULL'
          : base === 'timestamptz' || base === 'timestamp'
            ? 'now()'
            : base === 'uuid'
              ? 'gen_random_uuid()'
              : ['integer', 'bigint', 'smallint', 'numeric'].includes(base)
                ? '40 + 2'
                : undefined;
        if (sql === undefined) return undefined;
        f.field.default = { sql };
        return `default of ${f.table}.${f.name}: SQL ${sql}`;
      }
      const enumValues = get(f.field, 'enum');
      const v = Array.isArray(enumValues) && !baseOf(type).array ? pick(enumValues, e.b) : literalFor(type, e.b);
      if (v === undefined) return undefined;
      f.field.default = v;
      return `default of ${f.table}.${f.name}: ${JSON.stringify(v)}`;
    },
  ],
  // enum: set, change, remove
  [
    2,
    (doc, e) => {
      const f = someField(doc, e, true);
      if (!f) return undefined;
      const type = typeOfField(f.field);
      if (type === undefined) return undefined;
      if (e.c % 3 === 0) {
        if (!has(f.field, 'enum')) return undefined;
        delete f.field.enum;
        return `remove enum of ${f.table}.${f.name}`;
      }
      const values = ENUMS[baseOf(type).base];
      if (values === undefined) return undefined;
      const chosen = values.filter((_, i) => ((e.b % 15) + 1) & (1 << i));
      f.field.enum = chosen;
      if (e.c % 3 === 2 && has(f.field, 'default')) f.field.default = baseOf(type).array ? [chosen[0]] : chosen[0];
      return `enum of ${f.table}.${f.name}: ${JSON.stringify(chosen)}`;
    },
  ],
  // check: set, change, remove
  [
    2,
    (doc, e) => {
      const f = someField(doc, e);
      if (!f) return undefined;
      if (e.c % 5 === 0) {
        if (!has(f.field, 'check')) return undefined;
        delete f.field.check;
        return `remove check of ${f.table}.${f.name}`;
      }
      f.field.check = checkFor(f.name, e.c, pick(["it's", '', '$$'], e.b) as string);
      return `check of ${f.table}.${f.name}: ${f.field.check as string}`;
    },
  ],
  // unique on / off
  [
    1,
    (doc, e) => {
      const f = someField(doc, e);
      if (!f) return undefined;
      if (f.field.unique === true) delete f.field.unique;
      else f.field.unique = true;
      return `${f.field.unique ? 'unique' : 'not unique'} ${f.table}.${f.name}`;
    },
  ],
  // access
  [
    4,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      const access = repairAccess(clone(pick(ACCESS, e.b)) as never);
      if (access === undefined) delete found.entity.access;
      else found.entity.access = access;
      if (e.c % 3 === 0) delete found.entity.owner;
      return `access of ${found.name}: ${JSON.stringify(access)}`;
    },
  ],
  // add an index
  [
    2,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      const columns = [
        ...keysOf(fieldsOf(found.entity)).filter((f) => !['json'].includes(baseOf(typeOfField(get(fieldsOf(found.entity), f)) ?? 'uuid').base)),
        'created_at',
      ];
      const first = pick(columns, e.b) as string;
      const second = pick(columns, e.c);
      const cols = [...new Set([first, ...(e.c % 2 === 0 && second !== undefined ? [second] : [])])];
      const indexes = Array.isArray(get(found.entity, 'indexes')) ? (get(found.entity, 'indexes') as unknown[]) : [];
      const ix =
        e.c % 3 === 0 ? cols : { fields: cols, ...(e.b % 4 === 0 ? { unique: true } : {}), ...(e.c % 5 === 0 ? { where: `${q(first)} IS NOT NULL` } : {}) };
      put(found.entity, 'indexes', [...indexes, ix]);
      return `add index on ${found.name} ${JSON.stringify(ix)}`;
    },
  ],
  // remove an index
  [
    1,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      const indexes = get(found?.entity, 'indexes');
      if (!found || !Array.isArray(indexes) || indexes.length === 0) return undefined;
      const i = e.b % indexes.length;
      const kept = indexes.filter((_, n) => n !== i);
      if (kept.length > 0) put(found.entity, 'indexes', kept);
      else delete found.entity.indexes;
      return `remove index ${i} of ${found.name}`;
    },
  ],
  // add an entity
  [
    2,
    (doc, e) => {
      const entities = entitiesOf(doc);
      const name = `e${e.a % 10}`;
      if (has(entities, name) || has(get(doc, 'materialized_views'), name)) return undefined;
      const fields: Doc = { title: { type: pick(TYPES, e.b) as string, ...(e.c % 2 ? { required: true } : {}) } };
      const target = pick(keysOf(entities), e.c);
      if (target !== undefined && e.b % 2 === 0) put(fields, 'parent', { references: target, on_delete: 'cascade' });
      const entity: Doc = { fields };
      const access = pick(ACCESS, e.c);
      if (e.c % 4 !== 0) entity.access = repairAccess(clone(access) as never);
      put(entities, name, entity);
      return `add entity ${name} ${JSON.stringify(entity)}`;
    },
  ],
  // remove an entity
  [
    2,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      const entities = entitiesOf(doc);
      delete entities[found.name];
      for (const other of keysOf(entities)) {
        const entity = get(entities, other);
        const fields = get(entity, 'fields');
        for (const f of keysOf(fields)) if (get(get(fields, f), 'references') === found.name) removeField(doc, other, entity as Doc, f);
      }
      dropSqlNaming(doc, found.name);
      return `remove entity ${found.name}`;
    },
  ],
  // descriptions
  [
    2,
    (doc, e) => {
      const description = e.c % 5 === 0 ? undefined : pick(DESCRIPTIONS, e.c);
      if (e.b % 2 === 0) {
        const found = someEntity(doc, e.a);
        if (!found) return undefined;
        if (description === undefined) delete found.entity.description;
        else found.entity.description = description;
        return `description of ${found.name}: ${JSON.stringify(description)}`;
      }
      const f = someField(doc, e);
      if (!f) return undefined;
      if (description === undefined) delete f.field.description;
      else f.field.description = description;
      return `description of ${f.table}.${f.name}: ${JSON.stringify(description)}`;
    },
  ],
  // timestamps on / off
  [
    1,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      found.entity.timestamps = get(found.entity, 'timestamps') === false;
      if (found.entity.timestamps) dropSqlNaming(doc, 'created_at');
      return `timestamps of ${found.name}: ${String(found.entity.timestamps)}`;
    },
  ],
  // realtime on / off
  [
    1,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      if (!found) return undefined;
      found.entity.realtime = get(found.entity, 'realtime') !== true;
      return `realtime of ${found.name}: ${String(found.entity.realtime)}`;
    },
  ],
  // seed rows: drop one
  [
    1,
    (doc, e) => {
      const found = someEntity(doc, e.a);
      const rows = get(found?.entity, 'rows');
      if (!found || !Array.isArray(rows) || rows.length === 0) return undefined;
      const kept = rows.filter((_, i) => i !== e.b % rows.length);
      if (kept.length > 0) put(found.entity, 'rows', kept);
      else delete found.entity.rows;
      return `remove a seed row of ${found.name}`;
    },
  ],
  // buckets
  [
    2,
    (doc, e) => {
      const buckets = section(doc, 'buckets');
      const ids = keysOf(buckets);
      const mode = e.c % 4;
      if (mode === 0 || ids.length === 0) {
        const id = `bucket-${e.a % 5}`;
        if (has(buckets, id)) return undefined;
        const bucket: Doc = e.b % 2 ? { public: true } : { file_size_limit: pick(SIZES, e.b), allowed_mime_types: pick(MIMES, e.c) };
        put(buckets, id, bucket);
        return `add bucket ${id} ${JSON.stringify(bucket)}`;
      }
      const id = pick(ids, e.a) as string;
      if (mode === 1) {
        delete buckets[id];
        return `remove bucket ${id}`;
      }
      const bucket = get(buckets, id) as Doc;
      if (mode === 2) {
        if (e.b % 3 === 0) delete bucket.file_size_limit;
        else bucket.file_size_limit = pick(SIZES, e.b);
        if (e.b % 2 === 0) bucket.allowed_mime_types = pick(MIMES, e.a);
        else delete bucket.allowed_mime_types;
        return `limits of bucket ${id}: ${JSON.stringify(bucket)}`;
      }
      bucket.public = e.b % 2 === 0;
      bucket.access = pick([{ read: 'owner' }, { read: 'authenticated', upload: 'owner' }, { read: 'public', update: 'none', delete: 'owner' }], e.b);
      return `access of bucket ${id}: ${JSON.stringify(bucket)}`;
    },
  ],
  // materialized views
  [
    3,
    (doc, e) => {
      const views = section(doc, 'materialized_views');
      const names = keysOf(views);
      const mode = e.c % 5;
      const entities = keysOf(entitiesOf(doc));
      if (mode === 0 || names.length === 0) {
        const name = `v${e.a % 5}`;
        if (has(views, name) || entities.includes(name)) return undefined;
        const table = pick(entities, e.b);
        const query = table === undefined ? 'SELECT 1 AS n' : `SELECT count(*) AS n FROM ${q(schemaOf(doc))}.${q(table)}`;
        const view: Doc = {
          query,
          ...(e.b % 2 ? { refresh: pick(SCHEDULES, e.b) } : {}),
          ...(e.b % 3 === 0 ? { unique_key: 'n' } : {}),
          ...(e.c % 3 === 0 ? { access: 'authenticated' } : {}),
        };
        put(views, name, view);
        return `add view ${name} ${JSON.stringify(view)}`;
      }
      const name = pick(names, e.a) as string;
      const view = get(views, name) as Doc;
      if (mode === 1) {
        delete views[name];
        const jobs = get(doc, 'jobs');
        for (const j of keysOf(jobs)) if (mentions(get(get(jobs, j), 'sql'), name)) delete (jobs as Doc)[j];
        return `remove view ${name}`;
      }
      if (mode === 2) {
        if (e.b % 3 === 0) delete view.refresh;
        else view.refresh = pick(SCHEDULES, e.b);
        return `refresh of view ${name}: ${JSON.stringify(view.refresh)}`;
      }
      if (mode === 3) {
        view.access = pick(['none', 'authenticated', 'public'], e.b);
        return `access of view ${name}: ${view.access as string}`;
      }
      view.query = `SELECT ${lit(`changed ${e.b % 10}`)} AS label, 1 AS n`;
      delete view.unique_key;
      delete view.indexes;
      return `query of view ${name}: ${view.query as string}`;
    },
  ],
  // jobs
  [
    2,
    (doc, e) => {
      const jobs = section(doc, 'jobs');
      const names = keysOf(jobs);
      const mode = e.c % 4;
      if (mode === 0 || names.length === 0) {
        const name = `job-${e.a % 5}`;
        if (has(jobs, name)) return undefined;
        const job = { schedule: pick(SCHEDULES, e.b), sql: pick(['SELECT 1', "SELECT 'it''s'; SELECT 2"], e.c) };
        put(jobs, name, job);
        return `add job ${name} ${JSON.stringify(job)}`;
      }
      const name = pick(names, e.a) as string;
      const job = get(jobs, name) as Doc;
      if (mode === 1) {
        delete jobs[name];
        return `remove job ${name}`;
      }
      if (mode === 2) {
        job.schedule = pick(SCHEDULES, e.b);
        return `schedule of job ${name}: ${job.schedule as string}`;
      }
      job.sql = `SELECT ${e.b % 100}`;
      return `sql of job ${name}: ${job.sql as string}`;
    },
  ],
  ...MEMBER_EDITS,
];

/** The edit an `op` number picks, by weight. */
function editFor(op: number): Edit {
  const total = EDITS.reduce((n, [w]) => n + w, 0);
  let k = op % total;
  for (const [w, edit] of EDITS) {
    if (k < w) return edit;
    k -= w;
  }
  return (EDITS[0] as readonly [number, Edit])[1];
}

const FILE = 'b.yaml';

/** B: A's object with each edit that keeps it valid (and changes something). */
export function derive(a: GeneratedFile, edits: readonly EditSpec[]): EvolvedPair {
  let doc = clone(a.doc);
  const kept: string[] = [];
  for (const e of edits) {
    const next = clone(doc);
    let what: string | undefined;
    try {
      what = editFor(e.op)(next, e);
    } catch {
      what = undefined;
    }
    if (what === undefined || sameData(next, doc)) continue;
    if (validate(toYaml(next), { fileName: FILE }).errors.length > 0) continue;
    doc = next;
    kept.push(what);
  }
  const pair: EvolvedPair = { a, b: { doc, text: toYaml(doc) }, edits: kept };
  return Object.assign(pair, {
    [fc.toStringMethod]: () => `file A:\n${a.text}\nedits: ${kept.length === 0 ? 'none' : `\n  - ${kept.join('\n  - ')}`}\nfile B:\n${pair.b.text}`,
  });
}

export const pairArb: (fileArb: fc.Arbitrary<GeneratedFile>) => fc.Arbitrary<EvolvedPair> = (fileArb) =>
  fc.tuple(fileArb, fc.array(editArb, { minLength: 1, maxLength: 5 })).map(([a, edits]) => derive(a, edits));
