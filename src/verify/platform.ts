/**
 * What the platform itself grants the API roles, outside anything a file
 * asks for: read from Supabase's own SQL (supabase/postgres init scripts and
 * migrations, Storage's and GoTrue's migrations) and from what our bootstrap
 * emulates (src/execute/bootstrapSql.ts). verify's privilege audit accepts
 * these; the README's "What the platform itself grants" lists the same.
 * Keep the two in step.
 */
import type { ApiRole } from '../model/model.js';

/** What a privilege is held on. */
export type ObjectKind = 'schema' | 'relation' | 'sequence' | 'function';

/** One accepted grant: `name` and `privileges` may be '*' (any). */
export interface Allowance {
  readonly kind: ObjectKind;
  readonly schema: string;
  readonly name: string;
  readonly roles: readonly ApiRole[];
  readonly privileges: readonly string[] | '*';
  /** Who grants it, for the README and for tests. */
  readonly by: string;
}

const API: readonly ApiRole[] = ['anon', 'authenticated'];

/**
 * The server's own schemas: every role reads the catalog (PostgREST needs
 * it) and runs its built-in functions, through PUBLIC, on any Postgres. The
 * audit does not look into them; a hostile grant there needs a superuser.
 */
export const SERVER_SCHEMAS: readonly string[] = ['pg_catalog', 'information_schema'];
/** Matches pg_toast and the per-session temporary schemas, also the server's. */
export const SERVER_SCHEMA_PATTERN = '^pg_(toast|temp_[0-9]+|toast_temp_[0-9]+)$';

/** Schemas the platform owns: an object there that no allowance names is a failure. */
export const PLATFORM_SCHEMAS: readonly string[] = [
  'auth',
  'storage',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  '_realtime',
  'supabase_functions',
  'net',
  'vault',
  'pgsodium',
  'pgsodium_masks',
  'pgbouncer',
  'cron',
  'supabase_migrations',
  '_analytics',
  'pgtle',
];

const schemaUsage = (schema: string, by: string): Allowance => ({ kind: 'schema', schema, name: schema, roles: API, privileges: ['USAGE'], by });

export const PLATFORM_ALLOWANCES: readonly Allowance[] = [
  // The exposed schema: Supabase's initial schema (and apply_postgrest_permissions on Altan).
  schemaUsage('public', 'Supabase: GRANT USAGE ON SCHEMA public'),
  // GoTrue: the schema, so that policies can call auth.uid() and friends; never its tables.
  schemaUsage('auth', 'Supabase: GRANT USAGE ON SCHEMA auth'),
  ...['uid', 'role', 'email', 'jwt'].map(
    (name): Allowance => ({
      kind: 'function',
      schema: 'auth',
      name,
      roles: API,
      privileges: ['EXECUTE'],
      by: 'Postgres: EXECUTE to PUBLIC on auth.uid() and friends',
    }),
  ),
  // Storage: default privileges give the API roles everything in the schema; RLS on its tables decides.
  schemaUsage('storage', 'Supabase: GRANT USAGE ON SCHEMA storage'),
  { kind: 'relation', schema: 'storage', name: '*', roles: API, privileges: '*', by: 'Supabase: default privileges in schema storage (RLS decides)' },
  { kind: 'sequence', schema: 'storage', name: '*', roles: API, privileges: '*', by: 'Supabase: default privileges in schema storage' },
  { kind: 'function', schema: 'storage', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Supabase: default privileges in schema storage' },
  // Extensions live in `extensions`: their functions run for PUBLIC, their views (pg_stat_statements) are readable.
  schemaUsage('extensions', 'Supabase: GRANT USAGE ON SCHEMA extensions'),
  { kind: 'function', schema: 'extensions', name: '*', roles: API, privileges: ['EXECUTE'], by: "Postgres: extensions' functions are EXECUTE to PUBLIC" },
  { kind: 'relation', schema: 'extensions', name: '*', roles: API, privileges: ['SELECT'], by: "extensions' own views, SELECT to PUBLIC" },
  // pg_graphql: the graphql endpoint for the API roles.
  schemaUsage('graphql_public', 'Supabase: GRANT USAGE ON SCHEMA graphql_public'),
  { kind: 'function', schema: 'graphql_public', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Supabase: default privileges in schema graphql_public' },
  schemaUsage('graphql', 'Supabase: GRANT USAGE ON SCHEMA graphql'),
  { kind: 'relation', schema: 'graphql', name: '*', roles: API, privileges: ['SELECT'], by: 'Supabase: GRANT SELECT ON ALL TABLES IN SCHEMA graphql' },
  { kind: 'sequence', schema: 'graphql', name: '*', roles: API, privileges: '*', by: 'Supabase: GRANT ALL ON ALL SEQUENCES IN SCHEMA graphql' },
  { kind: 'function', schema: 'graphql', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Supabase: GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphql' },
  // Realtime: broadcast and presence authorization through RLS on realtime.messages.
  schemaUsage('realtime', 'Realtime: GRANT USAGE ON SCHEMA realtime'),
  {
    kind: 'relation',
    schema: 'realtime',
    name: '*',
    roles: API,
    privileges: ['SELECT', 'INSERT', 'UPDATE'],
    by: 'Realtime: realtime.messages, guarded by RLS',
  },
  { kind: 'function', schema: 'realtime', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Realtime: realtime.topic() and friends' },
  // pg_net and database webhooks.
  schemaUsage('net', 'Supabase: GRANT USAGE ON SCHEMA net'),
  { kind: 'function', schema: 'net', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Supabase: GRANT EXECUTE ON net.http_get / net.http_post' },
  // pg_cron grants PUBLIC SELECT on its job tables (and UPDATE, DELETE on the run details) and their
  // sequences; RLS there shows each role its own jobs only. Some versions grant the schema's USAGE too.
  schemaUsage('cron', 'pg_cron: USAGE ON SCHEMA cron to PUBLIC (some versions)'),
  { kind: 'relation', schema: 'cron', name: 'job', roles: API, privileges: ['SELECT'], by: 'pg_cron: SELECT to PUBLIC, RLS by user' },
  { kind: 'relation', schema: 'cron', name: 'job_run_details', roles: API, privileges: ['SELECT', 'UPDATE', 'DELETE'], by: 'pg_cron: to PUBLIC, RLS by user' },
  { kind: 'sequence', schema: 'cron', name: '*', roles: API, privileges: ['SELECT'], by: 'pg_cron: SELECT on its sequences to PUBLIC' },
  schemaUsage('supabase_functions', 'Supabase: database webhooks (older projects)'),
  { kind: 'relation', schema: 'supabase_functions', name: '*', roles: API, privileges: '*', by: 'Supabase: database webhooks (older projects)' },
  { kind: 'sequence', schema: 'supabase_functions', name: '*', roles: API, privileges: '*', by: 'Supabase: database webhooks (older projects)' },
  { kind: 'function', schema: 'supabase_functions', name: '*', roles: API, privileges: ['EXECUTE'], by: 'Supabase: database webhooks (older projects)' },
];

type Held = { readonly kind: ObjectKind; readonly schema: string; readonly name: string; readonly role: ApiRole; readonly privilege: string };

const covers = (a: Allowance, held: Held): boolean => a.roles.includes(held.role) && (a.privileges === '*' || a.privileges.includes(held.privilege));

/**
 * The allowances, indexed by object (a file of 1,000 tables has thousands,
 * and the audit looks up every privilege held): `find` gives the allowance a
 * privilege falls under, if any.
 */
export function allowanceIndex(list: readonly Allowance[]): { find(held: Held): Allowance | undefined } {
  const byObject = new Map<string, Allowance[]>();
  for (const a of list) {
    const key = `${a.kind}\u0000${a.schema}\u0000${a.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), a]);
  }
  const lookup = (kind: ObjectKind, schema: string, name: string) => byObject.get(`${kind}\u0000${schema}\u0000${name}`) ?? [];
  return {
    find: (held) => [...lookup(held.kind, held.schema, held.name), ...lookup(held.kind, held.schema, '*')].find((a) => covers(a, held)),
  };
}
