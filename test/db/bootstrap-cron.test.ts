/**
 * The cron database of the test server: the bootstrap creates the real
 * pg_cron there, and resetDatabase() brings it back to just-bootstrapped.
 */
import { describe, expect, it } from 'vitest';
import { bootstrap, PG_CRON } from '../../src/execute/bootstrap.js';
import { DatabaseError } from '../../src/db/errors.js';
import { CRON_DATABASE_LOCK_KEY, connect, withCronDatabase } from './harness.js';

const cron = withCronDatabase();

const jobs = async () =>
  await cron.db.query<{ jobname: string; schedule: string; command: string }>('SELECT jobname, schedule, command FROM cron.job ORDER BY jobid');

describe('bootstrap in the cron database', () => {
  it('has the real pg_cron, in pg_catalog, with cron.schedule(name, schedule, command)', async () => {
    const report = await bootstrap(cron.db);
    expect(report.present).toContain(PG_CRON.name);
    expect(report.added).toEqual([]);
    expect(report.notes).toEqual([]);
    const [row] = await cron.db.query(`
      SELECT e.extnamespace::regnamespace::text AS schema,
             to_regprocedure('cron.schedule(text,text,text)') IS NOT NULL AS schedule,
             to_regprocedure('cron.unschedule(name)') IS NOT NULL AS unschedule
      FROM pg_extension e WHERE e.extname = 'pg_cron'`);
    expect(row).toEqual({ schema: 'pg_catalog', schedule: true, unschedule: true });
  });

  it('pg_cron upserts by name, raises on unscheduling an unknown name, and is transactional', async () => {
    const [first] = await cron.db.query<{ id: string }>(`SELECT cron.schedule('refresh', '*/5 * * * *', 'SELECT 1') AS id`);
    const [again] = await cron.db.query<{ id: string }>(`SELECT cron.schedule('refresh', '0 * * * *', 'SELECT 2') AS id`);
    expect(again?.id).toBe(first?.id);
    expect(await jobs()).toEqual([{ jobname: 'refresh', schedule: '0 * * * *', command: 'SELECT 2' }]);

    const error = await cron.db.query(`SELECT cron.unschedule('no-such-job')`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).message).toMatch(/could not find valid entry for job 'no-such-job'/);

    await cron.db.exec(`BEGIN; SELECT cron.schedule('rolled-back', '* * * * *', 'SELECT 1'); ROLLBACK;`);
    expect((await jobs()).map((j) => j.jobname)).toEqual(['refresh']);
  });

  it('resetDatabase drops every non-system schema, empties auth, storage and cron, and bootstraps again', async () => {
    const user = await cron.createUser();
    await cron.db.exec(`
      CREATE SCHEMA altan_private;
      CREATE SCHEMA custom;
      CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id));
      INSERT INTO public.profiles VALUES ('${user}');
      INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars');
      INSERT INTO storage.objects (bucket_id, name) VALUES ('avatars', '${user}/me.png');
      CREATE POLICY avatars_read ON storage.objects FOR SELECT TO authenticated USING (bucket_id = 'avatars');
      SELECT cron.schedule('nightly', '0 3 * * *', 'SELECT 1');`);

    const report = await cron.reset();
    expect(report.added).toEqual(['public.apply_postgrest_permissions()']);

    const [state] = await cron.db.query(`
      SELECT array(SELECT nspname::text FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1) AS schemas,
             (SELECT count(*)::int FROM auth.users) AS users,
             (SELECT count(*)::int FROM storage.buckets) + (SELECT count(*)::int FROM storage.objects) AS files,
             (SELECT count(*)::int FROM pg_policies WHERE schemaname = 'storage') AS policies,
             (SELECT count(*)::int FROM cron.job) AS jobs,
             has_schema_privilege('anon', 'public', 'USAGE') AS anon_usage,
             has_schema_privilege('anon', 'public', 'CREATE') AS anon_create`);
    expect(state).toEqual({
      schemas: ['auth', 'cron', 'information_schema', 'public', 'storage'],
      users: 0,
      files: 0,
      policies: 0,
      jobs: 0,
      anon_usage: true,
      anon_create: false,
    });
  });

  it('asRole works on the cron database connection too', async () => {
    const user = await cron.createUser();
    const rows = await cron.asRole({ role: 'authenticated', sub: user }, (s) => s.query('SELECT auth.uid()::text AS uid'));
    expect(rows).toEqual([{ uid: user }]);
  });

  it('holds the cron database lock for the whole file', async () => {
    const other = await connect(cron.url);
    try {
      expect(await other.query('SELECT pg_try_advisory_lock($1) AS got', [CRON_DATABASE_LOCK_KEY])).toEqual([{ got: false }]);
    } finally {
      await other.close();
    }
  });
});
