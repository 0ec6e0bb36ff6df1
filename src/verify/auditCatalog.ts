/**
 * What the API roles actually hold, read from the catalog in two queries:
 * every privilege of anon and authenticated — direct, through PUBLIC or
 * through role membership (the has_*_privilege functions see all three) —
 * on schemas, relations, sequences and functions of every schema but the
 * server's own; then the policies on the file's tables and storage.objects,
 * RLS on those tables, whether its realtime tables are published, and the
 * roles' own attributes and memberships.
 * Both work on PostgreSQL 15 and PGlite.
 */
import type { Database } from '../db/database.js';
import { RECORD_SCHEMA, RECORD_TABLE } from '../db/record.js';
import type { ApiRole, Model } from '../model/model.js';
import { REALTIME_PUBLICATION } from '../model/model.js';
import { literal, textArray } from '../sql/quote.js';
import type { OtherFile } from './allowed.js';
import { SERVER_SCHEMAS, SERVER_SCHEMA_PATTERN } from './platform.js';
import type { ObjectKind } from './platform.js';

export interface HeldPrivilege {
  readonly role: ApiRole;
  readonly kind: ObjectKind;
  readonly schema: string;
  readonly name: string;
  /** How people read it: `table auth.users`, `function altan_private.member_org_ids()`. */
  readonly object: string;
  readonly privilege: string;
  /** 'owner' | 'directly' | 'through PUBLIC' | 'through role membership', and ' (some columns)' for column grants. */
  readonly route: string;
  /** RLS enabled on the table, or a security-invoker view: its rows are guarded by the caller's own rights. */
  readonly guarded: boolean;
}

const list = (names: readonly string[]) => names.map(literal).join(', ');

/**
 * Functions are audited where EXECUTE gives more than the caller's own rights
 * (SECURITY DEFINER ones) and everywhere in the tool's own schemas; a
 * SECURITY INVOKER function runs with the caller's privileges, and Postgres
 * makes every function executable by PUBLIC.
 */
function privilegesSql(model: Model): string {
  const toolSchemas = list([model.privateSchema, RECORD_SCHEMA]);
  return `
WITH api AS (
  SELECT oid, rolname FROM pg_catalog.pg_roles WHERE rolname IN ('anon', 'authenticated')
), ns AS (
  SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN (${list(SERVER_SCHEMAS)}) AND nspname !~ ${literal(SERVER_SCHEMA_PATTERN)}
), objects AS (
  SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, 'schema ' || n.nspname AS object, n.oid, n.nspowner AS owner,
    coalesce(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner)) AS acl, ARRAY['USAGE', 'CREATE'] AS privileges, false AS guarded
  FROM ns AS n
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'relation' END, n.nspname, c.relname,
    CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
      WHEN 'f' THEN 'foreign table ' ELSE 'sequence ' END || n.nspname || '.' || c.relname,
    c.oid, c.relowner, coalesce(c.relacl, pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)),
    CASE c.relkind WHEN 'S' THEN ARRAY['USAGE', 'SELECT', 'UPDATE'] ELSE ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] END,
    (c.relkind IN ('r', 'p') AND c.relrowsecurity)
      OR (c.relkind = 'v' AND EXISTS (SELECT FROM pg_catalog.unnest(c.reloptions) AS o WHERE lower(o) IN ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes')))
  FROM pg_catalog.pg_class AS c JOIN ns AS n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  UNION ALL
  SELECT 'function', n.nspname, p.proname, 'function ' || n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
    p.oid, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f'::"char", p.proowner)), ARRAY['EXECUTE'], false
  FROM pg_catalog.pg_proc AS p JOIN ns AS n ON n.oid = p.pronamespace
  WHERE p.prosecdef OR n.nspname IN (${toolSchemas})
), held AS (
  SELECT r.oid AS role_oid, r.rolname AS role, o.*, x.privilege
  FROM objects AS o CROSS JOIN api AS r CROSS JOIN LATERAL pg_catalog.unnest(o.privileges) AS x(privilege)
  WHERE CASE o.kind
    WHEN 'schema' THEN pg_catalog.has_schema_privilege(r.oid, o.oid, x.privilege)
    WHEN 'sequence' THEN pg_catalog.has_sequence_privilege(r.oid, o.oid, x.privilege)
    WHEN 'function' THEN pg_catalog.has_function_privilege(r.oid, o.oid, x.privilege)
    -- a column grant is a privilege too: has_any_column_privilege is true for a table grant as well
    ELSE CASE WHEN x.privilege IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
      THEN pg_catalog.has_any_column_privilege(r.oid, o.oid, x.privilege)
      ELSE pg_catalog.has_table_privilege(r.oid, o.oid, x.privilege) END
  END
)
SELECT h.role, h.kind, h.schema, h.name, h.object, h.privilege, h.guarded,
  CASE
    WHEN h.owner = h.role_oid THEN 'as its owner'
    WHEN EXISTS (SELECT FROM pg_catalog.aclexplode(h.acl) AS a WHERE a.grantee = h.role_oid AND a.privilege_type = h.privilege) THEN 'directly'
    WHEN EXISTS (SELECT FROM pg_catalog.aclexplode(h.acl) AS a WHERE a.grantee = 0 AND a.privilege_type = h.privilege) THEN 'through PUBLIC'
    WHEN h.kind = 'relation' AND NOT pg_catalog.has_table_privilege(h.role_oid, h.oid, h.privilege) THEN 'on some columns'
    ELSE 'through role membership'
  END AS route
FROM held AS h
ORDER BY h.schema, h.name, h.kind, h.role, h.privilege`;
}

export async function heldPrivileges(db: Database, model: Model): Promise<HeldPrivilege[]> {
  return db.query<HeldPrivilege>(privilegesSql(model));
}

export interface PolicyRow {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** SELECT, INSERT, UPDATE, DELETE or ALL. */
  readonly command: string;
  readonly permissive: boolean;
  /** Role names, 'public' for PUBLIC. */
  readonly roles: string[];
}

export interface GuardFacts {
  readonly policies: PolicyRow[];
  /** The file's tables (and storage's) without row-level security. */
  readonly rlsOff: string[];
  /** The file's `realtime` tables that the Realtime publication does not publish. */
  readonly unpublished: string[];
  /** `anon is a member of postgres`, `authenticated has BYPASSRLS`… */
  readonly roleFacts: { readonly role: ApiRole; readonly fact: string }[];
}

/** Policies, RLS, the Realtime publication and the API roles' attributes in one round trip. */
export async function guardFacts(db: Database, model: Model): Promise<GuardFacts> {
  const tables = model.tables.map((t) => t.name);
  const realtime = model.tables.filter((t) => t.realtime).map((t) => t.name);
  const fileTables = tables.length > 0 ? `(n.nspname = ${literal(model.schema)} AND c.relname IN (${list(tables)}))` : 'false';
  const storage = `(n.nspname = 'storage' AND c.relname IN ('objects', 'buckets'))`;
  const [row] = await db.query<GuardFacts>(`
SELECT
  (SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname, 'table', c.relname, 'name', p.polname,
      'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
      'permissive', p.polpermissive,
      'roles', (SELECT json_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END ORDER BY 1) FROM pg_catalog.unnest(p.polroles) AS r)
    ) ORDER BY n.nspname, c.relname, p.polname), '[]')
   FROM pg_catalog.pg_policy AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE ${fileTables} OR (n.nspname = 'storage' AND c.relname = 'objects')) AS policies,
  (SELECT coalesce(json_agg(n.nspname || '.' || c.relname ORDER BY 1), '[]')
   FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE (${fileTables} OR ${storage}) AND NOT c.relrowsecurity) AS "rlsOff",
  (SELECT coalesce(json_agg(${literal(`${model.schema}.`)} || t ORDER BY t), '[]')
   FROM pg_catalog.unnest(${textArray(realtime)}) AS t
   WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_publication_tables AS p
     WHERE p.pubname = ${literal(REALTIME_PUBLICATION)} AND p.schemaname = ${literal(model.schema)} AND p.tablename = t)) AS unpublished,
  (SELECT coalesce(json_agg(f ORDER BY f->>'role', f->>'fact'), '[]') FROM (
     SELECT json_build_object('role', a.rolname, 'fact', 'is a superuser') AS f FROM pg_catalog.pg_roles AS a WHERE a.rolname IN ('anon', 'authenticated') AND a.rolsuper
     UNION ALL SELECT json_build_object('role', a.rolname, 'fact', 'has BYPASSRLS') FROM pg_catalog.pg_roles AS a WHERE a.rolname IN ('anon', 'authenticated') AND a.rolbypassrls
     UNION ALL SELECT json_build_object('role', a.rolname, 'fact', 'is a member of role ' || b.rolname)
     FROM pg_catalog.pg_roles AS a JOIN pg_catalog.pg_roles AS b ON b.oid <> a.oid AND pg_catalog.pg_has_role(a.oid, b.oid, 'MEMBER')
     WHERE a.rolname IN ('anon', 'authenticated')
   ) AS facts) AS "roleFacts"`);
  const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
  return {
    policies: parse(row?.policies ?? []),
    rlsOff: parse(row?.rlsOff ?? []),
    unpublished: parse(row?.unpublished ?? []),
    roleFacts: parse(row?.roleFacts ?? []),
  };
}

/** The last record of every other schema: what the files applied there own. */
export async function otherFiles(db: Database, schema: string): Promise<OtherFile[]> {
  const [exists] = await db.query<{ ok: boolean }>(`SELECT pg_catalog.to_regclass(${literal(RECORD_TABLE)}) IS NOT NULL AS ok`);
  if (!exists?.ok) return [];
  const rows = await db.query<{ schema_name: string; inventory: string | null }>(
    `SELECT DISTINCT ON (schema_name) schema_name, to_jsonb(f) ->> 'inventory' AS inventory
     FROM ${RECORD_TABLE} AS f WHERE schema_name <> $1 ORDER BY schema_name, id DESC`,
    [schema],
  );
  return rows.map((r) => {
    if (r.inventory === null) return { schema: r.schema_name };
    const inventory = JSON.parse(r.inventory) as { entries?: OtherFile['entries'] };
    return { schema: r.schema_name, ...(inventory.entries ? { entries: inventory.entries } : {}) };
  });
}

export interface HeldColumnPrivilege {
  readonly role: ApiRole;
  readonly table: string;
  readonly column: string;
  /** INSERT or UPDATE. */
  readonly privilege: string;
  /** 'directly' | 'through PUBLIC' | 'on the whole table' | 'through role membership'. */
  readonly route: string;
}

/**
 * INSERT and UPDATE of anon and authenticated per column (pg_attribute.attacl,
 * or a grant on the whole table) on the file's tables that grant them on some
 * columns only: a column the file keeps them off must not be writable.
 */
export async function heldColumnPrivileges(db: Database, model: Model): Promise<HeldColumnPrivilege[]> {
  const tables = model.tables.filter((t) => t.grants.columns !== undefined).map((t) => t.name);
  if (tables.length === 0) return [];
  return db.query<HeldColumnPrivilege>(`
SELECT r.rolname AS role, c.relname AS "table", a.attname AS "column", p.privilege,
  CASE
    WHEN EXISTS (SELECT FROM pg_catalog.aclexplode(a.attacl) AS x WHERE x.grantee = r.oid AND x.privilege_type = p.privilege) THEN 'directly'
    WHEN EXISTS (SELECT FROM pg_catalog.aclexplode(a.attacl) AS x WHERE x.grantee = 0 AND x.privilege_type = p.privilege) THEN 'through PUBLIC'
    WHEN pg_catalog.has_table_privilege(r.oid, c.oid, p.privilege) THEN 'on the whole table'
    ELSE 'through role membership'
  END AS route
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) AS p(privilege)
JOIN pg_catalog.pg_roles AS r ON r.rolname IN ('anon', 'authenticated')
WHERE n.nspname = ${literal(model.schema)} AND c.relname IN (${list(tables)})
  AND pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, p.privilege)
ORDER BY c.relname, r.rolname, p.privilege, a.attnum`);
}
