/**
 * YAML values → SQL literals of a field's type. Validation uses the same
 * function to report values that do not fit, so what is accepted is exactly
 * what can be rendered.
 */
import { literal } from '../sql/quote.js';
import { elementType } from './sqlTypes.js';
import type { SqlType } from './sqlTypes.js';
import type { JsonValue } from './input.js';

export type LiteralResult = { ok: true; sql: string } | { ok: false; message: string };

const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
const INTEGER_TEXT = /^-?\d+$/;
const NUMERIC_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_TEXT = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$/;
const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const INTERVAL_UNIT =
  '(microseconds?|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|mons?|years?|yrs?|decades?|centuries|century|millennia|millennium)';
const INTERVAL_TEXT = new RegExp(
  `^(?:(?:[-+]?\\d+(?:\\.\\d+)?\\s*${INTERVAL_UNIT}\\s*)+|[-+]?\\d+:[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?|P(?=\\d|T\\d)(?:\\d+Y)?(?:\\d+M)?(?:\\d+W)?(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:\\.\\d+)?S)?)?)$`,
  'i',
);
/** The field each interval unit sets: Postgres refuses a field given twice ("1 day 2 days", "1 hr 3 hours"). */
const INTERVAL_FIELDS: readonly (readonly [RegExp, string])[] = [
  [/^microseconds?$/i, 'microsecond'],
  [/^milliseconds?$/i, 'millisecond'],
  [/^(seconds?|secs?)$/i, 'second'],
  [/^(minutes?|mins?)$/i, 'minute'],
  [/^(hours?|hrs?)$/i, 'hour'],
  [/^days?$/i, 'day'],
  [/^weeks?$/i, 'week'],
  [/^(months?|mons?)$/i, 'month'],
  [/^(years?|yrs?)$/i, 'year'],
  [/^decades?$/i, 'decade'],
  [/^(centuries|century)$/i, 'century'],
  [/^(millennia|millennium)$/i, 'millennium'],
];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^(?=.*:.*:)[0-9a-fA-F:]{2,39}(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/;
const REAL_MAX = 3.4028234663852886e38;

const fail = (message: string): LiteralResult => ({ ok: false, message });
const ok = (sql: string): LiteralResult => ({ ok: true, sql });

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function validDate(text: string): boolean {
  const m = DATE_TEXT.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Digits before the decimal point of a numeric literal once rounded to `scale`
 * fraction digits, as numeric(P,S) rounds its input (half away from zero):
 * 0.96 fits numeric(1,1) only before rounding, as 1.0 it overflows.
 */
function integerDigits(text: string, scale: number): number {
  const m = /^-?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return 0;
  const fraction = m[2] ?? '';
  let digits = `${m[1] ?? ''}${fraction}`.replace(/^0+/, '');
  // value = digits × 10^exponent
  let exponent = Number(m[3] ?? 0) - fraction.length;
  const drop = -scale - exponent;
  if (drop > 0) {
    // Digit strings, not numbers: the literal may be longer than a double's precision.
    const roundUp = (digits[digits.length - drop] ?? '0') >= '5';
    digits = drop >= digits.length ? '' : digits.slice(0, digits.length - drop);
    exponent = -scale;
    if (roundUp) digits = increment(digits);
  }
  return digits === '' ? 0 : Math.max(0, digits.length + exponent);
}

/** A string of decimal digits plus one. */
function increment(digits: string): string {
  const trailingNines = /9*$/.exec(digits)?.[0].length ?? 0;
  const head = digits.slice(0, digits.length - trailingNines);
  const last = head === '' ? '1' : `${head.slice(0, -1)}${Number(head.slice(-1)) + 1}`;
  return `${last}${'0'.repeat(trailingNines)}`;
}

/**
 * Why Postgres would refuse an interval written as units ("1 day 2 days"), which
 * the pattern accepts: a unit given twice, or milliseconds / microseconds next to
 * fractional seconds (which already set them). Undefined when it is fine. The
 * other forms never match (their units are single letters, or colons).
 */
function intervalClash(text: string): string | undefined {
  const seen = new Set<string>();
  let fractionalSeconds = false;
  for (const [, amount, unit] of text.matchAll(/([-+]?\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const field = INTERVAL_FIELDS.find(([pattern]) => pattern.test(unit ?? ''))?.[1];
    if (field === undefined) continue;
    if (seen.has(field)) return `${field}s are given twice`;
    seen.add(field);
    if (field === 'second' && amount?.includes('.')) fractionalSeconds = true;
  }
  if (fractionalSeconds && (seen.has('millisecond') || seen.has('microsecond'))) return 'fractional seconds already set the milliseconds and microseconds';
  return undefined;
}

function characterCount(text: string): number {
  return [...text].length;
}

/** Render one non-array value of `type`. */
function scalarLiteral(type: SqlType, value: JsonValue): LiteralResult {
  const { base } = type;
  if (value === null) return ok('NULL');
  if (base === 'json' || base === 'jsonb') return ok(literal(JSON.stringify(value)));
  if (typeof value === 'object') return fail(`expected a ${type.sql} value, got ${describe(value)}`);
  switch (base) {
    case 'text':
    case 'varchar':
    case 'char': {
      if (typeof value !== 'string') return fail(`expected a string for ${type.sql}, got ${describe(value)} (quote it)`);
      if (type.length !== undefined && characterCount(value) > type.length) {
        return fail(`value is ${characterCount(value)} characters long; ${type.sql} holds at most ${type.length}`);
      }
      return ok(literal(value));
    }
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const text = typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : value;
      if (typeof text !== 'string' || !INTEGER_TEXT.test(text)) return fail(`expected an integer, got ${describe(value)}`);
      if (typeof value === 'number' && !Number.isSafeInteger(value)) {
        return fail(`integer ${value} cannot be represented exactly; write it as a quoted string`);
      }
      const range = INTEGER_RANGES[base] as readonly [bigint, bigint];
      const n = BigInt(text);
      if (n < range[0] || n > range[1]) return fail(`${text} is out of range for ${base}`);
      return ok(n.toString());
    }
    case 'numeric': {
      const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
      if (typeof text !== 'string' || !NUMERIC_TEXT.test(text)) return fail(`expected a number, got ${describe(value)}`);
      if (type.length !== undefined && integerDigits(text, type.scale ?? 0) > type.length - (type.scale ?? 0)) {
        return fail(`${text} does not fit ${type.sql}`);
      }
      return ok(text.startsWith('.') || text.startsWith('-.') ? literal(text) : text);
    }
    case 'real':
    case 'double precision': {
      if (typeof value !== 'number') return fail(`expected a number, got ${describe(value)}`);
      if (Number.isNaN(value)) return ok(literal('NaN'));
      // String(-0) is '0', and the unquoted -0 is an integer: only the text keeps the sign.
      if (Object.is(value, -0)) return ok(literal('-0'));
      if (!Number.isFinite(value)) return ok(literal(value > 0 ? 'Infinity' : '-Infinity'));
      if (base === 'real' && Math.abs(value) > REAL_MAX) return fail(`${value} is out of range for real`);
      return ok(String(value));
    }
    case 'boolean':
      return typeof value === 'boolean' ? ok(value ? 'true' : 'false') : fail(`expected true or false, got ${describe(value)}`);
    case 'uuid':
      return typeof value === 'string' && UUID_TEXT.test(value) ? ok(literal(value.toLowerCase())) : fail(`expected a uuid, got ${describe(value)}`);
    case 'date':
      return typeof value === 'string' && validDate(value) ? ok(literal(value)) : fail(`expected a date (YYYY-MM-DD), got ${describe(value)}`);
    case 'time':
      return typeof value === 'string' && TIME_TEXT.test(value) ? ok(literal(value)) : fail(`expected a time (HH:MM[:SS]), got ${describe(value)}`);
    case 'timestamp':
    case 'timestamptz': {
      const m = typeof value === 'string' ? TIMESTAMP_TEXT.exec(value) : null;
      return m && validDate(m[1] ?? '')
        ? ok(literal(value as string))
        : fail(`expected an ISO 8601 timestamp (YYYY-MM-DD HH:MM[:SS][+HH:MM]), got ${describe(value)}`);
    }
    case 'interval': {
      if (typeof value !== 'string' || !INTERVAL_TEXT.test(value.trim()))
        return fail(`expected an interval such as "90 days", "1 hour 30 minutes", "01:30:00" or "P1D", got ${describe(value)}`);
      const clash = intervalClash(value);
      return clash === undefined ? ok(literal(value)) : fail(`interval ${JSON.stringify(value)} is not one Postgres accepts: ${clash}`);
    }
    case 'inet':
      return typeof value === 'string' && (IPV4.test(value) || (IPV6.test(value) && value.split('::').length <= 2))
        ? ok(literal(value))
        : fail(`expected an IP address, got ${describe(value)}`);
    case 'bytea':
      // The string's UTF-8 bytes, in bytea's hex input format.
      return typeof value === 'string'
        ? ok(literal(`\\x${Buffer.from(value, 'utf8').toString('hex')}`))
        : fail(`expected a string for bytea, got ${describe(value)}`);
  }
}

/** A YAML value as an SQL literal of `type`, or why it does not fit. */
export function sqlLiteral(type: SqlType, value: JsonValue): LiteralResult {
  if (!type.array || value === null) return scalarLiteral(type, value);
  if (!Array.isArray(value)) return fail(`expected a list for ${type.sql}, got ${describe(value)}`);
  const element = elementType(type);
  const parts: string[] = [];
  for (const [i, item] of value.entries()) {
    if (Array.isArray(item) && element.base !== 'json' && element.base !== 'jsonb') return fail(`item ${i + 1}: nested lists are not supported`);
    const r = scalarLiteral(element, item);
    if (!r.ok) return fail(`item ${i + 1}: ${r.message}`);
    parts.push(r.sql);
  }
  return ok(parts.length === 0 ? `'{}'::${type.sql}` : `ARRAY[${parts.join(', ')}]::${type.sql}`);
}
