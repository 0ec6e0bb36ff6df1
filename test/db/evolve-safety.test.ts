/**
 * What plan and apply must refuse or repair, on real PostgreSQL with pg_cron:
 * objects dropped by hand (a policy, row level security, an index, a job) are
 * drift that the plan shows and apply restores; changes that may lose data
 * are refused, each listed, unless allowed; NOT NULL over NULLs and a
 * required field without default on a non-empty table block the plan before
 * anything runs; a new entity named like a user's own table is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { applyAndSettle, comparableSnapshot, destructiveLines, EVOLVE_DIR, expectRefused, USER_OBJECTS, userObjects, version } from './evolve.js';
import { withCronDatabase } from './harness.js';

const cron = withCronDatabase();

describe('drift: objects altan-cloud made, dropped by hand', () => {
  it('show in the plan as additions marked drift, are made again by apply, and the plan is empty after', async () => {
    await cron.reset();
    const db = cron.db;
    const v2 = await version('tasks', 'v2');
    await applyAndSettle(db, v2);
    const user = await cron.createUser();
    await db.query("INSERT INTO public.projects (user_id, name) VALUES ($1, 'kept')", [user]);
    const before = await comparableSnapshot(db);

    await db.exec(`DROP POLICY tasks_select ON public.tasks;
      ALTER TABLE public.projects DISABLE ROW LEVEL SECURITY;
      DROP INDEX public.tasks_due_on_idx;
      SELECT cron.unschedule('close-stale');`);
    expect(await comparableSnapshot(db)).not.toEqual(before);

    const drifted = await plan(db, v2);
    expect(drifted.status).toBe('changes');
    expect(drifted.changes.map(describeChange).sort()).toEqual(
      [
        '+ policy tasks_select on tasks: missing from the database (dropped by hand?)',
        '+ row level security on projects: missing from the database (dropped by hand?)',
        '+ index tasks_due_on_idx on tasks: missing from the database (dropped by hand?)',
        '+ job close-stale: missing from the database (dropped by hand?)',
      ].sort(),
    );
    expect(drifted.changes.every((c) => c.drift === true && c.action === 'create')).toBe(true);
    expect(drifted.destructive).toEqual([]);

    const report = await applyAndSettle(db, v2);
    expect(report.changes.length).toBe(4);
    expect(await comparableSnapshot(db)).toEqual(before);
    expect(await db.query('SELECT name FROM public.projects')).toEqual([{ name: 'kept' }]);
  });

  it('removed from the file after being dropped by hand: listed as drift, nothing to run or lose', async () => {
    await cron.reset();
    const db = cron.db;
    await applyAndSettle(db, await version('tasks', 'v1'));
    await db.exec("ALTER TABLE public.tasks DROP COLUMN notes; SELECT cron.unschedule('purge-done');");
    const v2 = await version('tasks', 'v2');
    const planned = await plan(db, v2);
    expect(planned.destructive).toEqual([]);
    expect(planned.changes.filter((c) => c.action === 'drop').map(describeChange)).toEqual([
      '- column tasks.notes: missing from the database (dropped by hand?)',
      '- index tasks_user_id_status_idx on tasks',
      '- job purge-done: missing from the database (dropped by hand?)',
    ]);
    // no DROP COLUMN or cron.unschedule that would fail on what is not there
    expect(planned.sql).not.toMatch(/DROP COLUMN notes|unschedule\('purge-done'\)/);
    await applyAndSettle(db, v2);
  });
});

const LOSSY_BEFORE = `version: 1
entities:
  items:
    fields:
      code: text
      big: bigint
      extra: text
  old_stuff:
    fields:
      note: text
buckets:
  files: {}
  empty: {}
jobs:
  nightly:
    schedule: daily
    sql: SELECT 1
`;
const LOSSY_AFTER = `version: 1
entities:
  items:
    fields:
      code: varchar(10)
      big: integer
`;

describe('changes that may lose data', () => {
  it('are refused without allowDestructive, each one listed, leaving the catalog as it was; with it they run', async () => {
    await cron.reset();
    const db = cron.db;
    await applyAndSettle(db, await compile(LOSSY_BEFORE, { fileName: 'before.yaml' }));
    const user = await cron.createUser();
    await db.query("INSERT INTO public.items (user_id, code, big, extra) VALUES ($1, 'short', 7, 'x')", [user]);
    await db.query("INSERT INTO public.old_stuff (user_id, note) VALUES ($1, 'a'), ($1, 'b')", [user]);
    await db.query("INSERT INTO storage.objects (bucket_id, name) VALUES ('files', $1)", [`${user}/f.txt`]);

    const after = await compile(LOSSY_AFTER, { fileName: 'after.yaml' });
    const expected = [
      '- table old_stuff: holds 2 rows: its rows are deleted',
      '- column items.extra: its values are deleted',
      '- job nightly: the job stops running',
      '~ column items.code: type text → varchar(10): type text → varchar(10) may not hold every value',
      '~ column items.big: type bigint → integer: type bigint → integer may not hold every value',
    ];
    expect(destructiveLines((await plan(db, after)).changes).sort()).toEqual([...expected].sort());

    const refused = await expectRefused(db, () => apply(db, after));
    expect(refused.reason).toBe('destructive');
    expect(refused.message).toMatch(/^refused: these 5 changes may lose data, and nothing was applied:\n/);
    for (const line of expected) expect(refused.message).toContain(`\n  ${line}\n`);
    // buckets are never deleted (Storage refuses it): not among them, with or without files
    expect(refused.message).not.toContain('bucket');
    expect((await plan(db, after)).changes.map(describeChange)).toContain(
      '- bucket files: its policies are dropped; the bucket stays, with its files (Storage refuses a direct DELETE: remove it with the Storage API or the dashboard)',
    );

    await applyAndSettle(db, after, { allowDestructive: true });
    const [state] = await db.query<Record<string, unknown>>(`SELECT to_regclass('public.old_stuff') AS old_stuff,
      (SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = 'extra' AND NOT attisdropped) AS extra,
      (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = 'code') AS code,
      (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = 'big') AS big,
      (SELECT count(*)::int FROM storage.buckets) AS buckets, (SELECT count(*)::int FROM storage.objects) AS objects,
      (SELECT count(*)::int FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname LIKE 'bucket\\_%') AS bucket_policies,
      (SELECT count(*)::int FROM cron.job) AS jobs`);
    expect(state).toEqual({ old_stuff: null, extra: 0, code: 'character varying(10)', big: 'integer', buckets: 2, objects: 1, bucket_policies: 0, jobs: 0 });
    expect(await db.query('SELECT code, big FROM public.items')).toEqual([{ code: 'short', big: 7 }]);
  });
});

const NOTES = (fields: string) => `version: 1
entities:
  notes:
    fields:
${fields}`;

describe('NOT NULL where data is missing', () => {
  it('required on a column holding NULLs, or a required field without default on a table with rows: blocked before anything runs', async () => {
    await cron.reset();
    const db = cron.db;
    await applyAndSettle(db, await compile(NOTES('      title: text\n'), { fileName: 'v1.yaml' }));
    const user = await cron.createUser();
    await db.query("INSERT INTO public.notes (user_id, title) VALUES ($1, NULL), ($1, NULL), ($1, 'set')", [user]);

    const required = await compile(NOTES('      title: { type: text, required: true }\n'), { fileName: 'v2.yaml' });
    const planned = await plan(db, required);
    expect(planned.blockers).toEqual([
      'column notes.title cannot be made NOT NULL: 2 rows hold NULL in it; set a value in them, or give the field a default, first',
    ]);
    for (const options of [{}, { allowDestructive: true }]) {
      const refused = await expectRefused(db, () => apply(db, required, options));
      expect(refused.reason).toBe('blocked');
      expect(refused.message).toBe(`the plan for schema public cannot run; nothing was applied:\n  - ${planned.blockers[0]}`);
    }

    const added = await compile(NOTES('      title: text\n      rank: { type: integer, required: true }\n'), { fileName: 'v3.yaml' });
    const refused = await expectRefused(db, () => apply(db, added));
    expect(refused.reason).toBe('blocked');
    expect(refused.message).toContain('column notes.rank is required and has no default, but notes holds 3 rows');

    // once the data allows it, both run
    await db.exec("UPDATE public.notes SET title = 'filled' WHERE title IS NULL");
    await applyAndSettle(db, required);
    await db.exec('DELETE FROM public.notes');
    await applyAndSettle(
      db,
      await compile(NOTES('      title: { type: text, required: true }\n      rank: { type: integer, required: true }\n'), { fileName: 'v4.yaml' }),
    );
  });
});

describe("a user's own objects", () => {
  const MINE = `version: 1
entities:
  my_notes:
    fields:
      body: text
`;

  it('a new entity named like a user table is refused before anything runs, on a first apply and on a later one', async () => {
    await cron.reset();
    const db = cron.db;
    await db.exec(USER_OBJECTS);
    const mine = await userObjects(db);
    const conflict = 'table public.my_notes already exists and altan-cloud did not create it (it never touches objects it did not make); rename one of them';

    const first = await expectRefused(db, async () => apply(db, await compile(MINE)));
    expect(first.reason).toBe('blocked');
    expect(first.message).toContain(`\n  - ${conflict}`);

    await applyAndSettle(db, await version('tasks', 'v1'));
    const v1 = readFileSync(join(EVOLVE_DIR, 'tasks', 'v1.yaml'), 'utf8');
    const withMine = await compile(v1.replace('\njobs:\n', '\n  my_notes:\n    fields:\n      body: text\njobs:\n'), { fileName: 'v1.yaml' });
    expect(withMine.model.tables.map((t) => t.name)).toContain('my_notes');
    expect((await plan(db, withMine)).blockers).toEqual([conflict]);
    const refused = await expectRefused(db, () => apply(db, withMine, { allowDestructive: true }));
    expect(refused.reason).toBe('blocked');
    expect(await userObjects(db)).toEqual(mine);
    expect((await plan(db, await version('tasks', 'v1'))).status).toBe('up-to-date');
  });
});
