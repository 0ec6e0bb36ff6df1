/**
 * The record of applied files, in a schema PostgREST does not expose and the
 * API roles cannot use: per schema, the SQL each apply ran and the inventory
 * of objects it left (what the next plan may change or drop).
 */
import type { Database } from './database.js';
import { createHash } from 'node:crypto';
import { evaluate, relationExists } from './catalog.js';
import { dollarQuote, literal } from '../sql/quote.js';

export const RECORD_SCHEMA = 'altan_meta';
export const RECORD_TABLE = `${RECORD_SCHEMA}.applied_files`;

// Created once, the inventory column added to records of earlier versions;
// the guard makes an unchanged re-apply do no DDL at all (it only reads the record).
export const RECORD_SQL = `DO $record$
BEGIN
  IF pg_catalog.to_regclass('${RECORD_TABLE}') IS NULL THEN
    CREATE SCHEMA IF NOT EXISTS ${RECORD_SCHEMA};
    REVOKE ALL ON SCHEMA ${RECORD_SCHEMA} FROM PUBLIC;
    CREATE TABLE ${RECORD_TABLE} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      schema_name text NOT NULL,
      file_name text NOT NULL,
      file_sha256 text NOT NULL,
      sql_sha256 text NOT NULL,
      target text NOT NULL,
      tool_version text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      duration_ms integer NOT NULL,
      sql text NOT NULL,
      inventory text
    );
    CREATE INDEX applied_files_schema_name_idx ON ${RECORD_TABLE} (schema_name, id);
  ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = '${RECORD_TABLE}'::regclass AND attname = 'inventory') THEN
    ALTER TABLE ${RECORD_TABLE} ADD COLUMN inventory text;
  END IF;
END
$record$`;

export interface AppliedRecord {
  readonly id: string;
  readonly file_name: string;
  readonly sql_sha256: string;
  readonly applied_at: string;
  /** False for records written before altan-cloud kept an inventory. */
  readonly has_inventory: boolean;
}

/** How a record names the SQL it ran: the sha256 of the file's whole generated script. */
export const sqlSha256 = (sql: string): string => createHash('sha256').update(sql).digest('hex');

export interface RecordState {
  /** The last apply to the schema, if any. */
  readonly last?: AppliedRecord;
  /** Files were applied to other schemas too: they share the private schema. */
  readonly otherSchemas: boolean;
}

/** What the record says of `schema`, in two round trips; reads records of every version (the inventory column may be missing). */
export async function readRecord(db: Database, schema: string): Promise<RecordState> {
  const [exists, hasInventory] = await evaluate(db, [
    relationExists(RECORD_TABLE),
    `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('${RECORD_TABLE}') AND attname = 'inventory')`,
  ]);
  if (!exists) return { otherSchemas: false };
  const [row] = await db.query<Partial<AppliedRecord> & { other_schemas: boolean }>(
    `SELECT last.*, EXISTS (SELECT FROM ${RECORD_TABLE} WHERE schema_name <> $1) AS other_schemas
     FROM (SELECT 1) AS one LEFT JOIN (
       SELECT id::text AS id, file_name, sql_sha256, applied_at::text AS applied_at, ${hasInventory ? 'inventory IS NOT NULL' : 'false'} AS has_inventory
       FROM ${RECORD_TABLE} WHERE schema_name = $1 ORDER BY id DESC LIMIT 1
     ) AS last ON true`,
    [schema],
  );
  const { other_schemas: otherSchemas, ...last } = row ?? { other_schemas: false };
  return { otherSchemas, ...(last.id !== undefined && last.id !== null ? { last: last as AppliedRecord } : {}) };
}

/** The inventory JSON of a record (megabytes for a large file: read only when the file changed). */
export async function recordedInventory(db: Database, record: AppliedRecord): Promise<string | undefined> {
  if (!record.has_inventory) return undefined;
  const [row] = await db.query<{ inventory: string }>(`SELECT inventory FROM ${RECORD_TABLE} WHERE id = $1`, [record.id]);
  return row?.inventory;
}

export interface NewRecord {
  readonly schema: string;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly sqlSha256: string;
  readonly target: string;
  readonly toolVersion: string;
  readonly durationMs: number;
  readonly sql: string;
  readonly inventory: string;
}

const RECORD_COLUMNS = 'schema_name, file_name, file_sha256, sql_sha256, target, tool_version, duration_ms, sql, inventory';

export async function record(db: Database, r: NewRecord): Promise<void> {
  await db.query(`INSERT INTO ${RECORD_TABLE} (${RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
    r.schema,
    r.fileName,
    r.fileSha256,
    r.sqlSha256,
    r.target,
    r.toolVersion,
    r.durationMs,
    r.sql,
    r.inventory,
  ]);
}

/**
 * `record`'s INSERT as one statement of literal SQL, for a file that records itself where it runs (a
 * Supabase migration: `migration new`). Texts are dollar-quoted: the SQL and the inventory stay as they are.
 */
export function recordInsertSql(r: NewRecord): string {
  const values = [
    literal(r.schema),
    literal(r.fileName),
    literal(r.fileSha256),
    literal(r.sqlSha256),
    literal(r.target),
    literal(r.toolVersion),
    String(r.durationMs),
    dollarQuote(r.sql, 'applied_sql'),
    dollarQuote(r.inventory, 'inventory'),
  ];
  return `INSERT INTO ${RECORD_TABLE} (${RECORD_COLUMNS}) VALUES (\n  ${values.join(',\n  ')}\n);`;
}
