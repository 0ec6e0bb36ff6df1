/**
 * What the access tests (access-*.test.ts) share: an example compiled and
 * applied to each of the two backends — the test server's Postgres (the
 * cron database, with pg_cron, when the example has jobs) and an in-memory
 * PGlite — requests made as
 * PostgREST makes them, fixed ids with readable names, and expectations on
 * the two ways Postgres says no (SQLSTATE 42501).
 *
 * A test file calls
 * `describe.each(BACKENDS)('... on %s', (name) => { const b = useBackend(name, 'fresh', compiled, seed); ... })`:
 * every assertion of the describe runs once on each backend. Files whose
 * example schedules jobs say 'cron' instead of 'fresh': their Postgres
 * describe then holds the cron database (and its lock) while it runs, and
 * only that describe.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult, Target } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { DatabaseError } from '../../src/db/errors.js';
import { asRole, connect, createUser, dropDatabase, freshDatabase, memoryDatabase, withCronDatabase } from './harness.js';
import type { Actor, AsRoleOptions, RoleSession } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** examples/<name>/altan.yaml, compiled for `target` (default: altan, ending with apply_postgrest_permissions()). */
export async function compileExample(name: string, target: Target = 'altan'): Promise<CompileResult> {
  const text = readFileSync(join(ROOT, 'examples', name, 'altan.yaml'), 'utf8');
  return await compile(text, { fileName: 'altan.yaml', target });
}

export const BACKENDS = ['postgres', 'pglite'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface Backend {
  readonly name: BackendName;
  /** The admin connection (superuser, the tables' owner): seeds and checks, RLS does not apply. */
  readonly db: Database;
  /** A request as PostgREST makes it; commits unless `{ rollback: true }`. */
  as<T>(actor: Actor, fn: (session: RoleSession) => Promise<T>, options?: AsRoleOptions): Promise<T>;
  /** `as()` with one statement. */
  query<Row = Record<string, unknown>>(actor: Actor, sql: string, params?: readonly unknown[], options?: AsRoleOptions): Promise<Row[]>;
  /** A row in auth.users. */
  user(id?: string): Promise<string>;
}

/** Where the Postgres backend runs: the cron database (withCronDatabase()), or `fresh`: a database of its own. */
export type PostgresSource = 'cron' | 'fresh';

/**
 * In the calling describe: before its tests, `compiled` is applied to the
 * backend — the cron database (waited for, reset and held by
 * withCronDatabase() for the describe), a fresh database on the test server
 * (dropped after the describe), or a new PGlite — and `seed` runs. The
 * returned object is usable from then on.
 */
export function useBackend(
  name: BackendName,
  postgres: PostgresSource,
  compiled: CompileResult,
  seed: (backend: Backend) => Promise<void> = async () => {},
): Backend {
  // Registered first: its beforeAll (the lock, the reset) runs before the apply below.
  const cron = name === 'postgres' && postgres === 'cron' ? withCronDatabase() : undefined;
  let db: Database | undefined;
  let fresh: string | undefined;
  const ready = (): Database => {
    if (db === undefined) throw new Error(`useBackend(${name}): the database is ready from beforeAll on`);
    return db;
  };
  // asRole() finds the server through the connection harness.connect() made (the cron one included)
  const as: Backend['as'] = (actor, fn, options) => asRole(ready(), actor, fn, options);
  const backend: Backend = {
    name,
    get db() {
      return ready();
    },
    as,
    query: (actor, sql, params, options) => as(actor, (s) => s.query(sql, params), options),
    user: (id) => createUser(ready(), id),
  };
  beforeAll(async () => {
    let target: Database;
    if (name === 'pglite') target = await memoryDatabase();
    else if (cron !== undefined) target = cron.db;
    else {
      fresh = await freshDatabase(`access ${compiled.target}`);
      target = await connect(fresh);
    }
    const report = await apply(target, compiled);
    expect(report.status).toBe('applied');
    db = target;
    await seed(backend);
  }, 60_000);
  afterAll(async () => {
    if (fresh !== undefined) await dropDatabase(fresh);
  });
  return backend;
}

/** A fixed, readable uuid: uuid(0xa) = 00000000-0000-4000-8000-00000000000a. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * Names for the ids of a test world: `names(rows)` gives the sorted names of
 * the rows' ids (an id the world does not know shows as itself, so that an
 * unexpected row is visible in the failure).
 */
export function namer(ids: Readonly<Record<string, string>>) {
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  return (rows: readonly Record<string, unknown>[], key = 'id'): string[] => rows.map((r) => byId.get(String(r[key])) ?? String(r[key])).sort();
}

export const anon: Actor = { role: 'anon' };
export const serviceRole: Actor = { role: 'service_role' };
export const user = (sub: string): Actor => ({ role: 'authenticated', sub });

/** The DatabaseError `promise` rejects with; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (e) {
    if (e instanceof DatabaseError) return e;
    throw e;
  }
  throw new Error(`expected the request to fail, it succeeded with ${JSON.stringify(result)}`);
}

/** A row the policies' WITH CHECK refused: 42501 "new row violates row-level security policy". */
export async function expectRlsViolation(promise: Promise<unknown>): Promise<void> {
  const e = await failure(promise);
  expect({ code: e.code, message: e.message }).toEqual({
    code: '42501',
    message: expect.stringMatching(/^new row violates row-level security policy/),
  });
}

/** No privilege on the object: 42501 "permission denied for <kind> <name>". */
export async function expectPermissionDenied(promise: Promise<unknown>, object: RegExp): Promise<void> {
  const e = await failure(promise);
  expect({ code: e.code, message: e.message }).toEqual({
    code: '42501',
    message: expect.stringMatching(new RegExp(`^permission denied for ${object.source}`)),
  });
}
