/**
 * Moving an existing column to a new definition with ALTER COLUMN, and
 * which type changes keep every value (the rest may lose data and need
 * --allow-destructive).
 */
import type { BaseType, SqlType } from '../model/sqlTypes.js';
import { parseType } from '../model/sqlTypes.js';
import { ident } from '../sql/quote.js';
import type { ColumnShape } from './inventory.js';

const INTEGERS = ['smallint', 'integer', 'bigint'] as const;
/** Decimal digits an integer type may need. */
const INTEGER_DIGITS: Readonly<Record<string, number>> = { smallint: 5, integer: 10, bigint: 19 };

/** True when every value of `from` converts to `to` unchanged. */
export function widens(from: SqlType, to: SqlType): boolean {
  if (from.sql === to.sql) return true;
  if (from.array !== to.array) return false;
  const a = from.base;
  const b = to.base;
  // Text holds the text form of anything (arrays stay arrays of text).
  if (b === 'text') return true;
  if (a === 'varchar' && b === 'varchar') return to.length === undefined || (from.length !== undefined && to.length >= from.length);
  if (a === 'char' && b === 'varchar') return to.length === undefined || (from.length !== undefined && to.length >= from.length);
  const ia = INTEGERS.indexOf(a as (typeof INTEGERS)[number]);
  const ib = INTEGERS.indexOf(b as (typeof INTEGERS)[number]);
  if (ia >= 0 && ib >= 0) return ib >= ia;
  if (b === 'numeric') {
    if (to.length === undefined) return ia >= 0 || a === 'numeric';
    const integerDigits = to.length - (to.scale ?? 0);
    if (ia >= 0) return integerDigits >= (INTEGER_DIGITS[a] as number);
    if (a === 'numeric' && from.length !== undefined) return (to.scale ?? 0) >= (from.scale ?? 0) && integerDigits >= from.length - (from.scale ?? 0);
    return false;
  }
  if (a === 'real' && b === 'double precision') return true;
  if (a === 'json' && b === 'jsonb') return false; // jsonb drops duplicate keys and whitespace
  return false;
}

const STRINGS = new Set(['text', 'varchar', 'char']);
/** Casts Postgres has between two of the format's base types (pg_cast), besides those from or to a string type. */
const CASTS: Readonly<Record<string, readonly string[]>> = {
  boolean: ['integer'],
  smallint: ['integer', 'bigint', 'numeric', 'real', 'double precision'],
  integer: ['boolean', 'smallint', 'bigint', 'numeric', 'real', 'double precision'],
  bigint: ['smallint', 'integer', 'numeric', 'real', 'double precision'],
  numeric: ['smallint', 'integer', 'bigint', 'real', 'double precision'],
  real: ['smallint', 'integer', 'bigint', 'numeric', 'double precision'],
  'double precision': ['smallint', 'integer', 'bigint', 'numeric', 'real'],
  date: ['timestamp', 'timestamptz'],
  time: ['interval'],
  interval: ['time'],
  timestamp: ['date', 'time', 'timestamptz'],
  timestamptz: ['date', 'time', 'timestamp'],
  json: ['jsonb'],
  jsonb: ['json', 'boolean', 'smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision'],
};

/**
 * True when `value::to` is a cast Postgres has for a value of `from`: one of
 * pg_cast's, or the conversion through text that every type has from and to
 * a string type (arrays are cast item by item).
 */
export function castsDirectly(from: SqlType, to: SqlType): boolean {
  if ((!from.array && STRINGS.has(from.base)) || (!to.array && STRINGS.has(to.base))) return true;
  if (from.array !== to.array) return false;
  return from.base === to.base || STRINGS.has(from.base) || STRINGS.has(to.base) || (CASTS[from.base] ?? []).includes(to.base);
}

/** How ALTER COLUMN … TYPE converts the values: a cast, or through their text when Postgres has no cast between the types. */
export function usingCast(column: string, from: SqlType, to: SqlType): string {
  return `${ident(column)}${castsDirectly(from, to) ? '' : '::text'}::${to.sql}`;
}

/** How the catalog (format_type) spells the types the format writes shorter. */
const CATALOG_SPELLINGS: readonly (readonly [RegExp, string])[] = [
  [/^character varying/, 'varchar'],
  [/^character(?=\(|\[|$)/, 'char'],
  [/^timestamp with time zone/, 'timestamptz'],
  [/^timestamp without time zone/, 'timestamp'],
  [/^time without time zone/, 'time'],
];

/**
 * A column type as the catalog prints it (`character varying(20)[]`), read
 * as the format's type; a type the format does not have keeps the catalog's
 * spelling, and no type widens into it (a change to it is destructive).
 */
export function catalogColumnType(formatted: string): SqlType {
  const written = CATALOG_SPELLINGS.reduce((text, [from, to]) => text.replace(from, to), formatted);
  const parsed = parseType(written);
  if (parsed.ok) return parsed.type;
  return { base: formatted.replace(/\[\]$/, '') as BaseType, array: formatted.endsWith('[]'), sql: formatted };
}

export interface ColumnAlteration {
  readonly sql: readonly string[];
  readonly details: readonly string[];
  /** Set when a value may not survive the change. */
  readonly destructive?: string;
  /** The column becomes NOT NULL: rows holding NULL must be found before anything runs. */
  readonly setsNotNull: boolean;
}

export function alterColumn(qtable: string, name: string, from: ColumnShape, to: ColumnShape): ColumnAlteration {
  const alter = (what: string) => `ALTER TABLE ${qtable} ALTER COLUMN ${ident(name)} ${what};`;
  const sql: string[] = [];
  const details: string[] = [];
  const typeChanged = from.type.sql !== to.type.sql;
  const defaultChanged = from.default !== to.default;
  // The old default may not convert to the new type: it is taken off first and put back after.
  if (from.default !== undefined && (typeChanged || defaultChanged)) sql.push(alter('DROP DEFAULT'));
  if (typeChanged) {
    sql.push(alter(`TYPE ${to.type.sql} USING ${usingCast(name, from.type, to.type)}`));
    details.push(`type ${from.type.sql} → ${to.type.sql}`);
  }
  if (to.default !== undefined && (typeChanged || defaultChanged)) sql.push(alter(`SET DEFAULT ${to.default}`));
  if (defaultChanged) details.push(to.default === undefined ? 'drop default' : `default ${to.default}`);
  if (!from.notNull && to.notNull) {
    sql.push(alter('SET NOT NULL'));
    details.push('set not null');
  }
  if (from.notNull && !to.notNull) {
    sql.push(alter('DROP NOT NULL'));
    details.push('drop not null');
  }
  const lossy = typeChanged && !widens(from.type, to.type);
  return {
    sql,
    details,
    ...(lossy ? { destructive: `type ${from.type.sql} → ${to.type.sql} may not hold every value` } : {}),
    setsNotNull: !from.notNull && to.notNull,
  };
}
