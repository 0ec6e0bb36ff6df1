/**
 * fast-check arbitraries for requirements files.
 *
 * `fileArb` draws a `FileSpec` — plain random choices (names, types, values,
 * access levels, numbers that pick a referenced entity or an enum value) —
 * and `buildFile` turns it into a requirements object that follows the
 * format's rules (docs/format.md): names that fit the patterns, values that
 * fit their types, references to generated entities (chains, cycles and
 * self-references included), owner fields that are uuids, access maps
 * without the combinations the `write-access` rule refuses, seed rows with
 * unique keys, and so on. Building from choices (rather than chaining
 * generators on each other) keeps shrinking effective: a failure shrinks to
 * a file with few entities, few fields and short strings.
 *
 * The object is written with the `yaml` package's `stringify`, so strings
 * with quotes, backslashes, newlines, `$$`, emoji and control characters are
 * encoded as YAML says, in a randomly chosen string and collection style.
 *
 * Besides the document, `buildFile` records what the SQL must contain
 * (`LiteralCheck`s): descriptions, literal defaults, enum values, seed
 * values, bucket ids and mime types, job names and commands.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { KEYWORDS_NEEDING_QUOTES } from '../../src/render/keywords.js';
import { isReservedSchema } from '../../src/validate/rules/names.js';

// ---------------------------------------------------------------------------
// Run counts
// ---------------------------------------------------------------------------

const fuzzRuns = Number(process.env.FUZZ_RUNS ?? '');
/** `FUZZ_RUNS=N` (a positive integer) runs every property N times, for long local runs. */
export const FUZZ_RUNS: number | undefined = Number.isInteger(fuzzRuns) && fuzzRuns > 0 ? fuzzRuns : undefined;

/** Runs of one property: its default, or FUZZ_RUNS. */
export function numRuns(defaultRuns: number): number {
  return FUZZ_RUNS ?? defaultRuns;
}

/** A test timeout that grows with FUZZ_RUNS (the default fits the default run count). */
export function timeoutFor(defaultRuns: number, defaultTimeout = 30_000): number {
  return Math.max(defaultTimeout, Math.ceil((defaultTimeout * numRuns(defaultRuns)) / defaultRuns));
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

/** Pieces that have broken quoting somewhere, some time: quotes, escapes, dollar tags, comments, YAML syntax, template syntax. */
export const NASTY_PIECES: readonly string[] = [
  "'", "''", '"', '\\', '\\\\', "\\'", '$$', '$job$', '$job', '$job1$', '$fn$', '$sql$', '$1', '$', ';', '--', '/*', '*/',
  '\n', '\r\n', '\r', '\t', ' ', '  ', 'é', 'ß', '日本語', '😀', '👩‍👩‍👧', '\u200b', '\u2028', '\u00a0', '\ufeff', '\u0085',
  '\u007f', '\u0001', '\u001b[31m', "'); DROP TABLE users; --", "'; SELECT pg_sleep(10); --", 'E\'', "U&'", '%s',
  '${x}', '<%= x %>', '<%- x %>', '<%', '%>', '{}', '[]', '{{', '#', ': ', '- ', '&a', '*a', '!!str', '? ', '|', '>',
  'null', 'true', '~', '0x1F', '1e3', '.nan', 'NaN', '<<', '__proto__', 'constructor',
];

/** A string of nasty pieces, random code points (any plane, no lone surrogates) and graphemes; never NUL. */
export function nastyString(maxPieces = 6): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...NASTY_PIECES) },
        { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
        { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
        { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
      ),
      { maxLength: maxPieces },
    )
    .map((parts) => parts.join('').replace(/\u0000/g, '?'));
}

/** At most `n` code points (what varchar(N) counts). */
function capChars(text: string, n: number | undefined): string {
  return n === undefined ? text : [...text].slice(0, n).join('');
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

export const NAME = /^[a-z_][a-z0-9_]*$/;
export const SLUG = /^[a-z_][a-z0-9_-]*$/;
const IDENT_REST = [...'abcdefghijklmnopqrstuvwxyz0123456789_'];
/** 65 characters: long names are cut from it, so they share long prefixes (derived names then collide after byte 63). */
const LONG = 'customer_subscription_billing_events_with_extended_audit_history_';
/** Unreserved keywords (bare) and names that are special in JavaScript objects. */
const SPECIAL_NAMES = ['name', 'text', 'type', 'data', 'key', 'action', 'comment', 'public', 'schema', 'role', 'owner', 'index', 'value',
  'constructor', '__proto__', 'prototype', 'hasownproperty', 'tostring', 'valueof'];
const DERIVED_SUFFIXES = ['_pkey', '_key', '_idx', '_fkey', '_check', '_enum', '_select', '_insert', '_update', '_delete',
  '_set_updated_at', '_a_idx', '_b_key', '_a_b_idx'];

/** Short names over a tiny alphabet: `t_a_b` and `t_a` + `b` collide when joined with `_`. */
const tinyName = fc
  .tuple(fc.constantFrom('a', 'b', 'c', 't', '_'), fc.array(fc.constantFrom('a', 'b', 'c', '_', '1'), { maxLength: 4 }))
  .map(([head, tail]) => head + tail.join(''));
const reservedName = fc.constantFrom(...KEYWORDS_NEEDING_QUOTES, ...SPECIAL_NAMES);
const longName = fc
  .tuple(fc.integer({ min: 48, max: 63 }), fc.array(fc.constantFrom(...IDENT_REST), { maxLength: 3 }))
  .map(([length, tail]) => LONG.slice(0, length - tail.length) + tail.join(''));
const derivedLookingName = fc.tuple(tinyName, fc.constantFrom(...DERIVED_SUFFIXES)).map(([a, b]) => a + b);

/** A name of entities, fields, views and schemas: tiny, reserved words, 48–63 bytes, or one that looks derived. */
export const nameArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: tinyName },
    { weight: 2, arbitrary: reservedName },
    { weight: 2, arbitrary: longName },
    { weight: 1, arbitrary: derivedLookingName },
  )
  .filter((n) => NAME.test(n) && n.length <= 63);

/** A bucket id or job name: may hold `-`. */
export const slugArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: nameArb },
    { weight: 2, arbitrary: fc.tuple(nameArb, nameArb).map(([a, b]) => `${a}-${b}`.slice(0, 63)) },
  )
  .filter((n) => SLUG.test(n) && n.length <= 63);

/** Double-quoted identifier: valid for every name the format allows. */
export const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** Standard string literal (standard_conforming_strings on). */
export const lit = (text: string): string => `'${text.replace(/'/g, "''")}'`;
/** Dollar-quoted with a tag that cannot end early. */
export function dollar(text: string, tag = 'q'): string {
  let t = tag;
  for (let i = 1; `${text}$${t}$`.indexOf(`$${t}$`) !== text.length; i++) t = `${tag}${i}`;
  return `$${t}$${text}$${t}$`;
}

// ---------------------------------------------------------------------------
// Types and values
// ---------------------------------------------------------------------------

export type Base =
  | 'text' | 'varchar' | 'char' | 'smallint' | 'integer' | 'bigint' | 'numeric' | 'real' | 'double precision'
  | 'boolean' | 'uuid' | 'date' | 'time' | 'timestamp' | 'timestamptz' | 'interval' | 'json' | 'jsonb' | 'bytea' | 'inet';

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
  ['text', 'text'], ['string', 'text'], ['varchar', 'varchar'], ['varchar(N)', 'varchar'], ['char(N)', 'char'],
  ['smallint', 'smallint'], ['integer', 'integer'], ['int', 'integer'], ['bigint', 'bigint'],
  ['numeric', 'numeric'], ['decimal', 'numeric'], ['numeric(P)', 'numeric'], ['numeric(P,S)', 'numeric'], ['decimal(P,S)', 'numeric'],
  ['real', 'real'], ['double precision', 'double precision'], ['float', 'double precision'],
  ['boolean', 'boolean'], ['bool', 'boolean'], ['uuid', 'uuid'], ['date', 'date'], ['time', 'time'],
  ['timestamp', 'timestamp'], ['timestamptz', 'timestamptz'], ['datetime', 'timestamptz'], ['interval', 'interval'],
  ['json', 'json'], ['jsonb', 'jsonb'], ['bytea', 'bytea'], ['inet', 'inet'],
];

export const typeArb: fc.Arbitrary<TypeSpec> = fc
  .record({
    pick: fc.constantFrom(...TYPE_NAMES),
    n: fc.integer({ min: 1, max: 40 }),
    p: fc.integer({ min: 1, max: 30 }),
    s: fc.integer({ min: 0, max: 30 }),
    array: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))), // a quarter are arrays
    spaced: fc.boolean(),
  })
  .map(({ pick: [name, base], n, p, s, array, spaced }) => {
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
    const type: TypeSpec = {
      written: array ? `${written}${sp}[]` : written,
      sql: `${base}${params}${array ? '[]' : ''}`,
      base,
      ...(length !== undefined ? { length } : {}),
      ...(scaleOut !== undefined ? { scale: scaleOut } : {}),
      array,
    };
    return type;
  });

export const elementOf = (t: TypeSpec): TypeSpec => (t.array ? { ...t, array: false, sql: t.sql.slice(0, -2), written: t.written.replace(/\s*\[\]$/, '') } : t);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateText = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const timeText = fc
  .record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }), s: fc.option(fc.integer({ min: 0, max: 59 })), f: fc.option(fc.integer({ min: 0, max: 999_999 })) })
  .map(({ h, m, s, f }) => `${pad(h)}:${pad(m)}${s === null ? '' : `:${pad(s)}${f === null ? '' : `.${String(f).slice(0, 6)}`}`}`);
const timestampText = fc
  .tuple(dateText, fc.constantFrom(' ', 'T'), timeText, fc.constantFrom('', 'Z', '+02', '-0530', '+05:30', '-12:00'))
  .map(([d, sep, t, z]) => `${d}${sep}${t}${z}`);
const INTERVAL_UNITS = ['microseconds', 'millisecond', 'seconds', 'sec', 'minute', 'mins', 'hours', 'hr', 'days', 'week', 'months', 'mon', 'years', 'decade', 'centuries', 'millennium'];
const intervalText = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('', '-', '+'), fc.nat(1000), fc.option(fc.nat(99)), fc.constantFrom(...INTERVAL_UNITS)), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.map(([sign, n, f, unit]) => `${sign}${n}${f === null ? '' : `.${f}`} ${unit}`).join(' ')),
  fc.tuple(fc.nat(100), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 59 }))).map(([h, m, s]) => `${h}:${pad(m)}${s === null ? '' : `:${pad(s)}`}`),
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
const digitsText = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

function numericArb(t: TypeSpec): fc.Arbitrary<Json> {
  const sign = fc.constantFrom('', '-');
  if (t.length === undefined) {
    return fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.tuple(sign, digitsText(1, 25), fc.option(digitsText(0, 10)), fc.option(fc.integer({ min: -20, max: 20 })))
        .map(([s, i, f, e]) => `${s}${i}${f === null ? '' : `.${f}`}${e === null ? '' : `e${e}`}`),
      fc.tuple(sign, digitsText(1, 6)).map(([s, f]) => `${s}.${f}`),
    );
  }
  const room = t.length - (t.scale ?? 0);
  const whole = room === 0 ? fc.constant('0') : digitsText(1, room);
  return fc.oneof(
    fc.tuple(sign, whole, digitsText(0, 6)).map(([s, w, f]) => `${s}${w}${f === '' ? '' : `.${f}`}`),
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

const ENUM_BASES: ReadonlySet<Base> = new Set(['text', 'varchar', 'char', 'smallint', 'integer', 'bigint', 'numeric']);
const PK_BASES: ReadonlySet<Base> = new Set(['text', 'varchar', 'char', 'smallint', 'integer', 'bigint', 'uuid', 'date']);

function enumArb(t: TypeSpec): fc.Arbitrary<Json[]> {
  const element = elementOf(t);
  const item: fc.Arbitrary<Json> =
    element.base === 'numeric' || element.base === 'smallint' || element.base === 'integer' || element.base === 'bigint'
      ? scalarArb(element).map((v) => (typeof v === 'string' && element.base !== 'numeric' ? Number(BigInt(v) % 1000n) : v))
      : scalarArb(element);
  return fc.uniqueArray(item, { minLength: 1, maxLength: 4, selector: (v) => valueKey(element, v) });
}

/** An SQL default that fits the type (it must parse; most also run). */
function sqlDefaultFor(t: TypeSpec, nasty: string): string {
  if (t.array) return 'NULL';
  switch (t.base) {
    case 'timestamp':
    case 'timestamptz':
      return 'now()';
    case 'date':
      return 'CURRENT_DATE';
    case 'uuid':
      return 'gen_random_uuid()';
    case 'text':
    case 'varchar':
      return t.length === undefined ? `${lit(nasty)} || ${dollar(nasty)} /* ' ; */` : `''`;
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'numeric':
      return '1 + 1';
    case 'boolean':
      return 'NOT false';
    default:
      return 'NULL';
  }
}

/** A CHECK expression over the field itself, with literals that hold the nasty text. */
function checkFor(column: string, variant: number, nasty: string): string {
  switch (variant % 4) {
    case 0:
      return `${q(column)} IS NOT NULL`;
    case 1:
      return `${q(column)} IS NULL OR ${lit(nasty)} <> ''`;
    case 2:
      return `(${q(column)} IS NULL) OR (length(${dollar(nasty)}) >= 0) /* ( ' " */`;
    default:
      return `E'\\'' <> ${lit(nasty)} OR ${q(column)} IS NULL`;
  }
}

// ---------------------------------------------------------------------------
// File specs: random choices
// ---------------------------------------------------------------------------

const PRESETS = ['owner', 'public-read', 'authenticated-read', 'org', 'reference', 'private'] as const;
const LEVELS = ['public', 'authenticated', 'owner', 'org', 'none'] as const;
type Level = (typeof LEVELS)[number];
type Op = 'read' | 'create' | 'update' | 'delete';
const OPS: readonly Op[] = ['read', 'create', 'update', 'delete'];

const accessArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(...PRESETS) },
  {
    weight: 3,
    arbitrary: fc
      .record(
        { read: fc.constantFrom(...LEVELS), create: fc.constantFrom(...LEVELS), update: fc.constantFrom(...LEVELS), delete: fc.constantFrom(...LEVELS) },
        { requiredKeys: [] },
      )
      .filter((m) => Object.keys(m).length > 0),
  },
);

const plainFieldArb = fc.tuple(nameArb, typeArb).chain(([name, type]) =>
  fc.record({
    kind: fc.constant('plain' as const),
    name: fc.constant(name),
    type: fc.constant(type),
    shorthand: fc.nat(4).map((n) => n === 0),
    required: fc.boolean(),
    unique: fc.nat(3).map((n) => n === 0),
    enumValues: ENUM_BASES.has(type.base) ? fc.option(enumArb(type), { nil: undefined }) : fc.constant(undefined),
    defaultKind: fc.constantFrom('none', 'none', 'literal', 'literal', 'null', 'sql'),
    literal: valueArb(type),
    picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    check: fc.option(fc.nat(3), { nil: undefined, freq: 3 }),
    nasty: nastyString(4),
    description: fc.option(nastyString(8), { nil: undefined }),
    samples: fc.uniqueArray(valueArb(type).filter((v) => v !== null), { maxLength: 4, selector: (v) => valueKey(type, v) }),
  }),
);
type PlainFieldSpec = ArbValue<typeof plainFieldArb>;

const refFieldArb = fc.record({
  kind: fc.constant('ref' as const),
  name: nameArb,
  target: fc.nat(),
  typed: fc.boolean(),
  shorthandMap: fc.boolean(),
  required: fc.nat(3).map((n) => n === 0),
  unique: fc.nat(4).map((n) => n === 0),
  onDelete: fc.constantFrom(undefined, 'cascade', 'set null', 'restrict', 'no action'),
  check: fc.option(fc.nat(3), { nil: undefined, freq: 4 }),
  nasty: nastyString(3),
  description: fc.option(nastyString(6), { nil: undefined }),
});
type RefFieldSpec = ArbValue<typeof refFieldArb>;
type FieldSpec = PlainFieldSpec | RefFieldSpec;

const indexSpecArb = fc.record({
  columns: fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 3 }),
  form: fc.constantFrom('list', 'map'),
  unique: fc.boolean(),
  where: fc.option(fc.nat(), { nil: undefined }),
});

const entitySpecArb = fc.record({
  description: fc.option(nastyString(8), { nil: undefined }),
  access: accessArb,
  ownerMode: fc.constantFrom('default', 'default', 'named', 'declared', 'declared-default', 'profile'),
  ownerName: nameArb,
  ownerStyle: fc.constantFrom('uuid', 'map', 'ref-auth', 'typed-ref'),
  ownerOnDelete: fc.constantFrom(undefined, 'cascade', 'restrict', 'no action'),
  pkMode: fc.constantFrom('implicit', 'implicit', 'single', 'composite'),
  timestamps: fc.constantFrom(undefined, true, false),
  fields: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: plainFieldArb }, { weight: 1, arbitrary: refFieldArb }), {
    maxLength: 5,
    selector: (f: FieldSpec) => f.name,
  }),
  indexes: fc.array(indexSpecArb, { maxLength: 3 }),
  rows: fc.nat(3),
  rowIds: fc.uniqueArray(fc.uuid(), { minLength: 3, maxLength: 3 }),
  rowUsers: fc.array(fc.uuid(), { minLength: 3, maxLength: 3 }),
  rowMasks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  /** Without fields: `t: {}`, or `fields: {}`. */
  emptyForm: fc.constantFrom('map', 'fields'),
  /** A single-field primary key written as a name, or as a list of one. */
  pkAsList: fc.boolean(),
});
type EntitySpec = ArbValue<typeof entitySpecArb>;

const MIME_CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-'];
const mimeName = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), fc.array(fc.constantFrom(...MIME_CHARS), { maxLength: 8 }), fc.boolean())
  .map(([h, t, upper]) => (upper ? (h + t.join('')).toUpperCase() : h + t.join('')));
const mimeArb = fc.tuple(mimeName, fc.oneof(mimeName, fc.constant('*'))).map(([a, b]) => `${a}/${b}`);

const bucketSpecArb = fc.record({
  public: fc.option(fc.boolean(), { nil: undefined }),
  size: fc.option(
    fc.oneof(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.tuple(fc.integer({ min: 1, max: 1023 }), fc.option(digitsText(1, 3)), fc.constantFrom(' ', ''), fc.constantFrom('B', 'KB', 'mb', 'Gb', 'kB'))
        .map(([n, f, sp, unit]) => `${n}${f === null ? '' : `.${f}`}${sp}${unit}`),
    ),
    { nil: undefined },
  ),
  mimes: fc.option(fc.uniqueArray(mimeArb, { minLength: 1, maxLength: 3, selector: (m) => m.toLowerCase() }), { nil: undefined }),
  access: fc.option(
    fc.record(
      {
        read: fc.constantFrom('public', 'authenticated', 'owner'),
        upload: fc.constantFrom('authenticated', 'owner'),
        update: fc.constantFrom('owner', 'none'),
        delete: fc.constantFrom('owner', 'none'),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

const refreshArb = fc.oneof(
  fc.constantFrom('hourly', 'daily', ' Hourly ', 'DAILY', 'every 1 minute', 'every 15 minutes', 'every 60 minutes', 'every  5 minutes'),
  fc.constantFrom('*/10 8-18 * * mon-fri', '0 0 * * *', '5,35 * * * *', '0  3 1 jan,jul *', '* * * * 0-7', '0 12 * * SUN'),
);

const viewSpecArb = fc.record({
  name: nameArb,
  variant: fc.nat(5),
  entity: fc.nat(),
  column: fc.nat(),
  nasty: nastyString(4),
  uniqueKey: fc.option(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  indexes: fc.option(fc.array(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 2 }), { maxLength: 2 }), { nil: undefined }),
  refresh: fc.option(refreshArb, { nil: undefined }),
  access: fc.option(fc.constantFrom('none', 'authenticated', 'public'), { nil: undefined }),
});

/** Job SQL: several statements, quotes, `$$`, `$job$`, and sometimes ending in `$job` (in a comment). */
const jobSqlArb = fc
  .record({
    parts: fc.array(fc.tuple(fc.nat(5), nastyString(3)), { minLength: 1, maxLength: 3 }),
    tail: fc.constantFrom('', ';', ' -- ends in $job', ' -- $job$', '\n'),
    lead: fc.constantFrom('', '  ', '\n'),
  })
  .map(({ parts, tail, lead }) => {
    const statements = parts.map(([variant, s]) => {
      switch (variant) {
        case 0:
          return `SELECT ${lit(s)}`;
        case 1:
          return `SELECT ${dollar(s, 'job')}`;
        case 2:
          return `SELECT 'a $job$ b', $$it's$$`;
        case 3:
          return `DELETE FROM public.t WHERE created_at < now() - interval '90 days' AND note <> ${lit(s)}`;
        case 4:
          return `SELECT ${dollar(s, 'q')} AS "$job$"`;
        default:
          return 'VACUUM';
      }
    });
    return `${lead}${statements.join('; ')}${tail}`;
  });

const jobSpecArb = fc.record({ name: slugArb, schedule: refreshArb, sql: jobSqlArb });

const styleArb = fc.record({
  // Not BLOCK_LITERAL: yaml 2.9's stringify mis-indents block scalars that start with spaces.
  defaultStringType: fc.constantFrom('PLAIN', 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
  collectionStyle: fc.constantFrom('any', 'any', 'block', 'flow'),
  indent: fc.constantFrom(2, 2, 4),
  // Block scalars or not (see toYaml).
  blockQuote: fc.constantFrom<boolean | 'literal' | 'folded'>(true, 'literal', false),
});

export const fileSpecArb = fc.record({
  schema: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant('public') }, { weight: 2, arbitrary: nameArb }),
  dollarSchema: fc.option(nastyString(3), { nil: undefined, freq: 5 }),
  entityNames: fc.uniqueArray(nameArb, { maxLength: 4 }),
  entities: fc.array(entitySpecArb, { minLength: 4, maxLength: 4 }),
  buckets: fc.uniqueArray(fc.tuple(slugArb, bucketSpecArb), { maxLength: 2, selector: ([id]) => id }),
  views: fc.uniqueArray(viewSpecArb, { maxLength: 2, selector: (v) => v.name }),
  jobs: fc.uniqueArray(jobSpecArb, { maxLength: 2, selector: (j) => j.name }),
  empty: fc.constantFrom('omit', 'null', 'map'),
  style: styleArb,
});
export type FileSpec = ArbValue<typeof fileSpecArb>;

// ---------------------------------------------------------------------------
// Building a valid file
// ---------------------------------------------------------------------------

/** What the SQL must contain, as Postgres parses it. */
export type Expected = { kind: 'string'; value: string } | { kind: 'null' } | { kind: 'array'; items: (Expected | undefined)[] };

export type LiteralCheck =
  | { kind: 'table-comment'; table: string; value: string }
  | { kind: 'column-comment'; table: string; column: string; value: string }
  | { kind: 'default'; table: string; column: string; expected: Expected }
  | { kind: 'enum'; table: string; column: string; values: string[] }
  | { kind: 'row'; table: string; row: number; column: string; expected: Expected }
  | { kind: 'bucket'; id: string; mimes?: string[] }
  | { kind: 'job'; name: string; command: string };

export interface GeneratedFile {
  readonly doc: Record<string, unknown>;
  readonly text: string;
  readonly checks: readonly LiteralCheck[];
}

/** The string constant Postgres must see for a value of the type, when it is a string; undefined when not checked. */
export function expectedConstant(t: TypeSpec, v: Json): Expected | undefined {
  if (v === null) return { kind: 'null' };
  if (t.array) {
    const items = (v as Json[]).map((item) => expectedConstant(elementOf(t), item));
    return { kind: 'array', items };
  }
  switch (t.base) {
    case 'text':
    case 'varchar':
    case 'char':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
    case 'inet':
      return { kind: 'string', value: v as string };
    case 'uuid':
      return { kind: 'string', value: (v as string).toLowerCase() };
    case 'json':
    case 'jsonb':
      return { kind: 'string', value: JSON.stringify(v) };
    case 'bytea':
      return { kind: 'string', value: `\\x${Buffer.from(v as string, 'utf8').toString('hex')}` };
    case 'real':
    case 'double precision':
      if (Number.isNaN(v)) return { kind: 'string', value: 'NaN' };
      if (v === Infinity) return { kind: 'string', value: 'Infinity' };
      if (v === -Infinity) return { kind: 'string', value: '-Infinity' };
      return undefined;
    default:
      return undefined;
  }
}

const ORG_TABLES = ['organizations', 'organization_members'];
const IMPLICIT = ['id', 'created_at', 'updated_at', 'org_id', 'user_id'];

function repairAccess(access: EntitySpec['access']): EntitySpec['access'] {
  if (access === undefined || typeof access === 'string') return access;
  const map: Partial<Record<Op, Level>> = { ...access };
  for (const op of ['update', 'delete'] as const) if (map[op] === 'public') map[op] = 'none';
  const values = () => OPS.map((op) => map[op]);
  if (values().includes('org')) for (const op of ['update', 'delete'] as const) if (map[op] === 'authenticated') map[op] = 'org';
  if (map.create === 'public' && values().some((l) => l === 'owner' || l === 'org')) map.create = 'authenticated';
  return map;
}

function effective(access: EntitySpec['access']): Record<Op, Level> {
  const presets: Record<string, Record<Op, Level>> = {
    owner: { read: 'owner', create: 'owner', update: 'owner', delete: 'owner' },
    'public-read': { read: 'public', create: 'owner', update: 'owner', delete: 'owner' },
    'authenticated-read': { read: 'authenticated', create: 'owner', update: 'owner', delete: 'owner' },
    org: { read: 'org', create: 'org', update: 'org', delete: 'org' },
    reference: { read: 'public', create: 'none', update: 'none', delete: 'none' },
    private: { read: 'none', create: 'none', update: 'none', delete: 'none' },
  };
  if (access === undefined) return presets.owner as Record<Op, Level>;
  if (typeof access === 'string') return presets[access] as Record<Op, Level>;
  return { read: access.read ?? 'none', create: access.create ?? 'none', update: access.update ?? 'none', delete: access.delete ?? 'none' };
}

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
}

/** `obj[key] = value` as an own property, even for `__proto__` (a valid name in the format). */
export function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The same data: primitives by Object.is (so -0 and NaN count), lists item by item, maps by own keys, prototypes ignored. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameData(item, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** Any string (value or key) with a line that starts with white space. */
function hasLeadingSpace(value: unknown): boolean {
  if (typeof value === 'string') return /(^|\n)[ \t]/.test(value);
  if (Array.isArray(value)) return value.some(hasLeadingSpace);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => hasLeadingSpace(k) || hasLeadingSpace(v));
  return false;
}

/** Pure: the same spec always gives the same file. */
export function buildFile(spec: FileSpec): GeneratedFile {
  const checks: LiteralCheck[] = [];
  const entityNames = spec.entityNames.filter((n) => !ORG_TABLES.includes(n));

  // 1. Access, owner, primary key of each entity.
  const planned: Planned[] = entityNames.map((name, i) => {
    const es = spec.entities[i % spec.entities.length] as EntitySpec;
    const access = repairAccess(es.access);
    const eff = effective(access);
    const levels = OPS.map((op) => eff[op]);
    const hasOwner = levels.some((l) => l === 'owner' || l === 'org');
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
    const keyable = fields.filter((f): f is PlainFieldSpec => f.kind === 'plain' && !f.type.array && PK_BASES.has(f.type.base));
    let pk: string[] | undefined;
    let keyType: string | undefined = 'uuid';
    if (profile) {
      pk = ['id'];
    } else if (es.pkMode === 'single' && keyable.length >= 1) {
      pk = [(keyable[0] as PlainFieldSpec).name];
      keyType = (keyable[0] as PlainFieldSpec).type.sql;
    } else if (es.pkMode === 'composite' && keyable.length >= 2) {
      pk = keyable.slice(0, 2).map((f) => f.name);
      keyType = undefined;
    }
    return { name, spec: es, access, hasOwner, usesOrg, ...(owner ? { owner } : {}), fields, ...(pk ? { pk } : {}), ...(keyType ? { keyType } : {}), profile };
  });
  const anyOrg = planned.some((p) => p.usesOrg);

  // 2. Entities.
  const entities: Record<string, unknown> = {};
  for (const p of planned) {
    const es = p.spec;
    const entity: Record<string, unknown> = {};
    const fields: Record<string, unknown> = {};
    const types = new Map<string, TypeSpec>();
    const samples = new Map<string, Json[]>();
    const needed = new Set<string>();
    const hasRows = es.rows > 0;
    if (es.description !== undefined) {
      entity.description = es.description;
      checks.push({ kind: 'table-comment', table: p.name, value: es.description });
    }
    if (p.access !== undefined) entity.access = p.access;
    if (p.owner && (p.owner.name !== 'user_id' || p.profile)) entity.owner = p.owner.name;
    if (p.pk) entity.primary_key = p.pk.length === 1 && !es.pkAsList ? p.pk[0] : p.pk;
    if (es.timestamps !== undefined) entity.timestamps = es.timestamps;

    if (p.owner?.declared) {
      const o = p.owner.name;
      const onDelete = es.ownerOnDelete === undefined ? {} : { on_delete: es.ownerOnDelete };
      put(fields, o, p.profile
        ? { type: 'uuid', references: 'auth.users', on_delete: 'cascade' }
        : es.ownerStyle === 'uuid'
          ? 'uuid'
          : es.ownerStyle === 'map'
            ? { type: 'uuid', required: true }
            : es.ownerStyle === 'ref-auth'
              ? { references: 'auth.users', ...onDelete }
              : { type: 'uuid', references: 'auth.users', ...onDelete });
      types.set(o, { written: 'uuid', sql: 'uuid', base: 'uuid', array: false });
    }

    for (const f of p.fields) {
      const isPk = p.pk?.includes(f.name) ?? false;
      if (f.kind === 'ref') {
        // Targets: the entities, then auth.users, then organizations (when org access is used).
        const n = planned.length;
        const slot = f.target % (n + 2);
        const target = slot < n ? (planned[slot] as Planned) : undefined;
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
        if (f.check !== undefined) field.check = checkFor(f.name, f.check, f.nasty);
        if (f.description !== undefined) {
          field.description = f.description;
          checks.push({ kind: 'column-comment', table: p.name, column: f.name, value: f.description });
        }
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
      const fieldSamples: Json[] = enumValues === undefined
        ? f.samples
        : t.array
          ? f.picks.map((k) => pick(k))
          : enumValues;
      samples.set(f.name, fieldSamples);
      if (f.shorthand && !isPk) {
        put(fields, f.name, t.written);
        continue;
      }
      const field: Record<string, unknown> = { type: t.written };
      const required = f.required || isPk;
      if (f.required) field.required = true;
      if (f.unique && t.base !== 'json') field.unique = true;
      if (enumValues !== undefined) field.enum = enumValues;
      let hasDefault = false;
      if (f.defaultKind === 'literal' || (f.defaultKind === 'null' && required)) {
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
      } else if (f.defaultKind === 'null') {
        field.default = null;
      } else if (f.defaultKind === 'sql') {
        field.default = { sql: sqlDefaultFor(t, f.nasty) };
        hasDefault = true;
      }
      if (f.check !== undefined) field.check = checkFor(f.name, f.check, f.nasty);
      if (f.description !== undefined) {
        field.description = f.description;
        checks.push({ kind: 'column-comment', table: p.name, column: f.name, value: f.description });
      }
      if (enumValues !== undefined && ENUM_BASES.has(element.base) && !['smallint', 'integer', 'bigint', 'numeric'].includes(element.base)) {
        checks.push({ kind: 'enum', table: p.name, column: f.name, values: enumValues as string[] });
      }
      if (required && !hasDefault) needed.add(f.name);
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
      const where = ix.where === undefined || ix.form === 'list' ? undefined : `${q(cols[0] as string)} IS NOT NULL${ix.where % 2 ? ` AND ${lit(String(ix.where))} <> ''` : ''}`;
      const unique = ix.form === 'map' && ix.unique;
      const signature = JSON.stringify([cols, unique, where ?? null]);
      if (signatures.has(signature)) continue;
      signatures.add(signature);
      indexes.push(ix.form === 'list' ? cols : { fields: cols, ...(unique ? { unique: true } : {}), ...(where !== undefined ? { where } : {}) });
    }

    // Seed rows: every key given and unique, every needed column given.
    const rows: Record<string, unknown>[] = [];
    if (hasRows) {
      const pk = p.pk ?? ['id'];
      const implicitKey = !p.pk || p.profile;
      const keySamples = implicitKey ? es.rowIds : (samples.get(pk[0] as string) ?? []);
      const possible = [...needed, ...(implicitKey ? [] : pk)].every((c) => (samples.get(c) ?? []).length > 0) && keySamples.length > 0;
      const count = possible ? Math.min(es.rows, keySamples.length) : 0;
      for (let r = 0; r < count; r++) {
        const row: Record<string, unknown> = {};
        const mask = es.rowMasks[r] as number;
        for (const [c, values] of samples) {
          const isKey = pk.includes(c);
          const take = isKey || needed.has(c) || ((mask >> [...samples.keys()].indexOf(c)) & 1) === 1;
          if (!take || values.length === 0) continue;
          const value = (isKey && c === pk[0] ? values[r] : values[(r + mask) % values.length]) as Json;
          put(row, c, value);
          const t = types.get(c) as TypeSpec;
          const expected = expectedConstant(t, value);
          if (expected) checks.push({ kind: 'row', table: p.name, row: r, column: c, expected });
        }
        if (implicitKey) row.id = es.rowIds[r];
        if (p.owner && !p.profile) put(row, p.owner.name, es.rowUsers[r]);
        if (p.usesOrg) row.org_id = es.rowUsers[(r + 1) % 3];
        if (mask % 5 === 0 && es.timestamps !== false) row.created_at = '2024-01-31 10:00:00+00:00';
        rows.push(row);
      }
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

  // 4. Materialized views over the generated tables.
  const schema = spec.schema !== undefined && !isReservedSchema(spec.schema) ? spec.schema : undefined;
  const taken = new Set([...entityNames, ...(anyOrg ? ORG_TABLES : [])]);
  const views: Record<string, unknown> = {};
  for (const v of spec.views) {
    if (taken.has(v.name)) continue;
    const source = planned.length === 0 ? undefined : (planned[v.entity % planned.length] as Planned);
    const table = source ? `${q(schema ?? 'public')}.${q(source.name)}` : undefined;
    const sourceColumns = source ? Object.keys((entities[source.name] as { fields?: object }).fields ?? {}) : [];
    const column = sourceColumns[v.column % Math.max(1, sourceColumns.length)] ?? '';
    const comment = v.nasty.replace(/[\r\n\u2028\u2029\u0085]/g, ' ');
    let query: string;
    switch (table === undefined ? 1 : v.variant) {
      case 0:
        query = sourceColumns.length === 0
          ? `SELECT count(*) AS n FROM ${table}`
          : `SELECT ${q(column)}, count(*) AS n FROM ${table} GROUP BY ${q(column)}`;
        break;
      case 1:
        query = `SELECT ${lit(v.nasty)} AS s, 1 AS one -- ${comment}\n`;
        break;
      case 2:
        query = `WITH x AS (SELECT ${lit(v.nasty)} AS s) SELECT * FROM x;`;
        break;
      case 3:
        query = `VALUES (1, ${lit(v.nasty)})`;
        break;
      case 4:
        query = `TABLE ${table}`;
        break;
      default:
        query = `SELECT ${dollar(v.nasty)} AS d /* ${comment.replace(/\/\*|\*\//g, '')} */`;
    }
    const view: Record<string, unknown> = { query };
    if (v.uniqueKey) view.unique_key = v.uniqueKey;
    if (v.indexes) view.indexes = v.indexes;
    if (v.refresh !== undefined) view.refresh = v.refresh;
    if (v.access !== undefined) view.access = v.access;
    put(views, v.name, view);
  }

  // 5. Jobs.
  const jobs: Record<string, unknown> = {};
  for (const j of spec.jobs) {
    if (Object.keys(views).some((v) => j.name === `refresh-${v}`)) continue;
    put(jobs, j.name, { schedule: j.schedule, sql: j.sql });
    checks.push({ kind: 'job', name: j.name, command: j.sql.trim() });
  }

  const section = (map: Record<string, unknown>) => (Object.keys(map).length > 0 ? map : spec.empty === 'null' ? null : spec.empty === 'map' ? {} : undefined);
  const doc: Record<string, unknown> = {};
  if (spec.dollarSchema !== undefined) doc.$schema = spec.dollarSchema;
  doc.version = 1;
  if (schema !== undefined) doc.schema = schema;
  for (const [key, map] of [['entities', entities], ['buckets', buckets], ['materialized_views', views], ['jobs', jobs]] as const) {
    const value = section(map);
    if (value !== undefined) doc[key] = value;
  }
  return { doc, text: toYaml(doc, spec.style), checks };
}

/**
 * The document as YAML, in the given style. Block scalars only when no string
 * has a line starting with white space: yaml 2.9's stringify mis-indents
 * `|2` / `>2` block scalars nested in maps, which would change the value.
 */
export function toYaml(doc: unknown, style: Partial<FileSpec['style']> = {}): string {
  return stringify(doc, {
    defaultStringType: (style.defaultStringType ?? 'PLAIN') as 'PLAIN',
    collectionStyle: (style.collectionStyle ?? 'any') as 'any',
    indent: style.indent ?? 2,
    blockQuote: hasLeadingSpace(doc) ? false : (style.blockQuote ?? true),
  });
}

/** Counterexamples print as the YAML file itself: ready to save and replay with the CLI. */
function printable(file: GeneratedFile): GeneratedFile {
  return Object.assign(file, { [fc.toStringMethod]: () => `requirements file:\n${file.text}` });
}

/** A generated, (meant to be) valid requirements file. */
export const fileArb: fc.Arbitrary<GeneratedFile> = fileSpecArb.map((spec) => printable(buildFile(spec)));
