/**
 * 4. The embedded database: the first `altan-cloud apply` in a new directory
 * (cold: the build's database snapshot is unpacked, then bootstrapped) and a later one (warm:
 * the file is up to date), each against a node process that only opens and
 * closes PGlite on a directory in the same state. And 5. the peak RSS of the
 * cold apply, with a breakdown of where the time and the memory go
 * (bench/embedded-steps.mjs, one process).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, cleanup, node, row, tempDir } from '../lib/measure.mjs';

const FLOORS = join(ROOT, 'bench/floors.mjs');
const STEPS = join(ROOT, 'bench/embedded-steps.mjs');
const EXAMPLE = join(ROOT, 'examples/todo/altan.yaml');

export async function embeddedSection({ runs, warmup }) {
  const dir = tempDir('embedded');
  const cold = { subjects: [], floors: [] };
  const warm = { subjects: [], floors: [] };
  const rss = { subjects: [], floors: [] };
  try {
    for (let i = -warmup; i < runs; i++) {
      // The CLI's embedded database is ./.altan-cloud/db of its working directory.
      const work = join(dir, `run-${i + warmup}`);
      mkdirSync(work);
      copyFileSync(EXAMPLE, join(work, 'altan.yaml'));
      const floorDir = join(work, 'floor-db');
      const first = node([CLI, 'apply', '--embedded'], { cwd: work });
      const firstFloor = node([FLOORS, 'pglite', floorDir]);
      const again = node([CLI, 'apply', '--embedded'], { cwd: work });
      if (!again.stdout.includes('up to date')) throw new Error(`bench: the second embedded apply did not find the file up to date:\n${again.stdout}`);
      const againFloor = node([FLOORS, 'pglite', floorDir]);
      cleanup(work);
      if (i < 0) continue;
      cold.subjects.push(first.ms);
      cold.floors.push(firstFloor.ms);
      warm.subjects.push(again.ms);
      warm.floors.push(againFloor.ms);
      rss.subjects.push(first.rssMiB);
      rss.floors.push(firstFloor.rssMiB);
    }
    const steps = stepReport(dir);
    return {
      rows: [
        row({
          section: '4',
          measure: 'embedded apply, cold (new database), examples/todo',
          unit: 'ms',
          ...cold,
          floorName: 'PGlite create',
          target: '≤ 1.5 s',
          check: (s) => s <= 1500,
        }),
        row({
          section: '4',
          measure: 'embedded apply, warm (up to date), examples/todo',
          unit: 'ms',
          ...warm,
          floorName: 'PGlite open',
          target: '≤ 0.8 s',
          check: (s) => s <= 800,
        }),
        row({
          section: '5',
          measure: 'embedded apply peak RSS, cold, examples/todo',
          unit: 'MiB',
          ...rss,
          floorName: 'PGlite create',
          target: '≤ 450 MiB',
          check: (s) => s <= 450,
        }),
      ],
      notes: steps,
    };
  } finally {
    cleanup(dir);
  }
}

/** Where one cold and one warm apply spend their time and memory (in-process timestamps), as notes. */
function stepReport(dir) {
  const work = join(dir, 'steps');
  mkdirSync(work);
  const notes = [];
  for (const phase of ['cold', 'warm']) {
    const result = JSON.parse(node([STEPS, join(work, 'db'), EXAMPLE]).stdout);
    const steps = result.steps.map((s) => `${s.step} ${Math.round(s.ms)} ms`).join(', ');
    const peaks = result.steps.map((s) => `${s.step} ${Math.round(s.rssMiB)}`).join(', ');
    notes.push(
      `embedded ${phase}, where the time goes (one process, ${Math.round(result.totalMs)} ms from process start): ${steps}`,
      `embedded ${phase}, RSS after each step (MiB): ${peaks}; peak ${Math.round(result.maxRssMiB)} MiB; ` +
        `WebAssembly memory of PGlite ${Math.round(result.wasmMiB)} MiB, JS heap ${Math.round(result.heapMiB)} MiB`,
    );
  }
  return notes;
}
