/**
 * A small lexer for the SQL that authors write into a file (`check`, `where`,
 * `{ sql: }` defaults, view queries). The SQL itself is passed through, but it
 * must stay inside the slot it was written for: balanced parentheses, no
 * unterminated quote or comment, no `;` that would end the statement early.
 */
export type FragmentKind = 'expression' | 'query';
export type FragmentCheck = { ok: true; sql: string } | { ok: false; message: string; offset: number };

const QUERY_START = /^(select|with|values|table)\b/i;

export function checkSqlFragment(source: string, kind: FragmentKind): FragmentCheck {
  let text = source.trim();
  const bad = (message: string, offset: number): FragmentCheck => ({ ok: false, message, offset });
  if (text === '') return bad(kind === 'query' ? 'the query is empty' : 'the SQL expression is empty', 0);
  let depth = 0;
  let firstWordAt = -1;
  let endsAt = text.length;
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    const rest = text.slice(i);
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '');
      const end = endOfQuoted(text, i, "'", escapes);
      if (end < 0) return bad('unterminated string literal', i);
      i = end;
    } else if (c === '"') {
      const end = endOfQuoted(text, i, '"', false);
      if (end < 0) return bad('unterminated quoted identifier', i);
      i = end;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(rest) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      const tag = (/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest) as RegExpExecArray)[0];
      const close = text.indexOf(tag, i + tag.length);
      if (close < 0) return bad(`unterminated dollar-quoted string ${tag}`, i);
      i = close + tag.length;
    } else if (rest.startsWith('--')) {
      const nl = text.indexOf('\n', i);
      if (kind === 'expression') return bad('line comments (--) are not allowed in an SQL expression; use /* */', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (rest.startsWith('/*')) {
      const end = endOfBlockComment(text, i);
      if (end < 0) return bad('unterminated /* comment', i);
      i = end;
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
    const rest = sql.slice(i);
    let end = -1;
    if (sql[i] === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      end = endOfQuoted(sql, i, "'", escapes);
    } else if (sql[i] === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(rest) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = (/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest) as RegExpExecArray)[0];
      const close = sql.indexOf(tag, i + tag.length);
      end = close < 0 ? -1 : close + tag.length;
    } else if (rest.startsWith('--')) {
      const nl = sql.indexOf('\n', i);
      end = nl < 0 ? sql.length : nl;
    } else if (rest.startsWith('/*')) {
      end = endOfBlockComment(sql, i);
    } else if (sql[i] === '"') {
      const close = endOfQuoted(sql, i, '"', false);
      const stop = close < 0 ? sql.length : close;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    } else {
      out += sql[i];
      i++;
      continue;
    }
    // Unterminated: the rest is not code (the sql-fragment rule reports it).
    const stop = end < 0 ? sql.length : end;
    out += ' ';
    i = stop;
  }
  return out;
}
