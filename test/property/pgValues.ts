/**
 * How Postgres holds a value of the file, computed in JavaScript: the exact
 * decimal a numeric stores (rounded to its scale), a time or timestamp as
 * Postgres prints it, a timestamptz as a UTC instant. Used twice:
 *
 * - `dbKey`: values equal in the database share a key, so that the generator
 *   can give a unique column distinct values ('1.0' and '1' are one numeric,
 *   'a' and 'a ' one char(N), '10:00' and '10:00:00' one time);
 * - the round-trip test compares what it reads back with these forms.
 *
 * Interval and inet have no key here: their equality (1 day = 24 hours,
 * IPv6 spellings) is Postgres's own business; see `dbKey`.
 */
import type { Json } from './values.js';

/** What these functions need of a type: the generator's TypeSpec and the compiler's SqlType both fit. */
export interface TypeLike {
  readonly base: string;
  readonly length?: number;
  readonly scale?: number;
  readonly array: boolean;
}

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * A decimal (text or JS number) as `[-]digits e exponent` with no leading or
 * trailing zeros (`0` for zero), rounded half away from zero to `scale`
 * fraction digits when given, as numeric(P,S) rounds its input.
 */
export function canonicalDecimal(value: string | number, scale?: number): string {
  const text = typeof value === 'number' ? String(value) : value;
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`canonicalDecimal: not a decimal: ${text}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  let digits = BigInt(`0${whole}${fraction}`);
  let exp = Number(exponent) - fraction.length;
  if (scale !== undefined && exp < -scale) {
    const divisor = 10n ** BigInt(-scale - exp);
    const rest = digits % divisor;
    digits = digits / divisor + (2n * rest >= divisor ? 1n : 0n);
    exp = -scale;
  }
  if (digits === 0n) return '0';
  let d = digits.toString();
  const trailing = /0*$/.exec(d)?.[0].length ?? 0;
  d = d.slice(0, d.length - trailing);
  exp += trailing;
  return `${sign === '-' ? '-' : ''}${d}e${exp}`;
}

/** `HH:MM[:SS[.f]]` as Postgres prints a time: seconds always, fraction without trailing zeros. */
export function canonicalTime(text: string): string {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(text);
  if (!m) throw new Error(`canonicalTime: not a time: ${text}`);
  const fraction = (m[4] ?? '').replace(/0+$/, '');
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}${fraction === '' ? '' : `.${fraction}`}`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A timestamp without time zone as Postgres prints it (ISO): a zone in the text is ignored, as Postgres ignores it. */
export function canonicalTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new Error(`canonicalTimestamp: not a timestamp: ${text}`);
  return `${m[1]}-${m[2]}-${m[3]} ${canonicalTime(m[4] as string)}`;
}

/**
 * A timestamptz as its UTC instant, `YYYY-MM-DD HH:MM:SS.ffffff` (what
 * to_char(v AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') prints). Text
 * without a zone means UTC: the session's zone, which the tests pin to UTC.
 */
export function utcInstant(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new Error(`utcInstant: not a timestamp: ${text}`);
  const [h, mi, s] = canonicalTime(m[4] as string)
    .split(/[:.]/)
    .map(Number) as [number, number, number];
  const micros = (/\.(\d+)/.exec(m[4] as string)?.[1] ?? '').padEnd(6, '0');
  const zone = m[5] ?? 'Z';
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  const offsetMinutes = z ? (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) : 0;
  const date = new Date(0);
  // setUTCFullYear: Date.UTC would read years below 100 as 19xx.
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(h, mi - offsetMinutes, s, 0);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${micros}`;
}

/** JSON with the keys of every map sorted: jsonb's equality ignores key order. */
export function sortedJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] as Json)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The scale numeric(P) and numeric(P,S) round to; undefined for unconstrained numeric. */
export const numericScale = (t: TypeLike): number | undefined => (t.length === undefined ? undefined : (t.scale ?? 0));

/**
 * A key that two non-null values of the type share exactly when Postgres's
 * `=` holds them equal (as a unique index sees them); undefined for interval
 * and inet (and arrays of them), whose equality is not modelled here.
 */
export function dbKey(t: TypeLike, v: Json): string | undefined {
  if (t.array) {
    const items = (v as Json[]).map((item) => (item === null ? 'null' : dbKey({ ...t, array: false }, item)));
    return items.includes(undefined) ? undefined : JSON.stringify(items);
  }
  switch (t.base) {
    case 'interval':
    case 'inet':
    case 'json':
      return undefined;
    case 'char':
      // bpchar ignores trailing spaces when comparing
      return (v as string).replace(/ +$/, '');
    case 'smallint':
    case 'integer':
    case 'bigint':
      return BigInt(v as number | string).toString();
    case 'numeric':
      return canonicalDecimal(v as number | string, numericScale(t));
    case 'real':
      // -0 = 0 and NaN = NaN in Postgres; String() agrees on both
      return String(Math.fround(v as number));
    case 'double precision':
      return String(v);
    case 'uuid':
      return (v as string).toLowerCase();
    case 'time':
      return canonicalTime(v as string);
    case 'timestamp':
      return canonicalTimestamp(v as string);
    case 'timestamptz':
      return utcInstant(v as string);
    case 'jsonb':
      return sortedJson(v);
    default:
      // text, varchar, date, boolean, bytea: equal exactly when written alike
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}
