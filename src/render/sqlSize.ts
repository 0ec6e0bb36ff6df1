/**
 * The generated SQL's size limit. Aliases let a small file ask for far more
 * SQL than it holds (a 1 MiB description aliased 600 times is 600 MiB of
 * comments): past JavaScript's longest string that used to surface as an
 * internal error from inside a blueprint. The limit is far above what real
 * files generate and well below that string length, so the memory a file
 * can make the compiler use stays bounded too.
 */
import type { Diagnostic } from '../diagnostics.js';

/**
 * Characters (UTF-16 code units) of SQL a file may generate: 64 Mi. A
 * 1,000-table project generates about 2.3 Mi; V8's strings stop at ~512 Mi.
 */
export const MAX_SQL_CHARS = 64 * 1024 * 1024;

const count = (n: number) => n.toLocaleString('en-US');

function tooLarge(fileName: string, what: string, limit: number): Diagnostic {
  const message = `${what}; the limit is ${count(limit)} characters (${limit / 2 ** 20} Mi). Aliases count as everything they copy: repeat less text through them`;
  return { severity: 'error', rule: 'sql-too-large', message, file: fileName, line: 0, column: 0, path: '' };
}

/** V8's error for a string past its maximum length, thrown by whichever concatenation crossed it. */
function stringTooLong(e: unknown): boolean {
  return e instanceof RangeError && /Invalid string length/.test(e.message);
}

/**
 * Runs `render` (model → SQL) unless the file's text alone, aliases expanded,
 * is already more than the limit (most of it is printed: descriptions,
 * checks, seed values, names); then checks the SQL's length. Either way an
 * oversized output is a problem with the file, never an internal error.
 */
export function renderWithinLimit<T extends { readonly sql: string }>(
  fileName: string,
  expandedTextLength: number,
  render: () => T,
  limit = MAX_SQL_CHARS,
): { readonly output: T } | { readonly error: Diagnostic } {
  if (expandedTextLength > limit) {
    return {
      error: tooLarge(
        fileName,
        `the generated SQL would be larger than the limit: the file's text alone, aliases expanded, is ${count(expandedTextLength)} characters`,
        limit,
      ),
    };
  }
  let output: T;
  try {
    output = render();
  } catch (e) {
    if (!stringTooLong(e)) throw e;
    return { error: tooLarge(fileName, 'the generated SQL is longer than a JavaScript string can be', limit) };
  }
  if (output.sql.length > limit) return { error: tooLarge(fileName, `the generated SQL is ${count(output.sql.length)} characters`, limit) };
  return { output };
}
