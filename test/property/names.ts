/**
 * Strings and names for the property tests: nasty strings (quotes, escapes,
 * dollar tags, control characters, emoji), names that fit the format's
 * patterns (tiny, reserved, long, derived-looking), and SQL quoting helpers.
 */
import fc from 'fast-check';
import { KEYWORDS_NEEDING_QUOTES } from '../../src/sql/keywords.js';

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

/** Pieces that have broken quoting somewhere, some time: quotes, escapes, dollar tags, comments, YAML syntax, template syntax. */
export const NASTY_PIECES: readonly string[] = [
  "'",
  "''",
  '"',
  '\\',
  '\\\\',
  "\\'",
  '$$',
  '$job$',
  '$job',
  '$job1$',
  '$fn$',
  '$sql$',
  '$1',
  '$',
  ';',
  '--',
  '/*',
  '*/',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '  ',
  'é',
  'ß',
  '日本語',
  '😀',
  '👩‍👩‍👧',
  '\u200b',
  '\u2028',
  '\u00a0',
  '\ufeff',
  '\u0085',
  '\u007f',
  '\u0001',
  '\u001b[31m',
  "'); DROP TABLE users; --",
  "'; SELECT pg_sleep(10); --",
  "E'",
  "U&'",
  '%s',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text `${x}` itself is the hostile input
  '${x}',
  '<%= x %>',
  '<%- x %>',
  '<%',
  '%>',
  '{}',
  '[]',
  '{{',
  '#',
  ': ',
  '- ',
  '&a',
  '*a',
  '!!str',
  '? ',
  '|',
  '>',
  'null',
  'true',
  '~',
  '0x1F',
  '1e3',
  '.nan',
  'NaN',
  '<<',
  '__proto__',
  'constructor',
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
export function capChars(text: string, n: number | undefined): string {
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
const SPECIAL_NAMES = [
  'name',
  'text',
  'type',
  'data',
  'key',
  'action',
  'comment',
  'public',
  'schema',
  'role',
  'owner',
  'index',
  'value',
  'constructor',
  '__proto__',
  'prototype',
  'hasownproperty',
  'tostring',
  'valueof',
];
const DERIVED_SUFFIXES = [
  '_pkey',
  '_key',
  '_idx',
  '_fkey',
  '_check',
  '_enum',
  '_select',
  '_insert',
  '_update',
  '_delete',
  '_set_updated_at',
  '_a_idx',
  '_b_key',
  '_a_b_idx',
];

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
  .oneof({ weight: 3, arbitrary: nameArb }, { weight: 2, arbitrary: fc.tuple(nameArb, nameArb).map(([a, b]) => `${a}-${b}`.slice(0, 63)) })
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
