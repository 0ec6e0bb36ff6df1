/**
 * The one SQL lexer: where a literal, a quoted identifier or a comment starts
 * and ends. Used to check author SQL (validate) and to find statement
 * boundaries in generated SQL (execute). Assumes standard_conforming_strings
 * = on, Postgres' default and Supabase's.
 */

/** A stretch of SQL that is not code: a literal, a quoted identifier or a comment. */
export interface Skipped {
  readonly kind: 'string' | 'identifier' | 'dollar' | 'line-comment' | 'block-comment';
  /** Index just past it, or -1 when it is not terminated. */
  readonly end: number;
  readonly tag?: string;
}

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** What starts at `i`, when it is not code (standard_conforming_strings on, as Postgres defaults). */
export function skipAt(text: string, i: number): Skipped | undefined {
  const c = text[i];
  const rest = text.slice(i);
  if (c === "'") {
    const escapes = i > 0 && /[eE]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '');
    return { kind: 'string', end: endOfQuoted(text, i, "'", escapes) };
  }
  if (c === '"') return { kind: 'identifier', end: endOfQuoted(text, i, '"', false) };
  if (c === '$' && DOLLAR_TAG.test(rest) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
    const tag = (DOLLAR_TAG.exec(rest) as RegExpExecArray)[0];
    const close = text.indexOf(tag, i + tag.length);
    return { kind: 'dollar', end: close < 0 ? -1 : close + tag.length, tag };
  }
  if (rest.startsWith('--')) {
    const nl = text.indexOf('\n', i);
    return { kind: 'line-comment', end: nl < 0 ? text.length : nl + 1 };
  }
  if (rest.startsWith('/*')) return { kind: 'block-comment', end: endOfBlockComment(text, i) };
  return undefined;
}

/** Index just past the closing quote, or -1. A doubled quote is an escaped quote. */
function endOfQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (backslashEscapes && c === '\\') {
      i++;
    } else if (c === quote) {
      if (text[i + 1] === quote) i++;
      else return i + 1;
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
