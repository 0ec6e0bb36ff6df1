/**
 * Checks the SQL that authors write into a file (`check`, `where`,
 * `{ sql: }` defaults, view queries). The SQL itself is passed through, but it
 * must stay inside the slot it was written for: balanced parentheses, no
 * unterminated quote or comment, no `;` that would end the statement early.
 */
import { skipAt } from '../sql/lexer.js';
import type { Skipped } from '../sql/lexer.js';

export type FragmentKind = 'expression' | 'query';
export type FragmentCheck = { ok: true; sql: string } | { ok: false; message: string; offset: number };

const QUERY_START = /^(select|with|values|table)\b/i;

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
