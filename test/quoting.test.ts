/** The quoting module and the SQL-fragment lexer: the two guards between file text and SQL. */
import { describe, expect, it } from 'vitest';
import { dollarQuote, ident, literal, qualified, textArray } from '../src/sql/quote.js';

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
