/**
 * Every example and every valid golden case, applied to the embedded PGlite
 * (one in-memory database for the file, resetDatabase() between cases): the
 * same catalog guarantees as on the server (apply-corpus.test.ts), the jobs
 * recorded in the stand-in cron.job, one record, up to date the second time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import {
  appliedRecords,
  catalogProblems,
  compileItem,
  corpus,
  cronJobs,
  expectedCron,
  expectedRecord,
  grantProblems,
  leftovers,
  recordSchemaUsage,
} from './apply-corpus-checks.js';
import { memoryDatabase, resetDatabase } from './harness.js';
import { verify } from '../../src/verify/run.js';
import { rowCounts, verifyProblems } from './verify-checks.js';
import { advisorProblems } from './advisors.js';

const items = corpus();
let db: Database;

beforeAll(async () => {
  db = await memoryDatabase();
}, 60_000);

describe('apply to PGlite', () => {
  for (const item of items) {
    it(`${item.label}: a dry run leaves nothing; applies with every catalog guarantee and Supabase's advisors silent, its jobs in the stand-in cron.job and one record; verify passes and keeps nothing; again: up to date`, async () => {
      await resetDatabase(db);
      // the reset really emptied the database: no record of the previous case is left
      expect(await appliedRecords(db)).toEqual([]);
      expect(await cronJobs(db)).toEqual([]);
      const compiled = await compileItem(item);

      expect((await apply(db, compiled, { dryRun: true })).status).toBe('dry-run');
      expect(await leftovers(db, compiled)).toEqual([]);
      expect(await cronJobs(db)).toEqual([]);
      expect(await appliedRecords(db)).toEqual([]);

      const report = await apply(db, compiled);
      expect(report.status).toBe('applied');
      expect(report.notes.length > 0).toBe(compiled.model.jobs.length > 0);
      expect(await catalogProblems(db, compiled)).toEqual([]);
      expect(await advisorProblems(db, compiled)).toEqual([]);
      expect((await cronJobs(db)).map(({ name, schedule }) => ({ name, schedule }))).toEqual(
        expectedCron(compiled).map(({ name, schedule }) => ({ name, schedule })),
      );

      const before = await rowCounts(db, compiled);
      expect(verifyProblems(await verify(db, compiled))).toEqual([]);
      expect(await rowCounts(db, compiled)).toEqual(before);

      expect((await apply(db, compiled)).status).toBe('up-to-date');
      expect(await appliedRecords(db)).toEqual([expectedRecord(compiled)]);
      expect(await recordSchemaUsage(db)).toEqual({ anon: false, authenticated: false });
    });
  }
});

describe('the catalog checks see what they check', () => {
  it('example todo, broken after the apply: every broken guarantee is named', async () => {
    const item = items.find((i) => i.label === 'example todo');
    expect(item).toBeDefined();
    if (item === undefined) return;
    await resetDatabase(db);
    const compiled = await compileItem(item);
    expect((await apply(db, compiled)).status).toBe('applied');
    expect(await catalogProblems(db, compiled)).toEqual([]);
    // the default target ends with apply_postgrest_permissions(): blanket grants, which the supabase check would refuse
    expect(await grantProblems(db, compiled)).toContain(
      'anon on public.todos has {SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}, the file grants {}',
    );

    await db.exec(`
      ALTER TABLE public.todos DISABLE ROW LEVEL SECURITY;
      DROP POLICY todos_delete ON public.todos;
      CREATE POLICY todos_extra ON public.todos FOR SELECT TO anon USING (true);
      ALTER POLICY profiles_select ON public.profiles TO anon;
      DROP INDEX public.todos_project_id_idx;
      ALTER TABLE public.todos DROP CONSTRAINT todos_user_id_fkey;
      ALTER FUNCTION altan_private.set_updated_at() RESET search_path;
      CREATE FUNCTION public.definer() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
      CREATE MATERIALIZED VIEW public.exposed AS SELECT 1 AS one;
      DROP TABLE public.projects CASCADE;`);
    expect((await catalogProblems(db, compiled)).sort()).toEqual(
      [
        'table public.projects does not exist',
        'table public.todos has no row level security',
        'policy todos_delete on public.todos does not exist',
        // their WITH CHECK looks at projects: they went with it
        'policy todos_insert on public.todos does not exist',
        'policy todos_update on public.todos does not exist',
        'unexpected policy todos_extra on public.todos',
        'policy profiles_select on public.profiles is PERMISSIVE FOR SELECT TO anon, not FOR SELECT TO anon,authenticated',
        'foreign key todos_user_id_fkey on public.todos (user_id) does not exist',
        'policy projects_select on public.projects does not exist',
        'policy projects_insert on public.projects does not exist',
        'policy projects_update on public.projects does not exist',
        'policy projects_delete on public.projects does not exist',
        'foreign key projects_user_id_fkey on public.projects (user_id) does not exist',
        'foreign key todos_project_id_fkey on public.todos (project_id) does not exist',
        'function altan_private.set_updated_at() has no search_path setting (proconfig: null)',
        'function public.definer() in the exposed schema is SECURITY DEFINER',
        'materialized view public.exposed is outside altan_private',
      ].sort(),
    );
  });
});
