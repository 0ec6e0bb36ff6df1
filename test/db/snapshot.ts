/**
 * A database's catalog as plain data, to prove that a failed apply left it
 * exactly as it was: schemas, relations (with RLS), columns (with defaults),
 * constraints, indexes, comments, policies, functions (with bodies),
 * triggers, materialized views' queries, grants, buckets, cron jobs, the
 * tables publications publish (Realtime's), applied-file records and the
 * roles the database refers to — everything
 * an apply could create or change. Columns (and column comments) are listed
 * by name, not position (ADD COLUMN appends), and privileges (of tables and of
 * columns) as sorted lists
 * (their order follows the history of GRANTs), so that a database reached by
 * several applies equals one made by a single apply.
 */
import type { Database } from '../../src/db/database.js';

const USER_SCHEMAS =
  "n.nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast%'";

/**
 * Roles belong to the cluster, which other test files change while this one
 * runs (they make and drop login roles of their own): the roles that matter
 * to this database are the platform's (the bootstrap makes them) and those
 * its objects, or the database itself, refer to (owners, grants, policies'
 * roles: pg_shdepend).
 */
const DATABASE_ROLES = `(r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator') OR EXISTS (
    SELECT FROM pg_shdepend d, pg_database db WHERE db.datname = current_database() AND d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid
      AND (d.dbid = db.oid OR (d.classid = 'pg_database'::regclass AND d.objid = db.oid))))`;

/** An ACL as a sorted text list: the same privileges whatever order they were granted in. */
const acl = (column: string) => `ARRAY(SELECT x::text FROM unnest(${column}) AS x ORDER BY 1)::text`;

const QUERIES: Readonly<Record<string, string>> = {
  schemas: `SELECT n.nspname, ${acl('n.nspacl')} FROM pg_namespace n WHERE ${USER_SCHEMAS} ORDER BY 1`,
  relations: `SELECT n.nspname, c.relname, c.relkind::text, c.relrowsecurity, ${acl('c.relacl')} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} ORDER BY 1, 2`,
  columns: `SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default, ${acl('a.attacl')} AS privileges FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2, 3`,
  constraints: `SELECT n.nspname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  policies: 'SELECT schemaname, tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies ORDER BY 1, 2, 3',
  functions: `SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prosecdef, p.proconfig::text, ${acl('p.proacl')}, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  triggers: 'SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2',
  indexes: `SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  comments: `SELECT n.nspname, c.relname, a.attname, d.description FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
    JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid WHERE ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  matviews: 'SELECT schemaname, matviewname, definition, ispopulated FROM pg_matviews ORDER BY 1, 2',
  views: `SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
  roles: `SELECT r.rolname, r.rolcanlogin, r.rolbypassrls FROM pg_roles r WHERE ${DATABASE_ROLES} ORDER BY 1`,
  buckets: 'SELECT id, name, public, file_size_limit, allowed_mime_types::text FROM storage.buckets ORDER BY 1',
  // What each publication publishes; not whether an empty one exists (a file that stopped asking for realtime leaves it).
  published: 'SELECT pubname, schemaname, tablename FROM pg_publication_tables ORDER BY 1, 2, 3',
  users: 'SELECT id::text FROM auth.users ORDER BY 1',
};

const OPTIONAL: Readonly<Record<string, string>> = {
  cron: 'SELECT jobname, schedule, command FROM cron.job ORDER BY 1',
  applied: 'SELECT schema_name, file_sha256 FROM altan_meta.applied_files ORDER BY id',
};

export type CatalogSnapshot = Record<string, unknown[]>;

export async function catalogSnapshot(db: Database): Promise<CatalogSnapshot> {
  const snapshot: CatalogSnapshot = {};
  for (const [name, sql] of Object.entries(QUERIES)) snapshot[name] = await db.query(sql);
  const [present] = await db.query<{ cron: boolean; applied: boolean }>(
    "SELECT to_regclass('cron.job') IS NOT NULL AS cron, to_regclass('altan_meta.applied_files') IS NOT NULL AS applied",
  );
  for (const [name, sql] of Object.entries(OPTIONAL)) {
    snapshot[name] = present?.[name as 'cron' | 'applied'] ? await db.query(sql) : [];
  }
  return snapshot;
}
