/**
 * 1. generate, and 5. the peak RSS of generate: the whole `altan-cloud generate`
 * process against a node process that only reads and parses the same YAML,
 * on synthetic files; and compile() in-process, per entity, against
 * yaml's parse() of the same text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLI, ROOT, cleanup, node, paired, row, tempDir } from '../lib/measure.mjs';
import { syntheticYaml } from '../synthetic.mjs';

const FLOORS = join(ROOT, 'bench/floors.mjs');
/** 200 MB, as the issue states it, in MiB (the unit of the table). */
const GENERATE_RSS_LIMIT_MIB = 200e6 / 2 ** 20;

export async function generateSection({ sizes, runs, warmup, clock }) {
  const cost = (result) => (clock === 'cpu' ? result.cpuMs : result.ms);
  const dir = tempDir('generate');
  const rows = [];
  let memory;
  const times = new Map();
  try {
    for (const n of sizes) {
      const file = join(dir, `synthetic-${n}.yaml`);
      writeFileSync(file, syntheticYaml(n));
      const rss = { subject: [], floor: [] };
      const { subjects, floors } = await paired(
        runs,
        warmup,
        (i) => keep(rss.subject, i, node([CLI, 'generate', file, '-o', join(dir, `out-${n}.sql`)]), cost),
        (i) => keep(rss.floor, i, node([FLOORS, 'parse', file]), cost),
      );
      times.set(n, subjects);
      const largest = n === Math.max(...sizes);
      rows.push(
        row({
          section: '1',
          measure: `generate, ${n.toLocaleString('en-US')} entities (whole process${clock === 'cpu' ? ', CPU time' : ''})`,
          unit: 'ms',
          subjects,
          floors,
          floorName: 'parse only',
          ...(largest && n >= 1000 ? { target: '≤ 1.50×', check: (_s, r) => r <= 1.5 } : {}),
        }),
      );
      if (largest) {
        memory = row({
          section: '5',
          measure: `generate peak RSS, ${n.toLocaleString('en-US')} entities`,
          unit: 'MiB',
          subjects: rss.subject,
          floors: rss.floor,
          floorName: 'parse only',
          ...(n >= 1000 ? { target: '≤ 200 MB (190.7 MiB)', check: (s) => s <= GENERATE_RSS_LIMIT_MIB } : {}),
        });
      }
    }
    if (times.has(100) && times.has(1000)) {
      rows.push(
        row({
          section: '1',
          measure: 'generate growth, 100 → 1,000 entities',
          unit: 'ms',
          subjects: times.get(1000),
          floors: times.get(100),
          floorName: '(100 entities)',
          target: '≤ 11×',
          check: (_s, r) => r <= 11,
        }),
      );
    }
    rows.push(...(await inProcess(dir, sizes, runs)));
  } finally {
    cleanup(dir);
  }
  return memory ? [...rows, memory] : rows;
}

/** Records a measured run's peak RSS (warm-up runs have a negative index) and returns its time (wall or CPU). */
function keep(list, i, result, cost) {
  if (i >= 0) list.push(result.rssMiB);
  return cost(result);
}

/** compile() per entity, warm (after one compile of the same file), against parse() of the same text. */
async function inProcess(dir, sizes, runs) {
  const { compile } = await import(join(ROOT, 'dist/compile.js'));
  const rows = [];
  for (const n of sizes) {
    const source = readFileSync(join(dir, `synthetic-${n}.yaml`));
    const text = source.toString('utf8');
    await compile(source, { fileName: 'bench.yaml' });
    parse(text);
    const { subjects, floors } = await paired(
      Math.max(runs, 5),
      0,
      () => perEntity(n, () => compile(source, { fileName: 'bench.yaml' })),
      () => perEntity(n, async () => parse(text)),
    );
    rows.push(
      row({
        section: '1',
        measure: `compile() in-process per entity, ${n.toLocaleString('en-US')} entities`,
        unit: 'µs',
        subjects,
        floors,
        floorName: 'parse()',
      }),
    );
  }
  return rows;
}

async function perEntity(n, work) {
  const started = performance.now();
  await work();
  return ((performance.now() - started) * 1000) / n;
}
