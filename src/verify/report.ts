/**
 * The verification for people: per subject, a table of actor, operation,
 * expected and actual outcome with ✓, ✗ or "not tested" and why; then the
 * failures again, one line each, and the counts.
 */
import type { VerifyReport, VerifyResult } from './run.js';

const MARK: Readonly<Record<VerifyResult['status'], string>> = { pass: '✓', fail: '✗', 'not-tested': '–' };

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** A result that is not a pass, on one line: `✗ todos: user B delete A's row: expected denied, got allowed (1 row)`. */
export function problemLine(r: VerifyResult): string {
  return r.status === 'not-tested'
    ? `${MARK[r.status]} ${r.subject}: ${r.actor} ${r.operation}: not tested: ${r.reason ?? ''}`
    : `${MARK[r.status]} ${r.subject}: ${r.actor} ${r.operation}: expected ${r.expected}, got ${r.actual}`;
}

export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  const subjects = [...new Set(report.results.map((r) => r.subject))];
  for (const subject of subjects) {
    const rows = report.results.filter((r) => r.subject === subject);
    const width = (pick: (r: VerifyResult) => string, title: string) => Math.max(title.length, ...rows.map((r) => [...pick(r)].length));
    const w = { actor: width((r) => r.actor, 'actor'), operation: width((r) => r.operation, 'operation'), expected: width((r) => r.expected, 'expected') };
    lines.push(subject);
    lines.push(`    ${pad('actor', w.actor)}  ${pad('operation', w.operation)}  ${pad('expected', w.expected)}  actual`);
    for (const r of rows) {
      const actual = r.status === 'not-tested' ? `not tested: ${r.reason ?? ''}` : r.actual;
      lines.push(`  ${MARK[r.status]} ${pad(r.actor, w.actor)}  ${pad(r.operation, w.operation)}  ${pad(r.expected, w.expected)}  ${actual}`.trimEnd());
    }
    lines.push('');
  }
  const failures = report.results.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    lines.push('Failed:');
    for (const r of failures) lines.push(`  ${problemLine(r)}`);
    lines.push('');
  }
  const total = report.results.length;
  lines.push(
    `${report.status === 'passed' ? 'verified' : 'verification failed'}: ${total} requests on ${report.database}: ` +
      `${report.passed} as promised, ${report.failed} not, ${report.notTested} not tested (${report.durationMs} ms); nothing was kept`,
  );
  return `${lines.join('\n')}\n`;
}
