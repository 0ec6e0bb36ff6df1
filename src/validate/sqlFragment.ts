/**
 * A small lexer for the SQL that authors write into a file (`check`, `where`,
 * `{ sql: }` defaults, view queries). The SQL itself is passed through, but it
 * must stay inside the slot it was written for: balanced parentheses, no
 * unterminated quote or comment, no `;` that would end the statement early.
 */
export type FragmentKind = 'expression' | 'query';
export type FragmentCheck = { ok: true; sql: string } | { ok: false; message: string; offset: number };

const QUERY_START = /^(select|with|values|table)\b/i;

/** A stretch of SQL that is not code: a literal, a quoted identifier or a comment. */
interface Skipped {
  readonly kind: 'string' | 'identifier' | 'dollar' | 'line-comment' | 'block-comment';
  /** Index just past it, or -1 when it is not terminated. */
  readonly end: number;
  readonly tag?: string;
}

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** What starts at `i`, when it is not code (standard_conforming_strings on, as Postgres defaults). */
function skipAt(text: string, i: number): Skipped | undefined {
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

const UNTERMINATED: Readonly<Record<Skipped['kind'], string>> = {
  string: 'unterminated string literal',
  identifier: 'unterminated quoted identifier',
  dollar: 'unterminated dollar-quoted string',
  'line-comment': '',
  'block-comment': 'unterminated /* comment',
};

export function checkSqlFragment(source: string, kind: FragmentKind): FragmentCheck {
  let text = source.trim();
  const bad = (message: string, offset: number): FragmentCheck => ({ ok: false, message, offset });
  if (text === '') return bad(kind === 'query' ? 'the query is empty' : 'the SQL expression is empty', 0);
  let depth = 0;
  let firstWordAt = -1;
  let endsAt = text.length;
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    const skipped = skipAt(text, i);
    if (skipped) {
      if (skipped.kind === 'line-comment' && kind === 'expression') {
        return bad('line comments (--) are not allowed in an SQL expression; use /* */', i);
      }
      if (skipped.end < 0) return bad(`${UNTERMINATED[skipped.kind]}${skipped.tag ? ` ${skipped.tag}` : ''}`, i);
      i = skipped.end;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (--depth < 0) return bad('unbalanced ")"', i);
      i++;
    } else if (c === ';') {
      const tail = text.slice(i + 1).trim();
      if (kind === 'query' && depth === 0 && tail === '') {
        endsAt = i;
        break;
      }
      return bad(kind === 'query' ? 'a view query must be a single statement (found ";")' : '";" is not allowed in an SQL expression', i);
    } else {
      if (firstWordAt < 0 && /[A-Za-z]/.test(c)) firstWordAt = i;
      i++;
    }
  }
  if (depth > 0) return bad('unbalanced "(": missing ")"', text.length);
  text = text.slice(0, endsAt).trimEnd();
  if (kind === 'query' && (firstWordAt < 0 || !QUERY_START.test(text.slice(firstWordAt)))) {
    return bad('a view query must start with SELECT, WITH, VALUES or TABLE', Math.max(firstWordAt, 0));
  }
  return { ok: true, sql: text };
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

/**
 * The SQL with string literals, dollar-quoted strings and comments blanked
 * out (quoted identifiers are kept): what a rule may search for references.
 */
export function codeOnly(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const skipped = skipAt(sql, i);
    if (!skipped) {
      out += sql[i];
      i++;
      continue;
    }
    // Unterminated: the rest is not code (the sql-fragment rule reports it).
    const end = skipped.end < 0 ? sql.length : skipped.end;
    out += skipped.kind === 'identifier' ? sql.slice(i, end) : ' ';
    i = end;
  }
  return out;
}
