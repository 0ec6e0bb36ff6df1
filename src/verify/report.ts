/**
 * The verification for people: per subject, a table of actor, operation,
 * expected and actual outcome with ✓, ✗ or "not tested" and why; then the
 * privilege audit (one line per finding, or its counts when all is well);
 * then the failures again, one line each, and the counts.
 */
import type { VerifyReport, VerifyResult } from './run.js';

const MARK: Readonly<Record<VerifyResult['status'], string>> = { pass: '✓', fail: '✗', 'not-tested': '–' };

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** A result that is not a pass, on one line: `✗ todos: user B delete A's row: expected denied, got allowed (1 row)`. */
export function problemLine(r: VerifyResult): string {
  if (r.audit !== undefined) return `${MARK[r.status]} ${r.audit}`;
  return r.status === 'not-tested'
    ? `${MARK[r.status]} ${r.subject}: ${r.actor} ${r.operation}: not tested: ${r.reason ?? ''}`
    : `${MARK[r.status]} ${r.subject}: ${r.actor} ${r.operation}: expected ${r.expected}, got ${r.actual}`;
}

export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  const requests = report.results.filter((r) => r.audit === undefined);
  const subjects = [...new Set(requests.map((r) => r.subject))];
  for (const subject of subjects) {
    const rows = requests.filter((r) => r.subject === subject);
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
  const findings = report.results.filter((r) => r.audit !== undefined);
  const a = report.audit;
  lines.push(
    `privilege audit: ${a.privileges} privileges of anon and authenticated, ${a.policies} policies: ` +
      (a.failed === 0 ? 'none beyond what the file and the platform grant' : `${a.failed} beyond what the file and the platform grant`) +
      (a.notes > 0 ? `, ${a.notes} ${a.notes === 1 ? 'note' : 'notes'}` : ''),
  );
  // Its failures are listed once, with the others, under "Failed:".
  for (const r of findings.filter((f) => f.status !== 'fail')) lines.push(`  ${problemLine(r)}`);
  lines.push('');
  const failures = report.results.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    lines.push('Failed:');
    for (const r of failures) lines.push(`  ${problemLine(r)}`);
    lines.push('');
  }
  const count = (s: VerifyResult['status']) => requests.filter((r) => r.status === s).length;
  const privileges = a.failed > 0 ? `, ${a.failed} privilege audit ${a.failed === 1 ? 'finding' : 'findings'}` : '';
  lines.push(
    `${report.status === 'passed' ? 'verified' : 'verification failed'}: ${requests.length} requests on ${report.database}: ` +
      `${count('pass')} as promised, ${count('fail')} not, ${count('not-tested')} not tested${privileges} (${report.durationMs} ms); nothing was kept`,
  );
  return `${lines.join('\n')}\n`;
}
