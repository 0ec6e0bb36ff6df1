/**
 * What the verify tests share: a report's problems as one line each (a
 * failure or a request not tested), the row counts that show verify left
 * nothing behind, and databases of either backend to verify.
 */
import { afterAll } from 'vitest';
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { qualified } from '../../src/sql/quote.js';
import { problemLine } from '../../src/verify/report.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';

/** `✗ todos: user B delete A's row: expected denied, got allowed (1 row)`, and `– … not tested: why`. */
export function verifyProblems(report: VerifyReport): string[] {
  return report.results.filter((r) => r.status !== 'pass').map(problemLine);
}

/** `subject: actor operation → expected` of the requests that passed (the audit's lines left out). */
export const passedRequests = (report: VerifyReport): string[] =>
  report.results.filter((r) => r.status === 'pass' && r.audit === undefined).map((r) => `${r.subject}: ${r.actor} ${r.operation} → ${r.expected}`);

/** Rows per table of the file, plus auth.users and (with buckets) storage.objects: one query. */
export async function rowCounts(db: Database, compiled: CompileResult): Promise<Record<string, number>> {
  const { model } = compiled;
  const relations: [string, string][] = [
    ...model.tables.map((t): [string, string] => [model.schema, t.name]),
    ['auth', 'users'],
    ...(model.buckets.length > 0 ? [['storage', 'objects'] as [string, string]] : []),
  ];
  const [row] = await db.query<Record<string, number>>(
    `SELECT ${relations.map(([schema, name], i) => `(SELECT count(*)::int FROM ${qualified(schema, name)}) AS c${i}`).join(', ')}`,
  );
  return Object.fromEntries(
    relations.map(([schema, name], i) => {
      const n = row?.[`c${i}`];
      // a missing count would compare equal to itself (NaN) and hide a change
      if (typeof n !== 'number') throw new Error(`rowCounts: no count for ${schema}.${name}`);
      return [`${schema}.${name}`, n];
    }),
  );
}

/** A bootstrapped database of the backend, dropped after the file. */
export function databases(backend: 'postgres' | 'pglite') {
  const urls: string[] = [];
  afterAll(async () => {
    for (const url of urls) await dropDatabase(url);
  });
  return async (label: string): Promise<Database> => {
    if (backend === 'pglite') return memoryDatabase();
    const url = await freshDatabase(label);
    urls.push(url);
    return connect(url);
  };
}

/** verify with `sql` run first, inside one transaction that is rolled back afterwards. */
export async function verifyAfter(db: Database, compiled: CompileResult, sql: string): Promise<VerifyReport> {
  await db.exec('BEGIN');
  try {
    await db.exec(sql);
    return await verify(db, compiled, { insideTransaction: true });
  } finally {
    await db.exec('ROLLBACK');
  }
}
