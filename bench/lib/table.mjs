/**
 * The results table: a Markdown table whose columns are padded, so that it
 * reads in a terminal and can be pasted into bench/RESULTS.md as it is.
 */

function amount(value, unit) {
  if (value === undefined) return '';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

const ratio = (r) => `${r.toFixed(2)}×`;

function cells(r) {
  const [lo, hi] = r.subjectRange;
  const spread = r.runs > 1 ? ` (${amount(lo, r.unit).split(' ')[0]}–${amount(hi, r.unit)})` : '';
  return [
    r.section,
    r.measure,
    `${amount(r.subject, r.unit)}${spread}`,
    r.floor === undefined ? '' : `${amount(r.floor, r.unit)} ${r.floorName ?? ''}`.trim(),
    r.ratio === undefined ? '' : ratio(r.ratio),
    r.ratioRange === undefined || r.runs < 2 ? '' : `${ratio(r.ratioRange[0])}–${ratio(r.ratioRange[1])}`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS',
  ];
}

const HEADER = ['#', 'measure', 'median (min–max)', 'floor (median)', 'ratio', 'ratio min–max', 'target', 'result'];

/** The rows as an aligned Markdown table. */
export function formatTable(rows) {
  const lines = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_h, i) => Math.max(...lines.map((l) => l[i].length)));
  const line = (l) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(lines[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(line)].join('\n');
}
