/**
 * 7. Resource limits (issue 13): `altan-cloud validate` of files of many
 * small entities must grow linearly (yaml's duplicate-key check made 40,000
 * entities take 40 s), and alias bombs must be refused quickly, whatever
 * they would expand to. Each against a node process that only parses the
 * same file into yaml's tree (bench/floors.mjs parse-document).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, cleanup, node, paired, row, tempDir } from '../lib/measure.mjs';

const FLOORS = join(ROOT, 'bench/floors.mjs');
const SIZES = [10_000, 40_000];

/** `n` entities of one field: the most entities per byte, so that per-entity costs dominate. */
function manyEntities(n) {
  const lines = ['version: 1', 'entities:'];
  for (let i = 0; i < n; i++) lines.push(`  e${i}:`, '    fields:', '      title: text');
  return `${lines.join('\n')}\n`;
}

/** The issue's bomb: a 200,000-item list aliased 999 times (200 million values expanded). */
function wideBomb() {
  return `version: 1\nx: &a [${Array(200_000).fill('0').join(',')}]\ny: [${Array(999).fill('*a').join(', ')}]\n`;
}

/** Ten levels of ten aliases each: 10^10 values expanded, from 600 bytes. */
function nestedBomb() {
  const levels = ['a: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 10; i++)
    levels.push(
      `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `version: 1\nx:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
}

export async function limitsSection({ runs, warmup, clock }) {
  const cost = (result) => (clock === 'cpu' ? result.cpuMs : result.ms);
  const dir = tempDir('limits');
  const rows = [];
  try {
    const times = new Map();
    for (const n of SIZES) {
      const file = join(dir, `entities-${n}.yaml`);
      writeFileSync(file, manyEntities(n));
      const { subjects, floors } = await paired(
        runs,
        warmup,
        () => cost(node([CLI, 'validate', file])),
        // yaml.parse() itself checks duplicate keys quadratically (80 s at 40,000): the floor parses without that check.
        () => cost(node([FLOORS, 'parse-document', file])),
      );
      times.set(n, subjects);
      rows.push(
        row({
          section: '7',
          measure: `validate, ${n.toLocaleString('en-US')} one-field entities (whole process)`,
          unit: 'ms',
          subjects,
          floors,
          floorName: 'parse only',
          target: '≤ 3.00×',
          check: (_s, r) => r <= 3,
        }),
      );
    }
    const [small, large] = SIZES;
    rows.push(
      row({
        section: '7',
        measure: `validate growth, ${small.toLocaleString('en-US')} → ${large.toLocaleString('en-US')} entities`,
        unit: 'ms',
        subjects: times.get(large),
        floors: times.get(small),
        floorName: `(${small.toLocaleString('en-US')} entities)`,
        target: `≤ ${(1.25 * (large / small)).toFixed(0)}× (linear)`,
        check: (_s, r) => r <= 1.25 * (large / small),
      }),
    );
    for (const [name, text] of [
      ['wide alias bomb (200,000 × 999)', wideBomb()],
      ['nested alias bomb (10 levels × 10)', nestedBomb()],
    ]) {
      const file = join(dir, `${name.split(' ')[0]}.yaml`);
      writeFileSync(file, text);
      // The refusal itself, beyond parsing the file: a bomb must cost no more than its text.
      const { subjects, floors } = await paired(
        runs,
        warmup,
        () => {
          const refused = node([CLI, 'validate', file], { status: 1 });
          if (!/\[yaml-aliases\]$/m.test(refused.stderr)) throw new Error(`bench: ${name} was not refused as an alias bomb:\n${refused.stderr}`);
          return cost(refused);
        },
        () => cost(node([FLOORS, 'parse-document', file])),
      );
      rows.push(
        row({
          section: '7',
          measure: `validate refuses a ${name} (whole process)`,
          unit: 'ms',
          subjects,
          floors,
          floorName: 'parse only',
          target: '≤ 1.50×',
          check: (_s, r) => r <= 1.5,
        }),
      );
    }
  } finally {
    cleanup(dir);
  }
  return rows;
}
