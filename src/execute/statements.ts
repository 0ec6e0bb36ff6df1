/**
 * The statements apply runs, positions in the generated SQL (Postgres's error
 * cursor → line and column, with an excerpt), and what a first apply created,
 * for the report.
 */
import type { Model } from '../model/model.js';
import type { PlacedStatement } from '../render/script.js';

export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** The statements of a script between its own `BEGIN;` and `COMMIT;` (its first and last): apply runs its own transaction around them. */
export interface Body {
  readonly start: number;
  readonly text: string;
  readonly statements: readonly PlacedStatement[];
}

export function bodyOf(sql: string, all: readonly PlacedStatement[]): Body {
  const first = all[1];
  const commit = all[all.length - 1];
  if (!first || !commit || all[0]?.sql !== 'BEGIN;' || commit.sql !== 'COMMIT;') throw new Error('internal: the SQL is not one BEGIN … COMMIT transaction');
  return { start: first.start, text: sql.slice(first.start, commit.start), statements: all.slice(1, -1) };
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

/** `3 tables, 8 policies, ...`: what the model's SQL creates, in the order a report lists them. */
export function summarizeCreated(model: Model): string[] {
  const viewIndexes = model.views.reduce((n, v) => n + v.indexes.length + (v.uniqueIndex ? 1 : 0), 0);
  const counts: readonly (readonly [number, string, string])[] = [
    [model.tables.length, 'table', 'tables'],
    [model.functions.length, 'function', 'functions'],
    [model.tables.reduce((n, t) => n + t.policies.length, 0) + model.buckets.reduce((n, b) => n + b.policies.length, 0), 'policy', 'policies'],
    [model.tables.reduce((n, t) => n + t.indexes.length, 0) + viewIndexes, 'index', 'indexes'],
    [model.tables.reduce((n, t) => n + t.triggers.length, 0), 'trigger', 'triggers'],
    [model.buckets.length, 'bucket', 'buckets'],
    [model.views.length, 'materialized view', 'materialized views'],
    [model.views.filter((v) => v.access !== 'none').length, 'view', 'views'],
    [model.jobs.length, 'cron job', 'cron jobs'],
    [model.tables.filter((t) => t.realtime).length, 'realtime table', 'realtime tables'],
  ];
  return counts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
}
