/**
 * The bootstrap on PGlite (Postgres 18 in WASM): what it adds, that it is
 * idempotent and transactional, and that the emulated auth, storage and cron
 * pieces behave like Supabase's. Vanilla databases are loaded from the run's
 * snapshot of one PGlite has just created (test/db/pglite.ts).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, COMPONENTS, CRON_STAND_IN, EMBEDDED_CRON_NOTE } from '../../src/execute/bootstrap.js';
import type { Database } from '../../src/db/database.js';
import { DatabaseError } from '../../src/db/errors.js';
import { asRole, createUser, memoryDatabase } from './harness.js';
import { openSnapshot } from './pglite.js';

const ALL = [...COMPONENTS.map((c) => c.name), CRON_STAND_IN.name];

async function failure(run: Promise<unknown>): Promise<DatabaseError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

describe('bootstrap on a vanilla PGlite', () => {
  it('adds every component, then finds every one present', async () => {
    const db = await openSnapshot('vanilla');
    try {
      const first = await bootstrap(db);
      expect(first.added).toEqual(ALL);
      expect(first.present).toEqual([]);
      expect(first.notes).toEqual([EMBEDDED_CRON_NOTE]);
      expect(CRON_STAND_IN.name).toBe('cron (stand-in: jobs are recorded, never run)');

      const second = await bootstrap(db);
      expect(second.added).toEqual([]);
      expect(second.present).toEqual(ALL);

      const roles = await db.query<{ rolname: string; rolcanlogin: boolean; rolinherit: boolean; rolbypassrls: boolean }>(
        `SELECT rolname, rolcanlogin, rolinherit, rolbypassrls FROM pg_roles
         WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator') ORDER BY rolname`,
      );
      expect(roles).toEqual([
        { rolname: 'anon', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
        { rolname: 'authenticated', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
        { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false },
        { rolname: 'service_role', rolcanlogin: false, rolinherit: true, rolbypassrls: true },
      ]);
      const members = await db.query<{ role: string }>(
        `SELECT r.rolname AS role FROM pg_auth_members m
         JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
         WHERE u.rolname = 'authenticator' ORDER BY 1`,
      );
      expect(members.map((m) => m.role)).toEqual(['anon', 'authenticated', 'service_role']);
    } finally {
      await db.close();
    }
  });

  it('leaves an existing auth.users alone, with its extra columns and rows', async () => {
    const db = await openSnapshot('vanilla');
    try {
      await db.exec(`
        CREATE SCHEMA auth;
        CREATE TABLE auth.users (id uuid PRIMARY KEY, instance_id uuid, is_sso_user boolean NOT NULL DEFAULT false);
        INSERT INTO auth.users (id) VALUES ('00000000-0000-4000-8000-000000000001');`);
      const report = await bootstrap(db);
      expect(report.present).toEqual(['schema auth', 'auth.users']);
      expect(report.added).toContain('auth.uid()');
      const columns = await db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = 'auth' AND table_name = 'users' ORDER BY ordinal_position`,
      );
      expect(columns.map((c) => c.column_name)).toEqual(['id', 'instance_id', 'is_sso_user']);
      expect(await db.query('SELECT id FROM auth.users')).toEqual([{ id: '00000000-0000-4000-8000-000000000001' }]);
      // An existing schema keeps its grants too: the bootstrap added none.
      const [usage] = await db.query<{ ok: boolean }>(`SELECT has_schema_privilege('anon', 'auth', 'USAGE') AS ok`);
      expect(usage?.ok).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('rolls everything back when one component fails', async () => {
    const db = await openSnapshot('vanilla');
    try {
      // A composite type named storage.buckets has a pg_class row: the check
      // finds it present, and storage.objects' foreign key to it then fails,
      // after the roles and auth were created.
      await db.exec(`CREATE SCHEMA storage; CREATE TYPE storage.buckets AS (id text);`);
      const error = await failure(bootstrap(db));
      expect(error.code).toBe('42809');
      expect(error.message).toMatch(/buckets/);
      const [left] = await db.query<{ roles: number; auth: boolean }>(
        `SELECT (SELECT count(*)::int FROM pg_roles WHERE rolname IN ('anon', 'authenticator')) AS roles,
                EXISTS (SELECT FROM pg_namespace WHERE nspname = 'auth') AS auth`,
      );
      expect(left).toEqual({ roles: 0, auth: false });
      // and the connection is usable again (not stuck in the aborted transaction)
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe('the emulated platform on PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDatabase();
  });
  afterEach(async () => {
    await db.exec(`SELECT set_config('request.jwt.claims', '', false), set_config('request.jwt.claim.sub', '', false)`);
  });

  const claims = async (json: unknown) => db.query(`SELECT set_config('request.jwt.claims', $1, false)`, [JSON.stringify(json)]);

  it('auth.uid(), role(), email(), jwt() read request.jwt.claims', async () => {
    const sub = '6f1e2b0c-1111-4222-8333-944445555666';
    await claims({ sub, role: 'authenticated', email: 'a@b.test' });
    const [row] = await db.query(`SELECT auth.uid() AS uid, auth.role() AS role, auth.email() AS email, auth.jwt() ->> 'sub' AS jwt_sub`);
    expect(row).toEqual({ uid: sub, role: 'authenticated', email: 'a@b.test', jwt_sub: sub });
    const [type] = await db.query(`SELECT pg_typeof(auth.uid())::text AS t, pg_typeof(auth.jwt())::text AS j`);
    expect(type).toEqual({ t: 'uuid', j: 'jsonb' });
  });

  it('request.jwt.claim.sub wins over request.jwt.claims when non-empty', async () => {
    await claims({ sub: '00000000-0000-4000-8000-00000000000a' });
    await db.query(`SELECT set_config('request.jwt.claim.sub', '00000000-0000-4000-8000-00000000000b', false)`);
    expect(await db.query('SELECT auth.uid()::text AS uid')).toEqual([{ uid: '00000000-0000-4000-8000-00000000000b' }]);
    await db.query(`SELECT set_config('request.jwt.claim.sub', '', false)`);
    expect(await db.query('SELECT auth.uid()::text AS uid')).toEqual([{ uid: '00000000-0000-4000-8000-00000000000a' }]);
  });

  it('gives NULL when no claim is set (or the setting is empty)', async () => {
    expect(await db.query('SELECT auth.uid() AS uid, auth.role() AS role, auth.jwt() AS jwt')).toEqual([{ uid: null, role: null, jwt: null }]);
    await claims({ role: 'anon' });
    expect(await db.query('SELECT auth.uid() AS uid, auth.role() AS role')).toEqual([{ uid: null, role: 'anon' }]);
  });

  it.each([
    ['a/b/c.png', ['a', 'b'], 'c.png', 'png'],
    ['c.png', [], 'c.png', 'png'],
    ['u1/archive.tar.gz', ['u1'], 'archive.tar.gz', 'gz'],
    ['folder.d/readme', ['folder.d'], 'readme', ''],
    ['a/b/', ['a', 'b'], '', ''],
    ['a/trailing.', ['a'], 'trailing.', ''],
  ])('storage path functions of %s', async (name, folders, file, extension) => {
    const [row] = await db.query(`SELECT storage.foldername($1) AS folders, storage.filename($1) AS file, storage.extension($1) AS extension`, [name]);
    expect(row).toEqual({ folders, file, extension });
  });

  it('storage path functions are immutable, strict and have a pinned search_path', async () => {
    const rows = await db.query<{ proname: string; provolatile: string; proisstrict: boolean; proconfig: string[] }>(
      `SELECT proname, provolatile, proisstrict, proconfig FROM pg_proc
       WHERE pronamespace = 'storage'::regnamespace AND prorettype <> 'trigger'::regtype ORDER BY proname`,
    );
    expect(rows).toEqual(
      ['extension', 'filename', 'foldername'].map((proname) => ({
        proname,
        provolatile: 'i',
        proisstrict: true,
        proconfig: ['search_path=""'],
      })),
    );
    expect(await db.query('SELECT storage.filename(NULL) AS f')).toEqual([{ f: null }]);
  });

  it('storage.objects generates path_tokens and keeps (bucket_id, name) unique', async () => {
    await db.exec(`INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars')`);
    const [row] = await db.query(`INSERT INTO storage.objects (bucket_id, name) VALUES ('avatars', 'u1/me.png') RETURNING path_tokens`);
    expect(row).toEqual({ path_tokens: ['u1', 'me.png'] });
    const [bucket] = await db.query(`SELECT public, avif_autodetection FROM storage.buckets WHERE id = 'avatars'`);
    expect(bucket).toEqual({ public: false, avif_autodetection: false });
    const error = await failure(db.query(`INSERT INTO storage.objects (bucket_id, name) VALUES ('avatars', 'u1/me.png')`));
    expect(error.code).toBe('23505');
    await db.exec(`BEGIN; SET LOCAL storage.allow_delete_query = 'true'; DELETE FROM storage.objects; DELETE FROM storage.buckets; COMMIT`);
  });

  it('RLS closes storage to the API roles until policies open it; service_role bypasses it', async () => {
    const user = await createUser(db);
    const error = await failure(asRole(db, { role: 'authenticated', sub: user }, (s) => s.query(`INSERT INTO storage.buckets (id, name) VALUES ('b', 'b')`)));
    expect(error.code).toBe('42501');
    const seen = await asRole(
      db,
      { role: 'service_role' },
      async (s) => {
        await s.query(`INSERT INTO storage.buckets (id, name) VALUES ('b', 'b')`);
        return s.query(`SELECT id, current_user AS who FROM storage.buckets`);
      },
      { rollback: true },
    );
    expect(seen).toEqual([{ id: 'b', who: 'service_role' }]);
    expect(await db.query('SELECT id FROM storage.buckets')).toEqual([]);
    // auth.users is not the API's
    expect((await failure(asRole(db, { role: 'service_role' }, (s) => s.query('SELECT * FROM auth.users')))).code).toBe('42501');
  });

  it('asRole sets the claims and the role as PostgREST does', async () => {
    const user = await createUser(db);
    const row = await asRole(db, { role: 'authenticated', sub: user }, async (s) =>
      s.query(`SELECT auth.uid()::text AS uid, auth.role() AS role, current_user AS who`),
    );
    expect(row).toEqual([{ uid: user, role: 'authenticated', who: 'authenticated' }]);
    expect(await db.query('SELECT current_user AS who')).toEqual([{ who: 'postgres' }]);
  });
});
