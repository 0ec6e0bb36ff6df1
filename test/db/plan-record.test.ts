/**
 * Records written before plans existed (no inventory column): the same file
 * is up to date and gets its inventory recorded; a different one is refused
 * with what to do. And the private schema, which files for all schemas
 * share: its usage is taken back only while no other schema has a file.
 * On PGlite: the record logic is the same on both backends.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply, ApplyError } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { plan, PlanError } from '../../src/plan/plan.js';
import { memoryDatabase } from './harness.js';

const V1 = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n';
const V2 = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n      body: text\n';

/** What an apply of the version before plans left: its table, without the inventory column. */
async function legacyApply(db: Database, text: string): Promise<void> {
  const compiled = await compile(text, { fileName: 'notes.yaml' });
  await db.exec(compiled.sql);
  await db.exec(`CREATE SCHEMA altan_meta;
    CREATE TABLE altan_meta.applied_files (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, schema_name text NOT NULL, file_name text NOT NULL,
      file_sha256 text NOT NULL, sql_sha256 text NOT NULL, target text NOT NULL, tool_version text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), duration_ms integer NOT NULL, sql text NOT NULL)`);
  await db.query(
    "INSERT INTO altan_meta.applied_files (schema_name, file_name, file_sha256, sql_sha256, target, tool_version, duration_ms, sql) VALUES ('public', 'notes.yaml', $1, $2, 'altan', '0.1.0', 1, $3)",
    [compiled.model.source.sha256, createHash('sha256').update(compiled.sql).digest('hex'), compiled.sql],
  );
}

describe('records from before plans', () => {
  it('the same file: up to date, and its inventory is recorded; the next version then plans and applies', async () => {
    const db = await memoryDatabase();
    await legacyApply(db, V1);
    const report = await apply(db, await compile(V1, { fileName: 'notes.yaml' }));
    expect(report.status).toBe('up-to-date');
    const [row] = await db.query<{ n: number; inventory: string | null }>(
      'SELECT count(*)::int AS n, (array_agg(inventory ORDER BY id DESC))[1] AS inventory FROM altan_meta.applied_files',
    );
    expect(row?.n).toBe(2);
    expect(JSON.parse(row?.inventory ?? 'null')).toMatchObject({ format: 2 });

    const next = await plan(db, await compile(V2, { fileName: 'notes.yaml' }));
    expect(next.changes.map((c) => `${c.action} ${c.kind} ${c.table}.${c.name}`)).toEqual(['create column notes.body']);
    expect((await apply(db, await compile(V2, { fileName: 'notes.yaml' }))).status).toBe('applied');
    expect((await plan(db, await compile(V2))).status).toBe('up-to-date');
  });

  it('a different file: refused, saying to apply the old one first; nothing changes', async () => {
    const db = await memoryDatabase();
    await legacyApply(db, V1);
    await expect(plan(db, await compile(V2))).rejects.toThrow(PlanError);
    const error = await apply(db, await compile(V2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).reason).toBe('conflict');
    expect((error as ApplyError).message).toMatch(
      /^schema public holds notes\.yaml as applied at .* by an earlier altan-cloud that did not record which objects it made, and this file differs; apply that file again with this version first/,
    );
    const columns = await db.query<{ attname: string }>("SELECT attname FROM pg_attribute WHERE attrelid = 'public.notes'::regclass AND attname = 'body'");
    expect(columns).toEqual([]);
  });
});

describe('usage of the shared private schema', () => {
  const withView = (schema: string) =>
    `version: 1\nschema: ${schema}\nentities:\n  posts:\n    access: public-read\n    fields:\n      title: text\n` +
    'materialized_views:\n  post_count:\n    query: SELECT count(*) AS n FROM posts\n    refresh: hourly\n    access: public\n';
  const without = (schema: string) => `version: 1\nschema: ${schema}\nentities:\n  posts:\n    access: public-read\n    fields:\n      title: text\n`;
  const anonUsage = async (db: Database) =>
    (await db.query<{ usage: boolean }>("SELECT has_schema_privilege('anon', 'altan_private', 'USAGE') AS usage"))[0]?.usage;

  it('is taken back from anon when the only file stops needing it', async () => {
    const db = await memoryDatabase();
    await apply(db, await compile(withView('shop')));
    expect(await anonUsage(db)).toBe(true);
    await apply(db, await compile(without('shop')), { allowDestructive: true });
    expect(await anonUsage(db)).toBe(false);
  });

  it('stays while a file for another schema is applied (it may need it)', async () => {
    const db = await memoryDatabase();
    await apply(db, await compile(withView('shop')));
    await apply(db, await compile(without('blog')));
    await apply(db, await compile(without('shop')), { allowDestructive: true });
    expect(await anonUsage(db)).toBe(true);
    expect((await plan(db, await compile(without('shop')))).status).toBe('up-to-date');
  });
});
