/** The quoting module and the SQL-fragment lexer: the two guards between file text and SQL. */
import { describe, expect, it } from 'vitest';
import { dollarQuote, ident, literal, qualified, textArray } from '../src/render/quote.js';
import { checkSqlFragment } from '../src/validate/sqlFragment.js';

describe('ident', () => {
  it('leaves plain lower-case names bare', () => {
    expect(ident('todos')).toBe('todos');
    expect(ident('_x9')).toBe('_x9');
  });
  it('quotes keywords that cannot stand bare, and anything not plain', () => {
    expect(ident('order')).toBe('"order"');
    expect(ident('user')).toBe('"user"');
    expect(ident('select')).toBe('"select"');
    expect(ident('listing-images')).toBe('"listing-images"');
    expect(ident('Mixed')).toBe('"Mixed"');
    expect(ident('a"b')).toBe('"a""b"');
    expect(ident('é')).toBe('"é"');
  });
  it('keeps unreserved keywords bare', () => {
    expect(ident('name')).toBe('name');
    expect(ident('comment')).toBe('comment');
  });
  it('qualifies with both parts quoted as needed', () => {
    expect(qualified('public', 'order')).toBe('public."order"');
  });
});

describe('literal', () => {
  it('doubles single quotes', () => {
    expect(literal("Côte d'Ivoire")).toBe("'Côte d''Ivoire'");
  });
  it('uses the E form when a backslash is present, so standard_conforming_strings does not matter', () => {
    expect(literal('a\\b')).toBe("E'a\\\\b'");
    expect(literal("\\'; DROP TABLE x; --")).toBe("E'\\\\''; DROP TABLE x; --'");
  });
  it('keeps newlines and emoji as they are', () => {
    expect(literal('a\nb 🎉')).toBe("'a\nb 🎉'");
  });
  it('refuses NUL, which Postgres text cannot hold', () => {
    expect(() => literal('a\u0000b')).toThrow(/NUL/);
  });
  it('builds typed text arrays, empty ones included', () => {
    expect(textArray(["a'b", 'c'])).toBe("ARRAY['a''b', 'c']::text[]");
    expect(textArray([])).toBe("'{}'::text[]");
  });
});

describe('dollarQuote', () => {
  it('uses the plain tag when the body does not contain it', () => {
    expect(dollarQuote('SELECT $$x$$', 'job')).toBe('$job$SELECT $$x$$$job$');
  });
  it('picks another tag when the body contains the tag', () => {
    expect(dollarQuote('x $job$ y $job1$', 'job')).toBe('$job2$x $job$ y $job1$$job2$');
  });
  it('picks another tag when the body ends in $tag, which would close the quote early', () => {
    expect(dollarQuote('SELECT 1 AS $job', 'job')).toBe('$job1$SELECT 1 AS $job$job1$');
  });
});

describe('checkSqlFragment', () => {
  const ok = (sql: string, kind: 'expression' | 'query' = 'expression') => checkSqlFragment(sql, kind);
  it('accepts expressions with strings, identifiers, dollar quotes and block comments holding ; and )', () => {
    expect(ok("title <> ';)' AND \"x;\" = $$;)$$ /* ; ) */").ok).toBe(true);
    expect(ok("x = E'\\';)'").ok).toBe(true);
  });
  it('refuses a ; that would end the statement', () => {
    expect(ok('true); DROP TABLE todos; --')).toMatchObject({ ok: false });
    expect(ok('x > 0; SELECT 1')).toMatchObject({ ok: false, message: '";" is not allowed in an SQL expression' });
  });
  it('refuses parentheses that would close the CHECK early', () => {
    expect(ok('x > 0) OR (true')).toMatchObject({ ok: false, message: 'unbalanced ")"' });
    expect(ok('(x > 0')).toMatchObject({ ok: false, message: 'unbalanced "(": missing ")"' });
  });
  it('refuses unterminated quotes and comments, and line comments in expressions', () => {
    expect(ok("x = 'abc")).toMatchObject({ ok: false, message: 'unterminated string literal' });
    expect(ok('x = "abc')).toMatchObject({ ok: false, message: 'unterminated quoted identifier' });
    expect(ok('x = $a$abc')).toMatchObject({ ok: false, message: 'unterminated dollar-quoted string $a$' });
    expect(ok('x /* abc')).toMatchObject({ ok: false, message: 'unterminated /* comment' });
    expect(ok('x > 0 -- positive')).toMatchObject({ ok: false });
  });
  it('accepts a query with line comments and strips one trailing ;', () => {
    expect(ok('-- totals\nSELECT 1 AS one;\n', 'query')).toEqual({ ok: true, sql: '-- totals\nSELECT 1 AS one' });
    expect(ok('WITH a AS (SELECT 1) SELECT * FROM a', 'query').ok).toBe(true);
  });
  it('refuses a query that is not a SELECT, or holds two statements', () => {
    expect(ok('DELETE FROM todos', 'query')).toMatchObject({ ok: false });
    expect(ok('SELECT 1; SELECT 2', 'query')).toMatchObject({ ok: false });
  });
  it('does not take $1 or a$b$ for a dollar quote', () => {
    expect(ok('a$b$ = $1').ok).toBe(true);
  });
});
