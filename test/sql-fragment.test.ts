/**
 * Author SQL as Postgres's own parser reads it (src/sql/fragment.ts):
 * each fragment must be exactly what its slot holds, whatever quoting,
 * escapes or string continuations spell it. The attacks of issue 13 are here
 * at the unit level; the golden cases test/cases/error-injection-* show them
 * in files, test/db/author-sql-injection.test.ts against databases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser, parseSql } from '../src/sql/parser.js';
import { checkSqlFragment, readsRelation } from '../src/sql/fragment.js';

beforeAll(loadSqlParser);

const expr = (sql: string) => checkSqlFragment(sql, 'expression');
const query = (sql: string) => checkSqlFragment(sql, 'query');
const GRANT = 'GRANT SELECT ON auth.users TO anon';

describe('expressions: parsed as SELECT (<expression>)', () => {
  it('accepts expressions with strings, identifiers, dollar quotes and block comments holding ; and )', () => {
    expect(expr('title <> \';)\' AND "x;" = $$;)$$ /* ; ) */').ok).toBe(true);
    expect(expr("x = E'\\';)'").ok).toBe(true);
    expect(expr("x <> 'a\nb' AND y IN (1, 2) AND z::text ~ '^[a-z]+$'").ok).toBe(true);
    expect(expr('a$b$ = $1').ok).toBe(true);
  });

  it('refuses the E-string continued on the next line (issue 13): Postgres keeps its backslash escapes', () => {
    // Postgres reads E'x' newline '\' ' as ONE string `x' `: what follows is code.
    const attack = `c <> E'x'\n'\\' ' ) ); ${GRANT}; SELECT (' '`;
    const r = expr(attack);
    expect(r.ok).toBe(false);
    // The lexer this replaced took the continuation for a new standard string and accepted it.
  });

  it("refuses a '\\'' that ends the string elsewhere when standard_conforming_strings is off", () => {
    const attack = `e <> '\\'' ) ); ${GRANT}; SELECT ( '`;
    // With the setting on (the parser's reading), this is one harmless string...
    expect(parseSql(`SELECT (${attack})`)).toMatchObject({ ok: true });
    // ...but a server with it off reads `'\''` as a quote and runs the GRANT: refused.
    expect(expr(attack)).toMatchObject({ ok: false, message: expect.stringMatching(/^a backslash before a quote in a '\.\.\.' string .* \(column 6\)$/) });
    // E'...' strings are read the same either way.
    expect(expr("e <> E'\\''").ok).toBe(true);
  });

  it('refuses a ; that would end the statement', () => {
    expect(expr('true); DROP TABLE todos; --')).toMatchObject({ ok: false, message: 'unbalanced ")" (column 5)' });
    expect(expr('x > 0; SELECT 1')).toMatchObject({ ok: false, message: '";" is not allowed in an SQL expression (column 6)' });
  });

  it('refuses parentheses that would close the CHECK early, and more than one expression', () => {
    expect(expr('x > 0) OR (true')).toMatchObject({ ok: false, message: 'unbalanced ")" (column 6)' });
    expect(expr('(x > 0')).toMatchObject({ ok: false, message: 'unbalanced "(": missing ")" (column 7)' });
    // In parentheses that is a row: one expression, which Postgres type-checks when the SQL runs.
    expect(expr('1, 2').ok).toBe(true);
    expect(expr('1 AS one')).toMatchObject({ ok: false, message: 'syntax error at or near "AS" (column 3)' });
  });

  it('refuses unterminated quotes and comments, and line comments, with the place', () => {
    expect(expr("x = 'abc")).toMatchObject({ ok: false, message: 'unterminated quoted string at or near "\'abc" (column 5)' });
    expect(expr('x = "abc')).toMatchObject({ ok: false, message: expect.stringMatching(/^unterminated quoted identifier .*\(column 5\)$/) });
    expect(expr('x = $a$abc')).toMatchObject({ ok: false, message: expect.stringMatching(/^unterminated dollar-quoted string .*\(column 5\)$/) });
    expect(expr('x /* abc')).toMatchObject({ ok: false, message: expect.stringMatching(/^unterminated \/\* comment .*\(column 3\)$/) });
    expect(expr('x > 0 -- positive')).toMatchObject({ ok: false, message: 'line comments (--) are not allowed in an SQL expression; use /* */ (column 7)' });
    expect(expr('x >\n  0 +')).toMatchObject({ ok: false, message: 'syntax error at the end of the expression (line 2, column 6)' });
  });

  it('refuses a subquery (Postgres refuses one in CHECK, DEFAULT and an index condition)', () => {
    expect(expr('x IN (SELECT id FROM auth.users)')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^a subquery is not allowed here .*\(column 3\)$/),
    });
    expect(expr('EXISTS (SELECT 1)').ok).toBe(false);
  });

  it('refuses an empty expression', () => {
    expect(expr('  ')).toMatchObject({ ok: false, message: 'the SQL expression is empty' });
    expect(expr('/* nothing */')).toMatchObject({ ok: false });
  });
});

describe('view queries: exactly one SELECT', () => {
  it('accepts a query with line comments and drops one trailing ;', () => {
    expect(query('-- totals\nSELECT 1 AS one;\n')).toMatchObject({ ok: true, sql: '-- totals\nSELECT 1 AS one' });
    expect(query('SELECT 1 AS one; -- done')).toMatchObject({ ok: true, sql: 'SELECT 1 AS one' });
    for (const q of ['WITH a AS (SELECT 1) SELECT * FROM a', 'VALUES (1), (2)', 'TABLE public.todos', '(SELECT 1) UNION (SELECT 2)']) {
      expect(query(q).ok, q).toBe(true);
    }
  });

  it('refuses a query that is not a SELECT, holds two statements, or changes data', () => {
    expect(query('DELETE FROM todos')).toMatchObject({ ok: false, message: 'a view query must start with SELECT, WITH, VALUES or TABLE (it is a DELETE)' });
    expect(query('SELECT 1; SELECT 2')).toMatchObject({ ok: false, message: 'a view query must be a single statement (found 2) (column 11)' });
    expect(query(`SELECT E'x'\n'\\' '; ${GRANT}; SELECT 1`).ok).toBe(false);
    expect(query('WITH d AS (DELETE FROM todos RETURNING *) SELECT * FROM d')).toMatchObject({
      ok: false,
      message: 'a view query must not change data (DELETE in WITH)',
    });
    expect(query('SELECT 1 INTO t').ok).toBe(false);
  });

  it('finds auth.users by its resolved name, however it is spelt, anywhere in the tree', () => {
    const reads = (q: string, path = ['public']) => {
      const r = query(q);
      if (!r.ok) throw new Error(r.message);
      return readsRelation(r.statements, 'auth', 'users', path);
    };
    expect(reads('SELECT id FROM U&"\\0061uth".U&"\\0075sers"')).toBe(true);
    expect(reads('SELECT id FROM "auth"."users"')).toBe(true);
    expect(reads('SELECT id FROM AUTH . USERS')).toBe(true);
    expect(reads('SELECT * FROM public.todos t JOIN LATERAL (SELECT email FROM auth.users u WHERE u.id = t.user_id) x ON true')).toBe(true);
    expect(reads('WITH u AS (SELECT * FROM auth.users) SELECT count(*) FROM u')).toBe(true);
    expect(reads('SELECT (SELECT email FROM auth.users LIMIT 1) AS e')).toBe(true);
    expect(reads('SELECT id FROM users', ['auth', 'public'])).toBe(true);
    expect(reads('SELECT id FROM users')).toBe(false);
    expect(reads("SELECT 'auth.users' AS s, id FROM public.profiles")).toBe(false);
    expect(reads('SELECT id FROM "AUTH"."USERS"')).toBe(false);
  });
});

describe('job SQL: statements that parse', () => {
  it('accepts several statements and refuses what does not parse', () => {
    expect(checkSqlFragment('DELETE FROM public.todos; VACUUM public.todos;', 'statements').ok).toBe(true);
    expect(checkSqlFragment('DELET FROM public.todos', 'statements')).toMatchObject({ ok: false, message: 'syntax error at or near "DELET" (column 1)' });
    expect(checkSqlFragment(' -- nothing', 'statements')).toMatchObject({ ok: false, message: 'the SQL is empty' });
  });
});
