/**
 * Splitting generated SQL into statements and mapping Postgres' positions
 * back to lines: what an apply error shows depends on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import {
  excerptAt,
  indexOfPosition,
  lineColumnAt,
  splitStatements,
  statementLabel,
  summarizeCreated,
} from '../src/execute/statements.js';
import { EXAMPLES_DIR } from './helpers.js';

describe('splitStatements', () => {
  it('splits at code semicolons only', () => {
    const sql = [
      "-- a comment; with a semicolon",
      "SELECT 'a;b', \"x;y\" FROM t;",
      '/* block; /* nested; */ */ CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;',
      "SELECT E'it\\'s; fine';",
      'COMMIT;',
    ].join('\n');
    const texts = splitStatements(sql).map((s) => s.text);
    expect(texts).toEqual([
      "SELECT 'a;b', \"x;y\" FROM t;",
      'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;',
      "SELECT E'it\\'s; fine';",
      'COMMIT;',
    ]);
  });

  it('keeps offsets that point into the script', () => {
    const sql = 'BEGIN;\n\n  SELECT 1;\nSELECT 2';
    for (const s of splitStatements(sql)) expect(sql.slice(s.start, s.end)).toBe(s.text);
    expect(splitStatements(sql).map((s) => s.text)).toEqual(['BEGIN;', 'SELECT 1;', 'SELECT 2']);
  });

  it('finds BEGIN first and COMMIT last in every example', async () => {
    const sql = (await compile(readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml')))).sql;
    const statements = splitStatements(sql);
    expect(statements[0]?.text).toBe('BEGIN;');
    expect(statements.at(-1)?.text).toBe('COMMIT;');
    expect(statements.filter((s) => s.text.startsWith('SELECT cron.schedule'))).toHaveLength(3);
  });
});

describe('positions', () => {
  it('turns a 1-based character position into a string index, counting astral characters once', () => {
    const text = 'SELECT \u{1F600} + x';
    // Postgres counts the emoji as one character: x is character 12.
    expect(text[indexOfPosition(text, 12)]).toBe('x');
    expect(indexOfPosition('abc', 1)).toBe(0);
  });

  it('gives line and column and shows the line with a caret', () => {
    const text = 'BEGIN;\nCREATE TABLE t (\n  a int CHECK (a >)\n);';
    const at = text.indexOf('>');
    expect(lineColumnAt(text, at)).toEqual({ line: 3, column: 18 });
    expect(excerptAt(text, at)).toBe('3 |   a int CHECK (a >)\n  |                  ^');
  });
});

describe('reports', () => {
  it('names a statement by its first line', () => {
    expect(statementLabel('CREATE TABLE public.todos (\n  id uuid\n);')).toBe('CREATE TABLE public.todos');
    expect(statementLabel('CREATE MATERIALIZED VIEW altan_private.stats AS\nSELECT 1;')).toBe('CREATE MATERIALIZED VIEW altan_private.stats');
    expect(statementLabel(`SELECT ${'x'.repeat(200)};`)).toHaveLength(100);
  });

  it('counts what a script creates', async () => {
    const sql = (await compile(readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml')))).sql;
    expect(summarizeCreated(splitStatements(sql))).toEqual([
      '3 tables',
      '2 functions',
      '13 policies',
      '11 indexes',
      '3 triggers',
      '2 buckets',
      '3 materialized views',
      '2 views',
      '3 cron jobs',
    ]);
  });
});

describe('--target supabase', () => {
  it('differs from the default target only in how the transaction ends', async () => {
    for (const example of ['todo', 'crm', 'marketplace']) {
      const source = readFileSync(join(EXAMPLES_DIR, example, 'altan.yaml'));
      const altan = (await compile(source)).sql;
      const supabase = (await compile(source, { target: 'supabase' })).sql;
      expect(altan).toContain('\nSELECT apply_postgrest_permissions();\n');
      expect(supabase).not.toContain('apply_postgrest_permissions');
      const ending = [
        "-- Plain Supabase: the grants above are the API's permissions; PostgREST reloads its schema cache.",
        'GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;',
        "NOTIFY pgrst, 'reload schema';",
      ].join('\n');
      expect(supabase).toBe(altan.replace('SELECT apply_postgrest_permissions();', ending));
    }
  });
});
