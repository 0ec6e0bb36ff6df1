/**
 * Running SQL as PostgREST does for a request: logged in as `authenticator`,
 * in a transaction, the JWT's claims in `request.jwt.claims`, then
 * `SET LOCAL ROLE` to the JWT's role. RLS, grants and auth.uid() then see
 * exactly what they would see behind the API.
 */
import { openPostgres } from '../../src/db/database.js';
import type { Database } from '../../src/db/database.js';
import { userUrl } from './names.js';

const ROLES = ['anon', 'authenticated', 'service_role'] as const;

type Claims = Readonly<Record<string, unknown>>;

/** Who makes the request; `claims` adds to (never replaces) role and sub in the JWT. */
export type Actor =
  | { readonly role: 'anon'; readonly claims?: Claims }
  | { readonly role: 'authenticated'; readonly sub: string; readonly claims?: Claims }
  | { readonly role: 'service_role'; readonly claims?: Claims };

/** What `fn` gets: the request's transaction. A failing statement throws a DatabaseError (with .code). */
export interface RoleSession {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  exec(sql: string): Promise<void>;
}

export interface AsRoleOptions {
  /** End with ROLLBACK instead of COMMIT: look, don't keep. Default false. */
  readonly rollback?: boolean;
  /** More transaction-local settings of the request, e.g. those Storage sets (storage.allow_delete_query). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** What Storage sets in each request's transaction besides claims and role: its delete guard lets the request delete. */
export const STORAGE_REQUEST: AsRoleOptions = { settings: { 'storage.allow_delete_query': 'true' } };

const urls = new WeakMap<Database, string>();

/** Tells asRole() where a server connection leads (the harness's connect() does it). */
export function rememberUrl(db: Database, url: string): void {
  urls.set(db, url);
}

/** One authenticator connection per database URL, kept for the test file. */
const authenticators = new Map<string, Promise<Database>>();

function authenticatorFor(url: string): Promise<Database> {
  let connection = authenticators.get(url);
  if (connection === undefined) {
    // No password: the test cluster trusts loopback, as scripts/test-db.sh sets it up.
    connection = openPostgres(userUrl(url, 'authenticator'));
    connection.catch(() => authenticators.delete(url));
    authenticators.set(url, connection);
  }
  return connection;
}

/** Closes the authenticator connection to `url`, or all of them. */
export async function closeRoleConnections(url?: string): Promise<void> {
  const entries = [...authenticators].filter(([key]) => url === undefined || key === url);
  for (const [key] of entries) authenticators.delete(key);
  await Promise.all(entries.map(async ([, connection]) => (await connection.catch(() => undefined))?.close()));
}

function connectionFor(target: Database | string): Promise<Database> {
  if (typeof target === 'string') return authenticatorFor(target);
  // PGlite has one connection, as superuser: the request runs on it.
  if (target.kind === 'embedded') return Promise.resolve(target);
  // A connection the harness did not open: its description is its URL minus the password.
  return authenticatorFor(urls.get(target) ?? target.description);
}

/** One request at a time per connection: concurrent asRole() calls would interleave their transactions. */
const queues = new WeakMap<Database, Promise<void>>();

function serialized<T>(connection: Database, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(connection) ?? Promise.resolve();
  const result = previous.then(run);
  queues.set(
    connection,
    result.then(
      () => {},
      () => {},
    ),
  );
  return result;
}

/**
 * Runs `fn` as `actor` would through PostgREST, on `target` (a server URL or
 * Database, or a PGlite Database); commits unless `options.rollback`. An error
 * rolls back and is rethrown as it came (a DatabaseError for SQL errors).
 */
export async function asRole<T>(target: Database | string, actor: Actor, fn: (session: RoleSession) => Promise<T>, options: AsRoleOptions = {}): Promise<T> {
  // Interpolated into SET LOCAL ROLE below: only the three API roles.
  if (!ROLES.includes(actor.role)) throw new Error(`asRole: unknown role ${String(actor.role)}`);
  const claims = { ...actor.claims, role: actor.role, ...('sub' in actor ? { sub: actor.sub } : {}) };
  const connection = await connectionFor(target);
  return serialized(connection, async () => {
    await connection.query('BEGIN');
    try {
      await connection.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
      for (const [name, value] of Object.entries(options.settings ?? {})) {
        await connection.query('SELECT set_config($1, $2, true)', [name, value]);
      }
      await connection.query(`SET LOCAL ROLE ${actor.role}`);
      const result = await fn({
        query: (sql, params) => connection.query(sql, params),
        exec: (sql) => connection.exec(sql),
      });
      await connection.query(options.rollback === true ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (e) {
      await connection.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}
