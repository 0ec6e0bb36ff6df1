/**
 * Names and URLs of the test cluster's databases, shared by the global setup
 * (which removes leftovers) and the harness (which creates them).
 */
import { createHash } from 'node:crypto';
import { COMPONENTS } from '../../src/execute/bootstrap.js';

/** Databases made by freshDatabase(): `altan_t_<pid>_<n>_<label>`. */
export const FRESH_PREFIX = 'altan_t_';
/** The bootstrapped template they are cloned from: `altan_tpl_<bootstrap hash>`. */
export const TEMPLATE_PREFIX = 'altan_tpl_';

/**
 * The cluster outlives test runs: a template bootstrapped by older code must
 * not be reused, so its name carries a hash of the bootstrap's SQL.
 */
export function templateName(): string {
  const hash = createHash('sha256').update(JSON.stringify(COMPONENTS)).digest('hex').slice(0, 12);
  return `${TEMPLATE_PREFIX}${hash}`;
}

const MAX_IDENTIFIER = 63;

/** A database name unique in this process, readable in pg_database. */
export function freshName(label: string, counter: number): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return `${FRESH_PREFIX}${process.pid}_${counter}_${slug}`.slice(0, MAX_IDENTIFIER);
}

/** The pid that created a fresh database, from its name; undefined for other names. */
export function freshDatabaseCreator(name: string): number | undefined {
  const pid = /^altan_t_(\d+)_\d+_/.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** The same server, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The same server and database, another user (no password: the test cluster trusts loopback). */
export function userUrl(url: string, user: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = '';
  return u.toString();
}

/** The database a URL names. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}
