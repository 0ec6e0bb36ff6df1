/**
 * The SQL of the bootstrap: what a Supabase project has and a vanilla Postgres
 * lacks, written from docs' facts (roles, GoTrue's auth schema, Storage's
 * schema, pg_cron, the permission helper Altan projects carry). Each piece is
 * created only when its existence check (in bootstrap.ts) finds it missing, so
 * the statements here are plain CREATEs, never OR REPLACE: on a real project
 * nothing of its own is ever rewritten.
 */

/** The roles PostgREST switches to; every grant of the bootstrap names them. */
export const API_ROLES = 'anon, authenticated, service_role';

/**
 * Roles are cluster-wide while the advisory lock is per database: two databases
 * of one cluster bootstrapped at once may both find a role missing. The loser
 * sees duplicate_object (the winner committed first) or unique_violation (it
 * waited on the winner's uncommitted catalog row); either way the role exists.
 */
export function createRole(name: string, options: string, grants = ''): string {
  const grant =
    grants === ''
      ? ''
      : `
  BEGIN
    GRANT ${grants} TO ${name};
  EXCEPTION WHEN unique_violation THEN
    NULL; -- granted by a concurrent bootstrap of another database
  END;`;
  return `DO $bootstrap$
BEGIN
  BEGIN
    CREATE ROLE ${name} ${options};
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created by a concurrent bootstrap of another database
  END;${grant}
END
$bootstrap$;`;
}

export const CREATE_ANON = createRole('anon', 'NOLOGIN');
export const CREATE_AUTHENTICATED = createRole('authenticated', 'NOLOGIN');
// Supabase's service key bypasses RLS: the role itself does, not a policy.
export const CREATE_SERVICE_ROLE = createRole('service_role', 'NOLOGIN BYPASSRLS');
// PostgREST logs in as authenticator and SET LOCAL ROLEs per request; NOINHERIT
// so that, before the switch, it holds none of the API roles' privileges.
export const CREATE_AUTHENTICATOR = createRole('authenticator', 'LOGIN NOINHERIT', API_ROLES);

export const CREATE_AUTH_SCHEMA = `
CREATE SCHEMA auth;
-- The API roles call auth.uid() and friends from policies; nothing else of auth is theirs.
GRANT USAGE ON SCHEMA auth TO ${API_ROLES};`;

// A few of GoTrue's columns: enough for foreign keys to auth.users(id), for
// triggers reading the metadata, and for tests creating users. Deliberately
// not granted to the API roles: the user table is never exposed.
export const CREATE_AUTH_USERS = `
CREATE TABLE auth.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);`;

/**
 * auth.uid() and friends: the legacy per-claim setting (request.jwt.claim.<key>)
 * wins when non-empty, then the key of the JSON PostgREST puts in
 * request.jwt.claims. current_setting(…, true) gives NULL for a setting never
 * set but '' for one set in an ended transaction, hence nullif everywhere.
 * The search_path is pinned like every other function the bootstrap creates.
 */
function claimFunction(name: string, key: string, type: 'uuid' | 'text'): string {
  return `
CREATE FUNCTION auth.${name}() RETURNS ${type}
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.${key}', true), ''),
    nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> '${key}', '')
  )::${type}
$$;`;
}

export const CREATE_AUTH_UID = claimFunction('uid', 'sub', 'uuid');
export const CREATE_AUTH_ROLE = claimFunction('role', 'role', 'text');
export const CREATE_AUTH_EMAIL = claimFunction('email', 'email', 'text');

export const CREATE_AUTH_JWT = `
CREATE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;`;

export const CREATE_STORAGE_SCHEMA = `
CREATE SCHEMA storage;
GRANT USAGE ON SCHEMA storage TO ${API_ROLES};`;

// As Supabase Storage: the API roles hold every privilege and RLS decides, so
// a bucket without policies is closed to them.
export const CREATE_STORAGE_BUCKETS = `
CREATE TABLE storage.buckets (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  owner uuid,
  owner_id text,
  public boolean DEFAULT false,
  avif_autodetection boolean DEFAULT false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
GRANT ALL ON storage.buckets TO ${API_ROLES};`;

export const CREATE_STORAGE_OBJECTS = `
CREATE TABLE storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bucket_id text REFERENCES storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now(),
  metadata jsonb,
  user_metadata jsonb,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  version text,
  UNIQUE (bucket_id, name)
);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
GRANT ALL ON storage.objects TO ${API_ROLES};`;

// The path helpers policies use, e.g. (storage.foldername(name))[1] = uid.
// STRICT: a NULL name gives NULL without evaluating the body.
export const CREATE_STORAGE_FOLDERNAME = `
CREATE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT
SET search_path = ''
AS $$
  -- every segment but the last: 'a/b/c.png' -> {a,b}; 'c.png' -> {}
  SELECT parts[1:cardinality(parts) - 1] FROM string_to_array(name, '/') AS parts
$$;`;

export const CREATE_STORAGE_FILENAME = `
CREATE FUNCTION storage.filename(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = ''
AS $$
  -- the last segment: 'a/b/c.png' -> 'c.png'
  SELECT parts[cardinality(parts)] FROM string_to_array(name, '/') AS parts
$$;`;

// What follows the last dot of the last segment. Without one it is '' rather
// than NULL, so that a condition such as `storage.extension(name) <> 'exe'`
// gets a plain true/false for a file without an extension, as comparisons on
// Storage's own (never-NULL) result do.
export const CREATE_STORAGE_EXTENSION = `
CREATE FUNCTION storage.extension(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = ''
AS $$
  -- 'a/b/c.tar.gz' -> 'gz'; 'a.d/readme' -> ''; 'a/b.' -> ''
  SELECT coalesce(substring(name FROM '\\.([^./]*)$'), '')
$$;`;

/**
 * Storage's guard: a statement trigger on both tables refuses any DELETE unless
 * the transaction set storage.allow_delete_query to 'true', as the Storage
 * service does in every request's scope (a file deleted in SQL would be left
 * orphaned in the object store). Statement-level: it fires even when no row
 * matches, before any policy is looked at, with Storage's own code (42501).
 */
export const CREATE_STORAGE_DELETE_GUARD = `
CREATE FUNCTION storage.protect_delete() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF coalesce(pg_catalog.current_setting('storage.allow_delete_query', true), 'false') <> 'true' THEN
    RAISE EXCEPTION 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      USING HINT = 'Set storage.allow_delete_query to true in the transaction, as the Storage API does.', ERRCODE = '42501';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER protect_buckets_delete BEFORE DELETE ON storage.buckets
  FOR EACH STATEMENT EXECUTE FUNCTION storage.protect_delete();
CREATE TRIGGER protect_objects_delete BEFORE DELETE ON storage.objects
  FOR EACH STATEMENT EXECUTE FUNCTION storage.protect_delete();`;

export const CREATE_PG_CRON = 'CREATE EXTENSION IF NOT EXISTS pg_cron WITH SCHEMA pg_catalog;';

/**
 * PGlite has no pg_cron, but generated SQL schedules jobs: this stand-in keeps
 * pg_cron's table and functions (named jobs, upsert by job name and user, an
 * error when unscheduling an unknown name) so that the SQL runs and tests can
 * look at cron.job. Nothing ever runs the jobs.
 */
export const CREATE_CRON_STAND_IN = `
CREATE SCHEMA cron;
COMMENT ON SCHEMA cron IS 'altan-cloud stand-in for pg_cron: jobs are recorded, never run';
CREATE TABLE cron.job (
  jobid bigserial PRIMARY KEY,
  schedule text NOT NULL,
  command text NOT NULL,
  nodename text NOT NULL DEFAULT 'localhost',
  nodeport int NOT NULL DEFAULT 5432,
  database text NOT NULL DEFAULT current_database(),
  username text NOT NULL DEFAULT current_user,
  active boolean NOT NULL DEFAULT true,
  jobname name, -- as pg_cron: 63 bytes at most
  CONSTRAINT jobname_username_uniq UNIQUE (jobname, username)
);

CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
LANGUAGE sql
SET search_path = ''
AS $$
  -- like pg_cron: scheduling a name again replaces the caller's job of that name
  INSERT INTO cron.job AS j (jobname, schedule, command)
  VALUES (job_name, schedule, command)
  ON CONFLICT (jobname, username) DO UPDATE
    SET schedule = excluded.schedule, command = excluded.command, active = true
  RETURNING j.jobid
$$;

CREATE FUNCTION cron.unschedule(job_name text) RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  DELETE FROM cron.job WHERE jobname = job_name AND username = current_user;
  IF NOT FOUND THEN
    -- pg_cron's own message; generated SQL must guard with a cron.job lookup
    RAISE EXCEPTION 'could not find valid entry for job ''%''', job_name USING ERRCODE = 'internal_error';
  END IF;
  RETURN true;
END
$$;

CREATE FUNCTION cron.unschedule(job_id bigint) RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  DELETE FROM cron.job WHERE jobid = job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'could not find valid entry for job %', job_id USING ERRCODE = 'internal_error';
  END IF;
  RETURN true;
END
$$;`;

/**
 * What Altan projects call at the end of every migration: the API roles get
 * every privilege on what is in public (RLS guards the rows), then PostgREST
 * reloads its schema cache. SECURITY INVOKER: the grants are made by whoever
 * runs the migration, as owner. It lives in an exposed schema, so PostgREST
 * would offer it as an RPC: EXECUTE is taken from PUBLIC and the client roles.
 */
export const CREATE_APPLY_POSTGREST_PERMISSIONS = `
CREATE FUNCTION public.apply_postgrest_permissions() RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $$
DECLARE
  routine regprocedure;
BEGIN
  -- ALL TABLES covers views, materialized and foreign tables too
  GRANT ALL ON ALL TABLES IN SCHEMA public TO ${API_ROLES};
  GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${API_ROLES};
  -- one by one: ALL ROUTINES would include this function
  FOR routine IN
    SELECT p.oid::regprocedure
    FROM pg_catalog.pg_proc AS p
    WHERE p.pronamespace = 'public'::regnamespace
      AND p.oid <> 'public.apply_postgrest_permissions()'::regprocedure
    ORDER BY p.oid
  LOOP
    EXECUTE format('GRANT ALL ON ROUTINE %s TO ${API_ROLES}', routine);
  END LOOP;
  NOTIFY pgrst, 'reload schema';
END
$$;
REVOKE EXECUTE ON FUNCTION public.apply_postgrest_permissions() FROM PUBLIC, anon, authenticated;`;
