/**
 * Postgres types as Supabase's generator (`supabase gen types typescript`,
 * i.e. @supabase/postgres-meta) writes them in TypeScript. Types are named
 * by their catalog name (`pg_type.typname`: `int4`, `timestamptz`, `_text`
 * for text[]), which is what the generator reads from the database; a type
 * it has no mapping for becomes `unknown` there, and so here (inet, name).
 */
import type { BaseType, SqlType } from '../../model/sqlTypes.js';

/** A catalog type name (`int8`, `_uuid`); undefined when the tool cannot tell a value's type. */
export type PgTypeName = string | undefined;

/** The catalog name of each of the format's field types. */
const CATALOG_NAMES: Readonly<Record<BaseType, string>> = {
  text: 'text',
  varchar: 'varchar',
  char: 'bpchar',
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
  numeric: 'numeric',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'bool',
  uuid: 'uuid',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
  inet: 'inet',
};

export const catalogName = (type: SqlType): string => `${type.array ? '_' : ''}${CATALOG_NAMES[type.base]}`;

const NUMBERS = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const STRINGS = new Set(['bytea', 'bpchar', 'varchar', 'date', 'text', 'citext', 'time', 'timetz', 'timestamp', 'timestamptz', 'uuid', 'vector', 'interval']);
const DATE_TIMES = new Set(['date', 'time', 'timetz', 'timestamp', 'timestamptz']);

export const isNumeric = (name: PgTypeName): boolean => name !== undefined && NUMBERS.has(name);
export const isDateTime = (name: PgTypeName): boolean => name !== undefined && DATE_TIMES.has(name);
export const isArray = (name: PgTypeName): boolean => name?.startsWith('_') === true;

/** The TypeScript type of a value of a catalog type, null aside. */
export function tsTypeOf(name: PgTypeName): string {
  if (name === undefined) return 'unknown';
  if (name === 'bool') return 'boolean';
  if (NUMBERS.has(name)) return 'number';
  if (STRINGS.has(name)) return 'string';
  if (name === 'json' || name === 'jsonb') return 'Json';
  if (name === 'void') return 'undefined';
  if (name === 'record') return 'Record<string, unknown>';
  if (name.startsWith('_')) return `${arrayElement(tsTypeOf(name.slice(1)))}[]`;
  return 'unknown';
}

/** An element type as `T[]` needs it: a union in parentheses. */
export const arrayElement = (ts: string): string => (ts.includes(' | ') ? `(${ts})` : ts);

/**
 * A column's type with its nullability, as the generator writes it: `| null`
 * when it may be NULL (never on `unknown`, which holds null already); the Json
 * type includes null, so a NOT NULL json column is `NonNullable<Json>`.
 */
export function withNull(ts: string, nullable: boolean): string {
  if (ts === 'Json' && !nullable) return 'NonNullable<Json>';
  if (ts === 'unknown' || !nullable) return ts;
  return `${ts} | null`;
}

/**
 * Type names as a cast may spell them (the parser already turns `integer`,
 * `timestamp with time zone` and the like into pg_catalog names).
 */
const CAST_ALIASES: Readonly<Record<string, string>> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  decimal: 'numeric',
  real: 'float4',
  float: 'float8',
  boolean: 'bool',
  char: 'bpchar',
  character: 'bpchar',
};

/** The catalog name of a type a query names (`date`, `pg_catalog.int4`, `text[]`). */
export function castTypeName(names: readonly string[], array: boolean): string | undefined {
  const last = names[names.length - 1];
  if (last === undefined) return undefined;
  const name = CAST_ALIASES[last] ?? last;
  return array ? `_${name}` : name;
}
