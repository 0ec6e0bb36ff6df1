/**
 * Section 3's `via` bucket: a bucket `read: { via: projects }` listed as
 * Supabase Storage lists it. A client's `list(folder)` (limit 100, offset 0,
 * sorted by name) becomes a call of `storage.search(prefix, bucket, 100,
 * levels, 0, '', 'name', 'asc')`, a SECURITY INVOKER function whose one
 * dynamic statement runs as the caller: the folders one level below the
 * prefix, then the files at that level, matched with ILIKE on the name (see
 * docs/storage.md). That statement is what is timed here, with Storage's
 * bound parameters, once for a project's folder and once for the bucket's root.
 */
import { join } from 'node:path';
import { ROOT } from '../lib/measure.mjs';
import { BUCKET, idOf, membershipsOf } from './runtime-members-data.mjs';

/** The statement storage.search runs: $1 levels, $2 the prefix, $3 the bucket; `extra` ANDed to both parts (the floor's). */
const searchSql = (extra = '') => `WITH folders AS (
  SELECT path_tokens[$1::int] AS folder FROM storage.objects
  WHERE objects.name ILIKE $2::text || '%' AND bucket_id = $3::text AND array_length(objects.path_tokens, 1) <> $1::int${extra}
  GROUP BY folder ORDER BY folder ASC
)
(SELECT folder AS name, NULL::uuid AS id, NULL::timestamptz AS updated_at, NULL::timestamptz AS created_at,
        NULL::timestamptz AS last_accessed_at, NULL::jsonb AS metadata FROM folders)
UNION ALL
(SELECT path_tokens[$1::int] AS name, id, updated_at, created_at, last_accessed_at, metadata FROM storage.objects
  WHERE objects.name ILIKE $2::text || '%' AND bucket_id = $3::text AND array_length(objects.path_tokens, 1) = $1::int${extra}
  ORDER BY name ASC)
LIMIT 100 OFFSET 0`;

/**
 * The floor's WHERE: the object's first folder is a project the caller ($4) is a member of. The first
 * folder read with built-in functions (what `(storage.foldername(name))[1]` returns: the part before the
 * first slash, when there is one): the cheapest equivalent, so that the floor holds no avoidable cost.
 */
const MEMBER_FOLDER =
  " AND strpos(objects.name, '/') > 0 AND split_part(objects.name, '/', 1) IN (SELECT m.project_id::text FROM public.projects_members AS m WHERE m.user_id = $4::uuid)";

/** The cases, shaped as ./runtime-members.mjs measures them. */
export function STORAGE_CASES({ users, rows, caller }) {
  const uid = (n) => caller(n).sub;
  const folders = (n) => {
    const u = Number(uid(n).slice(-12));
    return membershipsOf(u, { users, rows }).map((g) => idOf('project', g.group));
  };
  const listings = [
    { name: "a project's folder (100 of its files)", levels: 2, prefix: (n) => `${folders(n)[0]}/` },
    { name: `the bucket's root (the caller's project folders)`, levels: 1, prefix: () => '' },
  ];
  return listings.map((l) => {
    const base = (n) => [l.levels, l.prefix(n), BUCKET];
    return {
      measure: `via bucket (${BUCKET} read: { via: projects }), Storage list of ${l.name}`,
      storage: true,
      // Both sides read every object of the bucket (Storage's ILIKE uses no index): seconds at 1,000,000
      // objects, so one request per run.
      reps: 1,
      caller,
      sql: searchSql(),
      params: base,
      floors: [{ name: 'superuser folder IN member projects', sql: searchSql(MEMBER_FOLDER), params: (n) => [...base(n), uid(n)] }],
    };
  });
}

const FOLDERNAME = '(storage.foldername(name))[1]';

/**
 * Replaces the bucket's SELECT policies by the same ones with the first folder read by built-ins
 * (`split_part(name, '/', 1)`, and `strpos(name, '/') > 0` for "there is a folder") instead of
 * `(storage.foldername(name))[1]`: the shape proposed for the generated SQL, measured beside it.
 * Returns false when no policy reads the folder so.
 */
export async function useBuiltinFolder(su) {
  const { ident, literal } = await import(join(ROOT, 'dist/sql/quote.js'));
  const { rows } = await su.query(
    `SELECT policyname, roles::text[] AS roles, qual FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects' AND cmd = 'SELECT' AND qual LIKE $1`,
    [`%${BUCKET}%`],
  );
  const replaced = rows.filter((p) => p.qual.includes(FOLDERNAME));
  for (const p of replaced) {
    const qual = `(${p.qual.replaceAll(FOLDERNAME, "split_part(name, '/', 1)")}) AND strpos(name, '/') > 0`;
    const roles = p.roles.map(ident).join(', ');
    await su.query(`DROP POLICY ${ident(p.policyname)} ON storage.objects`);
    await su.query(`CREATE POLICY ${ident(p.policyname)} ON storage.objects FOR SELECT TO ${roles} USING (${qual})`);
    await su.query(`COMMENT ON POLICY ${ident(p.policyname)} ON storage.objects IS ${literal('bench: folder read by built-ins')}`);
  }
  return replaced.length > 0;
}

/** The bucket's policy as applied (generated or by hand), for the notes. */
export async function storageNotes(su) {
  const { rows } = await su.query(
    `SELECT policyname, roles::text, qual FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects' AND cmd IN ('SELECT', 'ALL') AND qual LIKE $1`,
    [`%${BUCKET}%`],
  );
  return rows.map((p) => `bucket policy ${p.policyname} ${p.roles}: ${p.qual.replace(/\s+/g, ' ')}`);
}

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
