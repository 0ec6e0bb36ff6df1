/**
 * 6. plan on a server: a synthetic file of `planEntities` entities is applied
 * once to a fresh database; then `altan-cloud plan --database-url` of (a) the
 * same file (up to date) and (b) a later version of it (a field more on every
 * 10th entity, the last entity removed), each against `altan-cloud generate`
 * of the same file, i.e. what planning costs beyond compiling it. The target
 * (issue: "planning against a database of 1,000 tables takes < 2 s") is
 * checked twice: on the whole `plan` process (which compiles the file first:
 * YAML parsing alone is most of a second at this size), and on the library's
 * `plan()` of a file already compiled — the planning itself (record, catalog,
 * diff, SQL), against compile() in the same process as its floor.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, cleanup, median, node, paired, row, tempDir } from '../lib/measure.mjs';
import { dropDatabase, freshDatabase } from '../lib/server.mjs';
import { syntheticYaml } from '../synthetic.mjs';

/** One database per process: a smoke run of the test suite may run beside a real benchmark. */
const DATABASE = `altan_bench_plan_${process.pid}`;
const EXTRA_FIELD_EVERY = 10;
const count = (k, one, many) => `${k.toLocaleString('en-US')} ${k === 1 ? one : many}`;

export async function planSection({ url, planEntities: n, runs, warmup }) {
  const dir = tempDir('plan');
  const same = join(dir, `synthetic-${n}.yaml`);
  const changed = join(dir, `synthetic-${n}-changed.yaml`);
  writeFileSync(same, syntheticYaml(n));
  writeFileSync(changed, syntheticYaml(n, { extraFieldEvery: EXTRA_FIELD_EVERY, withoutLast: true }));
  const last = `item_${String(n - 1).padStart(4, '0')}`;
  const added = Math.ceil((n - 1) / EXTRA_FIELD_EVERY);
  const notes = [];
  try {
    const target = await freshDatabase(url, DATABASE);
    const applied = node([CLI, 'apply', same, '--database-url', target]);
    if (!applied.stdout.startsWith('applied ')) throw new Error(`bench: the first apply did not apply:\n${applied.stdout.slice(0, 2000)}`);

    const cpu = { upToDate: [], changed: [] };
    const plan = (file, check, into) => () => {
      const r = node([CLI, 'plan', file, '--database-url', target]);
      check(r.stdout);
      into.push(r.cpuMs);
      return r.ms;
    };
    const compileOnly = (file) => () => node([CLI, 'generate', file, '-o', join(dir, 'out.sql')]).ms;
    const upToDate = await paired(
      runs,
      warmup,
      plan(
        same,
        (out) => {
          if (!out.includes(' is up to date on ')) throw new Error(`bench: plan of the applied file is not up to date:\n${out.slice(0, 2000)}`);
        },
        cpu.upToDate,
      ),
      compileOnly(same),
    );
    const changes = await paired(
      runs,
      warmup,
      plan(
        changed,
        (out) => {
          const dropped = new RegExp(`^  - table ${last}: holds \\d+ rows?  \\[destructive: its rows are deleted\\]$`, 'm');
          if (!dropped.test(out) || !out.includes('\n  + column item_0000.summary\n')) {
            throw new Error(`bench: plan of the changed file does not list its changes:\n${out.slice(0, 2000)}`);
          }
        },
        cpu.changed,
      ),
      compileOnly(changed),
    );
    const library = await libraryPlans(target, same, changed, runs, warmup);
    // The warm-up runs pushed their CPU times first.
    const cpuMedian = (list) => Math.round(median(list.slice(warmup)));
    notes.push(
      `plan, ${n.toLocaleString('en-US')} entities applied (${applied.ms.toFixed(0)} ms for the first apply); the changed file: a field added to ${count(added, 'entity', 'entities')}, ${last} removed. ` +
        `CPU time of the plan process (median): up to date ${cpuMedian(cpu.upToDate)} ms, changed ${cpuMedian(cpu.changed)} ms`,
    );
    const entities = `${n.toLocaleString('en-US')} entities`;
    const under2s = (s) => s < 2000;
    return {
      rows: [
        row({
          section: '6',
          measure: `plan, ${entities}, up to date (server)`,
          unit: 'ms',
          subjects: upToDate.subjects,
          floors: upToDate.floors,
          floorName: 'generate',
          target: '< 2 s',
          check: under2s,
        }),
        row({
          section: '6',
          measure: `plan, ${entities}, ${count(added, 'field', 'fields')} added + 1 entity removed (server)`,
          unit: 'ms',
          subjects: changes.subjects,
          floors: changes.floors,
          floorName: 'generate',
          target: '< 2 s',
          check: under2s,
        }),
        row({
          section: '6',
          measure: `plan() in-process, ${entities}, up to date (server)`,
          unit: 'ms',
          subjects: library.upToDate.subjects,
          floors: library.upToDate.floors,
          floorName: 'compile()',
          target: '< 2 s',
          check: under2s,
        }),
        row({
          section: '6',
          measure: `plan() in-process, ${entities}, changed (server)`,
          unit: 'ms',
          subjects: library.changed.subjects,
          floors: library.changed.floors,
          floorName: 'compile()',
          target: '< 2 s',
          check: under2s,
        }),
      ],
      notes,
    };
  } finally {
    await dropDatabase(url, DATABASE);
    cleanup(dir);
  }
}

/** The library's plan() of files compiled beforehand (named as the CLI applied them, so the SQL matches the record). */
async function libraryPlans(target, same, changed, runs, warmup) {
  const { compile, openPostgres, plan } = await import('../../dist/index.js');
  const db = await openPostgres(target);
  try {
    const timed = async (work) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const measure = async (file, expected) => {
      const text = readFileSync(file, 'utf8');
      const compiled = await compile(text, { fileName: file });
      return paired(
        runs,
        warmup,
        () =>
          timed(async () => {
            const p = await plan(db, compiled);
            if (p.status !== expected) throw new Error(`bench: plan() of ${file} is ${p.status}, not ${expected}`);
          }),
        () => timed(async () => compile(text, { fileName: file })),
      );
    };
    return { upToDate: await measure(same, 'up-to-date'), changed: await measure(changed, 'changes') };
  } finally {
    await db.close();
  }
}
