/**
 * Column types and values for the property tests: written type names (aliases,
 * parameters, arrays), values that fit each type, enum value lists, and the
 * key that identifies a value as the compiler renders it.
 */
import fc from 'fast-check';
import { capChars, nastyString } from './names.js';
import { canonicalDecimal, dbKey, numericScale } from './pgValues.js';

// ---------------------------------------------------------------------------
// Types and values
// ---------------------------------------------------------------------------

export type Base =
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

export interface TypeSpec {
  /** As written in the file (aliases, spaces). */
  readonly written: string;
  /** Canonical, as the compiler writes it. */
  readonly sql: string;
  readonly base: Base;
  readonly length?: number;
  readonly scale?: number;
  readonly array: boolean;
}

/** The type of the values an arbitrary draws. */
export type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Written name → base; `N`, `P`, `S` are parameters. */
const TYPE_NAMES: readonly (readonly [string, Base])[] = [
  ['text', 'text'],
  ['string', 'text'],
  ['varchar', 'varchar'],
  ['varchar(N)', 'varchar'],
  ['char(N)', 'char'],
  ['smallint', 'smallint'],
  ['integer', 'integer'],
  ['int', 'integer'],
  ['bigint', 'bigint'],
  ['numeric', 'numeric'],
  ['decimal', 'numeric'],
  ['numeric(P)', 'numeric'],
  ['numeric(P,S)', 'numeric'],
  ['decimal(P,S)', 'numeric'],
  ['real', 'real'],
  ['double precision', 'double precision'],
  ['float', 'double precision'],
  ['boolean', 'boolean'],
  ['bool', 'boolean'],
  ['uuid', 'uuid'],
  ['date', 'date'],
  ['time', 'time'],
  ['timestamp', 'timestamp'],
  ['timestamptz', 'timestamptz'],
  ['datetime', 'timestamptz'],
  ['interval', 'interval'],
  ['json', 'json'],
  ['jsonb', 'jsonb'],
  ['bytea', 'bytea'],
  ['inet', 'inet'],
];

/** The choices a type is made from; `pick` names it as the file writes it. */
interface TypeChoices {
  readonly pick: readonly [string, Base];
  readonly n: number;
  readonly p: number;
  readonly s: number;
  readonly array: boolean;
  readonly spaced: boolean;
}

function typeOf({ pick: [name, base], n, p, s, array, spaced }: TypeChoices): TypeSpec {
  const scale = Math.min(s, p);
  const sp = spaced ? ' ' : '';
  let written = name;
  let params = '';
  let length: number | undefined;
  let scaleOut: number | undefined;
  if (name.includes('(N)')) {
    length = n;
    params = `(${n})`;
    written = name.replace('(N)', `${sp}(${n})`);
  } else if (name.includes('(P,S)')) {
    length = p;
    scaleOut = scale;
    params = `(${p},${scale})`;
    written = name.replace('(P,S)', `${sp}(${p},${sp}${scale})`);
  } else if (name.includes('(P)')) {
    length = p;
    params = `(${p})`;
    written = name.replace('(P)', `(${p})`);
  }
  return {
    written: array ? `${written}${sp}[]` : written,
    sql: `${base}${params}${array ? '[]' : ''}`,
    base,
    ...(length !== undefined ? { length } : {}),
    ...(scaleOut !== undefined ? { scale: scaleOut } : {}),
    array,
  };
}

const typeChoices = (names: readonly (readonly [string, Base])[], array: fc.Arbitrary<boolean>): fc.Arbitrary<TypeChoices> =>
  fc.record({
    pick: fc.constantFrom(...names),
    n: fc.integer({ min: 1, max: 40 }),
    p: fc.integer({ min: 1, max: 30 }),
    s: fc.integer({ min: 0, max: 30 }),
    array,
    spaced: fc.boolean(),
  });

/** Any type the format has, written any way it allows; a quarter are arrays. */
export const typeArb: fc.Arbitrary<TypeSpec> = typeChoices(
  TYPE_NAMES,
  fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
).map(typeOf);

/** Every base type. */
export const BASES: readonly Base[] = [...new Set(TYPE_NAMES.map(([, base]) => base))];

/** A type of this base (any of its spellings and parameters), an array or not. */
export const typeArbOf = (base: Base, array: boolean): fc.Arbitrary<TypeSpec> =>
  typeChoices(
    TYPE_NAMES.filter(([, b]) => b === base),
    fc.constant(array),
  ).map(typeOf);

export const elementOf = (t: TypeSpec): TypeSpec => (t.array ? { ...t, array: false, sql: t.sql.slice(0, -2), written: t.written.replace(/\s*\[\]$/, '') } : t);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateText = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const timeText = fc
  .record({
    h: fc.integer({ min: 0, max: 23 }),
    m: fc.integer({ min: 0, max: 59 }),
    s: fc.option(fc.integer({ min: 0, max: 59 })),
    f: fc.option(fc.integer({ min: 0, max: 999_999 })),
  })
  .map(({ h, m, s, f }) => `${pad(h)}:${pad(m)}${s === null ? '' : `:${pad(s)}${f === null ? '' : `.${String(f).slice(0, 6)}`}`}`);
const timestampText = fc
  .tuple(dateText, fc.constantFrom(' ', 'T'), timeText, fc.constantFrom('', 'Z', '+02', '-0530', '+05:30', '-12:00'))
  .map(([d, sep, t, z]) => `${d}${sep}${t}${z}`);
/** Unit spellings and the field each sets: Postgres takes a field once, and no ms or µs next to fractional seconds. */
const INTERVAL_UNITS: readonly (readonly [string, string])[] = [
  ['microseconds', 'us'],
  ['millisecond', 'ms'],
  ['seconds', 's'],
  ['sec', 's'],
  ['minute', 'min'],
  ['mins', 'min'],
  ['hours', 'h'],
  ['hr', 'h'],
  ['days', 'd'],
  ['week', 'w'],
  ['months', 'mon'],
  ['mon', 'mon'],
  ['years', 'y'],
  ['decade', 'dec'],
  ['centuries', 'c'],
  ['millennium', 'mil'],
];
const intervalText = fc.oneof(
  fc
    .uniqueArray(fc.tuple(fc.constantFrom('', '-', '+'), fc.nat(1000), fc.option(fc.nat(99)), fc.constantFrom(...INTERVAL_UNITS)), {
      minLength: 1,
      maxLength: 3,
      selector: (p) => p[3][1],
    })
    .map((parts) => {
      const subSeconds = parts.some(([, , , [, field]]) => field === 'ms' || field === 'us');
      return parts.map(([sign, n, f, [unit, field]]) => `${sign}${n}${f === null || (field === 's' && subSeconds) ? '' : `.${f}`} ${unit}`).join(' ');
    }),
  fc
    .tuple(fc.nat(100), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 59 })))
    .map(([h, m, s]) => `${h}:${pad(m)}${s === null ? '' : `:${pad(s)}`}`),
  fc.tuple(fc.nat(9), fc.nat(30), fc.nat(23)).map(([y, d, h]) => `P${y}Y${d}DT${h}H`),
);
const ipv4 = fc.tuple(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 }))).map(([ip, n]) => (n === null ? ip : `${ip}/${n}`));
const ipv6 = fc
  .tuple(fc.ipV6(), fc.option(fc.integer({ min: 0, max: 128 })))
  .map(([ip, n]) => (n === null ? ip : `${ip}/${n}`))
  .filter((ip) => /^(?=.*:.*:)[0-9a-fA-F:]{2,39}(\/\d+)?$/.test(ip) && ip.split('::').length <= 2);

const jsonKey = nastyString(3).filter((k) => k !== 'sql');
const jsonScalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  nastyString(4),
);
export const jsonArb: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonScalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(jsonKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Integer text of at most `digits` digits (may have leading zeros). */
export const digitsText = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

function numericArb(t: TypeSpec): fc.Arbitrary<Json> {
  const sign = fc.constantFrom('', '-');
  if (t.length === undefined) {
    return fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc
        .tuple(sign, digitsText(1, 25), fc.option(digitsText(0, 10)), fc.option(fc.integer({ min: -20, max: 20 })))
        .map(([s, i, f, e]) => `${s}${i}${f === null ? '' : `.${f}`}${e === null ? '' : `e${e}`}`),
      fc.tuple(sign, digitsText(1, 6)).map(([s, f]) => `${s}.${f}`),
    );
  }
  const room = t.length - (t.scale ?? 0);
  const whole = room === 0 ? fc.constant('0') : digitsText(1, room);
  // Rounded to the scale, as Postgres rounds it, the value must still fit (9.96 overflows numeric(2,1)).
  const fits = (v: string) => {
    const [digits = '', exponent = '0'] = canonicalDecimal(v, t.scale ?? 0)
      .replace('-', '')
      .split('e');
    return digits === '0' || digits.length + Number(exponent) <= room;
  };
  return fc.oneof(
    fc
      .tuple(sign, whole, digitsText(0, 6))
      .map(([s, w, f]) => `${s}${w}${f === '' ? '' : `.${f}`}`)
      .filter(fits),
    room === 0 ? fc.constant(0) : fc.integer({ min: -(10 ** Math.min(room, 9)) + 1, max: 10 ** Math.min(room, 9) - 1 }),
  );
}

/** One non-null value of the (scalar) type. */
export function scalarArb(t: TypeSpec): fc.Arbitrary<Json> {
  switch (t.base) {
    case 'text':
    case 'varchar':
    case 'char':
      return nastyString().map((s) => capChars(s, t.length));
    case 'smallint':
      return fc.oneof(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: -32768, max: 32767 }).map(String));
    case 'integer':
      return fc.oneof(fc.integer(), fc.integer().map(String));
    case 'bigint':
      return fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String));
    case 'numeric':
      return numericArb(t);
    case 'real':
      return fc.float();
    case 'double precision':
      return fc.double();
    case 'boolean':
      return fc.boolean();
    case 'uuid':
      return fc.tuple(fc.uuid(), fc.boolean()).map(([u, upper]) => (upper ? u.toUpperCase() : u));
    case 'date':
      return dateText;
    case 'time':
      return timeText;
    case 'timestamp':
    case 'timestamptz':
      return timestampText;
    case 'interval':
      return intervalText;
    case 'inet':
      return fc.oneof(ipv4, ipv6);
    case 'json':
    case 'jsonb':
      return jsonArb;
    case 'bytea':
      return nastyString();
  }
}

/** A non-null value of the type: a scalar, or a list of scalars and nulls for an array type. */
export function valueArb(t: TypeSpec): fc.Arbitrary<Json> {
  if (!t.array) return scalarArb(t);
  return fc.array(fc.option(scalarArb(elementOf(t)), { nil: null, freq: 5 }), { maxLength: 3 });
}

/** What identifies a value as the compiler renders it (seed-row keys, enum items). */
export function valueKey(t: TypeSpec, v: Json): string {
  if (Array.isArray(v)) return JSON.stringify(v.map((item) => (item === null ? null : valueKey(elementOf(t), item))));
  switch (t.base) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return BigInt(v as number | string).toString();
    case 'numeric':
    case 'real':
    case 'double precision':
      return String(v);
    case 'uuid':
      return String(v).toLowerCase();
    case 'json':
    case 'jsonb':
      return JSON.stringify(v);
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

export const ENUM_BASES: ReadonlySet<Base> = new Set(['text', 'varchar', 'char', 'smallint', 'integer', 'bigint', 'numeric']);
export const PK_BASES: ReadonlySet<Base> = new Set(['text', 'varchar', 'char', 'smallint', 'integer', 'bigint', 'uuid', 'date']);

/** A value of the type's own key: distinct samples are distinct in the database too (see pgValues.ts), where that is known. */
export const sampleKey = (t: TypeSpec, v: Json): string => dbKey(t, v) ?? valueKey(t, v);

export function enumArb(t: TypeSpec): fc.Arbitrary<Json[]> {
  const element = elementOf(t);
  // numeric(P[,S]) rounds to its scale, and the CHECK sees the rounded value: enum values must already fit it.
  const scale = element.base === 'numeric' ? numericScale(element) : undefined;
  const fits = (v: Json) => scale === undefined || canonicalDecimal(v as string | number) === canonicalDecimal(v as string | number, scale);
  const item: fc.Arbitrary<Json> =
    element.base === 'numeric' || element.base === 'smallint' || element.base === 'integer' || element.base === 'bigint'
      ? scalarArb(element)
          .map((v) => (typeof v === 'string' && element.base !== 'numeric' ? Number(BigInt(v) % 1000n) : v))
          .filter(fits)
      : scalarArb(element);
  return fc.uniqueArray(item, { minLength: 1, maxLength: 4, selector: (v) => sampleKey(element, v) });
}
