/**
 * A term's `where` measured on the database, not read by the oracle: after
 * the fixture rows exist, `SELECT key, (where) IS TRUE ... FROM table` as the
 * connection's own user (whom RLS does not restrict) gives each row's value;
 * a request that writes a row whose value matters (an insert, an update that
 * changes a column a `where` reads) first writes the same row as that user,
 * with the request's claims, in a savepoint rolled back before the request
 * (probe.ts `Oracle`). The expressions are the author's, so their values are
 * Postgres's own.
 */
import type { Database } from '../db/database.js';
import type { Table } from '../model/model.js';
import { OPERATIONS } from '../model/resolve.js';
import type { Operation } from '../model/resolve.js';
import { sqlReads } from '../sql/meaning.js';
import { ident } from '../sql/quote.js';
import type { RowFacts } from './expect.js';
import { decide } from './expect.js';
import { denied, expectIf } from './probe.js';
import type { Expected, Oracle, Probe } from './probe.js';

/** The `where` of the table's terms for `ops`, each once, in the order the operations name them. */
export function tableWheres(table: Table, ops: readonly Operation[] = OPERATIONS): string[] {
  const access = table.access;
  if (access === undefined) return [];
  return [...new Set(ops.flatMap((op) => access[op].flatMap((t) => (t.where === undefined ? [] : [t.where]))))];
}

/** The columns the table's `where`s (of `ops`) read; undefined when one does not parse (then any change may matter). */
export function whereReads(table: Table, ops: readonly Operation[] = OPERATIONS): ReadonlySet<string> | undefined {
  const columns = new Set<string>();
  for (const where of tableWheres(table, ops)) {
    const reads = sqlReads(where, 'expression');
    if (reads === undefined || reads.star) return undefined;
    for (const c of reads.columns) columns.add(c);
  }
  return columns;
}

/** `(<where>) IS TRUE AS w0, ...`: NULL is no more a pass here than in a policy. */
export const whereSelect = (wheres: readonly string[]): string => wheres.map((w, i) => `(${w}) IS TRUE AS ${ident(`w${i}`)}`).join(', ');

export function wheresOf(row: Readonly<Record<string, unknown>>, wheres: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(wheres.map((w, i) => [w, row[`w${i}`] === true]));
}

/** Each row's values, by key text (the `key` column `keySelect` names), of the rows `from` (a relation and its WHERE) holds. */
export async function measureWheres(db: Database, from: string, keySelect: string, wheres: readonly string[]): Promise<Map<string, Record<string, boolean>>> {
  if (wheres.length === 0) return new Map();
  const rows = await db.query(`SELECT ${keySelect}, ${whereSelect(wheres)} FROM ${from}`);
  return new Map(rows.map((r) => [String(r.key), wheresOf(r, wheres)]));
}

/**
 * The facts of a row after an update that sets `changed` columns: the
 * `where` values of the row before, unless a changed column is one a
 * `where` reads (then they are measured).
 */
export function afterFacts(table: Table, before: RowFacts, change: Partial<RowFacts>, changed: readonly string[]): RowFacts {
  const reads = whereReads(table);
  const stale = reads === undefined || changed.some((c) => reads.has(c));
  const { wheres, ...rest } = { ...before, ...change };
  return stale || wheres === undefined ? rest : { ...rest, wheres };
}

/**
 * The expected outcome of a write: decided now, or — when it depends on a
 * `where` of the row it writes — by writing that row first as the tables'
 * owner (`statement`, an INSERT or UPDATE without RETURNING) and measuring it.
 */
export function judge(table: Table, statement: string, decision: (wheres?: Record<string, boolean>) => boolean): Pick<Probe, 'expected' | 'oracle'> {
  const now = decide(() => decision());
  if (now !== undefined) return { expected: expectIf(now) };
  const wheres = tableWheres(table);
  const oracle: Oracle = {
    sql: `${statement} RETURNING ${whereSelect(wheres)}`,
    expected: (rows): Expected | { readonly untested: string } => {
      const [row] = rows;
      if (row === undefined) return { untested: 'the row this request writes could not be made to judge it' };
      const later = decide(() => decision(wheresOf(row, wheres)));
      return later === undefined ? { untested: 'a where of its terms could not be measured' } : expectIf(later);
    },
  };
  return { expected: denied, oracle };
}

/** The new row's facts with measured `where` values, when there are any. */
export const measured = (facts: RowFacts, wheres?: Record<string, boolean>): RowFacts => (wheres === undefined ? facts : { ...facts, wheres });

/**
 * The `where`s of read, update and delete terms that hold on every fixture row,
 * or on none: the requests cannot show that the condition is applied.
 */
export function uncovered(table: Table, rows: readonly { readonly facts: RowFacts }[]): { where: string; reason: string }[] {
  const out: { where: string; reason: string }[] = [];
  for (const where of tableWheres(table, ['read', 'update', 'delete'])) {
    const values = rows.map((r) => r.facts.wheres?.[where]);
    if (!values.includes(true)) out.push({ where, reason: `no test row where ${where} holds` });
    else if (!values.includes(false)) out.push({ where, reason: `no test row where ${where} fails` });
  }
  return out;
}
