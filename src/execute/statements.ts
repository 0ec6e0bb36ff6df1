/**
 * The generated SQL as statements with their offsets, so that an error
 * Postgres reports for the whole script can be shown at its line in the
 * generated SQL, and the report can say what was created.
 */
import { skipAt } from '../sql/lexer.js';

export interface Statement {
  /** Index of its first character in the script (after leading blanks and comments). */
  readonly start: number;
  /** Index just past its `;` (or the end of the script). */
  readonly end: number;
  readonly text: string;
}

/** Splits at every `;` that is code, not inside a literal, quoted identifier, dollar quote or comment. */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0) statements.push({ start, end, text: sql.slice(start, end) });
    start = -1;
  };
  for (let i = 0; i < sql.length; ) {
    const skipped = skipAt(sql, i);
    const end = skipped ? (skipped.end < 0 ? sql.length : skipped.end) : i + 1;
    const isComment = skipped?.kind === 'line-comment' || skipped?.kind === 'block-comment';
    if (start < 0 && !isComment && !/\s/.test(sql[i] as string)) start = i;
    if (!skipped && sql[i] === ';') close(end);
    i = end;
  }
  close(sql.length);
  return statements;
}

export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** 1-based line and column of a string index. */
export function lineColumnAt(text: string, index: number): LineColumn {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

/** Postgres counts positions in characters from 1; JavaScript indexes UTF-16 units from 0. */
export function indexOfPosition(text: string, position: number): number {
  let index = 0;
  for (let chars = 1; chars < position && index < text.length; chars++) {
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}

/** The line at `index`, numbered, with a caret under the column. */
export function excerptAt(text: string, index: number): string {
  const { line, column } = lineColumnAt(text, index);
  const content = text.split('\n')[line - 1] ?? '';
  const gutter = String(line).length;
  return `${String(line).padStart(gutter)} | ${content}\n${' '.repeat(gutter)} | ${' '.repeat(column - 1)}^`;
}

/** A statement's first line, as a short name for it: `CREATE TABLE public.todos`. */
export function statementLabel(statement: string): string {
  const first = (statement.split('\n')[0] ?? '').replace(/\s*(\(|\bAS)?\s*;?\s*$/i, '');
  return first.length > 100 ? `${first.slice(0, 97)}...` : first;
}

/** What kinds of objects a script creates, in the order a report lists them. */
const CREATES: readonly (readonly [RegExp, string, string])[] = [
  [/^CREATE TABLE/i, 'table', 'tables'],
  [/^CREATE (OR REPLACE )?FUNCTION/i, 'function', 'functions'],
  [/^CREATE POLICY/i, 'policy', 'policies'],
  [/^CREATE (UNIQUE )?INDEX/i, 'index', 'indexes'],
  [/^CREATE TRIGGER/i, 'trigger', 'triggers'],
  [/^INSERT INTO storage\.buckets/i, 'bucket', 'buckets'],
  [/^CREATE MATERIALIZED VIEW/i, 'materialized view', 'materialized views'],
  [/^CREATE VIEW/i, 'view', 'views'],
  [/^SELECT cron\.schedule/i, 'cron job', 'cron jobs'],
];

/** `3 tables, 8 policies, ...` for the statements of a script. */
export function summarizeCreated(statements: readonly Statement[]): string[] {
  const counts = new Map<string, number>();
  for (const s of statements) {
    const kind = CREATES.find(([re]) => re.test(s.text));
    if (kind) counts.set(kind[1], (counts.get(kind[1]) ?? 0) + 1);
  }
  return CREATES.filter(([, one]) => counts.has(one)).map(([, one, many]) => {
    const n = counts.get(one) as number;
    return `${n} ${n === 1 ? one : many}`;
  });
}
