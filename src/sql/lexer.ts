/**
 * Where a literal, a quoted identifier or a comment starts and ends, to find
 * the statement boundaries of the *generated* SQL (src/execute/statements.ts)
 * for error messages. Author SQL is never checked with it: Postgres's own
 * parser does that (src/sql/fragment.ts), and every fragment it
 * accepted is whole tokens with balanced parentheses, so the only way this
 * splitter could disagree with Postgres is a token rule it does not follow.
 * It follows the two that move a string's end: E'...' backslash escapes, and
 * string continuation (`E'a'` newline `'b'` is one string, escapes included).
 * A lexer rather than the parser here because splitting runs on every apply,
 * also for files without author SQL that never load the parser, and on
 * scripts of thousands of statements. Assumes standard_conforming_strings =
 * on, which every connection and transaction of the tool pins.
 */

/** A stretch of SQL that is not code: a literal, a quoted identifier or a comment. */
export interface Skipped {
  readonly kind: 'string' | 'identifier' | 'dollar' | 'line-comment' | 'block-comment';
  /** Index just past it, or -1 when it is not terminated. */
  readonly end: number;
  readonly tag?: string;
}

// As Postgres' scanner (scan.l): identifiers continue with letters, digits, _, $ and any non-ASCII
// character; dollar-quote tags are made of the same but $. Sticky: matched at an index, no slicing.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const LINE_REST = /[^\n\r]*/y;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
// scan.l's quotecontinue: a quote, white space holding a newline (-- comments allowed), a quote.
// Written so that no two alternatives can match the same text: no backtracking blow-up.
const CONTINUATION = /[ \t\f\v]*(?:--[^\n\r]*)?[\n\r](?:[ \t\n\r\f\v]|--[^\n\r]*[\n\r])*'/y;

/** Whether the character before `i` continues an identifier (so a `$` or `e'` at `i` belongs to it). */
const afterIdentifier = (text: string, i: number) => i > 0 && IDENT_CONT.test(text[i - 1] as string);

/** What starts at `i`, when it is not code (standard_conforming_strings on, as Postgres defaults). */
export function skipAt(text: string, i: number): Skipped | undefined {
  const c = text[i];
  if (c === "'") {
    // E'...' only when the E starts a token: in `née'...'` the string is a standard one.
    const escapes = i > 0 && /[eE]/.test(text[i - 1] as string) && !afterIdentifier(text, i - 1);
    return { kind: 'string', end: endOfQuoted(text, i, "'", escapes) };
  }
  if (c === '"') return { kind: 'identifier', end: endOfQuoted(text, i, '"', false) };
  if (c === '$' && !afterIdentifier(text, i)) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(text)?.[0];
    if (tag !== undefined) {
      const close = text.indexOf(tag, i + tag.length);
      return { kind: 'dollar', end: close < 0 ? -1 : close + tag.length, tag };
    }
  }
  if (c === '-' && text[i + 1] === '-') {
    // Postgres ends a line comment at a carriage return too.
    LINE_REST.lastIndex = i;
    const end = i + (LINE_REST.exec(text)?.[0].length ?? 0);
    return { kind: 'line-comment', end: end < text.length ? end + 1 : end };
  }
  if (c === '/' && text[i + 1] === '*') return { kind: 'block-comment', end: endOfBlockComment(text, i) };
  return undefined;
}

/**
 * Index just past the closing quote, or -1. A doubled quote is an escaped
 * quote; a string literal continues after a newline-separated quote.
 */
function endOfQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (backslashEscapes && c === '\\') {
      i++;
    } else if (c === quote) {
      if (text[i + 1] === quote) {
        i++;
        continue;
      }
      if (quote === "'") {
        CONTINUATION.lastIndex = i + 1;
        if (CONTINUATION.test(text)) {
          i = CONTINUATION.lastIndex - 1;
          continue;
        }
      }
      return i + 1;
    }
  }
  return -1;
}

/** Block comments nest in Postgres. */
function endOfBlockComment(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i++;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
