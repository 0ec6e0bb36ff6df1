/**
 * The fleet's queue on the test cluster (src/fleet/enqueue.ts, worker.ts, status.ts): 30 bootstrapped
 * target databases enqueued on a control database, two `altan-cloud worker` processes, one killed with
 * SIGKILL while a target's transaction is open (its record INSERT held up by a lock the test takes): the
 * job runs again on the other worker, every target is applied exactly once (one record row each, and the
 * killed one's transaction rolled back: its target ends `applied`, not `up-to-date`), and `fleet status`
 * reports the run complete. Then: a worker stopped with SIGTERM gives its running job back after its
 * grace; status exits 3 while a run goes on, 2 when it ended with a failure; the library's enqueueFleet,
 * runWorker and fleetStatus in this process (a byte order mark kept, a run another version compiled refused).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { RECORD_SQL } from '../../src/db/record.js';
import { enqueueFleet } from '../../src/fleet/enqueue.js';
import type { EnqueuedRun } from '../../src/fleet/enqueue.js';
import { runWorker } from '../../src/fleet/worker.js';
import type { WorkerEvent } from '../../src/fleet/worker.js';
import type { TargetResult } from '../../src/fleet/applyTarget.js';
import { InvalidRequirementsError } from '../../src/diagnostics.js';
import { fleetStatus } from '../../src/fleet/status.js';
import type { FleetStatusReport } from '../../src/fleet/status.js';
import { CLI, ROOT, cliBuilt, cliEnvironment, removeTemporaryDirectories, runCli, temporaryDirectory } from '../helpers.js';
import { connect, dropDatabase, freshDatabase, testDatabaseUrl } from './harness.js';
import { databaseOf, databaseUrl } from './names.js';

const FILE = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n      body: text\n';
const TARGETS = 30;
/** The target whose apply the test holds up mid-transaction: t10, taken after the first few (jobs go in the file's order). */
const HELD = 9;
const nameOf = (i: number) => `t${String(i + 1).padStart(2, '0')}`;

let control = '';
const targets: string[] = [];

/** A worker process, its stdout lines kept as they come. */
class Worker {
  readonly lines: string[] = [];
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, 'worker', '--concurrency', '2', '--poll-interval', '500ms', '--supervise-interval', '1s', ...args], {
      env: cliEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.lines.push(line));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  /** Lines `<run> <event> <target>…` of one target. */
  linesOf(event: string, target: string): string[] {
    return this.lines.filter((l) => new RegExp(`^\\S+ ${event} +${target}\\b`).test(l));
  }
}
const workers: Worker[] = [];

/** `fleet apply notes.yaml --targets - --queue …` with the targets as a YAML list on standard input. */
function enqueue(list: readonly { name: string; url: string }[], extra: readonly string[] = []): EnqueuedRun & { status: string } {
  const dir = temporaryDirectory('fleet-queue-');
  writeFileSync(join(dir, 'notes.yaml'), FILE);
  const yaml = list.map((t) => `- name: ${t.name}\n  url: ${t.url}\n`).join('');
  const enqueued = runCli(['fleet', 'apply', 'notes.yaml', '--targets', '-', '--queue', control, '--lock-timeout', '60s', '--json', ...extra], {
    cwd: dir,
    input: yaml,
  });
  expect(enqueued.stderr).toBe('');
  expect(enqueued.status).toBe(0);
  return JSON.parse(enqueued.stdout) as EnqueuedRun & { status: string };
}

/** Whether a session of altan-cloud on `url`'s database waits for a lock. */
async function waitsForLock(observer: Database, url: string): Promise<boolean> {
  const rows = await observer.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND application_name = 'altan-cloud'",
    [databaseOf(url)],
  );
  return Number(rows[0]?.n) === 1;
}

/** Polls `check` until it answers something, or fails naming `what`. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!cliBuilt()) throw new Error(`${CLI} does not exist: run \`npm run build\` first`);
  control = await freshDatabase('fleet-queue-control', { bootstrapped: false });
  // Cloned from the bootstrapped template, a few at a time.
  for (let i = 0; i < TARGETS; i += 6) {
    targets.push(...(await Promise.all(Array.from({ length: Math.min(6, TARGETS - i) }, (_, k) => freshDatabase(`fleet-queue-${nameOf(i + k)}`)))));
  }
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  for (const url of [control, ...targets]) if (url) await dropDatabase(url);
  removeTemporaryDirectories();
}, 60_000);

describe('fleet on a queue', () => {
  it('two workers, one killed mid-job: every target applied exactly once, the run reported complete', async () => {
    // The held target's record table exists (and is empty), so that the test can lock it: its apply runs
    // the file's SQL, then waits to INSERT its record row, inside its transaction.
    const held: Database = await connect(targets[HELD] as string);
    await held.exec(RECORD_SQL);
    await held.exec('BEGIN; LOCK TABLE altan_meta.applied_files IN SHARE MODE');

    const run = enqueue(
      targets.map((url, i) => ({ name: nameOf(i), url })),
      ['--job-timeout', '15s'],
    );
    expect(run).toMatchObject({ status: 'enqueued', targets: TARGETS, file: 'notes.yaml', options: { jobTimeoutMs: 15_000, jobRetries: 3 } });
    // One with --queue, one with the environment variable a service would use.
    workers.push(new Worker(['--queue', control]), new Worker([], { ALTAN_CLOUD_QUEUE_URL: control }));

    const heldName = nameOf(HELD);
    const victim = await until('a worker to start the held target', async () => workers.find((w) => w.linesOf('started', heldName).length > 0));
    const survivor = workers.find((w) => w !== victim) as Worker;
    const observer = await connect(control);
    await until('the held target to wait for its record row', () => waitsForLock(observer, targets[HELD] as string));
    const midway = await until('some targets to finish', async () => {
      const s = await fleetStatus(control, run.run);
      return s.done >= 3 ? s : undefined;
    });
    expect(midway.finished).toBe(false);

    // While it runs, status exits 3.
    const inProgress = runCli(['fleet', 'status', '--queue', control, run.run]);
    expect(inProgress.stderr).toBe('');
    expect(inProgress.status).toBe(3);
    expect(inProgress.stdout).toMatch(/in progress/);

    victim.child.kill('SIGKILL');
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The killed worker's session gets its lock, finds its client gone and rolls back.
    await held.exec('ROLLBACK');

    const end = await until(
      'the run to finish',
      async () => {
        const s = await fleetStatus(control, run.run);
        return s.finished ? s : undefined;
      },
      60_000,
    );
    expect(end).toMatchObject({ ok: true, total: TARGETS, done: TARGETS, queued: 0, active: 0, missing: 0 });

    // Exactly once: one record row in each target.
    for (const url of targets) {
      const db = await connect(url);
      const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM altan_meta.applied_files');
      expect({ url, rows: Number(row?.n) }).toEqual({ url, rows: 1 });
      await db.close();
    }

    // The report: every target applied (the held one too: the killed worker's transaction did not commit).
    const report = runCli(['fleet', 'status', '--queue', control, run.run, '--json']);
    expect(report.status).toBe(0);
    const status = JSON.parse(report.stdout) as FleetStatusReport;
    expect(status).toMatchObject({ run: run.run, finished: true, ok: true, done: TARGETS, counts: { applied: TARGETS, failed: 0 } });
    expect(status.targets.map((t) => [t.name, t.status])).toEqual(targets.map((_, i) => [nameOf(i), 'applied']));
    expect(report.stdout).not.toMatch(/postgres:\/\/[^"@]*:[^"@]*@/);

    // The victim started it and never finished it; the survivor took it on its second try.
    expect(victim.linesOf('applied', heldName)).toEqual([]);
    expect(survivor.linesOf('started', heldName)).toEqual([expect.stringMatching(/\(try 2\)$/)]);
    expect(survivor.linesOf('applied', heldName)).toHaveLength(1);

    // Without an id: the newest run; a text report.
    const text = runCli(['fleet', 'status', '--queue', control]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`run ${run.run}: notes.yaml`);
    expect(text.stdout).toContain(`${TARGETS} targets: ${TARGETS} done (${TARGETS} applied), 0 active, 0 queued; finished`);

    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
    expect(survivor.stderr).toMatch(/worker: stopped: \d+ finished/);
  }, 90_000);

  it('a stopped worker gives its running job back; status waits, and exits 2 when a target failed', async () => {
    const ok = await freshDatabase('fleet-queue-ok');
    const slow = await freshDatabase('fleet-queue-slow');
    targets.push(ok, slow);
    const missingUrl = new URL(databaseUrl(testDatabaseUrl(), 'altan_t_fleet_queue_missing'));
    missingUrl.password = 'Qu3u3Secret';
    const missing = missingUrl.toString();
    const held = await connect(slow);
    await held.exec(RECORD_SQL);
    await held.exec('BEGIN; LOCK TABLE altan_meta.applied_files IN SHARE MODE');
    const run = enqueue([
      { name: 'ok', url: ok },
      { name: 'slow', url: slow },
      { name: 'missing', url: missing },
    ]);

    const first = new Worker(['--queue', control, '--grace', '1s']);
    workers.push(first);
    const observer = await connect(control);
    await until('slow to wait for its record row', () => waitsForLock(observer, slow));
    await until('ok and missing to finish', async () => (await fleetStatus(control, run.run)).done === 2);
    first.child.kill('SIGTERM');
    // After its grace, the worker gives the job up: the statement cancelled, the transaction rolled back, the job back on the queue.
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.linesOf('released', 'slow')).toEqual([expect.stringMatching(/worker-stopped: the worker stopped before the target was done/)]);
    expect(first.stderr).toMatch(/worker: stopped: 2 finished, 1 given back to the queue/);
    await held.exec('ROLLBACK');

    const between = runCli(['fleet', 'status', '--queue', control, run.run]);
    expect(between.status).toBe(3);
    expect(between.stdout).toMatch(/queued +slow \(tries so far: 1\)/);

    const second = new Worker([], { ALTAN_CLOUD_QUEUE_URL: control });
    workers.push(second);
    const waited = runCli(['fleet', 'status', run.run, '--wait', '--json'], { cwd: ROOT, env: { ALTAN_CLOUD_QUEUE_URL: control } });
    expect(waited.status).toBe(2);
    const status = JSON.parse(waited.stdout) as FleetStatusReport;
    expect(status).toMatchObject({ finished: true, ok: false, done: 3, counts: { applied: 2, failed: 1 } });
    expect(status.targets.map((t) => [t.name, t.status])).toEqual([
      ['ok', 'applied'],
      ['slow', 'applied'],
      ['missing', 'failed'],
    ]);
    expect(status.targets[2]).toMatchObject({ code: 'connection-failed', database: missing.replace(':Qu3u3Secret', '') });
    expect(waited.stdout).not.toContain('Qu3u3Secret');
    expect(`${first.lines.join('\n')}${first.stderr}${second.lines.join('\n')}${second.stderr}`).not.toContain('Qu3u3Secret');
    const [row] = await (await connect(slow)).query<{ n: string }>('SELECT count(*) AS n FROM altan_meta.applied_files');
    expect(Number(row?.n)).toBe(1);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('the library: a file with a byte order mark applies as enqueued; a worker refuses a run whose SQL it compiles otherwise', async () => {
    const url = await freshDatabase('fleet-queue-library');
    targets.push(url);
    const withBom = await enqueueFleet(control, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FILE)]), [{ name: 'bom', url }], {
      fileName: 'notes.yaml',
      jobRetries: 0,
    });
    const other = await enqueueFleet(control, FILE.replace('body: text', 'body: integer'), [{ name: 'other', url }], { fileName: 'notes.yaml', jobRetries: 0 });
    // As if another altan-cloud had enqueued it: its SQL is not what this one compiles the file to.
    const db = await connect(control);
    await db.query(`UPDATE altan_fleet.runs SET sql_sha256 = repeat('0', 64), tool_version = '0.0.1' WHERE id = $1`, [other.run]);

    const events: WorkerEvent[] = [];
    const stop = new AbortController();
    const working = runWorker(control, { signal: stop.signal, pollIntervalMs: 500, onEvent: (e) => events.push(e) });
    const [bom, refused] = await until<[FleetStatusReport, FleetStatusReport]>('both runs to finish', async () => {
      const both = await Promise.all([fleetStatus(control, withBom.run), fleetStatus(control, other.run)]);
      return both.every((s) => s.finished) ? (both as [FleetStatusReport, FleetStatusReport]) : undefined;
    });
    stop.abort();
    expect(await working).toEqual({ finished: 1, released: 1 });

    expect(bom).toMatchObject({ ok: true, counts: { applied: 1 } });
    expect(refused).toMatchObject({ ok: false, counts: { failed: 1 } });
    expect(refused.targets[0]).toMatchObject({ name: 'other', status: 'failed', code: 'sql-mismatch' });
    expect((refused.targets[0] as TargetResult).message).toMatch(
      /compiles notes\.yaml to other SQL than altan-cloud 0\.0\.1, which enqueued run .*\(given up after 1 try\)$/,
    );
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['started', 'finished', 'refused']));
    const [row] = await (await connect(url)).query<{ n: string }>('SELECT count(*) AS n FROM altan_meta.applied_files');
    expect(Number(row?.n)).toBe(1);

    await expect(fleetStatus(control, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ problems: [{ code: 'run-not-found' }] });
    await expect(enqueueFleet(control, 'version: 1\nentities: 3\n', [{ name: 'x', url }])).rejects.toBeInstanceOf(InvalidRequirementsError);
  }, 30_000);
});
