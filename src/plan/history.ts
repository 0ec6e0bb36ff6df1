/**
 * The applies of a schema, newest first, from the tool's record
 * (altan_meta.applied_files): when, which file and its sha256, the tool and
 * target that applied it, and what changed. The record keeps the inventory
 * each apply left, so what an apply changed is the difference between its
 * inventory and the one before it, read as plan reads a change (diff.ts):
 * the same `Change`s `plan --json` and `apply --json` list. Reads only.
 */
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { evaluate, relationExists } from '../db/catalog.js';
import { RECORD_TABLE } from '../db/record.js';
import { AltanError } from '../problems.js';
import { diff } from './diff.js';
import type { Change } from './diff.js';
import { INVENTORY_FORMAT } from './inventory.js';
import type { Inventory } from './inventory.js';
import { readInventory } from './upgrade.js';

export interface HistoryOptions {
  /** The schema whose applies are listed (default `public`, a file's default `schema`). */
  readonly schema?: string;
  /** At most this many, the newest (default DEFAULT_HISTORY_LIMIT). */
  readonly limit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 20;

export interface HistoryEntry {
  /** The record's id: applies are numbered in the order they committed. */
  readonly id: number;
  /** When the apply's transaction ran, ISO 8601 in UTC. */
  readonly appliedAt: string;
  readonly file: string;
  /** The sha256 of the file's bytes, as `sha256sum` prints it. */
  readonly fileSha256: string;
  /** The sha256 of the whole SQL generated from it. */
  readonly sqlSha256: string;
  readonly target: string;
  readonly toolVersion: string;
  readonly durationMs: number;
  /** The first apply to the schema: `changes` lists everything it made. */
  readonly fresh: boolean;
  /**
   * What it changed in the file's objects, since the apply before it; null when the record cannot
   * say (it, or the one before it, was written by a release that kept no inventory or another format).
   */
  readonly changes: readonly Change[] | null;
}

export interface HistoryReport {
  readonly database: string;
  readonly schema: string;
  /** How many applies the record holds for the schema (more than `entries` when the limit cut them). */
  readonly total: number;
  /** Newest first; empty when nothing was applied to the schema. */
  readonly entries: readonly HistoryEntry[];
}

interface RecordRow {
  readonly id: string;
  readonly applied_at: string;
  readonly file_name: string;
  readonly file_sha256: string;
  readonly sql_sha256: string;
  readonly target: string;
  readonly tool_version: string;
  readonly duration_ms: number;
  readonly inventory: string | null;
  readonly total: string;
}

/** The applies of `options.schema` recorded in `db`, newest first. */
export async function history(given: Database, options: HistoryOptions = {}): Promise<HistoryReport> {
  const db = withDatabaseErrors(given);
  const schema = options.schema ?? 'public';
  const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    const message = `history: the limit must be a whole number of at least 1, not ${limit}`;
    throw new AltanError(message, 'usage', { code: 'usage', message });
  }
  const [exists, hasInventory] = await evaluate(db, [
    relationExists(RECORD_TABLE),
    `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('${RECORD_TABLE}') AND attname = 'inventory')`,
  ]);
  const report = { database: db.description, schema };
  if (!exists) return { ...report, total: 0, entries: [] };
  // One more than asked: the oldest one listed is compared with the apply before it.
  const rows = await db.query<RecordRow>(
    `SELECT id::text AS id, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
       file_name, file_sha256, sql_sha256, target, tool_version, duration_ms, ${hasInventory ? 'inventory' : 'NULL::text AS inventory'},
       count(*) OVER ()::text AS total
     FROM ${RECORD_TABLE} WHERE schema_name = $1 ORDER BY id DESC LIMIT $2`,
    [schema, limit + 1],
  );
  const inventories = rows.map((r) => recorded(r.inventory));
  const entries = rows.slice(0, limit).map((r, i): HistoryEntry => {
    const fresh = i === rows.length - 1;
    const before = fresh ? undefined : inventories[i + 1];
    const after = inventories[i];
    // Fingerprints of two formats never match: such a pair would show every object as changed.
    const known = after !== undefined && (fresh || (before !== undefined && before.format === after.format));
    return {
      id: Number(r.id),
      appliedAt: r.applied_at,
      file: r.file_name,
      fileSha256: r.file_sha256,
      sqlSha256: r.sql_sha256,
      target: r.target,
      toolVersion: r.tool_version,
      durationMs: r.duration_ms,
      fresh,
      changes: known ? changesBetween(before?.inventory ?? EMPTY, after.inventory, schema) : null,
    };
  });
  return { ...report, total: Number(rows[0]?.total ?? 0), entries };
}

const EMPTY: Inventory = { format: INVENTORY_FORMAT, entries: [] };

/**
 * A recorded inventory and the format it was written in; undefined when there is none or it cannot be read.
 * Format 1 kept each object's SQL text, which becomes its fingerprint here: two records of that format
 * compare as they should, a record of each format do not (every object would look changed).
 */
function recorded(text: string | null): { format: unknown; inventory: Inventory } | undefined {
  if (text === null) return undefined;
  try {
    const inventory = readInventory(text, EMPTY);
    return inventory ? { format: (JSON.parse(text) as { format?: unknown }).format, inventory } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a database that `before` was applied to gains, loses and has changed once `after` is, as a plan of
 * `after` lists it, left as that apply left it (nothing dropped by hand, no rows counted).
 */
export function changesBetween(before: Inventory, after: Inventory, schema: string): Change[] {
  const present = new Set(before.entries.flatMap((e) => e.presence));
  const d = diff(before, after, present, { privateSchemaShared: false, schema });
  return d.changes.map(({ count: _count, ...c }) => c);
}
