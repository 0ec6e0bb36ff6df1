/**
 * The bootstrap on a real Postgres 15 server: vanilla databases of the test
 * cluster (not the cron database, so pg_cron is reported, not created), roles
 * shared by the cluster and created concurrently, PostgREST-like sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { bootstrap, COMPONENTS } from '../../src/execute/bootstrap.js';
import { createRole } from '../../src/execute/bootstrapSql.js';
import type { Database } from '../../src/db/database.js';
import { DatabaseError } from '../../src/db/errors.js';
import { asRole, connect, createUser, dropDatabase, freshDatabase, testDatabaseUrl } from './harness.js';
import { databaseOf, databaseUrl } from './names.js';

const ROLES = ['role anon', 'role authenticated', 'role service_role', 'role authenticator'];
const created: string[] = [];

async function vanilla(label: string): Promise<{ url: string; db: Database }> {
  const url = await freshDatabase(label, { bootstrapped: false });
  created.push(url);
  return { url, db: await connect(url) };
}

afterAll(async () => {
  for (const url of created) await dropDatabase(url);
});

describe('bootstrap on a vanilla server database', () => {
  it('adds everything but the cluster-wide roles that exist, then finds all present', async () => {
    const { url, db } = await vanilla('bootstrap twice');
    const first = await bootstrap(db);
    const databaseComponents = COMPONENTS.map((c) => c.name).filter((name) => !ROLES.includes(name));
    expect(first.added.filter((name) => !ROLES.includes(name))).toEqual(databaseComponents);
    // Roles belong to the cluster: other files may have created them already.
    expect([...first.added, ...first.present].filter((name) => ROLES.includes(name)).sort()).toEqual([...ROLES].sort());
    // Not the cron database: pg_cron is neither created nor faked, and the note says where it runs.
    expect(first.notes).toEqual([
      `pg_cron runs in database "${databaseOf(testDatabaseUrl())}" (cron.database_name), not in "${databaseOf(url)}": scheduled jobs cannot be created here`,
    ]);
    expect(await db.query(`SELECT to_regnamespace('cron') AS cron`)).toEqual([{ cron: null }]);

    const second = await bootstrap(db);
    expect(second.added).toEqual([]);
    expect(second.present).toEqual(COMPONENTS.map((c) => c.name));
  });

  it('leaves an existing auth.users (a real project) untouched', async () => {
    const { db } = await vanilla('existing users');
    await db.exec(`
      CREATE SCHEMA auth;
      CREATE TABLE auth.users (id uuid PRIMARY KEY, aud varchar(255), is_anonymous boolean NOT NULL DEFAULT false);`);
    const report = await bootstrap(db);
    expect(report.present).toContain('auth.users');
    expect(report.added).not.toContain('auth.users');
    expect(report.added).toContain('auth.uid()');
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'auth' AND table_name = 'users' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'aud', 'is_anonymous']);
  });

  it('bootstraps several databases of the cluster at once', async () => {
    const targets = await Promise.all(['parallel a', 'parallel b', 'parallel c'].map((label) => vanilla(label)));
    const reports = await Promise.all(targets.map(({ db }) => bootstrap(db)));
    for (const report of reports) expect(report.present.concat(report.added)).toHaveLength(COMPONENTS.length);
  });

  it('role creation tolerates a concurrent creator (unique_violation while it waits, duplicate_object after)', async () => {
    const role = `altan_race_${process.pid}`;
    const url = databaseUrl(testDatabaseUrl(), 'postgres');
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    await Promise.all([first.connect(), second.connect()]);
    try {
      const sql = createRole(role, 'NOLOGIN', 'anon');
      await first.query('BEGIN');
      await first.query(sql);
      await second.query('BEGIN');
      const waiting = second.query(sql); // blocks on the first one's uncommitted row
      await new Promise((done) => setTimeout(done, 200));
      await first.query('COMMIT');
      await waiting; // unique_violation caught: no error
      await second.query('COMMIT');
      await second.query(sql); // now duplicate_object, caught too
      const rows = await second.query(`SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = $1::regrole`, [role]);
      expect(rows.rows).toEqual([{ rolname: 'anon' }]);
    } finally {
      await first.query('ROLLBACK').catch(() => {});
      await second.query('ROLLBACK').catch(() => {});
      await second.query(`DROP ROLE IF EXISTS ${role}`);
      await Promise.all([first.end(), second.end()]);
    }
  });
});

describe('a bootstrapped server database behind PostgREST', () => {
  let url: string;
  let db: Database;
  beforeAll(async () => {
    url = await freshDatabase('postgrest');
    created.push(url);
    db = await connect(url);
  });

  it('is cloned from the bootstrapped template: nothing left to add', async () => {
    const report = await bootstrap(db);
    expect(report.added).toEqual([]);
  });

  it('runs requests as authenticator switched to the JWT role, with auth.uid() from the claims', async () => {
    const user = await createUser(db);
    const [row] = await asRole(url, { role: 'authenticated', sub: user, claims: { email: 'x@y.test' } }, (s) =>
      s.query(`SELECT session_user AS login, current_user AS who, auth.uid()::text AS uid, auth.role() AS role, auth.email() AS email`),
    );
    expect(row).toEqual({ login: 'authenticator', who: 'authenticated', uid: user, role: 'authenticated', email: 'x@y.test' });
    // The legacy per-claim setting wins when set.
    const other = '00000000-0000-4000-8000-0000000000ff';
    const [legacy] = await asRole(db, { role: 'authenticated', sub: user }, async (s) => {
      await s.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [other]);
      return s.query('SELECT auth.uid()::text AS uid');
    });
    expect(legacy).toEqual({ uid: other });
  });

  it('surfaces an RLS refusal as a DatabaseError with SQLSTATE 42501, and rolls back', async () => {
    const error = await asRole(url, { role: 'anon' }, (s) => s.query(`INSERT INTO storage.buckets (id, name) VALUES ('x', 'x')`)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('42501');
    // The authenticator connection is usable after the failure.
    const [row] = await asRole(url, { role: 'service_role' }, (s) => s.query('SELECT current_user AS who'));
    expect(row).toEqual({ who: 'service_role' });
  });

  it('apply_postgrest_permissions() grants the API roles and tells PostgREST to reload', async () => {
    await db.exec(`CREATE TABLE public.things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)`);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    try {
      const heard = new Promise<string | undefined>((done) => listener.on('notification', (n) => done(`${n.channel}: ${n.payload}`)));
      await listener.query('LISTEN pgrst');
      await db.query('SELECT public.apply_postgrest_permissions()');
      expect(await heard).toBe('pgrst: reload schema');
      const [row] = await db.query(`SELECT has_table_privilege('anon', 'public.things', 'INSERT') AS anon`);
      expect(row).toEqual({ anon: true });
    } finally {
      await listener.end();
    }
  });
});
