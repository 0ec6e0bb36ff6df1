/**
 * A test database shaped like a real Supabase project (../shared/supabase-facts.md):
 * the tool connects as a NOSUPERUSER CREATEDB CREATEROLE BYPASSRLS role standing
 * for `postgres`, member of anon, authenticated, service_role and of the role
 * that owns storage.buckets and storage.objects (as older projects have it);
 * Storage's tables carry its delete guard (the bootstrap's). Roles are
 * cluster-wide: they are created idempotently under names no other test uses.
 */
import { createRole } from '../../src/execute/bootstrapSql.js';
import { openPostgres } from '../../src/db/database.js';
import type { Database } from '../../src/db/database.js';
import { countedSql, storageSettings } from '../../src/verify/storageRequests.js';
import type { StorageOperation } from '../../src/verify/storageRequests.js';
import { connect, freshDatabase, memoryDatabase } from './harness.js';
import { asRole } from './roles.js';
import type { Actor } from './roles.js';
import { userUrl } from './names.js';

/** Stands for supabase_storage_admin: owns Storage's tables. */
export const STORAGE_ADMIN = 'altan_test_storage_admin';
/** Stands for Supabase's `postgres`. */
export const PROJECT_OWNER = 'altan_test_project_owner';
/** A login role that neither owns storage.objects nor is a member of its owner. */
export const OUTSIDER = 'altan_test_outsider';

const ROLES = [
  createRole(STORAGE_ADMIN, 'NOLOGIN'),
  createRole(PROJECT_OWNER, 'LOGIN NOSUPERUSER CREATEDB CREATEROLE BYPASSRLS', `anon, authenticated, service_role, ${STORAGE_ADMIN}`),
  createRole(OUTSIDER, 'LOGIN NOSUPERUSER BYPASSRLS', 'anon, authenticated, service_role'),
].join('\n');

// Run as the cluster's superuser in the new database: hand it over as Supabase has it.
const SHAPE = `
DO $shape$
BEGIN
  EXECUTE format('ALTER DATABASE %I OWNER TO ${PROJECT_OWNER}', current_database());
  EXECUTE format('GRANT CREATE ON DATABASE %I TO ${OUTSIDER}', current_database());
END
$shape$;
ALTER SCHEMA public OWNER TO ${PROJECT_OWNER};
ALTER TABLE storage.buckets OWNER TO ${STORAGE_ADMIN};
ALTER TABLE storage.objects OWNER TO ${STORAGE_ADMIN};
ALTER FUNCTION storage.protect_delete() OWNER TO ${STORAGE_ADMIN};
GRANT USAGE ON SCHEMA auth, storage TO ${STORAGE_ADMIN}, ${PROJECT_OWNER}, ${OUTSIDER};
GRANT ALL ON auth.users TO ${PROJECT_OWNER}, ${OUTSIDER};
GRANT ALL ON storage.buckets, storage.objects TO ${PROJECT_OWNER}, ${OUTSIDER};
GRANT ALL ON SCHEMA public TO ${OUTSIDER};`;

export interface SupabaseLike {
  /** The cluster superuser's URL of the database (for set-up and cleanup). */
  readonly adminUrl: string;
  /** As the stand-in for `postgres`. */
  readonly url: string;
  /** As a role that may not create policies on storage.objects. */
  readonly outsiderUrl: string;
}

/** A fresh Supabase-like database; drop it with dropDatabase(adminUrl). */
export async function supabaseLikeDatabase(label: string): Promise<SupabaseLike> {
  const adminUrl = await freshDatabase(label);
  const admin = await openPostgres(adminUrl);
  try {
    await admin.exec(ROLES);
    await admin.exec(SHAPE);
  } finally {
    await admin.close();
  }
  return { adminUrl, url: userUrl(adminUrl, PROJECT_OWNER), outsiderUrl: userUrl(adminUrl, OUTSIDER) };
}

/** What a Storage test runs against on each backend; drop `adminUrl` (PostgreSQL only) when done. */
export interface StorageBackend {
  readonly db: Database;
  /** What requests are made on: the database's URL (a connection per request, as Storage has), or PGlite itself. */
  readonly target: Database | string;
  readonly adminUrl: string;
}

/** A Supabase-like PostgreSQL database connected as the stand-in for `postgres`, or an in-memory PGlite. */
export async function storageBackend(backend: 'postgres' | 'pglite', label: string): Promise<StorageBackend> {
  if (backend === 'pglite') {
    const db = await memoryDatabase();
    return { db, target: db, adminUrl: '' };
  }
  const like = await supabaseLikeDatabase(label);
  return { db: await connect(like.url), target: like.url, adminUrl: like.adminUrl };
}

/**
 * A Storage request of `actor`, with Storage's settings for `operation`, always rolled back: the rows
 * returned (a SELECT's, or RETURNING * counted), 1 for a plain upload, or the error code.
 */
export const storageRequest = (target: Database | string, actor: Actor, operation: StorageOperation, sql: string): Promise<number | string> =>
  asRole(
    target,
    actor,
    async (s) => {
      const rows = await s.query(sql.startsWith('SELECT') ? sql : /RETURNING \*$/.test(sql) ? countedSql(sql) : `${sql} RETURNING 1`);
      return sql.startsWith('SELECT') ? rows.length : Number(rows[0]?.n ?? rows.length);
    },
    { rollback: true, settings: storageSettings(operation) },
  ).catch((e: unknown) => String((e as { code?: string }).code));
