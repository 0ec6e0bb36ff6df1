/**
 * 2. apply on a server: the whole `altan-cloud apply` of a synthetic file on a
 * fresh database against `psql -f` of the same generated SQL on another fresh
 * database of the same server; then re-applying the unchanged file (nothing to
 * do) against `altan-cloud generate` of it, i.e. what re-apply costs beyond
 * compiling the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, cleanup, node, row, run, tempDir } from '../lib/measure.mjs';
import { dropDatabase, freshDatabase } from '../lib/server.mjs';
import { syntheticYaml } from '../synthetic.mjs';

const A = 'altan_bench_apply_cli';
const B = 'altan_bench_apply_psql';

export async function applySection({ url, applyEntities: n, runs, warmup }) {
  const dir = tempDir('apply');
  const file = join(dir, `synthetic-${n}.yaml`);
  const sql = join(dir, `synthetic-${n}.sql`);
  writeFileSync(file, syntheticYaml(n));
  node([CLI, 'generate', file, '-o', sql]);
  const first = { subjects: [], floors: [] };
  const again = { subjects: [], floors: [] };
  try {
    for (let i = -warmup; i < runs; i++) {
      const cli = await freshDatabase(url, A);
      const psql = await freshDatabase(url, B);
      const applyCli = () => node([CLI, 'apply', file, '--database-url', cli]).ms;
      const applyPsql = () => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', psql, '-f', sql]).ms;
      // Alternating which goes first, so that neither always meets a cooler cache.
      let s;
      let f;
      if (i % 2 === 0) {
        s = applyCli();
        f = applyPsql();
      } else {
        f = applyPsql();
        s = applyCli();
      }
      const reapply = node([CLI, 'apply', file, '--database-url', cli]);
      if (!reapply.stdout.includes('up to date')) throw new Error(`bench: re-apply did not find the file up to date:\n${reapply.stdout}`);
      const compileOnly = node([CLI, 'generate', file, '-o', join(dir, 'again.sql')]).ms;
      if (i >= 0) {
        first.subjects.push(s);
        first.floors.push(f);
        again.subjects.push(reapply.ms);
        again.floors.push(compileOnly);
      }
    }
  } finally {
    await dropDatabase(url, A);
    await dropDatabase(url, B);
    cleanup(dir);
  }
  const entities = `${n.toLocaleString('en-US')} entities`;
  return [
    row({
      section: '2',
      measure: `apply, ${entities}, fresh server database`,
      unit: 'ms',
      ...first,
      floorName: 'psql -f',
      target: '≤ 1.10×',
      check: (_s, r) => r <= 1.1,
    }),
    row({
      section: '2',
      measure: `re-apply unchanged (up to date), ${entities}`,
      unit: 'ms',
      ...again,
      floorName: 'generate',
      target: '< 1 s',
      check: (s) => s < 1000,
    }),
  ];
}
