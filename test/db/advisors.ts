/**
 * Supabase's database advisors (Dashboard → Advisors; the `splinter` lints),
 * as our own queries (advisorLints.ts), for tests that hold what the tool
 * generates to "the advisors stay silent".
 *
 * In: 0001 unindexed_foreign_keys, 0002 auth_users_exposed, 0003
 * auth_rls_initplan, 0004 no_primary_key, 0006 multiple_permissive_policies,
 * 0007 policy_exists_rls_disabled, 0008 rls_enabled_no_policy, 0009
 * duplicate_index, 0010 security_definer_view, 0011
 * function_search_path_mutable, 0013 rls_disabled_in_public, 0014
 * extension_in_public, 0015 rls_references_user_metadata, 0016
 * materialized_view_in_api, 0017 foreign_table_in_api, 0018
 * unsupported_reg_types, 0021 fkey_to_auth_unique, 0024
 * rls_policy_always_true, 0025 public_bucket_allows_listing, 0028 and 0029
 * (SECURITY DEFINER functions executable by anon / authenticated).
 *
 * Left out, and why:
 * - 0005 unused_index, 0020 table_bloat: read usage statistics; in a test
 *   database every index is unused and no table is bloated.
 * - 0012 auth_allow_anonymous_sign_ins, 0022 extension_versions_outdated:
 *   the Auth service's settings and the platform's extension versions, not
 *   anything a requirements file makes.
 * - 0019 insecure_queue_exposed_in_api: about pgmq's queue tables with the
 *   pgmq_public schema exposed; the tool makes no queue and never exposes it.
 * - 0023 sensitive_columns_exposed: fires only on an exposed table without
 *   row level security, which 0013 already reports as an ERROR whatever its
 *   columns are called.
 * - 0026 / 0027 pg_graphql_{anon,authenticated}_table_exposed: only with
 *   pg_graphql installed (neither the tool nor the bootstrap installs it),
 *   and then they list every relation the role may SELECT, which for an API
 *   is the point: they ask the owner to confirm, they do not find a fault.
 *
 * Scope: the lints that concern the API (0002, 0010, 0013, 0014, 0016,
 * 0017, 0028, 0029) look at the `exposed` schemas; the others at every
 * schema but the platform's and the system's (OUTSIDE_SCHEMAS), as
 * Supabase's do. Policy lints also read storage's policies.
 */
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import type { Table } from '../../src/model/model.js';
import { literal } from '../../src/sql/quote.js';
import { LINTS } from './advisorLints.js';
import type { AdvisorLevel, AdvisorScope } from './advisorLints.js';

export type { AdvisorLevel };

export interface AdvisorFinding {
  /** `0003_auth_rls_initplan`: the lint's number and name, as Supabase's advisors call it. */
  readonly lint: string;
  readonly level: AdvisorLevel;
  /** The schema of the object (`storage` for a bucket). */
  readonly schema: string;
  /** `public.todos`, `altan_private.f(uuid)`; a bucket's id, an extension's name. */
  readonly object: string;
  readonly detail: string;
}

/** Schemas of the system and of the platform (auth, storage, pg_cron, ...), which Supabase's lints skip too. */
export const OUTSIDE_SCHEMAS: readonly string[] = [
  'pg_catalog',
  'pg_toast',
  'information_schema',
  'auth',
  'storage',
  'cron',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  'vault',
  'pgsodium',
  'pgsodium_masks',
  'net',
  'pgmq',
  'pgbouncer',
  'supabase_functions',
  'supabase_migrations',
];

/** Every lint as one query: one round trip, whatever the database. */
function allLints(scope: AdvisorScope): string {
  const parts = LINTS.map(
    (l) => `SELECT ${literal(l.lint)} AS lint, ${literal(l.level)} AS level, f.schema_name::text AS schema, f.object::text AS object, f.detail::text AS detail
      FROM (${l.sql(scope)}) AS f (schema_name, object, detail)`,
  );
  return `${parts.join('\nUNION ALL\n')}\nORDER BY lint, schema, object, detail`;
}

/**
 * What the advisors find in the database, `exposed` being the schemas
 * PostgREST serves. Policies are read with search_path = pg_catalog, so
 * that every auth function shows its schema (`auth.uid()`), whatever the
 * session's search_path; the session's own is put back afterwards.
 */
export async function advisorFindings(db: Database, exposed: readonly string[]): Promise<AdvisorFinding[]> {
  const [saved] = await db.query<{ path: string }>(`SELECT current_setting('search_path') AS path`);
  await db.query(`SELECT set_config('search_path', 'pg_catalog', false)`);
  try {
    return await db.query<AdvisorFinding>(allLints({ exposed, outside: OUTSIDE_SCHEMAS }));
  } finally {
    await db.query(`SELECT set_config('search_path', $1, false)`, [saved?.path ?? '']);
  }
}

/** `WARN 0003_auth_rls_initplan public.todos: policy ...`: one line per finding, for test messages. */
export const describeFinding = (f: AdvisorFinding): string => `${f.level} ${f.lint} ${f.object}: ${f.detail}`;

/**
 * The findings on what `compiled` made that a test must not accept, as
 * lines: every ERROR, WARN and INFO but those the file itself asks for:
 * - 0008 on a table whose access is `none` for every operation (`private`):
 *   row level security with no policy is how such a table denies the API
 *   roles, by design.
 * - 0024 on the INSERT policy of an entity whose create rule has a plain
 *   `public` term (an open form): `WITH CHECK (true)` is what "anyone may
 *   insert" means; validation warns about it (open-write).
 * - 0025 on a public bucket with `read: authenticated`: every signed-in
 *   user lists the whole bucket, as asked; validation warns that the files
 *   are public anyway (public-bucket-read).
 * - 0009 on an entity given an index that repeats its primary key or a
 *   unique field's constraint, which validation warns about
 *   (duplicate-index, "remove it"): a unique one is identical to it.
 */
export async function advisorProblems(db: Database, compiled: CompileResult): Promise<string[]> {
  const { model } = compiled;
  const tables = (which: (t: Table) => boolean) => new Set(model.tables.filter(which).map((t) => `${model.schema}.${t.name}`));
  const withoutPolicies = tables((t) => t.policies.length === 0);
  const openInsert = tables((t) => t.access?.create.some((term) => term.kind === 'level' && term.level === 'public' && term.where === undefined) === true);
  const repeatedIndex = tables((t) => compiled.warnings.some((w) => w.rule === 'duplicate-index' && w.path.startsWith(`entities.${t.name}.indexes.`)));
  const listedToSignedIn = new Set(model.buckets.filter((b) => b.public && b.access.read === 'authenticated').map((b) => b.id));
  const asked = (f: AdvisorFinding) =>
    (f.lint === '0008_rls_enabled_no_policy' && withoutPolicies.has(f.object)) ||
    (f.lint === '0024_rls_policy_always_true' && openInsert.has(f.object) && / for INSERT /.test(f.detail)) ||
    (f.lint === '0025_public_bucket_allows_listing' && listedToSignedIn.has(f.object)) ||
    (f.lint === '0009_duplicate_index' && repeatedIndex.has(f.object));
  // Supabase exposes public whatever else PostgREST is told to serve
  const exposed = [...new Set([model.schema, 'public'])];
  return (await advisorFindings(db, exposed)).filter((f) => !asked(f)).map(describeFinding);
}
