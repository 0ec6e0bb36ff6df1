/**
 * Field types of the requirements format: parsing the written form (with its
 * aliases) into a canonical SQL type.
 */
export type BaseType =
  | 'text'
  | 'varchar'
  | 'char'
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'real'
  | 'double precision'
  | 'boolean'
  | 'uuid'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'json'
  | 'jsonb'
  | 'bytea'
  | 'inet';

export interface SqlType {
  readonly base: BaseType;
  /** varchar(N) / char(N) length, numeric precision. */
  readonly length?: number;
  /** numeric scale. */
  readonly scale?: number;
  readonly array: boolean;
  /** Canonical SQL spelling, e.g. `numeric(10,2)`, `text[]`. */
  readonly sql: string;
}

const BASE_TYPES: readonly BaseType[] = [
  'text',
  'varchar',
  'char',
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'real',
  'double precision',
  'boolean',
  'uuid',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'json',
  'jsonb',
  'bytea',
  'inet',
];

export const TYPE_ALIASES: Readonly<Record<string, BaseType>> = {
  string: 'text',
  int: 'integer',
  float: 'double precision',
  bool: 'boolean',
  datetime: 'timestamptz',
  decimal: 'numeric',
};

/** What the error message lists as allowed. */
export const ALLOWED_TYPES_TEXT =
  'text, varchar, varchar(N), char(N), smallint, integer, bigint, numeric, numeric(P), numeric(P,S), real, ' +
  'double precision, boolean, uuid, date, time, timestamp, timestamptz, interval, json, jsonb, bytea, inet, ' +
  'any of these followed by [], and the aliases string, int, float, bool, datetime, decimal';

const TYPE_PATTERN = /^\s*([a-z]+(?: precision)?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(\[\])?\s*$/;

/** Largest varchar/char length Postgres accepts. */
const MAX_CHAR_LENGTH = 10_485_760;
const MAX_NUMERIC_PRECISION = 1000;

/** Every type name the format takes, aliases included (for "did you mean"). */
export const TYPE_NAMES: readonly string[] = [...BASE_TYPES, ...Object.keys(TYPE_ALIASES)];

/** `unknown` failures are names the format does not have (rather than wrong parameters of one it has). */
export type ParsedType = { ok: true; type: SqlType } | { ok: false; message: string; unknown?: true };

/** `hint`: what to write instead, placed before the list of allowed types (see validate/typeHints). */
export function unknownTypeMessage(written: string, hint = ''): string {
  return `unknown type ${JSON.stringify(written)}${hint}; allowed: ${ALLOWED_TYPES_TEXT}`;
}

/**
 * Parsed forms by written form: a file repeats a handful of types over all its
 * fields, and the rules and the model each ask for every field's type. The
 * results are never mutated (SqlType is readonly); the cap only bounds memory.
 */
const parsedTypes = new Map<string, ParsedType>();
const PARSED_TYPES_CAP = 10_000;

export function parseType(written: string): ParsedType {
  let parsed = parsedTypes.get(written);
  if (parsed === undefined) {
    parsed = parseWritten(written);
    if (parsedTypes.size < PARSED_TYPES_CAP) parsedTypes.set(written, parsed);
  }
  return parsed;
}

function parseWritten(written: string): ParsedType {
  const m = TYPE_PATTERN.exec(written);
  const name = m?.[1];
  const base = name === undefined ? undefined : (TYPE_ALIASES[name] ?? BASE_TYPES.find((t) => t === name));
  if (!m || !base) {
    return { ok: false, message: unknownTypeMessage(written), unknown: true };
  }
  const first = m[2] === undefined ? undefined : Number(m[2]);
  const second = m[3] === undefined ? undefined : Number(m[3]);
  const array = m[4] !== undefined;
  let params = '';
  if (base === 'varchar' || base === 'char') {
    if (second !== undefined) return { ok: false, message: `type ${JSON.stringify(written)} takes one length: ${base}(N)` };
    if (base === 'char' && first === undefined) return { ok: false, message: `type "char" needs a length: char(N)` };
    if (first !== undefined && (first < 1 || first > MAX_CHAR_LENGTH)) {
      return { ok: false, message: `length of ${JSON.stringify(written)} must be between 1 and ${MAX_CHAR_LENGTH}` };
    }
    if (first !== undefined) params = `(${first})`;
  } else if (base === 'numeric') {
    if (first !== undefined && (first < 1 || first > MAX_NUMERIC_PRECISION)) {
      return { ok: false, message: `precision of ${JSON.stringify(written)} must be between 1 and ${MAX_NUMERIC_PRECISION}` };
    }
    if (first !== undefined && second !== undefined && second > first) {
      return { ok: false, message: `scale of "${written}" must not exceed its precision` };
    }
    if (first !== undefined) params = second === undefined ? `(${first})` : `(${first},${second})`;
  } else if (first !== undefined) {
    return { ok: false, message: `type "${base}" takes no parameters (in ${JSON.stringify(written)})` };
  }
  const type: SqlType = {
    base,
    ...(first !== undefined ? { length: first } : {}),
    ...(second !== undefined ? { scale: second } : {}),
    array,
    sql: `${base}${params}${array ? '[]' : ''}`,
  };
  return { ok: true, type };
}

/** The element type of an array type (the type itself otherwise). */
export function elementType(type: SqlType): SqlType {
  return type.array ? { ...type, array: false, sql: type.sql.slice(0, -2) } : type;
}

export const UUID: SqlType = { base: 'uuid', array: false, sql: 'uuid' };
export const TEXT: SqlType = { base: 'text', array: false, sql: 'text' };
export const TIMESTAMPTZ: SqlType = { base: 'timestamptz', array: false, sql: 'timestamptz' };

/** Two types are the same column type (used for foreign keys). */
export function sameType(a: SqlType, b: SqlType): boolean {
  return a.sql === b.sql;
}
