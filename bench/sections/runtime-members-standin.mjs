/**
 * A stand-in for section 3's members file while the tool cannot generate it
 * yet (issue 16 is built in parts): the same tables, made by `apply` from the
 * same entities with owner access, then by hand the members tables, the
 * helpers and the SELECT policies in the shapes that
 * docs/design/access-rules-2.md §1 decided (`fk = ANY (ARRAY(SELECT
 * altan_private.<helper>()))`). Measured rows say "design shape, by hand":
 * they check the design, not the tool.
 */
import { BUCKET } from './runtime-members-data.mjs';

export const STANDIN_YAML = `version: 1
entities:
  rooms:
    fields:
      name: { type: text, required: true }
  messages:
    fields:
      room_id: { references: rooms, on_delete: cascade, required: true, immutable: true }
      body: { type: text, required: true }
  projects:
    fields:
      name: { type: text, required: true }
  tasks:
    fields:
      project_id: { references: projects, on_delete: cascade, required: true, immutable: true }
      title: { type: text, required: true }
  task_comments:
    fields:
      task_id: { references: tasks, on_delete: cascade, required: true, immutable: true }
      body: { type: text, required: true }
  reports:
    fields:
      project_id: { references: projects, on_delete: cascade, required: true, immutable: true }
      title: { type: text, required: true }
  documents:
    fields:
      title: { type: text, required: true }
`;

const membersTable = (entity, column, roles) => `
CREATE TABLE public.${entity}_members (
  ${column} uuid NOT NULL REFERENCES public.${entity} (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT '${roles.at(-1)}' CHECK (role IN (${roles.map((r) => `'${r}'`).join(', ')})),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (${column}, user_id)
);
CREATE INDEX ${entity}_members_user_id_idx ON public.${entity}_members (user_id);
ALTER TABLE public.${entity}_members ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION altan_private.public_${entity}_member_ids(roles text[]) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $fn$
  SELECT m.${column} FROM public.${entity}_members AS m
  WHERE m.user_id = (SELECT auth.uid()) AND (roles IS NULL OR m.role = ANY (roles))
$fn$;
-- the ids of rows the caller may read: owned, or a member of
CREATE FUNCTION altan_private.public_${entity}_ids_read() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $fn$
  SELECT e.id FROM public.${entity} AS e WHERE e.user_id = (SELECT auth.uid())
  UNION
  SELECT m.${column} FROM public.${entity}_members AS m WHERE m.user_id = (SELECT auth.uid())
$fn$;
GRANT EXECUTE ON FUNCTION altan_private.public_${entity}_member_ids(text[]), altan_private.public_${entity}_ids_read() TO authenticated;
GRANT USAGE ON SCHEMA altan_private TO authenticated;
DROP POLICY ${entity}_select ON public.${entity};
CREATE POLICY ${entity}_select ON public.${entity} FOR SELECT TO authenticated
  USING ((select auth.uid()) = user_id OR id = ANY (ARRAY(SELECT altan_private.public_${entity}_member_ids(NULL))));
`;

const viaRead = (table, column, helper) => `
DROP POLICY ${table}_select ON public.${table};
CREATE POLICY ${table}_select ON public.${table} FOR SELECT TO authenticated
  USING (${column} = ANY (ARRAY(SELECT altan_private.${helper})));
`;

/** Run as superuser after the stand-in file was applied. */
export const STANDIN_SQL = `
${membersTable('rooms', 'room_id', ['admin', 'member'])}
${membersTable('projects', 'project_id', ['admin', 'editor', 'viewer'])}
${membersTable('documents', 'document_id', ['admin', 'member'])}
${viaRead('messages', 'room_id', 'public_rooms_ids_read()')}
CREATE FUNCTION altan_private.public_tasks_ids_read() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $fn$
  SELECT t.id FROM public.tasks AS t WHERE t.project_id = ANY (ARRAY(SELECT altan_private.public_projects_ids_read()))
$fn$;
GRANT EXECUTE ON FUNCTION altan_private.public_tasks_ids_read() TO authenticated;
${viaRead('tasks', 'project_id', 'public_projects_ids_read()')}
${viaRead('task_comments', 'task_id', 'public_tasks_ids_read()')}
${viaRead('reports', 'project_id', "public_projects_member_ids(ARRAY['admin', 'editor'])")}`;

/**
 * The bucket `{ via: projects }` by hand (used until the tool makes it): a helper of the bench's own
 * reading the projects the caller owns or is a member of, compared with the object's first folder.
 */
export const BUCKET_STANDIN_SQL = `
CREATE FUNCTION altan_private.bench_project_ids_read() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $fn$
  SELECT p.id FROM public.projects AS p WHERE p.user_id = (SELECT auth.uid())
  UNION
  SELECT m.project_id FROM public.projects_members AS m WHERE m.user_id = (SELECT auth.uid())
$fn$;
GRANT USAGE ON SCHEMA altan_private TO authenticated;
GRANT EXECUTE ON FUNCTION altan_private.bench_project_ids_read() TO authenticated;
INSERT INTO storage.buckets (id, name) VALUES ('${BUCKET}', '${BUCKET}');
CREATE POLICY "bucket_${BUCKET}_select" ON storage.objects FOR SELECT TO authenticated
  USING (bucket_id = '${BUCKET}' AND (storage.foldername(name))[1] = ANY (ARRAY(SELECT altan_private.bench_project_ids_read()::text)));
`;
