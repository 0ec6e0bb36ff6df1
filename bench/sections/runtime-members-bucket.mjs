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

/** The bucket's policy as applied (generated or by hand), for the notes. */
export async function storageNotes(su) {
  const { rows } = await su.query(
    `SELECT policyname, roles::text, qual FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects' AND cmd IN ('SELECT', 'ALL') AND qual LIKE $1`,
    [`%${BUCKET}%`],
  );
  return rows.map((p) => `bucket policy ${p.policyname} ${p.roles}: ${p.qual.replace(/\s+/g, ' ')}`);
}
