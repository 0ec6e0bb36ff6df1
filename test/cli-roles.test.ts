/**
 * The commands (called in this process) run as a login role without the
 * privileges they need, on the test server: `bootstrap` (which creates roles and schemas) and `plan`,
 * `apply`, `verify` (which read auth and the record). Each is refused with
 * exit 2 and a message saying what Postgres refused and what to do, never an
 * internal error with a stack trace, and nothing is left half-made.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { STACK_TRACE, exampleProject, removeTemporaryDirectories, runCliInProcess } from './helpers.js';
import { connect, dropDatabase, freshDatabase, testDatabaseUrl } from './db/harness.js';
import { databaseOf, databaseUrl, userUrl } from './db/names.js';
import { catalogSnapshot } from './db/snapshot.js';

const env = { DATABASE_URL: undefined };
const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
/** A login role and nothing more. */
const PLAIN = `altan_t_plain_${suffix}`;
/** A login role that may read the pg_cron settings and create schemas in its database, but not tables in `storage`. */
const SCHEMAS = `altan_t_schemas_${suffix}`;

const databases: string[] = [];
let admin: Database;

beforeAll(async () => {
  admin = await connect(databaseUrl(testDatabaseUrl(), 'postgres'));
  await admin.exec(`CREATE ROLE ${PLAIN} LOGIN; CREATE ROLE ${SCHEMAS} LOGIN; GRANT pg_read_all_settings TO ${SCHEMAS}`);
});

afterAll(async () => {
  removeTemporaryDirectories();
  for (const url of databases) await dropDatabase(url);
  await admin?.exec(`DROP ROLE IF EXISTS ${PLAIN}; DROP ROLE IF EXISTS ${SCHEMAS}`);
});

async function database(label: string, bootstrapped: boolean): Promise<string> {
  const url = await freshDatabase(label, { bootstrapped });
  databases.push(url);
  return url;
}

/** What a vanilla database holds outside the system schemas: schemas, relations, functions. */
async function objects(db: Database): Promise<unknown[]> {
  return db.query(`
    SELECT 'schema' AS kind, nspname AS name FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'
    UNION ALL SELECT 'relation', c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2`);
}

/** One paragraph after the database line: the refusal, what bootstrap needs, that Supabase does not need it. */
function expectBootstrapRefused(r: { status: number | null; stdout: string; stderr: string }, url: string): string {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(r.stderr).not.toContain('internal error');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe(`database: ${url} (--database-url)`);
  const message = lines[1] ?? '';
  expect(message.startsWith(`altan-cloud: bootstrap was refused on ${url}`)).toBe(true);
  expect(message).toContain('(SQLSTATE 42501). bootstrap creates the roles anon, authenticated, service_role and authenticator, the schemas auth and storage');
  expect(message).toContain('run it as a superuser, or as a role with CREATEROLE that owns the database');
  expect(message).toContain('Nothing was changed.');
  expect(message).toContain('On Supabase the project already has all of this, so bootstrap is not needed there');
  return message;
}

describe('bootstrap as a role that is not a superuser', () => {
  it('a plain login role: refused at the pg_cron settings, exit 2, one paragraph, nothing made', { timeout: 60_000 }, async () => {
    const url = await database('bootstrap plain role', false);
    const owner = await connect(url);
    const before = await objects(owner);
    const as = userUrl(url, PLAIN);
    const message = expectBootstrapRefused(await runCliInProcess(['bootstrap', '--database-url', as], { cwd: exampleProject('todo'), env }), as);
    expect(message).toContain(`: must be superuser or have privileges of pg_read_all_settings to examine "cron.database_name" (SQLSTATE 42501)`);
    expect(await objects(owner)).toEqual(before);
  });

  it('a role that may create schemas, refused midway (storage belongs to another role): everything it made is rolled back', { timeout: 60_000 }, async () => {
    const url = await database('bootstrap schema role', false);
    const owner = await connect(url);
    // storage: visible to the role (USAGE, so the checks can look into it), not its to create in.
    await owner.exec(`GRANT CREATE ON DATABASE "${databaseOf(url)}" TO ${SCHEMAS}; CREATE SCHEMA storage; GRANT USAGE ON SCHEMA storage TO ${SCHEMAS}`);
    const before = await objects(owner);
    const as = userUrl(url, SCHEMAS);
    const message = expectBootstrapRefused(await runCliInProcess(['bootstrap', '--database-url', as], { cwd: exampleProject('todo'), env }), as);
    // Everything before storage.buckets was created in the transaction, then rolled back with it.
    expect(message).toContain(' while adding schema auth, auth.users, auth.uid(), auth.role(), auth.email(), auth.jwt(), storage.buckets,');
    expect(message).toContain(': permission denied for schema storage (SQLSTATE 42501)');
    expect(await objects(owner)).toEqual(before);
    expect(before).not.toContainEqual({ kind: 'schema', name: 'auth' });
  });
});

describe('plan, apply and verify as a role that may not read what they need', () => {
  it('exit 2 naming the database, what Postgres refused and what to do; nothing applied', { timeout: 60_000 }, async () => {
    const url = await database('commands plain role', true);
    const owner = await connect(url);
    const as = userUrl(url, PLAIN);
    const dir = exampleProject('todo');
    const before = await catalogSnapshot(owner);
    const refusal =
      `altan-cloud: ${as}: permission denied for schema auth (SQLSTATE 42501)\n` +
      "the role altan-cloud connects as lacks a privilege this needs: connect as the database's owner (on Supabase: postgres)\n";
    for (const command of ['plan', 'apply']) {
      const r = await runCliInProcess([command, '--database-url', as], { cwd: dir, env });
      expect(r.status, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stdout, command).toBe('');
      expect(r.stderr, command).toBe(`database: ${as} (--database-url)\n${refusal}`);
    }
    const verified = await runCliInProcess(['verify', '--database-url', as], { cwd: dir, env });
    expect(verified.status, verified.stderr).toBe(2);
    expect(verified.stderr).toBe(`database: ${as} (--database-url)\naltan-cloud: cannot verify ${as}: permission denied for schema auth\n`);
    expect(await catalogSnapshot(owner)).toEqual(before);
  });
});
