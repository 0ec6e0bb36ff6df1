/**
 * An apply that fails, at any point, leaves the database exactly as it was:
 * compared as a catalog snapshot before and after. And two applies at once
 * both succeed, one after the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply, ApplyError } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, withCronDatabase } from './harness.js';
import { expectRefused } from './evolve.js';
import { catalogSnapshot } from './snapshot.js';

const TODOS = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
buckets:
  avatars:
    public: false
`;

/** A first table that gets created, then a CHECK that parses (validation reads it) but that Postgres refuses when it runs. */
const BAD_CHECK = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
  notes:
    fields:
      body: { type: text, check: "body > 3" }
`;

const BAD_VIEW = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
materialized_views:
  stats:
    query: SELECT count(*) AS n, no_such_column FROM todos
    refresh: hourly
`;

describe('failures leave the database as it was (Postgres)', () => {
  const cron = withCronDatabase();

  it('a CHECK that Postgres refuses: position in the generated SQL, nothing left', async () => {
    await cron.reset();
    const compiled = await compile(BAD_CHECK, { fileName: 'bad.yaml' });
    const error = await expectRefused(cron.db, () => apply(cron.db, compiled));
    expect(error.reason).toBe('database');
    expect(error.message).toMatch(
      /^apply failed in CREATE TABLE public\.notes \(generated SQL line (\d+):(\d+)\):\n {2}operator does not exist: text > integer \(SQLSTATE 42883\)/,
    );
    const [, line] = /line (\d+):/.exec(error.message) as RegExpExecArray;
    expect(compiled.sql.split('\n')[Number(line) - 1]).toContain('CHECK (body > 3)');
  });

  it('a materialized view whose query fails: named, with its line', async () => {
    await cron.reset();
    const compiled = await compile(BAD_VIEW, { fileName: 'view.yaml' });
    const error = await expectRefused(cron.db, () => apply(cron.db, compiled));
    expect(error.message).toMatch(
      /^apply failed in CREATE MATERIALIZED VIEW altan_private\.stats \(generated SQL line \d+:\d+\):\n {2}column "no_such_column" does not exist \(SQLSTATE 42703\)/,
    );
    expect(error.message).toContain('\n  from view.yaml:8:12: the query of materialized view "stats"\nNothing was applied: the transaction was rolled back.');
  });

  it("a table of the user's with an entity's name: refused before anything runs, the table untouched", async () => {
    await cron.reset();
    await cron.db.exec('CREATE TABLE public.todos (id int)');
    const error = await expectRefused(cron.db, async () => apply(cron.db, await compile(TODOS)));
    expect(error.reason).toBe('blocked');
    expect(error.message).toBe(
      'the plan for schema public cannot run; nothing was applied:\n' +
        '  - table public.todos already exists and altan-cloud did not create it (it never touches objects it did not make); rename one of them\n' +
        'What already exists can be taken over instead: `altan-cloud plan --adopt` shows what that changes, `altan-cloud apply --adopt` does it.',
    );
    expect(error.problems.map((p) => p.hint)).toEqual([
      'take it over with --adopt (`altan-cloud plan --adopt` shows what that changes), or rename one of them',
    ]);
  });

  it('an object that already exists (no position from Postgres): the statement is found by replay', async () => {
    await cron.reset();
    // A table named like the index apply creates: relation names are shared by tables and indexes.
    await cron.db.exec('CREATE TABLE public.todos_user_id_idx (id int)');
    const error = await expectRefused(cron.db, async () => apply(cron.db, await compile(TODOS)));
    expect(error.message).toMatch(
      /^apply failed in CREATE INDEX todos_user_id_idx ON public\.todos \(user_id\) \(generated SQL line \d+:1\):\n {2}relation "todos_user_id_idx" already exists \(SQLSTATE 42P07\)/,
    );
    // Not the author's SQL: no line of the file to point at.
    expect(error.message).not.toContain('\n  from ');
  });

  it('a missing prerequisite: preflight names it, nothing runs', async () => {
    await cron.reset();
    await cron.db.exec('DROP FUNCTION storage.foldername(text)');
    const error = await expectRefused(cron.db, async () => apply(cron.db, await compile(TODOS)));
    expect(error.reason).toBe('preflight');
    expect(error.message).toContain('is missing what this file needs; nothing was run:\n  - storage.foldername(text): ');
    expect(error.message).not.toContain('auth.users');
  });
});

describe('a connection killed mid-apply (Postgres)', () => {
  let url: string;
  let admin: Database;
  beforeAll(async () => {
    url = await freshDatabase('killed');
    admin = await connect(url);
  });
  afterAll(async () => {
    await dropDatabase(url);
  });

  it('is reported as a lost connection, and the server rolled everything back', async () => {
    const before = await catalogSnapshot(admin);
    const victim = await connect(url);
    // Hold storage.buckets so that the apply stops at its bucket upsert, after creating its tables.
    await admin.exec('BEGIN; LOCK TABLE storage.buckets IN ACCESS EXCLUSIVE MODE');
    const running = apply(victim, await compile(TODOS)).then(
      () => undefined,
      (e: unknown) => e,
    );
    let waiting: { pid: number } | undefined;
    for (let i = 0; i < 100 && waiting === undefined; i++) {
      [waiting] = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'altan-cloud' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      if (waiting === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiting).toBeDefined();
    // The apply got as far as its tables: they exist inside its transaction (not visible here).
    await admin.query('SELECT pg_terminate_backend($1)', [waiting?.pid]);
    await admin.exec('ROLLBACK');
    const error = (await running) as ApplyError;
    expect(error).toBeInstanceOf(ApplyError);
    expect(error.reason).toBe('connection');
    expect(error.message).toMatch(/^lost the connection to .* during apply \(.*\); the server rolls back an unfinished transaction, so nothing was applied$/);
    expect(await catalogSnapshot(admin)).toEqual(before);
  });
});

describe('two applies at once', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('concurrent');
  });
  afterAll(async () => {
    await dropDatabase(url);
  });

  it('both succeed, one after the other: one applies, the other finds it up to date', async () => {
    const [a, b] = [await connect(url), await connect(url)];
    const compiled = await compile(TODOS);
    const reports = await Promise.all([apply(a, compiled), apply(b, compiled)]);
    expect(reports.map((r) => r.status).sort()).toEqual(['applied', 'up-to-date']);
    const [record] = await a.query<{ n: string }>('SELECT count(*)::text AS n FROM altan_meta.applied_files');
    expect(record?.n).toBe('1');
    const [table] = await a.query<{ rls: boolean }>("SELECT relrowsecurity AS rls FROM pg_class WHERE oid = 'public.todos'::regclass");
    expect(table?.rls).toBe(true);
  });

  it('files for two schemas both apply', async () => {
    const [a, b] = [await connect(url), await connect(url)];
    const inSchema = async (schema: string) => await compile(`version: 1\nschema: ${schema}\nentities:\n  items:\n    fields:\n      name: text\n`);
    const reports = await Promise.all([apply(a, await inSchema('shop')), apply(b, await inSchema('blog'))]);
    expect(reports.map((r) => r.status)).toEqual(['applied', 'applied']);
    const rows = await a.query<{ schema_name: string }>("SELECT schema_name FROM altan_meta.applied_files WHERE schema_name IN ('shop', 'blog') ORDER BY 1");
    expect(rows.map((r) => r.schema_name)).toEqual(['blog', 'shop']);
  });
});

describe('failures leave the database as it was (PGlite)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDatabase();
  });

  it('a CHECK that Postgres refuses', async () => {
    const error = await expectRefused(db, async () => apply(db, await compile(BAD_CHECK)));
    expect(error.message).toMatch(
      /^apply failed in CREATE TABLE public\.notes \(generated SQL line \d+:\d+\):\n {2}operator does not exist: text > integer \(SQLSTATE 42883\)/,
    );
  });

  it('a materialized view whose query fails', async () => {
    const error = await expectRefused(db, async () => apply(db, await compile(BAD_VIEW)));
    expect(error.message).toContain('column "no_such_column" does not exist (SQLSTATE 42703)');
  });

  it('a missing prerequisite', async () => {
    await db.exec('DROP FUNCTION public.apply_postgrest_permissions()');
    const error = await expectRefused(db, async () => apply(db, await compile(TODOS)));
    expect(error.reason).toBe('preflight');
    expect(error.message).toContain('  - apply_postgrest_permissions(): every Altan project has it; for a plain Supabase project use --target supabase');
  });

  it('the snapshot sees everything an apply changes (so that equal snapshots mean something)', async () => {
    await db.exec(`CREATE OR REPLACE FUNCTION public.apply_postgrest_permissions() RETURNS void LANGUAGE sql AS 'SELECT'`);
    const before = await catalogSnapshot(db);
    await apply(db, await compile(TODOS));
    const after = await catalogSnapshot(db);
    for (const part of ['schemas', 'relations', 'columns', 'constraints', 'policies', 'functions', 'triggers', 'buckets', 'applied']) {
      expect(after[part], part).not.toEqual(before[part]);
    }
  });

  it("the snapshot's roles are the platform's and those the database's objects refer to, not the cluster's others", async () => {
    const names = async () => ((await catalogSnapshot(db)).roles as { rolname: string }[]).map((r) => r.rolname);
    expect(await names()).toEqual(expect.arrayContaining(['anon', 'authenticated', 'authenticator', 'service_role']));
    await db.exec('CREATE ROLE snapshot_unrelated; CREATE ROLE snapshot_grantee');
    try {
      expect(await names()).not.toContain('snapshot_unrelated');
      expect(await names()).not.toContain('snapshot_grantee');
      await db.exec('GRANT USAGE ON SCHEMA storage TO snapshot_grantee');
      expect(await names()).toContain('snapshot_grantee');
      expect(await names()).not.toContain('snapshot_unrelated');
    } finally {
      await db.exec('REVOKE USAGE ON SCHEMA storage FROM snapshot_grantee; DROP ROLE snapshot_grantee; DROP ROLE snapshot_unrelated');
    }
  });
});
