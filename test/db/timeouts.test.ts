/**
 * Timeouts and Ctrl-C on a real server, with real sessions: a second
 * connection holds a lock on a table the file alters (or altan-cloud's own
 * advisory lock), and apply gives up after --lock-timeout naming the object
 * and the holder, or is interrupted by SIGINT while it waits; either way
 * nothing is applied. The embedded database's interrupt, and the options'
 * usage errors, at the end.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ADVISORY_LOCK_KEY } from '../../src/db/lock.js';
import { runCli as runInProcess } from '../../src/cli/run.js';
import { CLI, cliBuilt, removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { connect, dropDatabase, freshDatabase } from './harness.js';
import { catalogSnapshot } from './snapshot.js';

const FIRST = 'version: 1\nentities:\n  todos:\n    fields:\n      title: text\n';
const SECOND = `${FIRST}      done: boolean\n`;
const env = { DATABASE_URL: undefined };

let url: string;
let dir: string;
let admin: Database;
let holder: Database;

beforeAll(async () => {
  if (!cliBuilt()) throw new Error('dist/ is missing: run `npm run build` first');
  url = await freshDatabase('timeouts');
  dir = temporaryDirectory('altan-timeouts-');
  writeFileSync(join(dir, 'first.yaml'), FIRST);
  writeFileSync(join(dir, 'second.yaml'), SECOND);
  const first = await runCliInProcess(['apply', 'first.yaml', '--database-url', url], { cwd: dir, env });
  expect(first.status, first.stderr).toBe(0);
  admin = await connect(url);
  holder = await connect(url);
  await holder.exec("SET application_name = 'timeouts-holder'");
});
afterAll(async () => {
  await dropDatabase(url);
  removeTemporaryDirectories();
});
beforeEach(async () => {
  await holder.exec('ROLLBACK').catch(() => {});
});

const holderPid = async () => (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid;

/** altan-cloud's sessions on the test database, but the test's own. */
const altanSessions = async () =>
  admin.query<{ pid: number; state: string; wait_event_type: string | null }>(
    "SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'altan-cloud' AND pid NOT IN (SELECT pg_backend_pid()) AND pid <> $1",
    [await holderPid()],
  );

const hasDone = async () =>
  (await admin.query("SELECT 1 FROM pg_attribute WHERE attrelid = 'public.todos'::regclass AND attname = 'done' AND NOT attisdropped")).length > 0;

describe('--lock-timeout', () => {
  it('a table the file alters, locked by another session: fails in about 1 s naming the table and the holder, exit 2, catalog unchanged', async () => {
    const before = await catalogSnapshot(admin);
    const pid = await holderPid();
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE');
    const started = performance.now();
    const r = await runCliInProcess(['apply', 'second.yaml', '--database-url', url, '--lock-timeout', '1s'], { cwd: dir, env });
    const seconds = (performance.now() - started) / 1000;
    expect(r.status, r.stderr).toBe(2);
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(3);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`altan-cloud: lock timeout: waited 1s \(--lock-timeout\) for table public\.todos \(ACCESS EXCLUSIVE wanted\), held by process ${pid} \(application_name "timeouts-holder", user \w+, idle in transaction, query started \d{4}-\d\d-\d\d [\d:]+[+-]\d\d\); nothing was applied\n`,
      ),
    );
    expect(r.stderr).toContain(`  process ${pid}'s last query: BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE\n`);
    expect(r.stderr).toContain('hint: end or commit the session that holds it (or wait for it), or give --lock-timeout more time');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    await holder.exec('ROLLBACK');
    expect(await catalogSnapshot(admin)).toEqual(before);
    expect(await hasDone()).toBe(false);
  });

  it("altan-cloud's own lock (another apply running): named as such, also by plan", async () => {
    await holder.exec(`BEGIN; SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
    const r = await runCliInProcess(['apply', 'second.yaml', '--database-url', url, '--lock-timeout', '300ms'], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /lock timeout: waited 300ms \(--lock-timeout\) for altan-cloud's apply lock \(another apply, .*\), held by process \d+ \(application_name "timeouts-holder"/,
    );
    await holder.exec('ROLLBACK');
    expect(await hasDone()).toBe(false);
  });

  it('--statement-timeout: the statement that runs (here: waits) longer is cancelled and named, with its lines in the SQL and the file; exit 2, nothing applied', async () => {
    const planned = await runCliInProcess(['plan', 'second.yaml', '--database-url', url, '--json'], { cwd: dir, env });
    const planSql = (JSON.parse(planned.stdout) as { sql: string }).sql;
    const line = planSql.split('\n').indexOf('ALTER TABLE public.todos ADD COLUMN done boolean;') + 1;
    expect(line).toBeGreaterThan(0);
    const before = await catalogSnapshot(admin);
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE');
    const args = ['apply', 'second.yaml', '--database-url', url, '--lock-timeout', '0', '--statement-timeout', '300ms'];
    const started = performance.now();
    const r = await runCliInProcess(args, { cwd: dir, env });
    // Once for the apply, once more for the replay that finds the statement.
    expect((performance.now() - started) / 1000).toBeLessThan(3);
    expect(r.status, r.stderr).toBe(2);
    const gutter = ' '.repeat(String(line).length);
    expect(r.stderr).toContain(
      `altan-cloud: statement timeout: ALTER TABLE public.todos ADD COLUMN done boolean (generated SQL line ${line}:1) ran longer than 300ms (--statement-timeout); nothing was applied\n` +
        `  ${line} | ALTER TABLE public.todos ADD COLUMN done boolean;\n` +
        `  ${gutter} | ^\n` +
        '  from second.yaml:6:13: the column todos.done\n' +
        'hint: give --statement-timeout more time (0: no limit)\n',
    );
    expect(r.stderr).not.toMatch(STACK_TRACE);

    const json = await runCliInProcess([...args, '--json'], { cwd: dir, env });
    expect(json.status, json.stderr).toBe(2);
    const doc = JSON.parse(json.stdout) as { code: string; exitCode: number; problems: Record<string, unknown>[] };
    expect(doc.code).toBe('statement-timeout');
    expect(doc.exitCode).toBe(2);
    expect(doc.problems).toEqual([
      {
        code: 'statement-timeout',
        category: 'database',
        message: `statement timeout: ALTER TABLE public.todos ADD COLUMN done boolean (generated SQL line ${line}:1) ran longer than 300ms (--statement-timeout); nothing was applied`,
        sqlstate: '57014',
        hint: 'give --statement-timeout more time (0: no limit)',
        statement: 'ALTER TABLE public.todos ADD COLUMN done boolean',
        sql: { line, column: 1 },
        file: 'second.yaml',
        line: 6,
        column: 13,
      },
    ]);
    await holder.exec('ROLLBACK');
    expect(await catalogSnapshot(admin)).toEqual(before);
    expect(await hasDone()).toBe(false);
  });

  it('--statement-timeout during the requests of verify ends it (exit 2), rather than failing a request', async () => {
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS EXCLUSIVE MODE');
    const r = await runCliInProcess(['verify', 'first.yaml', '--database-url', url, '--lock-timeout', '0', '--statement-timeout', '300ms'], { cwd: dir, env });
    expect(r.status, r.stderr + r.stdout).toBe(2);
    expect(r.stderr).toContain(
      'altan-cloud: statement timeout: a statement ran longer than 300ms (--statement-timeout); nothing was changed\nhint: give --statement-timeout more time (0: no limit)\n',
    );
    await holder.exec('ROLLBACK');
  });
});

describe('Ctrl-C', () => {
  it('SIGINT while apply waits: the statement is cancelled on the server at once, rolled back, exit 130', async () => {
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE');
    // --lock-timeout 0: it would wait for ever.
    const child = spawn(process.execPath, [CLI, 'apply', 'second.yaml', '--database-url', url, '--lock-timeout', '0'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Whatever happens below, the child does not outlive the test.
    onTestFinished(() => void child.kill('SIGKILL'));
    let waiting = false;
    for (let i = 0; i < 200 && !waiting; i++) {
      waiting = (await altanSessions()).some((s) => s.wait_event_type === 'Lock');
      if (!waiting) await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiting, stderr).toBe(true);
    const interrupted = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(performance.now() - interrupted).toBeLessThan(2000);
    expect(stderr).toContain('altan-cloud: interrupted: the transaction was rolled back; nothing was applied\n');
    expect(stderr).not.toMatch(STACK_TRACE);
    // The holder still holds its lock: the apply's statement ended because it was cancelled, not because the lock came free.
    let left = await altanSessions();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = await altanSessions();
    }
    expect(left).toEqual([]);
    await holder.exec('ROLLBACK');
    expect(await hasDone()).toBe(false);
  });
});

describe('the embedded database', () => {
  it('an interrupt rolls back at the next step: exit 130, and a later apply creates everything', { timeout: 120_000 }, async () => {
    const project = temporaryDirectory('altan-timeouts-embedded-');
    writeFileSync(join(project, 'altan.yaml'), FIRST);
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => void (stderr += t) },
      env: {},
      cwd: project,
      // Ctrl-C as soon as the command listens for it: before its first step.
      onInterrupt: (handler: () => void) => {
        queueMicrotask(handler);
        return () => {};
      },
    };
    expect(await runInProcess(['apply'], io), stderr).toBe(130);
    expect(stderr).toContain('altan-cloud: interrupted: the transaction was rolled back; nothing was applied\n');
    const again = await runCliInProcess(['apply'], { cwd: project, env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^applied altan\.yaml .*: created 1 table/);
  });
});

describe('the options', () => {
  it.each([['10'], ['ten seconds'], ['-1s'], ['30d'], ['600h']])('--lock-timeout %s is a usage error (exit 64)', async (value) => {
    const r = await runCliInProcess(['plan', 'first.yaml', '--lock-timeout', value], { cwd: dir, env });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/option '--lock-timeout <duration>' argument '.*' is invalid\. (expected a duration with its unit|at most 24 days)/);
  });
});
