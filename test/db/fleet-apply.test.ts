/**
 * `fleetApply` and `altan-cloud fleet apply` on the test cluster: 30 bootstrapped target databases
 * (cloned from the harness's template) applied 8 at a time, each recorded once, then up to date; and
 * from the command line the failures a fleet meets: a refused login (tried once), a server that is
 * not there (tried again, then failed), a table locked by another session (tried again until the lock
 * goes), destructive changes on some targets only, a dry run, a bad targets file, Ctrl-C. No password
 * in any output. Exit codes: 0 only when every target ended well, 2 otherwise, 1 for a bad file, 130.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, fleetApply, openPostgres } from '../../src/index.js';
import type { FleetReport, FleetTarget, TargetResult } from '../../src/index.js';
import type { Database } from '../../src/db/database.js';
import { LOCK_SQL } from '../../src/db/lock.js';
import { runCli } from '../../src/cli/run.js';
import { cliEnvironment, removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { connect, dropDatabase, freshDatabase, testDatabaseUrl } from './harness.js';
import { databaseOf } from './names.js';

const FIRST = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n';
/** FIRST and a column more: an ALTER TABLE of notes. */
const SECOND = `${FIRST}      body: text\n`;
const SECRET = 'Fl33tS3cretPw';

let dir: string;
let urls: string[] = [];
const extra: string[] = [];

/** Databases made `n` at a time: CREATE DATABASE … TEMPLATE copies files, which Postgres can do side by side. */
async function databases(label: string, count: number, parallel = 6): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < count; i += parallel)
    made.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, (_, j) => freshDatabase(`${label}${i + j}`)))));
  return made;
}

const targetsOf = (list: readonly string[], prefix = 't'): FleetTarget[] => list.map((url, i) => ({ name: `${prefix}${i}`, url }));
const urlLines = (list: readonly string[]) => `# fleet of the test\n${list.join('\n')}\n`;

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const fleet = (args: readonly string[], input?: string) => runCliInProcess(['fleet', 'apply', ...args], { cwd: dir, ...(input ? { input } : {}) });

/** The record rows of `url`, on a connection closed at once (30 databases: 30 connections otherwise kept to the end). */
async function recordRows(url: string): Promise<number> {
  const db = await openPostgres(url);
  try {
    return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM altan_meta.applied_files'))[0]?.n);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = temporaryDirectory('altan-fleet-');
  write('notes.yaml', FIRST);
  write('notes2.yaml', SECOND);
  urls = await databases('fleet', 30);
}, 120_000);
afterAll(async () => {
  removeTemporaryDirectories();
  await Promise.all([...urls, ...extra].map((url) => dropDatabase(url)));
}, 120_000);

describe('fleetApply on 30 databases', () => {
  it('applies them 8 at a time: each applied once, one record row each, the results in the targets order', async () => {
    const finished: string[] = [];
    const report = await fleetApply(await compile(FIRST, { fileName: 'notes.yaml' }), targetsOf(urls), {
      concurrency: 8,
      onResult: (r) => finished.push(r.name),
    });
    expect(report.counts).toEqual({ applied: 30, 'dry-run': 0, 'up-to-date': 0, destructive: 0, failed: 0 });
    expect(report).toMatchObject({ file: 'notes.yaml', ok: true, interrupted: false, dryRun: false, notStarted: [] });
    expect(report.targets.map((t) => t.name)).toEqual(targetsOf(urls).map((t) => t.name));
    expect(report.targets.every((t) => t.attempts === 1)).toBe(true);
    expect([...finished].sort()).toEqual(report.targets.map((t) => t.name).sort());
    // Side by side: the targets' own times add up to well over the whole run's.
    const summed = report.targets.reduce((sum, t) => sum + t.durationMs, 0);
    expect(summed).toBeGreaterThan(report.durationMs * 3);
    const rows = await Promise.all(urls.map(recordRows));
    expect(rows).toEqual(urls.map(() => 1));
  });

  it('a second run from the command line finds them all up to date (--json: the FleetReport), exit 0', async () => {
    const targets = write('targets.txt', urlLines(urls));
    const run = await fleet(['notes.yaml', '--targets', targets, '--concurrency', '8', '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as FleetReport;
    expect(Object.keys(report)).toEqual(['file', 'fileSha256', 'startedAt', 'durationMs', 'dryRun', 'ok', 'interrupted', 'targets', 'notStarted', 'counts']);
    expect(report.counts['up-to-date']).toBe(30);
    expect(report.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.targets[0]).toEqual({
      name: `${new URL(urls[0] as string).host}/${databaseOf(urls[0] as string)}`,
      database: urls[0],
      status: 'up-to-date',
      attempts: 1,
      durationMs: expect.any(Number),
    });
    expect(run.stderr).toBe('fleet: notes.yaml to 30 targets, 8 at a time\n');
  });
});

describe('fleet apply from the command line', () => {
  it('a refused login is tried once, an unreachable server every time; no password anywhere; exit 2', async () => {
    const host = new URL(testDatabaseUrl()).host;
    const badLogin = `postgres://fleet_no_such_role:${SECRET}@${host}/postgres`;
    const unreachable = `postgres://postgres:${SECRET}@127.0.0.1:1/postgres`;
    const targets = write('mixed.txt', urlLines([urls[0] as string, badLogin, unreachable, urls[1] as string]));
    const run = await fleet(['notes2.yaml', '--targets', targets, '--retries', '2']);
    expect(run.status).toBe(2);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const line = (name: string) => lines.find((l) => l.includes(` ${name} (`)) ?? '';
    expect(line(`${host}/${databaseOf(urls[0] as string)}`)).toMatch(/^applied {6}\S+ \(1 attempt, \d+ ms\)$/);
    expect(line(`${host}/postgres`)).toMatch(/^failed {7}\S+ \(1 attempt, \d+ ms\): authentication-failed: cannot connect to postgres:\/\/fleet_no_such_role@/);
    expect(line('127.0.0.1:1/postgres')).toMatch(/^failed {7}\S+ \(3 attempts, \d+ ms\): server-unreachable: cannot connect to /);
    expect(lines[4]).toMatch(/^notes2\.yaml: 4 targets in \d+\.\d s: 2 applied, 2 failed$/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toMatch(STACK_TRACE);

    const json = await fleet(['notes2.yaml', '--targets', targets, '--retries', '0', '--json']);
    expect(json.status).toBe(2);
    const report = JSON.parse(json.stdout) as FleetReport;
    expect(report.ok).toBe(false);
    expect(report.targets.map((t) => [t.status, t.code, t.attempts])).toEqual([
      ['up-to-date', undefined, 1],
      ['failed', 'authentication-failed', 1],
      ['failed', 'server-unreachable', 1],
      ['up-to-date', undefined, 1],
    ]);
    expect(json.stdout + json.stderr).not.toContain(SECRET);
  });

  it('a table another session holds a lock on: lock-timeout, tried again, applied once the lock is released', async () => {
    const url = urls[2] as string;
    const holder = await connect(url);
    await holder.exec('BEGIN; LOCK TABLE public.notes IN ACCESS SHARE MODE');
    const release = setTimeout(() => void holder.exec('ROLLBACK'), 800);
    const targets = write('locked.txt', urlLines([url]));
    const run = await fleet(['notes2.yaml', '--targets', targets, '--lock-timeout', '300ms', '--retries', '5', '--json']);
    clearTimeout(release);
    await holder.exec('ROLLBACK').catch(() => {});
    expect(run.status).toBe(0);
    const [result] = (JSON.parse(run.stdout) as FleetReport).targets as TargetResult[];
    expect(result?.status).toBe('applied');
    expect(result?.attempts).toBeGreaterThan(1);
    expect(await recordRows(url)).toBe(2);
  });

  it('a destructive change is refused on the targets that need it, the others applied; --allow-destructive makes it', async () => {
    // urls[0..2] hold SECOND (a body column); two new databases hold nothing: FIRST drops body on the first three only.
    const fresh = await databases('fleet_fresh', 2);
    extra.push(...fresh);
    const list = [urls[0], fresh[0], urls[1], fresh[1], urls[2]] as string[];
    const targets = write('destructive.txt', urlLines(list));
    const run = await fleet(['notes.yaml', '--targets', targets, '--json']);
    expect(run.status).toBe(2);
    const report = JSON.parse(run.stdout) as FleetReport;
    expect(report.targets.map((t) => t.status)).toEqual(['destructive', 'applied', 'destructive', 'applied', 'destructive']);
    expect(report.targets[0]).toMatchObject({ code: 'destructive-change', attempts: 1, message: expect.stringMatching(/^refused: this change may lose data/) });
    expect(report.counts).toMatchObject({ applied: 2, destructive: 3 });

    const text = await fleet(['notes.yaml', '--targets', targets]);
    expect(text.stdout).toMatch(/^destructive {2}\S+ \(1 attempt, \d+ ms\): destructive-change: refused: this change may lose data/m);
    // The message's further lines (what would be lost, what to do) below the target's, indented.
    expect(text.stdout).toMatch(/^ {4}Run `altan-cloud plan`/m);
    expect(text.status).toBe(2);

    const allowed = await fleet(['notes.yaml', '--targets', targets, '--allow-destructive']);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/: 5 targets in \d+\.\d s: 3 applied, 2 up to date\n$/);
  });

  it('--dry-run: each target rolled back, reported dry-run, exit 0; nothing recorded', async () => {
    const targets = write('dry.txt', urlLines([urls[3] as string, urls[4] as string]));
    const run = await fleet(['notes2.yaml', '--targets', targets, '--dry-run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^dry-run {6}/m);
    expect(run.stdout).toMatch(/: 2 targets in \d+\.\d s: 2 dry-run\n$/);
    expect(run.stderr).toContain('(dry run: each rolled back)');
    expect(await recordRows(urls[3] as string)).toBe(1);
  });

  it('targets from standard input, as YAML with names', async () => {
    const yaml = `- name: first\n  url: ${urls[5]}\n- name: second\n  url: ${urls[6]}\n`;
    const run = await fleet(['notes.yaml', '--targets', '-'], yaml);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^up-to-date {3}first \(1 attempt/m);
    expect(run.stdout).toMatch(/^up-to-date {3}second \(1 attempt/m);
  });

  it('bad input: a targets file with problems (exit 1, file:line, no password), no --targets (64), an invalid file (1)', async () => {
    const targets = write('bad.txt', `${urls[0]}\nmysql://u:${SECRET}@h/db\npostgres://u:a@b${SECRET}@h/db\n`);
    const run = await fleet(['notes.yaml', '--targets', targets]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bad.txt:2:1: the database URL must start with postgres://');
    expect(run.stderr).toContain('bad.txt:3:1: the user name or password in the database URL holds an @');
    expect(run.stdout).toBe('');
    const json = await fleet(['notes.yaml', '--targets', targets, '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'error', code: 'targets-invalid', category: 'invalid', exitCode: 1 });
    expect(JSON.parse(json.stdout).problems.map((p: { line: number }) => p.line)).toEqual([2, 3]);
    expect(run.stderr + json.stdout).not.toContain(SECRET);

    expect((await fleet(['notes.yaml'])).status).toBe(64);
    expect((await fleet(['notes.yaml', '--targets', 'missing.txt'])).stderr).toContain('missing.txt: cannot read the targets file: no such file');
    write('invalid.yaml', 'version: 1\nentities: 3\n');
    expect((await fleet(['invalid.yaml', '--targets', targets])).status).toBe(1);
    expect((await fleet(['-', '--targets', '-'], FIRST)).status).toBe(1);
  });

  it('Ctrl-C: no further target starts, the running ones are cancelled and rolled back, exit 130', async () => {
    const list = urls.slice(7, 10);
    const holders: Database[] = [];
    for (const url of list) {
      const holder = await connect(url);
      await holder.exec(`BEGIN; ${LOCK_SQL}`);
      holders.push(holder);
    }
    const targets = write('held.txt', urlLines(list));
    let interrupt = () => {};
    let stdout = '';
    let stderr = '';
    setTimeout(() => interrupt(), 600);
    const status = await runCli(['fleet', 'apply', 'notes2.yaml', '--targets', targets, '--concurrency', '2', '--lock-timeout', '0'], {
      stdout: { write: (t: string) => void (stdout += t) },
      stderr: { write: (t: string) => void (stderr += t) },
      env: cliEnvironment(),
      cwd: dir,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {
          interrupt = () => {};
        };
      },
    });
    expect(status).toBe(130);
    expect(stderr).toContain('interrupted: starting no further target; cancelling the running ones');
    expect(stdout.match(/^failed {7}\S+ \(1 attempt, \d+ ms\): interrupted: /gm)).toHaveLength(2);
    expect(stdout).toMatch(/: 3 targets in \d+\.\d s: 2 failed, 1 not started \(interrupted\)\n$/);
    for (const holder of holders) {
      expect(await holder.query("SELECT FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()")).toEqual(
        [],
      );
      await holder.exec('ROLLBACK');
      expect(await holder.query("SELECT FROM pg_attribute WHERE attrelid = 'public.notes'::regclass AND attname = 'body'")).toEqual([]);
    }
  });
});
