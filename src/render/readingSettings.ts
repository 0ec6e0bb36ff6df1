/**
 * The settings that change how Postgres reads the generated SQL, pinned with
 * `SET LOCAL` at the start of every transaction the tool writes or runs, so
 * that a server, database, role or connection with other values reads the
 * same text the same way:
 *
 * - standard_conforming_strings: off makes `\` escape a quote in '...', which
 *   moves where a string ends (author SQL is checked as Postgres reads it
 *   with this on); backslash_quote: whether `\'` is allowed in E'...';
 * - client_encoding: which bytes form a character (the SQL is UTF-8);
 * - DateStyle, IntervalStyle, TimeZone: how date, interval and timestamptz
 *   literals in defaults, checks and seed rows are read (a timestamptz
 *   without an offset is read as UTC);
 * - array_nulls: whether NULL in an array literal is NULL or the text NULL;
 * - transform_null_equals: whether `x = NULL` in a check means `x IS NULL`;
 * - check_function_bodies: function bodies are checked when created.
 *
 * search_path is pinned separately (it depends on the file's schema).
 */
const READING_SETTINGS: readonly (readonly [string, string])[] = [
  ['standard_conforming_strings', 'on'],
  ['backslash_quote', 'safe_encoding'],
  ['client_encoding', "'UTF8'"],
  ['DateStyle', "'ISO, MDY'"],
  ['IntervalStyle', "'postgres'"],
  ['TimeZone', "'UTC'"],
  ['array_nulls', 'on'],
  ['transform_null_equals', 'off'],
  ['check_function_bodies', 'on'],
];

/** One `SET LOCAL name = value;` line per setting. */
export const READING_SETTINGS_SQL: readonly string[] = READING_SETTINGS.map(([name, value]) => `SET LOCAL ${name} = ${value};`);
