/**
 * Makes a vanilla Postgres (a server, or the embedded PGlite) look like an
 * Altan / Supabase project: the API roles, GoTrue's auth schema, Storage's
 * schema, pg_cron (or a stand-in) and apply_postgrest_permissions().
 *
 * Declarative and idempotent: a list of components, each with a catalog check
 * and the SQL that creates it. A component that exists is reported present and
 * left alone, whatever its shape: on a real Supabase project everything is
 * present and the bootstrap changes nothing. One transaction, after the same
 * advisory lock as an apply, so that a bootstrap never interleaves with one.
 */
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { evaluate, relationExists, roleExists, routineExists, schemaExists } from '../db/catalog.js';
import { DatabaseError, INSUFFICIENT_PRIVILEGE } from '../db/errors.js';
import { LOCK_SQL } from '../db/lock.js';
import { resolveTimeouts, withTimeouts } from '../db/sessionTimeouts.js';
import type { TimeoutOptions } from '../db/sessionTimeouts.js';
import { AltanError } from '../problems.js';
import * as sql from './bootstrapSql.js';

export interface BootstrapReport {
  /** Components created by this run, in creation order. */
  readonly added: readonly string[];
  /** Components found in place, untouched. */
  readonly present: readonly string[];
  /** What the caller should know: missing pg_cron, jobs that will not run. */
  readonly notes: readonly string[];
}

export interface Component {
  /** As it appears in the report. */
  readonly name: string;
  /** A boolean SQL expression: true when the component is already there. */
  readonly exists: string;
  /** Statements creating it; run only when `exists` is false. */
  readonly create: string;
}

/** In dependency order: roles before the grants naming them, schemas before their tables. */
export const COMPONENTS: readonly Component[] = [
  { name: 'role anon', exists: roleExists('anon'), create: sql.CREATE_ANON },
  { name: 'role authenticated', exists: roleExists('authenticated'), create: sql.CREATE_AUTHENTICATED },
  { name: 'role service_role', exists: roleExists('service_role'), create: sql.CREATE_SERVICE_ROLE },
  { name: 'role authenticator', exists: roleExists('authenticator'), create: sql.CREATE_AUTHENTICATOR },
  { name: 'schema auth', exists: schemaExists('auth'), create: sql.CREATE_AUTH_SCHEMA },
  { name: 'auth.users', exists: relationExists('auth.users'), create: sql.CREATE_AUTH_USERS },
  { name: 'auth.uid()', exists: routineExists('auth.uid()'), create: sql.CREATE_AUTH_UID },
  { name: 'auth.role()', exists: routineExists('auth.role()'), create: sql.CREATE_AUTH_ROLE },
  { name: 'auth.email()', exists: routineExists('auth.email()'), create: sql.CREATE_AUTH_EMAIL },
  { name: 'auth.jwt()', exists: routineExists('auth.jwt()'), create: sql.CREATE_AUTH_JWT },
  { name: 'schema storage', exists: schemaExists('storage'), create: sql.CREATE_STORAGE_SCHEMA },
  { name: 'storage.buckets', exists: relationExists('storage.buckets'), create: sql.CREATE_STORAGE_BUCKETS },
  { name: 'storage.objects', exists: relationExists('storage.objects'), create: sql.CREATE_STORAGE_OBJECTS },
  {
    name: 'storage delete guard',
    exists: routineExists('storage.protect_delete()'),
    create: sql.CREATE_STORAGE_DELETE_GUARD,
  },
  { name: 'storage.foldername()', exists: routineExists('storage.foldername(text)'), create: sql.CREATE_STORAGE_FOLDERNAME },
  { name: 'storage.filename()', exists: routineExists('storage.filename(text)'), create: sql.CREATE_STORAGE_FILENAME },
  { name: 'storage.extension()', exists: routineExists('storage.extension(text)'), create: sql.CREATE_STORAGE_EXTENSION },
  {
    name: 'public.apply_postgrest_permissions()',
    exists: routineExists('public.apply_postgrest_permissions()'),
    create: sql.CREATE_APPLY_POSTGREST_PERMISSIONS,
  },
];

export const PG_CRON: Component = {
  name: 'pg_cron',
  exists: `EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')`,
  create: sql.CREATE_PG_CRON,
};

export const CRON_STAND_IN: Component = {
  name: 'cron (stand-in: jobs are recorded, never run)',
  exists: schemaExists('cron'),
  create: sql.CREATE_CRON_STAND_IN,
};

/** Said by bootstrap, and by apply when a file has jobs. */
export const EMBEDDED_CRON_NOTE = 'the embedded database has no pg_cron: cron jobs are recorded in its stand-in cron.job table and never run there';

interface CronFacts {
  readonly installed: boolean;
  readonly available: boolean;
  /** cron.database_name; NULL when pg_cron is not in shared_preload_libraries. */
  readonly cron_database: string | null;
  readonly database: string;
  readonly major: string;
}

/** Which cron component this database gets, or why it gets none. */
async function cronPlan(db: Database): Promise<{ component?: Component; note?: string }> {
  if (db.kind === 'embedded') return { component: CRON_STAND_IN, note: EMBEDDED_CRON_NOTE };
  const [facts] = await db.query<CronFacts>(`
    SELECT ${PG_CRON.exists} AS installed,
           EXISTS (SELECT FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron') AS available,
           pg_catalog.current_setting('cron.database_name', true) AS cron_database,
           pg_catalog.current_database() AS database,
           (pg_catalog.current_setting('server_version_num')::int / 10000)::text AS major`);
  if (facts === undefined) throw new Error('the pg_cron check returned no row');
  // Installed here: report it present, whatever the settings say.
  if (facts.installed || (facts.available && facts.cron_database === facts.database)) return { component: PG_CRON };
  const here = JSON.stringify(facts.database);
  const settings = `shared_preload_libraries = 'pg_cron' and cron.database_name = '${facts.database}' in postgresql.conf, then restart the server`;
  if (!facts.available) {
    return {
      note: `pg_cron is not installed on the server: install it (Debian/Ubuntu: apt-get install -y postgresql-${facts.major}-cron), set ${settings}; until then scheduled jobs cannot be created in ${here}`,
    };
  }
  if (facts.cron_database === null) {
    return { note: `pg_cron is installed but not loaded: set ${settings}; until then scheduled jobs cannot be created in ${here}` };
  }
  return {
    note: `pg_cron runs in database ${JSON.stringify(facts.cron_database)} (cron.database_name), not in ${here}: scheduled jobs cannot be created here`,
  };
}

/**
 * Postgres refused the bootstrap a privilege (SQLSTATE 42501): the connecting role is not a superuser
 * (code `bootstrap-needs-superuser`, category `database`). Nothing was changed.
 */
export class BootstrapError extends AltanError {
  constructor(
    message: string,
    /** What Postgres said. */
    readonly refused: DatabaseError,
  ) {
    super(message, 'database', {
      code: 'bootstrap-needs-superuser',
      message: refused.message,
      sqlstate: INSUFFICIENT_PRIVILEGE,
      hint: 'run bootstrap as a superuser (or a role with CREATEROLE that owns the database); on Supabase it is not needed',
    });
    this.name = 'BootstrapError';
  }
}

/** One paragraph: what was refused, what bootstrap needs, and that Supabase has it all already. */
function refusedMessage(db: Database, e: DatabaseError, adding: readonly Component[] | undefined): string {
  const what = adding === undefined || adding.length === 0 ? '' : ` while adding ${adding.map((c) => c.name).join(', ')}`;
  return (
    `bootstrap was refused on ${db.description}${what}: ${e.message} (SQLSTATE ${INSUFFICIENT_PRIVILEGE}). ` +
    'bootstrap creates the roles anon, authenticated, service_role and authenticator, the schemas auth and storage ' +
    "with their tables and functions, and pg_cron, and reads the server's pg_cron settings: run it as a superuser, " +
    'or as a role with CREATEROLE that owns the database (or may create schemas in it) and has pg_read_all_settings. ' +
    'Nothing was changed. On Supabase the project already has all of this, so bootstrap is not needed there: ' +
    'run `altan-cloud apply` directly.'
  );
}

/** `timeouts`: as apply's (ApplyOptions). */
export type BootstrapOptions = TimeoutOptions;

/**
 * Creates what is missing, in one transaction; rolls everything back on any error and rethrows it
 * (a privilege the connecting role lacks as a `BootstrapError`).
 */
export async function bootstrap(given: Database, options: BootstrapOptions = {}): Promise<BootstrapReport> {
  const db = withDatabaseErrors(given);
  let adding: readonly Component[] | undefined;
  return withTimeouts(db, resolveTimeouts(options.timeouts), 'nothing was changed', async () => {
    try {
      return await bootstrapWith(db, (missing) => (adding = missing));
    } catch (e) {
      if (e instanceof DatabaseError && e.code === INSUFFICIENT_PRIVILEGE) throw new BootstrapError(refusedMessage(db, e, adding), e);
      throw e;
    }
  });
}

async function bootstrapWith(db: Database, adding: (missing: readonly Component[]) => void): Promise<BootstrapReport> {
  const notes: string[] = [];
  const cron = await cronPlan(db);
  if (cron.note !== undefined) notes.push(cron.note);
  const components = cron.component === undefined ? COMPONENTS : [...COMPONENTS, cron.component];
  // Usually everything is there (the embedded database is bootstrapped on every open): then one
  // query answers, without a transaction or the lock. Otherwise all is checked again under the lock.
  const before = await evaluate(
    db,
    components.map((c) => c.exists),
  );
  if (before.every(Boolean)) return { added: [], present: components.map((c) => c.name), notes };
  await db.query('BEGIN');
  try {
    await db.query(LOCK_SQL);
    // Every check in one round trip, every missing piece in another.
    const found = await evaluate(
      db,
      components.map((c) => c.exists),
    );
    const missing = components.filter((_c, i) => !found[i]);
    adding(missing);
    if (missing.length > 0) await db.exec(missing.map((c) => c.create).join('\n'));
    await db.query('COMMIT');
    return { added: missing.map((c) => c.name), present: components.filter((c) => !missing.includes(c)).map((c) => c.name), notes };
  } catch (e) {
    // The original error matters, not a failing ROLLBACK on a broken connection.
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
