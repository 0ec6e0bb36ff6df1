/**
 * The statements render lays out, and mapping Postgres' positions back to
 * lines: what an apply error shows depends on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { excerptAt, indexOfPosition, lineColumnAt, summarizeCreated } from '../src/execute/statements.js';
import { loadSqlParser, parseSql } from '../src/sql/parser.js';
import { EXAMPLES_DIR, entriesWithExpectedSql, readInput } from './helpers.js';

beforeAll(loadSqlParser);

describe('the placed statements of a script', () => {
  it('are exactly the statements Postgres finds in it, at their places, for every golden', async () => {
    for (const { entry } of entriesWithExpectedSql()) {
      for (const target of ['altan', 'supabase'] as const) {
        const compiled = await compile(readInput(entry), { fileName: entry.file, target });
        const pg = parseSql(compiled.sql);
        if (!pg.ok) throw new Error(`${entry.name}: ${pg.message}`);
        const placed = compiled.statements;
        for (const s of placed) expect(compiled.sql.slice(s.start, s.end)).toBe(s.sql);
        // Each placed statement is one of Postgres's (a DROP of a view and its exposed view is two, placed as one step only in plans).
        expect(
          placed.map((s) => s.start),
          entry.name,
        ).toEqual(pg.statements.map((s) => s.start));
        expect(placed[0]?.sql).toBe('BEGIN;');
        expect(placed.at(-1)?.sql).toBe('COMMIT;');
      }
    }
  });

  it("name the object each makes, and the frame's make none", async () => {
    const compiled = await compile(readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml')));
    const kinds = new Set<string>(compiled.statements.map((s) => s.object?.kind ?? 'frame'));
    for (const k of ['bucket', 'frame', 'function', 'grants', 'index', 'job', 'policy', 'rls', 'schema-usage', 'storage-policy', 'table', 'trigger', 'view'])
      expect(kinds).toContain(k);
    expect(compiled.statements.filter((s) => s.object?.kind === 'job')).toHaveLength(3);
    expect(compiled.statements.filter((s) => s.object === undefined).map((s) => s.label)).toContain('SET LOCAL search_path = public');
  });

  it('are labelled by their first line', async () => {
    const compiled = await compile(readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml')));
    const labels = compiled.statements.map((s) => s.label);
    expect(labels).toContain('CREATE TABLE public.listings');
    expect(labels.some((l) => /^CREATE MATERIALIZED VIEW altan_private\.\w+$/.test(l))).toBe(true);
    for (const l of labels) expect(l.length).toBeLessThanOrEqual(100);
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
  it('counts what a first apply creates', async () => {
    const { model } = await compile(readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml')));
    expect(summarizeCreated(model)).toEqual([
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
    for (const example of ['todo', 'crm', 'marketplace', 'orders']) {
      const source = readFileSync(join(EXAMPLES_DIR, example, 'altan.yaml'));
      const altan = (await compile(source)).sql;
      const supabase = (await compile(source, { target: 'supabase' })).sql;
      expect(altan).toContain('\nSELECT apply_postgrest_permissions();\n');
      // (a column guard's comment names the function, to say why the guard exists: it is not called)
      expect(supabase).not.toContain('SELECT apply_postgrest_permissions()');
      const ending = [
        "-- Plain Supabase: the grants above are the API's permissions; PostgREST reloads its schema cache.",
        'GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;',
        "NOTIFY pgrst, 'reload schema';",
      ].join('\n');
      expect(supabase).toBe(altan.replace('SELECT apply_postgrest_permissions();', ending));
    }
  });
});
