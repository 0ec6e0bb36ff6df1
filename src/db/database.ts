/**
 * One small interface over the two databases altan-cloud runs against: a real
 * Postgres server (node-postgres, one connection) and the embedded PGlite.
 * Everything above this module is written once against `Database`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SNAPSHOT_FILE, unpackSnapshotIfNew } from './embeddedSnapshot.js';
import { ConnectionError, asDatabaseError, connectFailure } from './errors.js';
import { lockFile } from './fileLock.js';
import { DatabaseUrlError, checkDatabaseUrl, redactUrl } from './url.js';

export { redactUrl } from './url.js';

export interface Database {
  readonly kind: 'postgres' | 'embedded';
  /** Where it is, for messages; never contains a password. */
  readonly description: string;
  /** One statement, with $1… parameters; returns the rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Any number of statements in one round trip (simple query protocol), no parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** What one statement of a script returned: its command (`SELECT`, `INSERT`, …), its columns and rows (values by column), and how many rows it returned or changed. */
export interface StatementResult {
  readonly command: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly rowCount: number;
}

/**
 * A database altan-cloud opened itself (openPostgres, openEmbedded), which can also run a script of
 * statements and give each one's result, for `altan-cloud sql`. Rows come as arrays, so that two
 * columns of one name (`select 1 as a, 2 as a`) both show.
 */
export interface OpenedDatabase extends Database {
  script(sql: string): Promise<StatementResult[]>;
}

interface DriverResult {
  readonly command?: string | null;
  readonly fields: readonly { readonly name: string }[];
  readonly rows: readonly unknown[];
  readonly rowCount?: number | null;
}

const statementResult = (r: DriverResult): StatementResult => ({
  command: r.command ?? '',
  columns: r.fields.map((f) => f.name),
  rows: r.rows as unknown[][],
  rowCount: r.rowCount ?? r.rows.length,
});

/**
 * Pinned on every connection before anything else is sent, because a server,
 * database, role or connection URL (`options=-c ...`) may set them otherwise
 * and they change how the text the tool sends is read:
 * standard_conforming_strings decides whether a backslash escapes a quote (a
 * multi-statement script is split into statements with the setting in force
 * when it arrives, so a `SET LOCAL` inside it comes too late for its own
 * text); client_encoding decides which bytes form a character; DateStyle and
 * IntervalStyle how dates and intervals are read and printed (node-postgres
 * reads them back assuming these). The transaction pins the rest that affect
 * its own statements (blueprints/begin.sql.ejs).
 */
export const SESSION_SETTINGS = [
  'SET standard_conforming_strings = on',
  "SET client_encoding = 'UTF8'",
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
].join('; ');

async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw asDatabaseError(e);
  }
}

/**
 * `db` with every error it throws as a `DatabaseError`, whoever made it: a
 * `Database` the caller brings (over their own pg client, say) gets the same
 * positioned apply errors and coded problems as openPostgres's and PGlite's.
 * The library's entry points (apply, plan, verify, bootstrap) take a database through it.
 */
export function withDatabaseErrors(db: Database): Database {
  return {
    kind: db.kind,
    description: db.description,
    query: <Row>(sql: string, params?: readonly unknown[]) => translated(() => db.query<Row>(sql, params)),
    exec: (sql: string) => translated(() => db.exec(sql)),
    close: () => db.close(),
  };
}

const CONNECT_TIMEOUT_MS = 10_000;

/** One connection to a Postgres server. */
export async function openPostgres(url: string): Promise<OpenedDatabase> {
  // Read for problems first: a password that is not percent-encoded ends as a clear error, never in a message.
  checkDatabaseUrl(url);
  const description = redactUrl(url);
  // Loaded on demand: node-postgres costs every command ~30 ms of start-up, and only these two need it.
  const pg = (await import('pg')).default;
  let client: InstanceType<typeof pg.Client>;
  try {
    client = new pg.Client({ connectionString: url, application_name: 'altan-cloud', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  } catch {
    // node-postgres refused what checkDatabaseUrl let through; its message may quote the URL.
    throw new DatabaseUrlError(`the database URL ${description} cannot be read by node-postgres`);
  }
  // A connection killed by the server surfaces as a rejected query; without a
  // listener the same event would also crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw connectFailure(description, e);
  }
  try {
    await client.query(SESSION_SETTINGS);
  } catch (e) {
    await client.end().catch(() => {});
    throw new ConnectionError(`cannot set up the connection to ${description}: ${(e as Error).message}`);
  }
  return {
    kind: 'postgres',
    description,
    query: async <Row>(sql: string, params: readonly unknown[] = []) => translated(async () => (await client.query(sql, [...params])).rows as Row[]),
    exec: async (sql: string) => {
      await translated(() => client.query(sql));
    },
    // Simple query protocol (no parameters): one result per statement, one object for a single one.
    script: (sql: string) =>
      translated(async () => {
        const results = (await client.query({ text: sql, rowMode: 'array' })) as unknown as DriverResult | DriverResult[];
        return (Array.isArray(results) ? results : [results]).map(statementResult);
      }),
    close: () => client.end().catch(() => {}),
  };
}

type PGliteInstance = import('@electric-sql/pglite').PGlite;

/** A PGlite instance as a Database (exported for the tests, which start theirs from a data directory made once). */
export async function pgliteDatabase(db: PGliteInstance, description: string, release: () => void): Promise<OpenedDatabase> {
  // An embedded database's own settings (ALTER DATABASE ... SET) apply to it as to a server.
  await db.exec(SESSION_SETTINGS);
  return {
    kind: 'embedded',
    description,
    query: async <Row>(sql: string, params: readonly unknown[] = []) => translated(async () => (await db.query<Row>(sql, [...params])).rows),
    exec: async (sql: string) => {
      await translated(() => db.exec(sql));
    },
    script: (sql: string) => translated(async () => (await db.exec(sql, { rowMode: 'array' })).map(statementResult)),
    close: async () => {
      await db.close().catch(() => {});
      release();
    },
  };
}

// Loaded on demand: PGlite's WASM costs start-up time that a server user should not pay.
const loadPGlite = async () => (await import('@electric-sql/pglite')).PGlite;

/**
 * PGlite's own start parameters, with shared buffers of 16 MB instead of Postgres' 128 MB: PGlite runs
 * one backend in one process, where the buffers are plain WebAssembly memory that it sets up at every
 * open, so the default costs ~80 ms and ~130 MiB of every command; a project's embedded database fits
 * (the operating system's cache holds its files as well).
 */
export const embeddedStartParams = (PGlite: { readonly defaultStartParams: readonly string[] }): string[] => [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=16MB',
];

/**
 * The embedded database in `dir`, created on first use (unpacked from the build's snapshot when there is one,
 * src/db/embeddedSnapshot.ts); one process at a time (a lock file beside it).
 * A relative `dir` is taken from `options.cwd` (default: the process's working directory); messages name it as given.
 */
export async function openEmbedded(dir: string, options: { readonly cwd?: string } = {}): Promise<OpenedDatabase> {
  const path = resolve(options.cwd ?? '', dir);
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new ConnectionError(`cannot create the embedded database at ${dir}: ${(e as Error).message}`);
  }
  const release = await lockFile(`${path}.lock`);
  try {
    unpackSnapshotIfNew(path);
  } catch (e) {
    release();
    throw new ConnectionError(`cannot create the embedded database at ${dir}: ${(e as Error).message}`);
  }
  try {
    const PGlite = await loadPGlite();
    const db = await PGlite.create(path, { startParams: embeddedStartParams(PGlite) });
    return await pgliteDatabase(db, `embedded database ${dir} (PGlite)`, release);
  } catch (e) {
    release();
    throw new ConnectionError(`cannot open the embedded database at ${dir}: ${(e as Error).message}`);
  }
}

/**
 * A throw-away in-memory embedded database (tests; `migration new` replays a folder of migrations on one).
 * Started from the build's snapshot when there is one, as a new embedded database is: PGlite's initdb takes seconds.
 */
export async function openMemory(): Promise<OpenedDatabase> {
  const PGlite = await loadPGlite();
  const snapshot = existsSync(SNAPSHOT_FILE) ? { loadDataDir: new Blob([readFileSync(SNAPSHOT_FILE)], { type: 'application/x-gzip' }) } : {};
  return pgliteDatabase(await PGlite.create({ ...snapshot, startParams: embeddedStartParams(PGlite) }), 'in-memory PGlite database', () => {});
}
