/**
 * Policy conditions → SQL. `auth.uid()` is always wrapped in a scalar
 * subquery so Postgres evaluates it once per statement, not once per row;
 * membership is read through set-returning helpers that run once too, into
 * an array that an index on the compared column can use.
 */
import type { Condition } from '../model/model.js';
import { HELPER } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';

export function conditionSql(cond: Condition, privateSchema: string): string {
  const uid = '(select auth.uid())';
  switch (cond.kind) {
    case 'always':
      return 'true';
    case 'signed-in':
      return `${uid} IS NOT NULL`;
    case 'owner':
      return `${uid} = ${ident(cond.column)}`;
    // `= ANY (ARRAY(SELECT ...))`, not `IN (SELECT ...)`: Postgres keeps a policy's
    // IN-subquery as a hashed filter run over every row (a sequential scan of the
    // table), while the array is computed once per statement and compared through
    // the index on the column (bench/RESULTS.md: 1M rows, 100 organizations).
    case 'org-member':
      return `${ident(cond.column)} = ANY (ARRAY(SELECT ${qualified(privateSchema, HELPER.memberOrgIds)}()))`;
    case 'org-admin':
      return `${ident(cond.column)} = ANY (ARRAY(SELECT ${qualified(privateSchema, HELPER.adminOrgIds)}()))`;
    // Members who are not admins: the two helpers' sets, one less the other, still computed once.
    case 'org-plain-member':
      return `${ident(cond.column)} = ANY (ARRAY(SELECT ${qualified(privateSchema, HELPER.memberOrgIds)}() EXCEPT SELECT ${qualified(privateSchema, HELPER.adminOrgIds)}()))`;
    case 'user':
      return `${uid} = ${ident(cond.column)}`;
    case 'never':
      return 'false';
    case 'not-null':
      return `${ident(cond.column)} IS NOT NULL`;
    // The keys a membership or ids helper returns, computed once per statement (as for organizations above).
    case 'member-ids': {
      const roles = cond.roles === undefined ? 'NULL' : `ARRAY[${cond.roles.map(literal).join(', ')}]`;
      return `${ident(cond.column)} = ANY (ARRAY(SELECT ${qualified(privateSchema, cond.helper)}(${roles})))`;
    }
    case 'ids':
      return `${ident(cond.column)} = ANY (ARRAY(SELECT ${qualified(privateSchema, cond.helper)}()))`;
    case 'equals':
      return `${ident(cond.column)} = ${literal(cond.value)}`;
    // The author's expression, in parentheses: its own ORs never mix with the policy's.
    case 'where':
      return `(${cond.sql})`;
    case 'visible-parent': {
      const outer = `${ident(cond.table)}.${ident(cond.column)}`;
      const parent = qualified(cond.target.schema, cond.target.table);
      return `(${outer} IS NULL OR EXISTS (SELECT 1 FROM ${parent} AS parent WHERE parent.${ident(cond.target.column)} = ${outer}))`;
    }
    // A SECURITY DEFINER helper, not a subquery: a policy that queried its own table would recurse.
    // A row may point at itself: the helper reads the statement's snapshot, which does not hold the
    // row being written, and pointing at one's own row tells nothing of other rows.
    case 'readable-parent': {
      const outer = `${ident(cond.table)}.${ident(cond.column)}`;
      const own = `${ident(cond.table)}.${ident(cond.key)}`;
      return `(${outer} IS NULL OR ${outer} = ${own} OR ${qualified(privateSchema, cond.check)}(${outer}))`;
    }
    case 'no-parent':
      return `${ident(cond.table)}.${ident(cond.column)} IS NULL`;
    case 'bucket':
      return `bucket_id = ${literal(cond.bucket)}`;
    case 'owner-folder':
      return `(storage.foldername(name))[1] = ${uid}::text`;
    // The keys as text, never the folder cast to the key's type: an upper-case or malformed folder then
    // matches no key, where a cast would fail the whole request (uuid's text is canonical lower case).
    case 'folder-key': {
      const call = (helper: string, roles: readonly string[] | null | undefined) =>
        `SELECT ${qualified(privateSchema, helper)}(${roles === undefined ? '' : roles === null ? 'NULL' : `ARRAY[${roles.map(literal).join(', ')}]`})::text`;
      const keys = cond.except === undefined ? call(cond.helper, cond.roles) : `${call(cond.helper, cond.roles)} EXCEPT ${call(cond.except, undefined)}`;
      // The first folder with built-ins, not storage.foldername(): Storage's own filters (ILIKE) are not
      // leakproof, so this runs on every object of the bucket first, and foldername() (PL/pgSQL on
      // Supabase) made a listing of 1,000,000 objects ~6x the explicit join (bench/RESULTS.md, issue 16).
      // strpos: a file at the root has no folder, whatever its name.
      return `(strpos(name, '/') > 0 AND split_part(name, '/', 1) = ANY (ARRAY(${keys})))`;
    }
    // owner_id is text in Storage's schema.
    case 'uploader':
      return `owner_id = ${uid}::text`;
    case 'stays-in-bucket':
      return `${qualified(privateSchema, HELPER.objectBucketId)}(id) = ${literal(cond.bucket)}`;
    case 'all':
      return cond.of.map((c) => (c.kind === 'any' ? `(${conditionSql(c, privateSchema)})` : conditionSql(c, privateSchema))).join(' AND ');
    case 'any':
      return cond.of.map((c) => (c.kind === 'all' ? `(${conditionSql(c, privateSchema)})` : conditionSql(c, privateSchema))).join(' OR ');
  }
}

/** Policy expressions longer than this put each top-level AND on a line of its own. */
const LINE_WIDTH = 100;

/** A policy's USING / WITH CHECK expression, laid out for reading. */
export function policyConditionSql(cond: Condition, privateSchema: string): string {
  const flat = conditionSql(cond, privateSchema);
  if (cond.kind !== 'all' || flat.length <= LINE_WIDTH) return flat;
  return cond.of.map((c) => (c.kind === 'any' ? `(${conditionSql(c, privateSchema)})` : conditionSql(c, privateSchema))).join('\n    AND ');
}
