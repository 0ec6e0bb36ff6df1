/**
 * 8. fleet (issue 19): one small file (examples/todo) to `fleetTargets` (200) databases of the
 * server, each a copy of one bootstrapped template. The floor is the loop a provisioning script
 * writes without the fleet: the library's apply() on each target in turn (open a connection, apply,
 * close). Beside it: the library's fleetApply() at concurrency 1, 4 and 16, and `altan-cloud fleet
 * apply --concurrency 16 --json` as a whole process (node start and compiling the file included; the
 * in-process runs compile once, untimed). Every measurement starts from databases never applied:
 * all of them are copied again from the template before it, untimed. Measured: the whole run's wall
 * time (the rows) and targets per second (the notes). The server must take the highest concurrency
 * plus one connection (the section's own, open only between measurements) beside whatever else runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cleanup, median, node, row, tempDir } from '../lib/measure.mjs';
import { cloneDatabases, databaseUrl, databasesMatching, dropDatabases, freshDatabase } from '../lib/server.mjs';

const EXAMPLE = 'examples/todo/altan.yaml';
const CONCURRENCIES = [1, 4, 16];
const CLI_CONCURRENCY = 16;
const NAME = /^altan_bench_fleet_(\d+)_/;

/** Databases of an earlier run whose process is gone (killed before it could drop them). */
async function dropLeftovers(url, log) {
  const gone = (name) => {
    try {
      process.kill(Number(NAME.exec(name)?.[1]), 0);
      return false;
    } catch (e) {
      return e.code === 'ESRCH';
    }
  };
  const left = (await databasesMatching(url, NAME)).filter(gone);
  if (left.length === 0) return;
  log(`fleet: dropping ${left.length} databases left by earlier runs`);
  await dropDatabases(url, left);
}

/** The report says every target was applied, on its first attempt or after retries; else the figure means nothing. */
function allApplied(report, n, who) {
  if (report.counts.applied === n && report.targets.length === n) return;
  const failed = report.targets.find((t) => t.status !== 'applied');
  const why = failed ? `${failed.name}: ${failed.status} ${failed.code ?? ''} ${failed.message ?? ''}` : JSON.stringify(report.counts);
  throw new Error(`bench: ${who} did not apply all ${n} targets: ${why}`);
}

const fromReport = (report) => ({
  durations: report.targets.map((t) => t.durationMs),
  retries: report.targets.reduce((sum, t) => sum + t.attempts - 1, 0),
});

/** The subjects, each returning { ms, durations (each target's own time), retries }. */
function subjects({ lib, compiled, targets, targetsFile, signal }) {
  const n = targets.length;
  const loop = {
    name: 'apply() loop',
    run: async () => {
      const durations = [];
      const started = performance.now();
      for (const target of targets) {
        signal.throwIfAborted();
        const t0 = performance.now();
        const db = await lib.openPostgres(target.url);
        try {
          const report = await lib.apply(db, compiled);
          if (report.status !== 'applied') throw new Error(`bench: apply() of ${target.name} ended ${report.status}`);
        } finally {
          await db.close();
        }
        durations.push(performance.now() - t0);
      }
      return { ms: performance.now() - started, durations, retries: 0 };
    },
  };
  const fleet = CONCURRENCIES.map((concurrency) => ({
    name: `fleetApply() ×${concurrency}`,
    concurrency,
    run: async () => {
      const started = performance.now();
      const report = await lib.fleetApply(compiled, targets, { concurrency });
      const ms = performance.now() - started;
      allApplied(report, n, `fleetApply() at concurrency ${concurrency}`);
      return { ms, ...fromReport(report) };
    },
  }));
  const cli = {
    name: `fleet apply ×${CLI_CONCURRENCY}`,
    cli: true,
    run: async () => {
      const r = node([CLI, 'fleet', 'apply', EXAMPLE, '--targets', targetsFile, '--concurrency', String(CLI_CONCURRENCY), '--json']);
      const report = JSON.parse(r.stdout);
      allApplied(report, n, `fleet apply --concurrency ${CLI_CONCURRENCY}`);
      return { ms: r.ms, ...fromReport(report) };
    },
  };
  return [loop, ...fleet, cli];
}

export async function fleetSection({ url, fleetTargets: n, runs, warmup, log }) {
  const lib = await import('../../dist/index.js');
  const prefix = `altan_bench_fleet_${process.pid}_`;
  const template = `${prefix}template`;
  const names = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(String(n - 1).length, '0')}`);
  const targets = names.map((name) => ({ name, url: databaseUrl(url, name) }));
  const dir = tempDir('fleet');
  const targetsFile = join(dir, 'targets.txt');
  writeFileSync(targetsFile, `${targets.map((t) => t.url).join('\n')}\n`);
  const compiled = await lib.compile(readFileSync(join(ROOT, EXAMPLE)), { fileName: EXAMPLE });

  // Ctrl-C or a kill: the step under way stops at its next target or database (a fleetApply() or the CLI
  // finishes its run: a signal passed to fleetApply() would cost each target a query), then the finally
  // below drops the databases, as after a failure. A SIGKILL leaves them to dropLeftovers the next time.
  const everything = [...names, template];
  const stop = new AbortController();
  const onSignal = (signal) => {
    log(`fleet: ${signal}: stopping, then dropping its ${everything.length} databases`);
    stop.abort(new Error(`bench: fleet: ${signal}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const load = [loadavg()[0]];
  const cloneMs = [];
  const all = subjects({ lib, compiled, targets, targetsFile, signal: stop.signal });
  const measured = all.map(() => []);
  try {
    await dropLeftovers(url, log);
    await freshDatabase(url, template);
    for (let i = -warmup; i < runs; i++) {
      // The order turns around every run, so that no subject always follows the same one.
      const order = all.map((_, k) => k);
      if (i % 2 !== 0) order.reverse();
      for (const k of order) {
        const t0 = performance.now();
        await cloneDatabases(url, template, names, stop.signal);
        cloneMs.push(performance.now() - t0);
        const m = await all[k].run();
        log(`fleet: ${i < 0 ? 'warm-up' : `run ${i + 1}/${runs}`}: ${all[k].name} ${(m.ms / 1000).toFixed(2)} s`);
        if (i >= 0) measured[k].push(m);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await dropDatabases(url, everything);
    cleanup(dir);
    if (stop.signal.aborted) process.exit(130);
  }
  load.push(loadavg()[0]);
  return { rows: rowsOf(all, measured, n), notes: notesOf(all, measured, n, cloneMs, load) };
}

function rowsOf(all, measured, n) {
  const times = measured.map((list) => list.map((m) => m.ms));
  const [floors] = times;
  const targetOf = (subject) =>
    subject.concurrency === 1 ? { target: '≤ 1.20×', check: (_s, r) => r <= 1.2 } : { target: '< 1.00×', check: (_s, r) => r < 1 };
  return all.slice(1).map((subject, k) =>
    row({
      section: '8',
      measure: subject.cli
        ? `fleet apply (whole process), ${n} targets, concurrency ${CLI_CONCURRENCY}`
        : `fleetApply(), ${n} targets, concurrency ${subject.concurrency}`,
      unit: 'ms',
      subjects: times[k + 1],
      floors,
      floorName: 'apply() loop',
      ...targetOf(subject),
    }),
  );
}

function notesOf(all, measured, n, cloneMs, load) {
  const perSecond = (m) => n / (m.ms / 1000);
  const list = (f) => all.map((s, k) => `${s.name} ${f(measured[k])}`).join(', ');
  const retries = measured.flat().reduce((sum, m) => sum + m.retries, 0);
  return [
    `fleet: examples/todo to ${n} databases, each copied from one bootstrapped template before every measurement (${(median(cloneMs) / 1000).toFixed(1)} s for the ${n}, median, untimed); ` +
      `targets per second (median): ${list((ms) => median(ms.map(perSecond)).toFixed(1))}`,
    `fleet: one target's own time (open, apply, close; median over the targets of every run): ${list((ms) => `${median(ms.flatMap((m) => m.durations)).toFixed(0)} ms`)}; ` +
      `retries: ${retries}; load average (1 min) at the section's start and end: ${load.map((l) => l.toFixed(1)).join(', ')}`,
  ];
}
