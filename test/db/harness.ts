/**
 * What database tests share: the test server's URL, the cron database (one
 * file at a time), fresh bootstrapped databases cloned from a template,
 * bootstrapped PGlite (loaded from a snapshot made once per run), a reset back to just-bootstrapped, users, and running
 * SQL as PostgREST would for a given JWT (roles.ts).
 *
 * Connections opened here are closed after each test file (the afterAll
 * below: importing this module registers it for the importing file).
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bootstrap } from '../../src/execute/bootstrap.js';
import type { BootstrapReport } from '../../src/execute/bootstrap.js';
import { openPostgres } from '../../src/db/database.js';
import type { Database } from '../../src/db/database.js';
import { LOCK_SQL } from '../../src/db/lock.js';
import { FRESH_PREFIX, databaseOf, databaseUrl, freshName, templateName } from './names.js';
import { openSnapshot } from './pglite.js';
import { asRole, closeRoleConnections, rememberUrl } from './roles.js';
import type { Actor, AsRoleOptions, RoleSession } from './roles.js';
import { reportLeftovers } from '../scratch.js';

export { asRole };
export type { Actor, AsRoleOptions, RoleSession };

/** Session lock serializing the test files that use the cron database ('test'). */
export const CRON_DATABASE_LOCK_KEY = 0x74657374;
/** Lock on the postgres database guarding the template's creation ('tplt'). */
export const TEMPLATE_LOCK_KEY = 0x74706c74;
/** How long a file may wait for the cron database while other files use it. */
const CRON_WAIT_MS = 300_000;

/** The test server's cron database (pg_cron's cron.database_name), from the global setup. */
export function testDatabaseUrl(): string {
  const url = inject('testDatabaseUrl') || process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('no test database: test/db/globalSetup.ts did not run and TEST_DATABASE_URL is unset');
  return url;
}

const opened = new Set<Database>();
/** Databases freshDatabase() made in this file and dropDatabase() has not dropped yet. */
const made = new Set<string>();

afterAll(async () => {
  await closeRoleConnections();
  await Promise.all([...opened].map((db) => db.close()));
  opened.clear();
  // A test drops what it makes, also when it fails: the file fails (test/scratch.ts) naming what it left, dropped now.
  const left = [...made];
  if (left.length === 0) return;
  for (const name of left) await dropDatabase(databaseUrl(testDatabaseUrl(), name));
  reportLeftovers(`the file left ${left.length} database(s) on the test server (now dropped): ${left.join(', ')}`);
});

/** A connection to `url`, closed after the file; asRole() knows its URL. */
export async function connect(url: string): Promise<Database> {
  const db = await openPostgres(url);
  opened.add(db);
  rememberUrl(db, url);
  return db;
}

/** A bootstrapped in-memory PGlite (from the run's snapshot, test/db/pglite.ts), closed after the file. */
export async function memoryDatabase(): Promise<Database> {
  const db = await openSnapshot('bootstrapped');
  opened.add(db);
  return db;
}

export interface CronDatabase {
  /** The connection holding the file's lock; valid from beforeAll on. */
  readonly db: Database;
  readonly url: string;
  /** Back to just-bootstrapped (it is reset before the file's first test too). */
  reset(): Promise<BootstrapReport>;
  asRole<T>(actor: Actor, fn: (session: RoleSession) => Promise<T>, options?: AsRoleOptions): Promise<T>;
  createUser(id?: string): Promise<string>;
}

/**
 * For a test file that needs pg_cron: call it at the top of the file. Before
 * the first test it connects to the cron database, waits for its session
 * lock (files using the cron database run one after the other, whatever
 * vitest runs in parallel), resets and bootstraps it; after the last test it
 * lets go. Jobs of the file's own tests are left for the next reset.
 */
export function withCronDatabase(): CronDatabase {
  let current: Database | undefined;
  const db = (): Database => {
    if (current === undefined) throw new Error('withCronDatabase(): the database is ready from beforeAll on');
    return current;
  };
  beforeAll(async () => {
    const connection = await connect(testDatabaseUrl());
    await connection.query('SELECT pg_advisory_lock($1)', [CRON_DATABASE_LOCK_KEY]);
    current = connection;
    // bootstrap first: the very first file on a new cluster finds it vanilla
    await bootstrap(connection);
    await resetDatabase(connection);
  }, CRON_WAIT_MS);
  afterAll(async () => {
    if (current === undefined) return;
    await current.query('SELECT pg_advisory_unlock($1)', [CRON_DATABASE_LOCK_KEY]).catch(() => {});
    await current.close();
    opened.delete(current);
    current = undefined;
  });
  return {
    get db() {
      return db();
    },
    get url() {
      return testDatabaseUrl();
    },
    reset: () => resetDatabase(db()),
    asRole: (actor, fn, options) => asRole(db(), actor, fn, options),
    createUser: (id) => createUser(db(), id),
  };
}

let templateReady: Promise<string> | undefined;

/** Creates the bootstrapped template once per cluster and bootstrap version; returns its name. */
async function ensureTemplate(): Promise<string> {
  const template = templateName();
  const url = testDatabaseUrl();
  const postgres = await openPostgres(databaseUrl(url, 'postgres'));
  try {
    // Concurrent test files: one creates it, the others wait and find it.
    await postgres.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const [found] = await postgres.query('SELECT FROM pg_database WHERE datname = $1', [template]);
    if (found !== undefined) return template;
    // Built under another name and renamed when complete: a crash mid-way
    // never leaves a half-bootstrapped template behind.
    const building = `${template}_building`;
    await postgres.exec(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await postgres.exec(`CREATE DATABASE "${building}" TEMPLATE template0`);
    const db = await openPostgres(databaseUrl(url, building));
    try {
      await bootstrap(db);
    } finally {
      await db.close();
    }
    await postgres.exec(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    return template;
  } finally {
    await postgres.close(); // ends the session: releases the lock
  }
}

let counter = 0;

export interface FreshDatabaseOptions {
  /** false: a vanilla database (from template0), for testing the bootstrap itself. Default true. */
  readonly bootstrapped?: boolean;
}

/** A new database of its own on the test server, bootstrapped; returns its URL. Drop it with dropDatabase(). */
export async function freshDatabase(label: string, options: FreshDatabaseOptions = {}): Promise<string> {
  const url = testDatabaseUrl();
  let template = 'template0';
  if (options.bootstrapped !== false) {
    templateReady ??= ensureTemplate();
    template = await templateReady.catch((e: unknown) => {
      templateReady = undefined; // let the next test try again
      throw e;
    });
  }
  const name = freshName(label, ++counter);
  const postgres = await openPostgres(databaseUrl(url, 'postgres'));
  try {
    await postgres.exec(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    made.add(name);
  } finally {
    await postgres.close();
  }
  return databaseUrl(url, name);
}

/** Drops a database made by freshDatabase(), closing whatever is still connected to it. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseOf(url);
  if (!name.startsWith(FRESH_PREFIX)) throw new Error(`dropDatabase: ${name} was not made by freshDatabase()`);
  await closeRoleConnections(url);
  const postgres = await openPostgres(databaseUrl(testDatabaseUrl(), 'postgres'));
  try {
    await postgres.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    made.delete(name);
  } finally {
    await postgres.close();
  }
}

/** Everything but the system schemas and those the bootstrap owns goes. */
const DROP_SCHEMAS = String.raw`
DO $reset$
DECLARE
  s name;
BEGIN
  FOR s IN
    SELECT nspname FROM pg_catalog.pg_namespace
    WHERE nspname NOT IN ('auth', 'storage', 'cron', 'information_schema') AND nspname NOT LIKE 'pg\_%'
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END
$reset$;`;

// As initdb leaves it (owned by the database owner, USAGE for everyone), plus
// Supabase's explicit USAGE for the API roles.
const RECREATE_PUBLIC = `
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
COMMENT ON SCHEMA public IS 'standard public schema';
GRANT USAGE ON SCHEMA public TO PUBLIC;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;`;

// Storage's delete guard lets a transaction delete once it says so, as the Storage API does.
const EMPTY_AUTH_AND_STORAGE = `
SET LOCAL storage.allow_delete_query = 'true';
DELETE FROM storage.objects;
DELETE FROM storage.buckets;
DO $reset$
DECLARE
  p record;
BEGIN
  FOR p IN
    SELECT policyname, schemaname, tablename FROM pg_catalog.pg_policies
    WHERE schemaname = 'storage' AND tablename IN ('objects', 'buckets')
  LOOP
    EXECUTE format('DROP POLICY %I ON %I.%I', p.policyname, p.schemaname, p.tablename);
  END LOOP;
END
$reset$;
DELETE FROM auth.users;`;

// pg_cron's jobs go through cron.unschedule (its job cache follows); the
// stand-in is only a table.
const NO_CRON_JOBS = `
DO $reset$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    PERFORM cron.unschedule(jobid) FROM cron.job;
    DELETE FROM cron.job_run_details;
  ELSIF pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
    DELETE FROM cron.job;
  END IF;
END
$reset$;`;

// A realtime file's publication (supabase_realtime) outlives its tables: bootstrap makes none.
const NO_PUBLICATIONS = `
DO $reset$
DECLARE
  p name;
BEGIN
  FOR p IN SELECT pubname FROM pg_catalog.pg_publication LOOP
    EXECUTE format('DROP PUBLICATION %I', p);
  END LOOP;
END
$reset$;`;

/** Brings a bootstrapped database back to just-bootstrapped; returns the closing bootstrap's report. */
export async function resetDatabase(db: Database): Promise<BootstrapReport> {
  await db.query('BEGIN');
  try {
    await db.query(LOCK_SQL);
    // Schemas first: their tables' foreign keys to auth.users and storage go with them.
    await db.exec(DROP_SCHEMAS + RECREATE_PUBLIC + EMPTY_AUTH_AND_STORAGE + NO_CRON_JOBS + NO_PUBLICATIONS);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
  return bootstrap(db);
}

/** A row in auth.users (id random unless given); returns its id. */
export async function createUser(db: Database, id: string = randomUUID()): Promise<string> {
  const [row] = await db.query<{ id: string }>('INSERT INTO auth.users (id, email) VALUES ($1, $2) RETURNING id::text AS id', [id, `${id}@users.test`]);
  if (row === undefined) throw new Error('createUser: no row returned');
  return row.id;
}
