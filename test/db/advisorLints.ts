/**
 * Our own SQL for the lints of Supabase's database advisors (the `splinter`
 * project), written from what each lint is documented to detect. Each lint
 * is one SELECT returning `schema`, `object` and `detail`; advisors.ts runs
 * them all in one UNION ALL and says which lints are left out, and why.
 *
 * Where the facts allowed a choice, ours is the stricter reading, so that
 * silence here means silence there: 0003 looks at every call, not at the
 * policy's text as a whole; 0013 counts any table privilege, not only
 * SELECT; 0015 also counts auth.users' raw_user_meta_data; the policy lints
 * 0003, 0015 and 0024 also read the policies on storage's tables.
 */
import { textArray } from '../../src/sql/quote.js';

export type AdvisorLevel = 'ERROR' | 'WARN' | 'INFO';

export interface AdvisorScope {
  /** The schemas PostgREST serves (its db-schemas setting). */
  readonly exposed: readonly string[];
  /** Schemas no lint looks into (the platform's own, the system's). */
  readonly outside: readonly string[];
}

export interface Lint {
  readonly lint: string;
  readonly level: AdvisorLevel;
  /** One SELECT of (schema text, object text, detail text). */
  readonly sql: (scope: AdvisorScope) => string;
}

/** `c` (a pg_class row) is not a member of an extension. */
const notExtensionRelation = `NOT EXISTS (SELECT FROM pg_depend AS e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`;
const relationName = `n.nspname || '.' || c.relname`;
const fromRelations = 'FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace';
const inScope = (s: AdvisorScope) => `n.nspname <> ALL (${textArray(s.outside)})`;
const exposed = (s: AdvisorScope) => `n.nspname = ANY (${textArray(s.exposed)})`;
const apiCan = (privileges: string) => `(has_table_privilege('anon', c.oid, '${privileges}') OR has_table_privilege('authenticated', c.oid, '${privileges}'))`;
/** reloptions hold `security_invoker=<a boolean spelling Postgres accepts as true>`. */
const securityInvoker = `EXISTS (SELECT FROM unnest(coalesce(c.reloptions, '{}')) AS o WHERE lower(o) ~ '^security_invoker=(1|t|tr|tru|true|y|ye|yes|on)$')`;

/**
 * Every policy whose table is in scope (or is one of storage's, which
 * Supabase's policy lints skip and ours read), with its USING and WITH CHECK
 * text, the commands it covers and whether it reaches the API roles.
 */
const policies = (s: AdvisorScope) => `
  SELECT n.nspname AS schema_name, ${relationName} AS relation, c.relrowsecurity AS rls, p.polname, p.polpermissive,
         CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
         pg_get_expr(p.polqual, p.polrelid) AS using_sql, pg_get_expr(p.polwithcheck, p.polrelid) AS check_sql,
         (p.polroles = '{0}' OR EXISTS (SELECT FROM pg_roles AS r WHERE r.oid = ANY (p.polroles) AND r.rolname IN ('anon', 'authenticated'))) AS reaches_api
  FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE (${inScope(s)} OR (n.nspname = 'storage' AND c.relname IN ('objects', 'buckets'))) AND ${notExtensionRelation}`;

/** A call of an auth function or current_setting() not directly inside its own SELECT (so evaluated per row). */
const AUTH_CALL = String.raw`(auth\.(uid|jwt|role|email)\(\)|current_setting\()`;
const WRAPPED_AUTH_CALL = String.raw`SELECT\s+(auth\.(uid|jwt|role|email)\(\)|current_setting\([^()]*\))`;
const barePerRowCall = (expr: string) => `coalesce(regexp_replace(${expr}, '${WRAPPED_AUTH_CALL}', '', 'gi') ~* '${AUTH_CALL}', false)`;

/** The expression is the constant true, however it is spelt in the few ways people write it. */
const alwaysTrue = (expr: string) => `(lower(regexp_replace(${expr}, '\\s', '', 'g')) IN ('true', '(true)', '1=1', '(1=1)'))`;

const functionName = `format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))`;
const notExtensionFunction = `NOT EXISTS (SELECT FROM pg_depend AS e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')`;
const securityDefinerExecutableBy = (role: string) => (s: AdvisorScope) =>
  `
  SELECT n.nspname, ${functionName}, 'SECURITY DEFINER, in an exposed schema, executable by ${role}'
  FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
  WHERE p.prosecdef AND ${exposed(s)} AND ${inScope(s)} AND has_function_privilege('${role}', p.oid, 'EXECUTE')`;

export const LINTS: readonly Lint[] = [
  {
    lint: '0001_unindexed_foreign_keys',
    level: 'INFO',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('foreign key %I (%s) leads no valid index', k.conname,
             (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY u.i) FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, i)
              JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum))
      FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND ${inScope(s)} AND ${notExtensionRelation}
        AND NOT EXISTS (SELECT FROM pg_index AS i WHERE i.indrelid = k.conrelid AND i.indisvalid
                        AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)] = k.conkey)`,
  },
  {
    lint: '0002_auth_users_exposed',
    level: 'ERROR',
    // A view's query depends on auth.users through its rewrite rule.
    sql: (s) => `
      SELECT DISTINCT n.nspname, ${relationName}, CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END || ' over auth.users, selectable by the API roles'
      FROM pg_depend AS d JOIN pg_rewrite AS w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
      JOIN pg_class AS c ON c.oid = w.ev_class JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass('auth.users') AND d.deptype = 'n'
        AND c.relkind IN ('v', 'm') AND ${exposed(s)} AND ${apiCan('SELECT')}
        AND (c.relkind = 'm' OR NOT ${securityInvoker} OR NOT (SELECT u.relrowsecurity FROM pg_class AS u WHERE u.oid = d.refobjid))`,
  },
  {
    lint: '0003_auth_rls_initplan',
    level: 'WARN',
    sql: (s) => `
      SELECT schema_name, relation, format('policy %I calls auth.<function>() or current_setting() per row: wrap it in (select ...)', polname)
      FROM (${policies(s)}) AS p
      WHERE rls AND (${barePerRowCall('using_sql')} OR ${barePerRowCall('check_sql')})`,
  },
  {
    lint: '0004_no_primary_key',
    level: 'INFO',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'no primary key' ${fromRelations}
      WHERE c.relkind IN ('r', 'p') AND ${inScope(s)} AND ${notExtensionRelation}
        AND NOT EXISTS (SELECT FROM pg_index AS i WHERE i.indrelid = c.oid AND i.indisprimary)`,
  },
  {
    lint: '0006_multiple_permissive_policies',
    level: 'WARN',
    // Per role (PUBLIC counts for every role; roles bypassing RLS do not) and per command (ALL is all four).
    // Storage's tables stay out, as in Supabase's lint: one policy per bucket is how Storage is meant to be used.
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('role %s, %s: permissive policies %s', r.rolname, cmd, string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname))
      FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(CASE p.polcmd WHEN 'r' THEN '{SELECT}'::text[] WHEN 'a' THEN '{INSERT}' WHEN 'w' THEN '{UPDATE}' WHEN 'd' THEN '{DELETE}'
                                              ELSE '{SELECT,INSERT,UPDATE,DELETE}' END) AS cmd
      JOIN pg_roles AS r ON (r.oid = ANY (p.polroles) OR p.polroles = '{0}')
        AND (r.rolname IN ('anon', 'authenticated') OR r.oid IN (SELECT unnest(polroles) FROM pg_policy))
      WHERE p.polpermissive AND NOT r.rolbypassrls AND r.rolname !~ '^pg_' AND ${inScope(s)} AND ${notExtensionRelation}
      GROUP BY n.nspname, c.relname, r.rolname, cmd HAVING count(*) > 1`,
  },
  {
    lint: '0007_policy_exists_rls_disabled',
    level: 'ERROR',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('row level security is off, yet it has policies %s', string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname))
      ${fromRelations} JOIN pg_policy AS p ON p.polrelid = c.oid
      WHERE NOT c.relrowsecurity AND ${inScope(s)} AND ${notExtensionRelation}
      GROUP BY n.nspname, c.relname`,
  },
  {
    lint: '0008_rls_enabled_no_policy',
    level: 'INFO',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'row level security is on and no policy exists' ${fromRelations}
      WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND ${inScope(s)} AND ${notExtensionRelation}
        AND NOT EXISTS (SELECT FROM pg_policy AS p WHERE p.polrelid = c.oid)`,
  },
  {
    lint: '0009_duplicate_index',
    level: 'WARN',
    // The same method, columns (key and included), operator classes, collations, orders, expressions, predicate and uniqueness.
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('identical indexes %s', string_agg(quote_ident(x.relname), ', ' ORDER BY x.relname))
      ${fromRelations} JOIN pg_index AS i ON i.indrelid = c.oid JOIN pg_class AS x ON x.oid = i.indexrelid
      WHERE c.relkind IN ('r', 'p', 'm') AND ${inScope(s)} AND ${notExtensionRelation}
      GROUP BY n.nspname, c.relname, x.relam, i.indkey::text, i.indnkeyatts, i.indclass::text, i.indcollation::text, i.indoption::text,
               pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid), i.indisunique, i.indnullsnotdistinct
      HAVING count(*) > 1`,
  },
  {
    lint: '0010_security_definer_view',
    level: 'ERROR',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'view without security_invoker, selectable by the API roles' ${fromRelations}
      WHERE c.relkind = 'v' AND ${exposed(s)} AND ${inScope(s)} AND ${apiCan('SELECT')} AND NOT ${securityInvoker} AND ${notExtensionRelation}`,
  },
  {
    lint: '0011_function_search_path_mutable',
    level: 'WARN',
    sql: (s) => `
      SELECT n.nspname, ${functionName}, 'search_path is not set on the function' FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
      WHERE ${inScope(s)} AND ${notExtensionFunction}
        AND NOT EXISTS (SELECT FROM unnest(coalesce(p.proconfig, '{}')) AS setting WHERE setting LIKE 'search\\_path=%')`,
  },
  {
    lint: '0013_rls_disabled_in_public',
    level: 'ERROR',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'row level security is off on a table of an exposed schema the API roles may use' ${fromRelations}
      WHERE c.relkind IN ('r', 'p') AND NOT c.relrowsecurity AND ${exposed(s)} AND ${inScope(s)} AND ${apiCan('SELECT,INSERT,UPDATE,DELETE')}`,
  },
  {
    lint: '0014_extension_in_public',
    level: 'WARN',
    sql: (s) => `
      SELECT n.nspname, quote_ident(x.extname), 'extension installed in an exposed schema'
      FROM pg_extension AS x JOIN pg_namespace AS n ON n.oid = x.extnamespace
      WHERE x.extname <> 'plpgsql' AND (n.nspname = 'public' OR ${exposed(s)})`,
  },
  {
    lint: '0015_rls_references_user_metadata',
    level: 'ERROR',
    // user_metadata in the JWT, and auth.users' raw_user_meta_data, are what users edit themselves.
    sql: (s) => `
      SELECT schema_name, relation, format('policy %I reads user metadata, which users edit themselves', polname)
      FROM (${policies(s)}) AS p
      WHERE concat_ws(' ', using_sql, check_sql) ~* '(auth\\.jwt\\(\\)|request\\.jwt\\.claim).*user_metadata|raw_user_meta_data'`,
  },
  {
    lint: '0016_materialized_view_in_api',
    level: 'WARN',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'materialized view (no row level security) selectable by the API roles' ${fromRelations}
      WHERE c.relkind = 'm' AND ${exposed(s)} AND ${inScope(s)} AND ${apiCan('SELECT')} AND ${notExtensionRelation}`,
  },
  {
    lint: '0017_foreign_table_in_api',
    level: 'WARN',
    sql: (s) => `
      SELECT n.nspname, ${relationName}, 'foreign table (no row level security) selectable by the API roles' ${fromRelations}
      WHERE c.relkind = 'f' AND ${exposed(s)} AND ${inScope(s)} AND ${apiCan('SELECT')} AND ${notExtensionRelation}`,
  },
  {
    lint: '0018_unsupported_reg_types',
    level: 'WARN',
    // Columns of these reg* types hold OIDs that pg_upgrade cannot carry over.
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('column %I is of type %s', a.attname, format_type(a.atttypid, NULL))
      ${fromRelations} JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE ${inScope(s)} AND a.atttypid IN ('regproc'::regtype, 'regprocedure'::regtype, 'regoper'::regtype, 'regoperator'::regtype,
        'regconfig'::regtype, 'regdictionary'::regtype, 'regnamespace'::regtype, 'regcollation'::regtype)`,
  },
  {
    lint: '0021_fkey_to_auth_unique',
    level: 'ERROR',
    // Auth may rebuild its unique (non-primary) constraints; a foreign key on one blocks that.
    sql: (s) => `
      SELECT n.nspname, ${relationName}, format('foreign key %I references %s through its unique index %s', k.conname, k.confrelid::regclass, k.conindid::regclass)
      FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_class AS target ON target.oid = k.confrelid JOIN pg_index AS i ON i.indexrelid = k.conindid
      WHERE k.contype = 'f' AND target.relnamespace = 'auth'::regnamespace AND i.indisunique AND NOT i.indisprimary AND ${inScope(s)}`,
  },
  {
    lint: '0024_rls_policy_always_true',
    level: 'WARN',
    // Reading everything (SELECT ... true) is a choice Supabase leaves alone; writing anything is flagged.
    sql: (s) => `
      SELECT schema_name, relation, format('policy %I for %s lets the API roles write any row', polname, command)
      FROM (${policies(s)}) AS p
      WHERE rls AND polpermissive AND reaches_api AND (
        (command IN ('UPDATE', 'DELETE', 'ALL') AND (using_sql IS NULL OR ${alwaysTrue('using_sql')}))
        OR ${alwaysTrue('check_sql')}
        OR (check_sql IS NULL AND command = 'INSERT')
        OR (check_sql IS NULL AND command IN ('UPDATE', 'ALL') AND ${alwaysTrue('using_sql')}))`,
  },
  {
    lint: '0025_public_bucket_allows_listing',
    level: 'WARN',
    // A public bucket's files are served by URL; a SELECT policy that is only `bucket_id = '<it>'` (or true) lists them all.
    sql: (s) => `
      SELECT 'storage', b.id, format('public bucket %s is listable by the API roles through policy %I', quote_literal(b.id), p.polname)
      FROM storage.buckets AS b JOIN (${policies(s)}) AS p ON p.relation = 'storage.objects'
      WHERE b.public AND p.polpermissive AND p.reaches_api AND p.command IN ('SELECT', 'ALL')
        AND (p.using_sql IS NULL OR ${alwaysTrue('p.using_sql')}
             OR regexp_replace(p.using_sql, '^[\\s(]*bucket_id\\s*=\\s*(''(?:[^'']|'''')*'')(::[a-z ]+)?[\\s)]*$', '\\1') = quote_literal(b.id))`,
  },
  { lint: '0028_anon_security_definer_function_executable', level: 'WARN', sql: securityDefinerExecutableBy('anon') },
  { lint: '0029_authenticated_security_definer_function_executable', level: 'WARN', sql: securityDefinerExecutableBy('authenticated') },
];
