/**
 * Literal round trip: every literal default and every seed value of a file,
 * read back from the database it was applied to and compared with the value
 * in the file — by type, strictly:
 *
 * - text and varchar: the same UTF-8 bytes; char(N): padded with spaces to N;
 *   bytea: the string's UTF-8 bytes; uuid (lower case), boolean, date: the same text;
 * - integers and numeric: the same decimal (numeric rounded to its scale, as
 *   Postgres rounds its input); real and double precision: the same float
 *   (Object.is: -0, NaN and infinities included), real after rounding to 32 bits;
 * - time and timestamp: as Postgres prints them (a zone in a timestamp's text
 *   is ignored, as Postgres ignores it); timestamptz: the same UTC instant,
 *   to the microsecond (zone-less text is UTC: callers pin TimeZone to UTC);
 * - json and jsonb: the same JSON value;
 * - interval and inet: Postgres's own reading of the file's text sent as a
 *   bind parameter — never through SQL text — as their canonical forms
 *   (1 day 02:00:00, IPv6 spellings) are Postgres's to define;
 * - arrays item by item, NULL items included.
 *
 * Defaults are read by inserting DEFAULT into a temporary copy of the table
 * (LIKE … INCLUDING DEFAULTS, NOT NULL dropped), so that the other columns'
 * constraints, foreign keys and unique keys play no part; the transaction is
 * rolled back. Seed rows are selected by their primary key. Strings are read
 * as the hex of their UTF-8 bytes: PGlite's client drops a leading U+FEFF
 * when it decodes a text result (the database holds it).
 */
import type { Database } from '../../src/db/database.js';
import type { Model, Table } from '../../src/model/model.js';
import { isSqlDefault } from '../../src/model/resolve.js';
import type { SqlType } from '../../src/model/sqlTypes.js';
import { sameData } from './documents.js';
import { canonicalDecimal, canonicalTime, canonicalTimestamp, numericScale, utcInstant } from './pgValues.js';
import type { Json } from './values.js';

export interface Literal {
  readonly table: string;
  readonly column: string;
  readonly type: SqlType;
  readonly value: Json;
  /** A column default, or the row with this primary key: seed row `row` of the file (from 0), or -1 for one the test inserted. */
  readonly source: { kind: 'default' } | { kind: 'row'; row: number; key: readonly { column: string; type: SqlType; value: Json }[] };
}

/** Session settings the comparisons assume: ISO dates, shortest exact floats, UTC for zone-less timestamptz text. */
export const READ_SETTINGS = "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET TimeZone = 'UTC'";

type Doc = Record<string, unknown>;
const own = (map: unknown, key: string): unknown => (typeof map === 'object' && map !== null && Object.hasOwn(map, key) ? (map as Doc)[key] : undefined);

const columnOf = (table: Table, name: string): SqlType => {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) throw new Error(`no column ${table.name}.${name} in the model`);
  return column.type;
};

/** The literal defaults and seed values of a (valid) file, with the types the model gives their columns. */
export function fileLiterals(doc: Doc, model: Model): Literal[] {
  const out: Literal[] = [];
  for (const table of model.tables) {
    const entity = own(own(doc, 'entities'), table.name);
    const fields = own(entity, 'fields');
    for (const column of Object.keys(fields ?? {})) {
      const field = own(fields, column);
      const value = own(field, 'default');
      if (typeof field !== 'object' || field === null || !Object.hasOwn(field, 'default') || isSqlDefault(value)) continue;
      out.push({ table: table.name, column, type: columnOf(table, column), value: value as Json, source: { kind: 'default' } });
    }
    const pk = table.constraints.find((c) => c.kind === 'primary-key')?.columns ?? [];
    const rows = own(entity, 'rows');
    (Array.isArray(rows) ? rows : []).forEach((row: Doc, r) => {
      const key = pk.map((column) => ({ column, type: columnOf(table, column), value: own(row, column) as Json }));
      for (const column of Object.keys(row)) {
        out.push({ table: table.name, column, type: columnOf(table, column), value: own(row, column) as Json, source: { kind: 'row', row: r, key } });
      }
    });
  }
  return out;
}

/** The users the seed rows reference (columns with a foreign key to auth.users): they must exist before the apply. */
export function seedUsers(doc: Doc, model: Model): string[] {
  const users = new Set<string>();
  for (const table of model.tables) {
    const rows = own(own(own(doc, 'entities'), table.name), 'rows');
    const columns = [...table.foreignKeys, ...model.deferredForeignKeys.filter((fk) => fk.table === table.name)]
      .filter((fk) => fk.target.schema === 'auth' && fk.target.table === 'users')
      .map((fk) => fk.column);
    // The creator's membership references auth.users even when the owner field is a plain uuid.
    if (table.members !== undefined && table.owner !== undefined) columns.push(table.owner);
    for (const row of Array.isArray(rows) ? rows : []) {
      for (const column of columns) {
        const id = own(row, column);
        if (typeof id === 'string') users.add(id.toLowerCase());
      }
    }
  }
  return [...users].sort();
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const element = (t: SqlType): SqlType => ({ ...t, array: false, sql: t.sql.replace(/\[\]$/, '') });

/** SQL reading a value of the type as text (text[] for arrays) in the form `expectedText` compares with. */
function readSql(t: SqlType, x: string): string {
  if (t.array) {
    return `CASE WHEN ${x} IS NULL THEN NULL ELSE ARRAY(SELECT ${readSql(element(t), 'u.e')} FROM unnest(${x}) WITH ORDINALITY AS u (e, i) ORDER BY u.i) END`;
  }
  switch (t.base) {
    // Strings as the hex of their UTF-8 bytes: PGlite's client drops a leading U+FEFF when it decodes a text result.
    case 'text':
    case 'varchar':
      return `encode(convert_to(${x}, 'UTF8'), 'hex')`;
    case 'char':
      // concat() keeps bpchar's padding (it calls the output function), where ::text would trim it; but it makes NULL ''
      return `CASE WHEN ${x} IS NULL THEN NULL ELSE encode(convert_to(concat(${x}), 'UTF8'), 'hex') END`;
    case 'bytea':
      return `encode(${x}, 'hex')`;
    case 'timestamptz':
      return `to_char(${x} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;
    default:
      return `${x}::text`;
  }
}

/** Why `got` (read by readSql) is not the file's non-null scalar `v`; undefined when it is. */
async function scalarMismatch(db: Database, t: SqlType, got: string, v: Json): Promise<string | undefined> {
  const differs = (expected: string) => (got === expected ? undefined : `expected ${JSON.stringify(expected)}`);
  const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('hex');
  switch (t.base) {
    case 'text':
    case 'varchar':
      return got === utf8(v as string)
        ? undefined
        : `expected the UTF-8 bytes ${utf8(v as string)}, read ${JSON.stringify(Buffer.from(got, 'hex').toString('utf8'))}`;
    case 'char': {
      const padded = (v as string) + ' '.repeat(Math.max(0, (t.length ?? 1) - [...(v as string)].length));
      return got === utf8(padded) ? undefined : `expected ${JSON.stringify(padded)} (padded), read ${JSON.stringify(Buffer.from(got, 'hex').toString('utf8'))}`;
    }
    case 'date':
      return differs(v as string);
    case 'bytea':
      return differs(Buffer.from(v as string, 'utf8').toString('hex'));
    case 'uuid':
      return differs((v as string).toLowerCase());
    case 'boolean':
      return differs(String(v));
    case 'smallint':
    case 'integer':
    case 'bigint':
      return differs(BigInt(v as number | string).toString());
    case 'numeric':
      return canonicalDecimal(got) === canonicalDecimal(v as number | string, numericScale(t))
        ? undefined
        : `expected the decimal ${String(v)}${t.length === undefined ? '' : ` rounded to scale ${numericScale(t)}`}`;
    case 'real':
      return Object.is(Math.fround(Number(got)), Math.fround(v as number)) ? undefined : `expected the float4 of ${String(v)}`;
    case 'double precision':
      return Object.is(Number(got), v) ? undefined : `expected ${String(v)}`;
    case 'time':
      return differs(canonicalTime(v as string));
    case 'timestamp':
      return differs(canonicalTimestamp(v as string));
    case 'timestamptz':
      return differs(utcInstant(v as string));
    case 'json':
    case 'jsonb':
      return sameData(JSON.parse(got), JSON.parse(JSON.stringify(v))) ? undefined : `expected the JSON ${JSON.stringify(v)}`;
    case 'interval':
    case 'inet': {
      const [row] = await db.query<{ text: string }>(`SELECT $1::${t.base}::text AS text`, [v]);
      return differs(row?.text as string);
    }
  }
}

async function mismatch(db: Database, t: SqlType, got: unknown, v: Json): Promise<string | undefined> {
  if (v === null || got === null) return v === got ? undefined : `expected ${v === null ? 'NULL' : 'a value'}`;
  if (!t.array) return scalarMismatch(db, t, got as string, v);
  const items = got as (string | null)[];
  const want = v as Json[];
  if (!Array.isArray(items) || items.length !== want.length) return `expected ${want.length} items`;
  for (const [i, item] of want.entries()) {
    const m = await mismatch(db, element(t), items[i] ?? null, item);
    if (m !== undefined) return `item ${i + 1}: ${m}`;
  }
  return undefined;
}

const param = (v: Json): unknown => (typeof v === 'number' ? String(v) : v);

/** Every literal whose value in the database differs from the file's, described; [] when all round-trip. */
export async function literalMismatches(db: Database, model: Model, literals: readonly Literal[]): Promise<string[]> {
  const problems: string[] = [];
  const schema = ident(model.schema);
  const report = (l: Literal, got: unknown, why: string) => {
    const where = l.source.kind === 'default' ? 'default' : l.source.row < 0 ? 'inserted row' : `seed row ${l.source.row + 1}`;
    problems.push(`${l.table}.${l.column} (${l.type.sql}) ${where}: read ${JSON.stringify(got)}, file has ${JSON.stringify(l.value)}: ${why}`);
  };
  const defaults = literals.filter((l) => l.source.kind === 'default');
  for (const table of new Set(defaults.map((l) => l.table))) {
    await db.exec('BEGIN');
    try {
      await db.exec(`CREATE TEMP TABLE altan_probe (LIKE ${schema}.${ident(table)} INCLUDING DEFAULTS)`);
      const notNull = await db.query<{ name: string }>(
        "SELECT attname::text AS name FROM pg_attribute WHERE attrelid = 'pg_temp.altan_probe'::regclass AND attnum > 0 AND attnotnull",
      );
      for (const { name } of notNull) await db.exec(`ALTER TABLE pg_temp.altan_probe ALTER COLUMN ${ident(name)} DROP NOT NULL`);
      await db.exec('INSERT INTO pg_temp.altan_probe DEFAULT VALUES');
      for (const l of defaults.filter((d) => d.table === table)) {
        const [row] = await db.query<{ v: unknown }>(`SELECT ${readSql(l.type, ident(l.column))} AS v FROM pg_temp.altan_probe`);
        const why = await mismatch(db, l.type, row?.v ?? null, l.value);
        if (why !== undefined) report(l, row?.v, why);
      }
    } finally {
      await db.exec('ROLLBACK');
    }
  }
  for (const l of literals) {
    if (l.source.kind !== 'row') continue;
    const where = l.source.key.map((k, i) => `${ident(k.column)} = $${i + 1}::${k.type.sql}`).join(' AND ');
    const rows = await db.query<{ v: unknown }>(
      `SELECT ${readSql(l.type, ident(l.column))} AS v FROM ${schema}.${ident(l.table)} WHERE ${where}`,
      l.source.key.map((k) => param(k.value)),
    );
    if (rows.length !== 1) {
      report(l, undefined, `${rows.length} rows have its primary key`);
      continue;
    }
    const why = await mismatch(db, l.type, rows[0]?.v ?? null, l.value);
    if (why !== undefined) report(l, rows[0]?.v, why);
  }
  return problems;
}
