/**
 * What the verify tests share: a report's problems as one line each (a
 * failure or a request not tested), and the row counts that show verify left
 * nothing behind.
 */
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/execute/database.js';
import type { VerifyReport } from '../../src/verify/run.js';

/** `✗ todos: user B delete A's row: expected denied, got allowed (1 row)`, and `– … not tested: why`. */
export function verifyProblems(report: VerifyReport): string[] {
  return report.results
    .filter((r) => r.status !== 'pass')
    .map((r) =>
      r.status === 'fail'
        ? `✗ ${r.subject}: ${r.actor} ${r.operation}: expected ${r.expected}, got ${r.actual}`
        : `– ${r.subject}: ${r.actor} ${r.operation}: not tested: ${r.reason ?? ''}`,
    );
}

/** Rows per table of the file, plus auth.users, storage.objects and organizations' members when present. */
export async function rowCounts(db: Database, compiled: CompileResult): Promise<Record<string, number>> {
  const { model } = compiled;
  const relations = [...model.tables.map((t) => `${model.schema}.${t.name}`), 'auth.users', ...(model.buckets.length > 0 ? ['storage.objects'] : [])];
  const counts: Record<string, number> = {};
  for (const relation of relations) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation.split('.').map((p) => `"${p}"`).join('.')}`);
    counts[relation] = Number(row?.n);
  }
  return counts;
}
