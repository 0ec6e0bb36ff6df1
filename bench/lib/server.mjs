/**
 * Databases of the benchmark on the test server: created fresh (altan_bench_*),
 * made to look like an Altan project with altan-cloud's own bootstrap, and
 * dropped afterwards. pg_cron runs only in the database named by the server's
 * cron.database_name, so these get the stand-in cron schema that the embedded
 * database uses: the SQL's cron.schedule calls then cost a row insert on both
 * sides of a comparison.
 */
import { join } from 'node:path';
import pg from 'pg';
import { CLI, ROOT, node } from './measure.mjs';

/** The URL of database `name` on the server of `url`. */
export function databaseUrl(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A connection to the server's maintenance database: CREATE/DROP DATABASE cannot run inside the dropped one. */
async function admin(url) {
  const client = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await client.connect();
  return client;
}

/** Names come from the benchmark itself, never from outside: checked anyway, as they are spliced into SQL. */
function checked(name) {
  if (!/^altan_bench_[a-z0-9_]+$/.test(name)) throw new Error(`bench: refusing database name ${name}`);
  return name;
}

export async function dropDatabase(url, name) {
  const client = await admin(url);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A new, bootstrapped database `name` (dropped first if a crashed run left it); returns its URL. */
export async function freshDatabase(url, name, { cronStandIn = true } = {}) {
  const client = await admin(url);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${checked(name)}`);
  } finally {
    await client.end();
  }
  const target = databaseUrl(url, name);
  node([CLI, 'bootstrap', '--database-url', target]);
  if (cronStandIn) {
    const { CRON_STAND_IN } = await import(join(ROOT, 'dist/execute/bootstrap.js'));
    await withClient(target, (c) => c.query(CRON_STAND_IN.create));
  }
  return target;
}

/**
 * Drops each database of `names` (if it is there) and creates it again as a copy of `template`, on one
 * connection. FILE_COPY (Postgres ≥ 15; older servers only copy files): a small template is copied
 * as files after a checkpoint instead of being written block by block through the WAL, ~4× faster
 * here and without ~8 MB of WAL per copy. Nobody may be connected to the template meanwhile.
 * An aborted `signal` stops it between two statements.
 */
export async function cloneDatabases(url, template, names, signal) {
  const client = await admin(url);
  try {
    const [{ version }] = (await client.query(`SELECT current_setting('server_version_num')::int AS version`)).rows;
    const strategy = version >= 150000 ? ' STRATEGY FILE_COPY' : '';
    for (const name of names) {
      signal?.throwIfAborted();
      await client.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${checked(name)} TEMPLATE ${checked(template)}${strategy}`);
    }
  } finally {
    await client.end();
  }
}

/** Drops each database of `names` that is there, on one connection, whoever is connected to it. */
export async function dropDatabases(url, names) {
  const client = await admin(url);
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The names of the server's databases that `pattern` (a RegExp) matches. */
export async function databasesMatching(url, pattern) {
  const client = await admin(url);
  try {
    const { rows } = await client.query('SELECT datname FROM pg_catalog.pg_database ORDER BY datname');
    return rows.map((r) => r.datname).filter((name) => pattern.test(name));
  } finally {
    await client.end();
  }
}

/** Runs `work` with a connection to `url`, closing it afterwards. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
