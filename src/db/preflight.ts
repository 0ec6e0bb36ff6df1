/**
 * Before anything runs: does the database have what the SQL will use? A
 * missing piece is reported by name with how to get it, instead of as the
 * first statement that trips over it.
 */
import type { Model } from '../model/model.js';
import { REALTIME_PUBLICATION } from '../model/model.js';
import { literal } from '../sql/quote.js';
import type { Target } from '../target.js';
import { evaluate, relationExists, routineExists } from './catalog.js';
import type { Database } from './database.js';

export interface Missing {
  readonly what: string;
  readonly why: string;
}

interface Requirement {
  readonly what: string;
  readonly needed: (model: Model, target: Target) => boolean;
  /** A boolean SQL expression: true when present. */
  readonly check: string;
  readonly why: string;
}

const always = () => true;

/**
 * A catalog check rather than a trial CREATE POLICY: the trial would need a
 * transaction of its own and takes ACCESS EXCLUSIVE on storage.objects (with
 * supautils, on every table of its policy_grants: sign-ins and uploads wait)
 * just to look. Postgres lets the owner, its members (with inheritance) and
 * superusers create policies; supautils adds the roles its policy_grants
 * setting lists for the table (how Supabase's `postgres` may, since 2025).
 */
const MAY_MANAGE_STORAGE_POLICIES = `coalesce((
  SELECT r.rolsuper OR pg_catalog.pg_has_role(c.relowner, 'USAGE')
    OR CASE WHEN coalesce(pg_catalog.current_setting('supautils.policy_grants', true), '') = '' THEN false
       ELSE (pg_catalog.current_setting('supautils.policy_grants', true)::jsonb -> current_user) ? 'storage.objects' END
  FROM pg_catalog.pg_class AS c, pg_catalog.pg_roles AS r
  WHERE c.oid = pg_catalog.to_regclass('storage.objects') AND r.rolname = current_user
), false)`;

/**
 * ALTER PUBLICATION needs its owner (or a member of the owner, or a superuser); with no publication
 * yet, CREATE PUBLICATION needs CREATE on the database.
 */
const MAY_PUBLISH = `coalesce((
  SELECT r.rolsuper OR pg_catalog.pg_has_role(p.pubowner, 'USAGE')
  FROM pg_catalog.pg_publication AS p, pg_catalog.pg_roles AS r
  WHERE p.pubname = ${literal(REALTIME_PUBLICATION)} AND r.rolname = current_user
), pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'))`;

const REQUIREMENTS: readonly Requirement[] = [
  {
    what: 'PostgreSQL 15 or later',
    needed: always,
    check: "current_setting('server_version_num')::int >= 150000",
    why: 'views with security_invoker need PostgreSQL 15',
  },
  {
    what: 'roles anon, authenticated and service_role',
    needed: always,
    check: "(SELECT count(*) = 3 FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role'))",
    why: 'the API roles',
  },
  {
    what: 'auth.users',
    needed: always,
    check: relationExists('auth.users'),
    why: "GoTrue's users table",
  },
  {
    what: 'auth.uid()',
    needed: always,
    check: routineExists('auth.uid()'),
    why: 'policies use it to know the caller',
  },
  {
    what: 'storage.buckets and storage.objects',
    needed: (m) => m.buckets.length > 0,
    check: `${relationExists('storage.buckets')} AND ${relationExists('storage.objects')}`,
    why: "the file declares buckets: Supabase Storage's schema",
  },
  {
    what: 'the right to create policies on storage.objects',
    needed: (m) => m.buckets.length > 0,
    check: MAY_MANAGE_STORAGE_POLICIES,
    why:
      'bucket access is made of policies on storage.objects, which only its owner (supabase_storage_admin), a member of the owner, ' +
      'a superuser, or a role supautils.policy_grants lists for it may create. On Supabase connect as `postgres` (not a custom role); ' +
      'on your own server, as the owner of storage.objects or a superuser, or GRANT the owner role to the role you connect as',
  },
  {
    what: 'storage.foldername(text)',
    needed: (m) => m.buckets.length > 0,
    check: routineExists('storage.foldername(text)'),
    why: "bucket policies check the caller's folder with it",
  },
  {
    what: 'pg_cron (cron.schedule)',
    needed: (m) => m.jobs.length > 0,
    check: routineExists('cron.schedule(text, text, text)'),
    why:
      'the file has materialized views or jobs, which pg_cron runs. On Supabase: enable pg_cron under Database → Extensions. ' +
      "On your own server: install postgresql-15-cron, set shared_preload_libraries = 'pg_cron' and cron.database_name to this database, " +
      'restart, then run `altan-cloud bootstrap` (it creates the extension WITH SCHEMA pg_catalog)',
  },
  {
    what: `the right to change publication ${REALTIME_PUBLICATION}`,
    needed: (m) => m.tables.some((t) => t.realtime),
    check: MAY_PUBLISH,
    why:
      `entities with realtime: true join the publication ${REALTIME_PUBLICATION}, which only its owner, a member of the owner or a superuser ` +
      'may change (and, where it does not exist yet, a role with CREATE on the database may create). On Supabase connect as `postgres`, its owner',
  },
  {
    what: 'apply_postgrest_permissions()',
    needed: (_m, target) => target === 'altan',
    check: routineExists('apply_postgrest_permissions()'),
    why: 'every Altan project has it; for a plain Supabase project use --target supabase',
  },
];

/** What the SQL for `model` needs and `db` lacks; empty when it can run. */
export async function preflight(db: Database, model: Model, target: Target): Promise<Missing[]> {
  const needed = REQUIREMENTS.filter((r) => r.needed(model, target));
  const found = await evaluate(
    db,
    needed.map((r) => r.check),
  );
  return needed.filter((_r, i) => !found[i]).map(({ what, why }) => ({ what, why }));
}
