/**
 * For each lint of advisorLints.ts, a small hand-made schema that breaks it
 * and the same schema mended: advisors.test.ts expects the lint to name
 * exactly `objects` in the first and nothing in the second. Each runs in a
 * transaction that is rolled back, on a bootstrapped database whose exposed
 * schema is public.
 */

export interface LintCase {
  readonly lint: string;
  readonly bad: string;
  /** What the lint names in `bad`, in its order (object, then detail). */
  readonly objects: readonly string[];
  readonly fixed: string;
  /** Why PGlite cannot hold the case (it then runs on PostgreSQL only). */
  readonly notOnPGlite?: string;
}

const NOTES = `CREATE TABLE public.notes (id int PRIMARY KEY, owner uuid, body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;`;
const PRIVATE = 'CREATE SCHEMA IF NOT EXISTS altan_private;';
const SECURITY_DEFINER = `CREATE FUNCTION public.whoami() RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS 'SELECT auth.uid()';`;

export const LINT_CASES: readonly LintCase[] = [
  {
    lint: '0001_unindexed_foreign_keys',
    bad: `CREATE TABLE public.parents (id int PRIMARY KEY);
      CREATE TABLE public.children (id int PRIMARY KEY, parent_id int REFERENCES public.parents, rank int);
      CREATE INDEX children_rank_parent_idx ON public.children (rank, parent_id); -- holds the column, but not first`,
    objects: ['public.children'],
    fixed: `CREATE TABLE public.parents (id int PRIMARY KEY);
      CREATE TABLE public.children (id int PRIMARY KEY, parent_id int REFERENCES public.parents, rank int);
      CREATE INDEX children_parent_rank_idx ON public.children (parent_id, rank);`,
  },
  {
    lint: '0002_auth_users_exposed',
    bad: `CREATE VIEW public.user_emails AS SELECT id, email FROM auth.users;
      CREATE VIEW public.invoker_emails WITH (security_invoker = true) AS SELECT email FROM auth.users; -- auth.users has no RLS here
      CREATE MATERIALIZED VIEW public.user_count AS SELECT count(*) AS n FROM auth.users;
      GRANT SELECT ON public.user_emails, public.invoker_emails TO authenticated;
      GRANT SELECT ON public.user_count TO anon;`,
    objects: ['public.invoker_emails', 'public.user_count', 'public.user_emails'],
    fixed: `${PRIVATE}
      CREATE VIEW public.user_emails AS SELECT id, email FROM auth.users; -- no API role may read it
      CREATE MATERIALIZED VIEW altan_private.user_count AS SELECT count(*) AS n FROM auth.users;
      GRANT SELECT ON altan_private.user_count TO anon; -- not an exposed schema`,
  },
  {
    lint: '0003_auth_rls_initplan',
    bad: `${NOTES}
      CREATE POLICY notes_select ON public.notes FOR SELECT TO authenticated USING (auth.uid() = owner);
      CREATE POLICY notes_update ON public.notes FOR UPDATE TO authenticated USING ((select auth.uid()) = owner)
        WITH CHECK ((select auth.uid()) = owner AND auth.jwt() ->> 'aal' = 'aal2'); -- one wrapped call does not excuse the other
      CREATE POLICY notes_delete ON public.notes FOR DELETE TO authenticated
        USING (current_setting('request.jwt.claims', true)::jsonb ->> 'sub' = owner::text);
      CREATE POLICY files_read ON storage.objects FOR SELECT TO authenticated USING (owner_id = auth.uid()::text);`,
    objects: ['public.notes', 'public.notes', 'public.notes', 'storage.objects'],
    fixed: `${NOTES}
      CREATE POLICY notes_select ON public.notes FOR SELECT TO authenticated USING ((select auth.uid()) = owner);
      CREATE POLICY notes_update ON public.notes FOR UPDATE TO authenticated USING ((select auth.uid()) = owner)
        WITH CHECK ((select auth.uid()) = owner AND (select auth.jwt()) ->> 'aal' = 'aal2');
      CREATE POLICY notes_delete ON public.notes FOR DELETE TO authenticated
        USING ((select current_setting('request.jwt.claims', true))::jsonb ->> 'sub' = owner::text);
      CREATE POLICY files_read ON storage.objects FOR SELECT TO authenticated USING (owner_id = (select auth.uid())::text);`,
  },
  {
    lint: '0004_no_primary_key',
    bad: 'CREATE TABLE public.events_log (at timestamptz, message text);',
    objects: ['public.events_log'],
    fixed: 'CREATE TABLE public.events_log (id bigint PRIMARY KEY, at timestamptz, message text);',
  },
  {
    lint: '0006_multiple_permissive_policies',
    // PUBLIC reaches authenticated too: two permissive SELECT policies for it (anon has one).
    bad: `${NOTES}
      CREATE POLICY notes_own ON public.notes FOR SELECT TO authenticated USING ((select auth.uid()) = owner);
      CREATE POLICY notes_hidden ON public.notes FOR ALL TO public USING (body IS NOT NULL);`,
    objects: ['public.notes'],
    fixed: `${NOTES}
      CREATE POLICY notes_own ON public.notes FOR SELECT TO authenticated USING ((select auth.uid()) = owner);
      CREATE POLICY notes_hidden ON public.notes AS RESTRICTIVE FOR ALL TO public USING (body IS NOT NULL);
      CREATE POLICY notes_insert ON public.notes FOR INSERT TO authenticated WITH CHECK ((select auth.uid()) = owner);`,
  },
  {
    lint: '0007_policy_exists_rls_disabled',
    bad: `CREATE TABLE public.open_notes (id int PRIMARY KEY);
      CREATE POLICY open_notes_select ON public.open_notes FOR SELECT TO authenticated USING (true);`,
    objects: ['public.open_notes'],
    fixed: `CREATE TABLE public.open_notes (id int PRIMARY KEY);
      ALTER TABLE public.open_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY open_notes_select ON public.open_notes FOR SELECT TO authenticated USING (true);`,
  },
  {
    lint: '0008_rls_enabled_no_policy',
    bad: NOTES,
    objects: ['public.notes'],
    fixed: `${NOTES}
      CREATE POLICY notes_select ON public.notes FOR SELECT TO authenticated USING ((select auth.uid()) = owner);`,
  },
  {
    lint: '0009_duplicate_index',
    bad: `CREATE TABLE public.tags (id int PRIMARY KEY, name text, CONSTRAINT tags_name_key UNIQUE (name));
      CREATE UNIQUE INDEX tags_name_idx ON public.tags (name);
      CREATE INDEX tags_lower_a ON public.tags (lower(name));
      CREATE INDEX tags_lower_b ON public.tags (lower(name));`,
    objects: ['public.tags', 'public.tags'],
    fixed: `CREATE TABLE public.tags (id int PRIMARY KEY, name text, CONSTRAINT tags_name_key UNIQUE (name));
      CREATE UNIQUE INDEX tags_name_idx ON public.tags (name) WHERE name <> '';
      CREATE INDEX tags_lower_a ON public.tags (lower(name));
      CREATE INDEX tags_lower_b ON public.tags (lower(name) DESC);`,
  },
  {
    lint: '0010_security_definer_view',
    bad: `CREATE VIEW public.one AS SELECT 1 AS n;
      CREATE VIEW public.two WITH (security_invoker = false) AS SELECT 2 AS n;
      GRANT SELECT ON public.one, public.two TO anon;`,
    objects: ['public.one', 'public.two'],
    fixed: `CREATE VIEW public.one WITH (security_invoker = on) AS SELECT 1 AS n;
      CREATE VIEW public.two WITH (security_invoker) AS SELECT 2 AS n;
      CREATE VIEW public.three AS SELECT 3 AS n; -- no API role may read it
      GRANT SELECT ON public.one, public.two TO anon;`,
  },
  {
    lint: '0011_function_search_path_mutable',
    bad: `${PRIVATE}
      CREATE FUNCTION altan_private.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
      CREATE FUNCTION public.g(a int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN a; END';`,
    objects: ['altan_private.f()', 'public.g(a integer)'],
    fixed: `${PRIVATE}
      CREATE FUNCTION altan_private.f() RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT 1';
      CREATE FUNCTION public.g(a int) RETURNS int LANGUAGE plpgsql SET search_path = pg_catalog AS 'BEGIN RETURN a; END';`,
  },
  {
    lint: '0013_rls_disabled_in_public',
    bad: `CREATE TABLE public.readable (id int PRIMARY KEY);
      CREATE TABLE public.writable (id int PRIMARY KEY);
      GRANT SELECT ON public.readable TO authenticated;
      GRANT INSERT ON public.writable TO anon; -- a write is as open as a read`,
    objects: ['public.readable', 'public.writable'],
    fixed: `CREATE TABLE public.readable (id int PRIMARY KEY);
      ALTER TABLE public.readable ENABLE ROW LEVEL SECURITY;
      CREATE TABLE public.writable (id int PRIMARY KEY); -- no API role may use it
      CREATE SCHEMA hidden;
      CREATE TABLE hidden.readable (id int PRIMARY KEY); -- not an exposed schema
      GRANT SELECT ON public.readable, hidden.readable TO authenticated;`,
  },
  {
    lint: '0014_extension_in_public',
    bad: 'CREATE EXTENSION citext SCHEMA public;',
    objects: ['citext'],
    fixed: 'CREATE SCHEMA IF NOT EXISTS extensions; CREATE EXTENSION citext SCHEMA extensions;',
    notOnPGlite: 'PGlite offers no extension but plpgsql unless loaded when it starts',
  },
  {
    lint: '0015_rls_references_user_metadata',
    bad: `${NOTES}
      CREATE POLICY notes_admins ON public.notes FOR SELECT TO authenticated
        USING ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');
      CREATE POLICY notes_team ON public.notes FOR UPDATE TO authenticated
        USING (EXISTS (SELECT 1 FROM auth.users AS u WHERE u.id = (select auth.uid()) AND u.raw_user_meta_data ->> 'team' = body));`,
    objects: ['public.notes', 'public.notes'],
    fixed: `${NOTES}
      CREATE POLICY notes_admins ON public.notes FOR SELECT TO authenticated
        USING ((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');
      CREATE POLICY notes_team ON public.notes FOR UPDATE TO authenticated
        USING (EXISTS (SELECT 1 FROM auth.users AS u WHERE u.id = (select auth.uid()) AND u.raw_app_meta_data ->> 'team' = body));`,
  },
  {
    lint: '0016_materialized_view_in_api',
    bad: `CREATE MATERIALIZED VIEW public.totals AS SELECT 1 AS n;
      GRANT SELECT ON public.totals TO authenticated;`,
    objects: ['public.totals'],
    fixed: `${PRIVATE}
      CREATE MATERIALIZED VIEW altan_private.totals AS SELECT 1 AS n;
      CREATE MATERIALIZED VIEW public.hidden_totals AS SELECT 1 AS n; -- no API role may read it
      GRANT SELECT ON altan_private.totals TO authenticated;`,
  },
  {
    lint: '0017_foreign_table_in_api',
    bad: `CREATE FOREIGN DATA WRAPPER advisors_fdw;
      CREATE SERVER advisors_server FOREIGN DATA WRAPPER advisors_fdw;
      CREATE FOREIGN TABLE public.remote (x int) SERVER advisors_server;
      GRANT SELECT ON public.remote TO anon;`,
    objects: ['public.remote'],
    fixed: `CREATE FOREIGN DATA WRAPPER advisors_fdw;
      CREATE SERVER advisors_server FOREIGN DATA WRAPPER advisors_fdw;
      CREATE FOREIGN TABLE public.remote (x int) SERVER advisors_server;`,
  },
  {
    lint: '0018_unsupported_reg_types',
    bad: 'CREATE TABLE public.routines (id int PRIMARY KEY, fn regprocedure, ns regnamespace);',
    objects: ['public.routines', 'public.routines'],
    fixed: 'CREATE TABLE public.routines (id int PRIMARY KEY, rel regclass, typ regtype);',
  },
  {
    lint: '0021_fkey_to_auth_unique',
    bad: `CREATE UNIQUE INDEX users_email_key ON auth.users (email);
      CREATE TABLE public.profiles (id int PRIMARY KEY, email text REFERENCES auth.users (email));`,
    objects: ['public.profiles'],
    fixed: `CREATE UNIQUE INDEX users_email_key ON auth.users (email);
      CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id));`,
  },
  {
    lint: '0024_rls_policy_always_true',
    bad: `${NOTES}
      CREATE POLICY notes_insert ON public.notes FOR INSERT TO authenticated WITH CHECK (true);
      CREATE POLICY notes_delete ON public.notes FOR DELETE TO anon USING (1 = 1);
      CREATE POLICY notes_update ON public.notes FOR UPDATE TO public USING (true);`,
    objects: ['public.notes', 'public.notes', 'public.notes'],
    fixed: `${NOTES}
      CREATE POLICY notes_select ON public.notes FOR SELECT TO anon USING (true); -- reading everything is a choice
      CREATE POLICY notes_insert ON public.notes FOR INSERT TO authenticated WITH CHECK ((select auth.uid()) IS NOT NULL);
      CREATE POLICY notes_delete ON public.notes FOR DELETE TO service_role USING (true);
      CREATE POLICY notes_update ON public.notes AS RESTRICTIVE FOR UPDATE TO authenticated USING (true);`,
  },
  {
    lint: '0025_public_bucket_allows_listing',
    bad: `INSERT INTO storage.buckets (id, name, public) VALUES ('pics', 'pics', true);
      CREATE POLICY pics_list ON storage.objects FOR SELECT TO anon USING (bucket_id = 'pics');`,
    objects: ['pics'],
    fixed: `INSERT INTO storage.buckets (id, name, public) VALUES ('pics', 'pics', true), ('docs', 'docs', false);
      CREATE POLICY pics_own ON storage.objects FOR SELECT TO anon
        USING (bucket_id = 'pics' AND (storage.foldername(name))[1] = (select auth.uid())::text);
      CREATE POLICY docs_list ON storage.objects FOR SELECT TO authenticated USING (bucket_id = 'docs'); -- not a public bucket`,
  },
  {
    lint: '0028_anon_security_definer_function_executable',
    bad: SECURITY_DEFINER, // EXECUTE goes to PUBLIC by default
    objects: ['public.whoami()'],
    fixed: `${SECURITY_DEFINER}
      REVOKE EXECUTE ON FUNCTION public.whoami() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION public.whoami() TO authenticated;`,
  },
  {
    lint: '0029_authenticated_security_definer_function_executable',
    bad: `${SECURITY_DEFINER}
      REVOKE EXECUTE ON FUNCTION public.whoami() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION public.whoami() TO authenticated;`,
    objects: ['public.whoami()'],
    fixed: `${PRIVATE}
      CREATE FUNCTION altan_private.whoami() RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS 'SELECT auth.uid()';
      GRANT EXECUTE ON FUNCTION altan_private.whoami() TO authenticated; -- not an exposed schema
      ${SECURITY_DEFINER}
      REVOKE EXECUTE ON FUNCTION public.whoami() FROM PUBLIC;`,
  },
];
