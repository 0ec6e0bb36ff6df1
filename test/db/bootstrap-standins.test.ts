/**
 * PGlite's pg_cron stand-in (named jobs upserted per user, unschedule of an
 * unknown name raising) and public.apply_postgrest_permissions(), which the
 * generated SQL calls last.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { DatabaseError } from '../../src/db/errors.js';
import { memoryDatabase, resetDatabase } from './harness.js';

interface Job {
  jobid: number;
  jobname: string;
  schedule: string;
  command: string;
  username: string;
}

let db: Database;
beforeAll(async () => {
  db = await memoryDatabase();
});

const jobs = () => db.query<Job>('SELECT jobid::int, jobname, schedule, command, username FROM cron.job ORDER BY jobid');
const schedule = async (name: string, when: string, command: string) =>
  Number((await db.query<{ id: string }>('SELECT cron.schedule($1, $2, $3)::text AS id', [name, when, command]))[0]?.id);

describe('the cron stand-in', () => {
  it('upserts by job name: scheduling a name again replaces its schedule and command', async () => {
    const first = await schedule('refresh-stats', '*/5 * * * *', 'SELECT 1');
    const other = await schedule('nightly', '0 3 * * *', 'SELECT 2');
    const again = await schedule('refresh-stats', '0 * * * *', 'SELECT 3');
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(await jobs()).toEqual([
      { jobid: first, jobname: 'refresh-stats', schedule: '0 * * * *', command: 'SELECT 3', username: 'postgres' },
      { jobid: other, jobname: 'nightly', schedule: '0 3 * * *', command: 'SELECT 2', username: 'postgres' },
    ]);
  });

  it('keys jobs by user as well as name, like pg_cron', async () => {
    await db.exec(`
      CREATE ROLE cron_tester;
      GRANT USAGE ON SCHEMA cron TO cron_tester;
      GRANT SELECT, INSERT, UPDATE ON cron.job TO cron_tester;
      GRANT USAGE ON SEQUENCE cron.job_jobid_seq TO cron_tester;`);
    const mine = await schedule('shared-name', '0 1 * * *', 'SELECT 1');
    await db.exec('SET ROLE cron_tester');
    let theirs: number;
    try {
      theirs = await schedule('shared-name', '0 2 * * *', 'SELECT 2');
    } finally {
      await db.exec('RESET ROLE');
    }
    expect(theirs).not.toBe(mine);
    const rows = (await jobs()).filter((j) => j.jobname === 'shared-name');
    expect(rows.map((j) => [j.username, j.schedule])).toEqual([
      ['postgres', '0 1 * * *'],
      ['cron_tester', '0 2 * * *'],
    ]);
  });

  it('unschedule removes a job by name, and raises for an unknown name', async () => {
    await schedule('short-lived', '* * * * *', 'SELECT 1');
    expect(await db.query('SELECT cron.unschedule($1::text) AS ok', ['short-lived'])).toEqual([{ ok: true }]);
    expect((await jobs()).map((j) => j.jobname)).not.toContain('short-lived');
    const error = await db.query(`SELECT cron.unschedule('no-such-job')`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).message).toBe(`could not find valid entry for job 'no-such-job'`);
    expect((error as DatabaseError).code).toBe('XX000');
  });

  it('is transactional: a rolled back schedule leaves no job', async () => {
    await db.exec(`BEGIN; SELECT cron.schedule('rolled-back', '* * * * *', 'SELECT 1'); ROLLBACK;`);
    expect((await jobs()).map((j) => j.jobname)).not.toContain('rolled-back');
  });

  it('is emptied by resetDatabase', async () => {
    await schedule('before-reset', '* * * * *', 'SELECT 1');
    const report = await resetDatabase(db);
    // public was dropped and recreated: its function comes back, nothing else was missing
    expect(report.added).toEqual(['public.apply_postgrest_permissions()']);
    expect(await jobs()).toEqual([]);
  });
});

describe('public.apply_postgrest_permissions()', () => {
  const privileges = () =>
    db.query(`
      SELECT has_table_privilege('anon', 'public.notes', 'SELECT, INSERT, UPDATE, DELETE') AS anon_table,
             has_table_privilege('authenticated', 'public.notes_view', 'SELECT') AS view,
             has_sequence_privilege('service_role', 'public.notes_id_seq', 'USAGE') AS sequence,
             has_function_privilege('authenticated', 'public.note_count()', 'EXECUTE') AS routine,
             has_table_privilege('anon', 'elsewhere.hidden', 'SELECT') AS other_schema`);

  it('grants the API roles everything in public, and nothing elsewhere', async () => {
    await db.exec(`
      CREATE TABLE public.notes (id serial PRIMARY KEY, body text);
      CREATE VIEW public.notes_view AS SELECT id FROM public.notes;
      CREATE FUNCTION public.note_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.notes';
      REVOKE EXECUTE ON FUNCTION public.note_count() FROM PUBLIC;
      CREATE SCHEMA elsewhere;
      CREATE TABLE elsewhere.hidden (id int);`);
    expect(await privileges()).toEqual([{ anon_table: false, view: false, sequence: false, routine: false, other_schema: false }]);
    await db.query('SELECT public.apply_postgrest_permissions()');
    expect(await privileges()).toEqual([{ anon_table: true, view: true, sequence: true, routine: true, other_schema: false }]);
  });

  it('is not executable by PUBLIC, anon or authenticated, and pins its search_path', async () => {
    const [row] = await db.query(`
      SELECT has_function_privilege('anon', 'public.apply_postgrest_permissions()', 'EXECUTE') AS anon,
             has_function_privilege('authenticated', 'public.apply_postgrest_permissions()', 'EXECUTE') AS authenticated,
             p.prosecdef AS definer, p.proconfig AS config, p.proacl::text[] AS acl
      FROM pg_proc p WHERE p.oid = 'public.apply_postgrest_permissions()'::regprocedure`);
    expect(row).toMatchObject({ anon: false, authenticated: false, definer: false, config: ['search_path=""'] });
    // Only its owner is left in the ACL: no "=X/…" entry for PUBLIC.
    expect((row as { acl: string[] }).acl.every((entry) => entry.startsWith('postgres='))).toBe(true);
  });
});
