/**
 * The statements Supabase Storage runs on storage.objects for each client
 * operation, and the settings it puts in each request's transaction, as
 * docs/storage.md lists them. verify runs these (never simplified ones), so
 * that what it reports is what a Storage client gets.
 */
import { randomUUID } from 'node:crypto';
import { literal } from '../sql/quote.js';
import type { Actual, Query } from './probe.js';

/** Storage's request operations (its `storage.operation` setting). */
export type StorageOperation = 'upload' | 'upsert' | 'download' | 'list' | 'move' | 'copy' | 'delete' | 'metadata';

/**
 * What Storage sets besides role and claims, transaction-local: the
 * operation's name, and the switch its delete guard wants (it sets it on every
 * request, so RLS alone decides which rows a DELETE reaches).
 */
export function storageSettings(operation: StorageOperation): Readonly<Record<string, string>> {
  return { 'storage.operation': `storage.object.${operation}`, 'storage.allow_delete_query': 'true' };
}

/** The user a request uploads as: Storage writes the JWT's sub to owner (uuid) and owner_id (text). */
export type Uploader = string | undefined;

const owner = (uploader: Uploader) => (uploader === undefined ? 'NULL' : `${literal(uploader)}::uuid`);
const ownerId = (uploader: Uploader) => (uploader === undefined ? 'NULL' : literal(uploader));
const newVersion = () => literal(randomUUID());
const METADATA = literal('{"mimetype":"text/plain","size":1}');

const where = (bucket: string, name: string) => `bucket_id = ${literal(bucket)} AND name = ${literal(name)}`;

/** Upload without upsert: a plain INSERT, no RETURNING (Storage keeps its own copy of the row). */
export function uploadSql(bucket: string, name: string, uploader: Uploader): string {
  return (
    `INSERT INTO storage.objects (bucket_id, name, owner, owner_id, metadata, version) ` +
    `VALUES (${literal(bucket)}, ${literal(name)}, ${owner(uploader)}, ${ownerId(uploader)}, ${METADATA}::jsonb, ${newVersion()})`
  );
}

/** Upload with upsert (x-upsert: true): INSERT … ON CONFLICT DO UPDATE … RETURNING *. */
export function upsertSql(bucket: string, name: string, uploader: Uploader): string {
  return (
    `INSERT INTO storage.objects (bucket_id, name, owner, owner_id, metadata, version) ` +
    `VALUES (${literal(bucket)}, ${literal(name)}, ${owner(uploader)}, ${ownerId(uploader)}, ${METADATA}::jsonb, ${newVersion()}) ` +
    'ON CONFLICT (name, bucket_id) DO UPDATE SET metadata = EXCLUDED.metadata, version = EXCLUDED.version, ' +
    'owner = EXCLUDED.owner, owner_id = EXCLUDED.owner_id RETURNING *'
  );
}

/** Download of a private bucket's file, the source of a copy, a move's first look: one row by name. */
export function findSql(bucket: string, name: string): string {
  return `SELECT id, bucket_id, name, metadata, user_metadata, version FROM storage.objects WHERE name = ${literal(name)} AND bucket_id = ${literal(bucket)} LIMIT 1`;
}

/**
 * Listing: Storage calls storage.search / list_objects_with_delimiter, which
 * select from storage.objects as the caller (SECURITY INVOKER): the same rows
 * as this prefix query.
 */
export function listSql(bucket: string, prefix: string): string {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return `SELECT name FROM storage.objects WHERE bucket_id = ${literal(bucket)} AND name LIKE ${literal(pattern)} ORDER BY name`;
}

/** Move (rename), also across buckets with `destinationBucket`: Storage first tries this as the caller. */
export function moveSql(bucket: string, name: string, toBucket: string, toName: string, uploader: Uploader): string {
  return (
    `UPDATE storage.objects SET name = ${literal(toName)}, version = ${newVersion()}, bucket_id = ${literal(toBucket)}, ` +
    `owner = ${owner(uploader)}, owner_id = ${ownerId(uploader)} WHERE ${where(bucket, name)} RETURNING *`
  );
}

/** Metadata update. */
export function metadataSql(bucket: string, name: string): string {
  return `UPDATE storage.objects SET metadata = ${literal('{"mimetype":"text/plain","size":2}')}::jsonb WHERE ${where(bucket, name)} RETURNING *`;
}

/** Delete (one file or a batch). */
export function deleteSql(bucket: string, names: readonly string[]): string {
  return `DELETE FROM storage.objects WHERE bucket_id = ${literal(bucket)} AND name = ANY (ARRAY[${names.map(literal).join(', ')}]::text[]) RETURNING *`;
}

/** A statement ending in RETURNING *, counted (`n`): Storage reads 0 rows as "not found / access denied". */
export const countedSql = (statement: string): string => `WITH written AS (${statement}) SELECT count(*)::int AS n FROM written`;

/** A statement ending in RETURNING *, run: allowed when it returned a row. */
export async function counted(query: Query, statement: string): Promise<Actual> {
  const n = Number((await query(countedSql(statement)))[0]?.n ?? 0);
  return n > 0 ? { kind: 'allowed', detail: `${n} row${n === 1 ? '' : 's'}` } : { kind: 'denied', detail: '0 rows' };
}
