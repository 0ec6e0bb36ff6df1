/**
 * How `altan-cloud sql` prints what a statement returned: rows as an aligned
 * text table, as psql does (a header, a rule, NULL as an empty cell, numbers
 * to the right, a `(N rows)` line), or the command and its count for a
 * statement without rows (`INSERT 0 1`, `UPDATE 2`, `CREATE`); and the same
 * values as JSON for `--json`. Both drivers give JavaScript values (numbers,
 * Dates, parsed json, bytes); they are written back as Postgres writes them.
 */
import type { StatementResult } from '../db/database.js';

/** A value as a table cell: NULL empty, booleans t / f, bytes \x…, objects (json, arrays) as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'object') return JSON.stringify(jsonValue(value));
  // One line per cell: a line break inside a value would break the table's columns.
  return String(value).replace(/\r?\n/g, '\\n');
}

/** A value as JSON can hold it: a bigint as a number when exact, else as its digits; bytes as \x… text. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

const isNumber = (value: unknown) => typeof value === 'number' || typeof value === 'bigint';

/** The command tag psql prints for a statement without rows. */
function commandTag(r: StatementResult): string {
  if (r.command === 'INSERT') return `INSERT 0 ${r.rowCount}`;
  if (['UPDATE', 'DELETE', 'SELECT', 'MERGE', 'COPY', 'MOVE', 'FETCH'].includes(r.command)) return `${r.command} ${r.rowCount}`;
  return r.command;
}

/** One statement's result as psql prints it, ending with a line break. */
export function formatResult(r: StatementResult): string {
  if (r.columns.length === 0) return r.command === '' ? '' : `${commandTag(r)}\n`;
  const cells = r.rows.map((row) => r.columns.map((_, i) => cellText(row[i])));
  const widths = r.columns.map((name, i) => Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)));
  const center = (text: string, width: number) => {
    const left = Math.floor((width - text.length) / 2);
    return `${' '.repeat(left)}${text}`.padEnd(width);
  };
  const line = (parts: string[]) => ` ${parts.join(' | ')}`.trimEnd();
  const lines = [
    line(r.columns.map((name, i) => center(name, widths[i] ?? 0))),
    widths.map((w) => '-'.repeat(w + 2)).join('+'),
    ...cells.map((row, n) => line(row.map((text, i) => (isNumber(r.rows[n]?.[i]) ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0))))),
    `(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'})`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `--json`: the last statement's rows, as objects keyed by column (the last of two columns of one name wins), and its count. */
export function jsonResult(results: readonly StatementResult[]): { rows: Record<string, unknown>[]; rowCount: number } {
  const last = results.at(-1);
  if (last === undefined) return { rows: [], rowCount: 0 };
  const rows = last.rows.map((row) => Object.fromEntries(last.columns.map((name, i) => [name, jsonValue(row[i])])));
  return { rows, rowCount: last.rowCount };
}
