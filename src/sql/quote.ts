/**
 * The one place where names and values become SQL text. Everything that a
 * requirements file calls data (names, descriptions, literals, enum values,
 * mime types, ...) reaches SQL only through these functions.
 */
import { KEYWORDS_NEEDING_QUOTES } from './keywords.js';

/** A plain identifier needs no quotes: lower-case ASCII, not a keyword that would change the parse. */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Quote an identifier when Postgres would otherwise fold, reject or misread it. */
export function ident(name: string): string {
  assertNoNul(name);
  if (PLAIN_IDENTIFIER.test(name) && !KEYWORDS_NEEDING_QUOTES.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.name`, each part quoted as needed. */
export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/**
 * A string literal that means the same whatever `standard_conforming_strings`
 * is: with a backslash inside, the E'' form with backslashes doubled.
 */
export function literal(value: string): string {
  assertNoNul(value);
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/**
 * Dollar-quote a body with a tag that does not occur in it, so no content can
 * end the quote early. The tag is chosen deterministically.
 */
export function dollarQuote(body: string, tag = 'sql'): string {
  assertNoNul(body);
  // The closing tag must be the first occurrence of the tag in body + closing tag:
  // this also refuses a body that ends in `$tag`, which would close early.
  const clash = (t: string) => `${body}$${t}$`.indexOf(`$${t}$`) !== body.length;
  let candidate = tag;
  for (let i = 1; clash(candidate); i++) candidate = `${tag}${i}`;
  return `$${candidate}$${body}$${candidate}$`;
}

/** `ARRAY['a', 'b']::text[]`, or `'{}'::text[]` when empty (an empty ARRAY[] has no type). */
export function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(literal).join(', ')}]::text[]`;
}

function assertNoNul(value: string): void {
  // Postgres text cannot hold NUL; validation reports it with a position first.
  if (value.includes('\u0000')) throw new Error('internal: NUL character reached SQL quoting');
}
