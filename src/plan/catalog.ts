/**
 * What the database holds, by name: one round trip lists every object of
 * the kinds a file creates (tables, columns, constraints, indexes, policies,
 * triggers, helper functions, views, buckets, storage policies, jobs, the
 * tables Realtime publishes), as catalog keys. Plan compares them with the
 * inventories: an owned object that is gone is drift, a new one whose name is
 * taken is a conflict.
 */
import type { Database } from '../db/database.js';
import { evaluate, relationExists } from '../db/catalog.js';
import { REALTIME_PUBLICATION } from '../model/model.js';
import { literal } from '../sql/quote.js';
import { catalogKey } from './inventory.js';

const TABLE_KINDS = "c.relkind IN ('r', 'p')";

function presenceQuery(storage: boolean, cron: boolean): string {
  // $1 is the exposed schema, $2 the private one; a schema that does not exist yet simply matches nothing.
  const inSchema = (alias: string, param: string) => `${alias}.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${param})`;
  const parts = [
    `SELECT 'table' AS kind, '' AS tbl, c.relname::text AS name FROM pg_catalog.pg_class c WHERE ${inSchema('c', '$1')} AND ${TABLE_KINDS}`,
    `SELECT 'rls', '', c.relname::text FROM pg_catalog.pg_class c WHERE ${inSchema('c', '$1')} AND ${TABLE_KINDS} AND c.relrowsecurity`,
    `SELECT 'column', c.relname::text, a.attname::text FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      WHERE ${inSchema('c', '$1')} AND ${TABLE_KINDS} AND a.attnum > 0 AND NOT a.attisdropped`,
    // Not the NOT NULL constraints of PostgreSQL 18 (a column's NOT NULL, not an object of the file's).
    `SELECT 'constraint', c.relname::text, con.conname::text FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
      WHERE ${inSchema('c', '$1')} AND con.contype <> 'n'`,
    `SELECT 'index', c.relname::text, i.relname::text FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
      JOIN pg_catalog.pg_class c ON c.oid = x.indrelid WHERE ${inSchema('c', '$1')}`,
    `SELECT 'policy', c.relname::text, p.polname::text FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid WHERE ${inSchema('c', '$1')}`,
    `SELECT 'trigger', c.relname::text, t.tgname::text FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid WHERE ${inSchema('c', '$1')} AND NOT t.tgisinternal`,
    `SELECT 'function', '', p.proname::text FROM pg_catalog.pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $2)`,
    `SELECT 'view', '', c.relname::text FROM pg_catalog.pg_class c WHERE ${inSchema('c', '$2')} AND c.relkind = 'm'`,
    `SELECT 'storage-policy', '', p.polname::text FROM pg_catalog.pg_policy p WHERE p.polrelid = pg_catalog.to_regclass('storage.objects')`,
    // Published however the publication says so: by name, FOR ALL TABLES, or for the whole schema.
    `SELECT 'realtime', t.tablename::text, t.pubname::text FROM pg_catalog.pg_publication_tables t WHERE t.schemaname = $1 AND t.pubname = ${literal(REALTIME_PUBLICATION)}`,
    ...(storage ? ["SELECT 'bucket', '', id::text FROM storage.buckets"] : []),
    ...(cron ? ["SELECT 'job', '', jobname::text FROM cron.job"] : []),
  ];
  return parts.join('\nUNION ALL\n');
}

/** The catalog keys of every object present, for a file on `schema` with helpers in `privateSchema`. */
export async function presentObjects(db: Database, schema: string, privateSchema: string): Promise<Set<string>> {
  const [storage, cron] = await evaluate(db, [relationExists('storage.buckets'), relationExists('cron.job')]);
  // One JSON value rather than a row per object: tens of thousands of rows cost far more to receive.
  const [row] = await db.query<{ keys: unknown }>(
    `SELECT coalesce(json_agg(json_build_array(o.kind, o.tbl, o.name)), '[]') AS keys FROM (${presenceQuery(storage === true, cron === true)}) AS o`,
    [schema, privateSchema],
  );
  const keys = (typeof row?.keys === 'string' ? JSON.parse(row.keys) : row?.keys) as [string, string, string][];
  return new Set(keys.map(([kind, table, name]) => catalogKey(kind, table, name)));
}
