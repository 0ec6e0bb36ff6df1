/**
 * Every example and every valid golden case, applied to real PostgreSQL with
 * pg_cron (the cron database, reset between cases): a dry run leaves nothing;
 * the apply holds every catalog guarantee, schedules exactly the compiled
 * jobs (whose commands then run), records itself once, and is up to date the
 * second time. Then `--target supabase` on databases without
 * apply_postgrest_permissions(). PGlite: apply-corpus-pglite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ApplyError, apply } from '../../src/execute/apply.js';
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
import { connect, dropDatabase, freshDatabase, withCronDatabase } from './harness.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { rowCounts, verifyProblems } from './verify-checks.js';
import { advisorProblems } from './advisors.js';

const cron = withCronDatabase();
const items = corpus();
const examples = items.filter((i) => i.label.startsWith('example '));

/** Runs each job's command as pg_cron does (one simple query, as the admin who scheduled it); returns the failures. */
async function jobFailures(db: Database, jobs: readonly { name: string; command: string }[]): Promise<string[]> {
  const failures: string[] = [];
  for (const job of jobs) {
    try {
      await db.exec(job.command);
    } catch (e) {
      failures.push(`${job.name}: ${(e as Error).message}`);
    } finally {
      // refresh commands begin with SET search_path: keep the admin session as it was
      await db.exec('RESET search_path');
    }
  }
  return failures;
}

describe('the corpus', () => {
  it('holds the eight examples and the valid golden cases', () => {
    expect(examples.map((i) => i.entry.name)).toEqual(['blog', 'blog-drafts', 'board', 'chat', 'crm', 'marketplace', 'orders', 'todo']);
    expect(items.length - examples.length).toBeGreaterThan(0);
    expect(items.every((i) => i.bytes.length > 0)).toBe(true);
  });
});

describe('apply to PostgreSQL with pg_cron', () => {
  for (const item of items) {
    it(`${item.label}: a dry run, verified inside its transaction, reports dry-run and leaves no table, job or record`, async () => {
      await cron.reset();
      const compiled = await compileItem(item);
      let verified: VerifyReport | undefined;
      const report = await apply(cron.db, compiled, {
        dryRun: true,
        beforeEnd: async (db) => void (verified = await verify(db, compiled, { insideTransaction: true })),
      });
      expect(report.status).toBe('dry-run');
      expect(verified && verifyProblems(verified)).toEqual([]);
      expect(await leftovers(cron.db, compiled)).toEqual([]);
      expect(await cronJobs(cron.db)).toEqual([]);
      expect(await appliedRecords(cron.db)).toEqual([]);
    });

    it(`${item.label}: applies with RLS, policies, FK indexes, safe functions, private views, its jobs and one record; Supabase's advisors stay silent; verify passes and keeps nothing; again: up to date`, async () => {
      await cron.reset();
      const db = cron.db;
      const compiled = await compileItem(item);

      expect((await apply(db, compiled)).status).toBe('applied');
      expect(await catalogProblems(db, compiled)).toEqual([]);
      expect(await advisorProblems(db, compiled)).toEqual([]);
      expect(await cronJobs(db)).toEqual(expectedCron(compiled));
      const refreshes = compiled.cron.filter((j) => j.name.startsWith('refresh-'));
      expect(refreshes.length).toBe(compiled.model.views.length);
      expect(await jobFailures(db, refreshes)).toEqual([]);

      const before = await rowCounts(db, compiled);
      const verified = await verify(db, compiled);
      expect(verifyProblems(verified)).toEqual([]);
      const { model } = compiled;
      expect(verified.passed > 0).toBe(model.tables.length + model.buckets.length + model.views.length > 0);
      expect(await rowCounts(db, compiled)).toEqual(before);

      expect((await apply(db, compiled)).status).toBe('up-to-date');
      expect(await appliedRecords(db)).toEqual([expectedRecord(compiled)]);
      expect(await recordSchemaUsage(db)).toEqual({ anon: false, authenticated: false });
    });
  }
});

describe('the server checks see what they check', () => {
  const item = items.find((i) => i.label === 'case view-refresh');

  it('case view-refresh: the refresh jobs really refresh, and fail without the unique index CONCURRENTLY needs', async () => {
    expect(item).toBeDefined();
    if (item === undefined) return;
    await cron.reset();
    const compiled = await compileItem(item);
    expect((await apply(cron.db, compiled)).status).toBe('applied');
    await cron.db.exec(`INSERT INTO public.hits (path) VALUES ('/a'), ('/a'), ('/b')`);
    expect(await jobFailures(cron.db, compiled.cron)).toEqual([]);
    expect(await cron.db.query('SELECT path, n::int AS n FROM altan_private.a_default_hourly ORDER BY path')).toEqual([
      { path: '/a', n: 2 },
      { path: '/b', n: 1 },
    ]);
    expect(await cron.db.query('SELECT n::int AS n FROM altan_private.e_every_minute')).toEqual([{ n: 3 }]);
    // and the session's search_path is back after a job's SET search_path
    expect(await cron.db.query('SHOW search_path')).not.toEqual([{ search_path: 'public' }]);

    await cron.db.exec('DROP INDEX altan_private.b_hourly_path_key');
    const failures = await jobFailures(cron.db, compiled.cron);
    expect(failures).toEqual([expect.stringMatching(/^refresh-b_hourly: cannot refresh materialized view "altan_private.b_hourly" concurrently/)]);
    await cron.db.query(`SELECT cron.unschedule('refresh-c_daily')`);
    expect(await cronJobs(cron.db)).not.toEqual(expectedCron(compiled));
  });
});

describe('--target supabase on a database without apply_postgrest_permissions()', () => {
  // and a reference to a private entity, on which the API roles then hold no privilege
  for (const item of [...examples, ...items.filter((i) => i.label === 'case private-parent')]) {
    it(`${item.label}: the default target fails preflight; target supabase applies with exactly the file's grants`, async () => {
      const altan = await compileItem(item);
      const supabase = await compileItem(item, 'supabase');
      // pg_cron exists only in the cron database: files with jobs go there, the others to a database of their own
      const fresh = supabase.model.jobs.length === 0 ? await freshDatabase(`supabase ${item.entry.name}`) : undefined;
      if (fresh === undefined) await cron.reset();
      const db = fresh === undefined ? cron.db : await connect(fresh);
      try {
        await db.exec('DROP FUNCTION public.apply_postgrest_permissions()');

        const error = await apply(db, altan).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApplyError);
        expect((error as ApplyError).reason).toBe('preflight');
        expect((error as ApplyError).message).toContain('apply_postgrest_permissions()');
        expect(await leftovers(db, altan)).toEqual([]);

        expect((await apply(db, supabase)).status).toBe('applied');
        expect(await catalogProblems(db, supabase)).toEqual([]);
        expect(await grantProblems(db, supabase)).toEqual([]);
        expect(await advisorProblems(db, supabase)).toEqual([]);
        // with explicit grants, requests a policy would refuse are refused earlier, by privileges: same promises
        expect(verifyProblems(await verify(db, supabase))).toEqual([]);
        if (item.entry.name === 'todo') {
          const [todos] = await db.query(`SELECT has_table_privilege('anon', 'public.todos', 'SELECT') AS anon_select,
            has_table_privilege('authenticated', 'public.todos', 'SELECT') AS authenticated_select`);
          expect(todos).toEqual({ anon_select: false, authenticated_select: true });
        }
        if (fresh === undefined) expect(await cronJobs(db)).toEqual(expectedCron(supabase));
        expect((await apply(db, supabase)).status).toBe('up-to-date');
        expect(await appliedRecords(db)).toEqual([expectedRecord(supabase)]);
        expect((await appliedRecords(db))[0]?.target).toBe('supabase');
      } finally {
        if (fresh !== undefined) {
          await db.close();
          await dropDatabase(fresh);
        }
      }
    });
  }
});
