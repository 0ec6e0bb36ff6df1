/**
 * `apply` and `bootstrap` from the command line, on the embedded database
 * (each test in a directory of its own, so each gets a new ./.altan-cloud/db).
 * Called in this process, but for a dry run then an apply and two applies at
 * once, which run the built binary. The server path is covered by the tests
 * in test/db/.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  cliBuilt,
  cliEnvironment,
  exampleProject,
  removeTemporaryDirectories,
  runCli,
  runCliInProcess,
  STACK_TRACE,
  temporaryDirectory,
} from './helpers.js';

afterAll(removeTemporaryDirectories);

// No DATABASE_URL from the environment: these tests are about the embedded default.
const env = { DATABASE_URL: undefined };

beforeAll(() => {
  if (!cliBuilt()) throw new Error('dist/ is missing: run `npm run build` first');
});

describe('apply on the embedded database', () => {
  it('creates and bootstraps it on first use, applies, then is up to date', { timeout: 120_000 }, async () => {
    const dir = exampleProject('marketplace');
    const first = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^database: embedded database \.altan-cloud\/db \(PGlite\)/);
    // The build's snapshot is bootstrapped already (scripts/build-embedded-snapshot.mjs): nothing to add on first use.
    expect(first.stderr).not.toContain('bootstrap: added');
    expect(first.stdout).toMatch(
      /^applied altan\.yaml to embedded database .* in \d+ ms: created 3 tables, 2 functions, 13 policies, 11 indexes, 3 triggers, 2 buckets, 3 materialized views, 2 views, 3 cron jobs\n/,
    );
    expect(first.stdout).toContain('note: the embedded database has no pg_cron: cron jobs are recorded in its stand-in cron.job table and never run there');
    // The quick start's first command ends with what to run next (the default file is not repeated).
    expect(first.stdout).toMatch(/\nnext:\n {2}altan-cloud verify +# .*\n {2}altan-cloud plan +# .*\n {2}altan-cloud generate +# .*\n$/);
    expect(existsSync(join(dir, '.altan-cloud', 'db'))).toBe(true);
    expect(existsSync(join(dir, '.altan-cloud', 'db.lock'))).toBe(false);
    const upToDate = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(upToDate.stdout).not.toContain('next:');

    const again = await runCliInProcess(['apply', '--json'], { cwd: dir, env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('bootstrap: added');
    const report = JSON.parse(again.stdout) as { status: string; created: string[]; appliedAt: string };
    expect(report.status).toBe('up-to-date');
    expect(report.created).toEqual([]);
    expect(report.appliedAt).toMatch(/^\d{4}-\d\d-\d\d /);

    // A file that would drop the first one's tables is refused as a whole, each loss listed (plan and apply: test/cli-plan.test.ts).
    writeFileSync(join(dir, 'other.yaml'), 'version: 1\nentities:\n  todos:\n    fields:\n      title: text\n');
    const changed = await runCliInProcess(['apply', 'other.yaml'], { cwd: dir, env });
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(
      /\naltan-cloud: refused: these \d+ changes may lose data, and nothing was applied:\n {2}- table listings: holds 0 rows: its rows are deleted\n/,
    );
    expect(changed.stderr).toContain('apply with --allow-destructive to make them');
    expect(changed.stderr).not.toMatch(STACK_TRACE);
  });

  it('--dry-run reports and rolls back: a real apply afterwards still creates everything', { timeout: 120_000 }, () => {
    const dir = exampleProject('todo');
    const dry = runCli(['apply', '--dry-run'], { cwd: dir, env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run of altan\.yaml on .*: would create 3 tables, .*; rolled back, nothing changed/);
    const real = runCli(['apply'], { cwd: dir, env });
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^applied altan\.yaml .*created 3 tables/);
  });

  it('never opens a database for an invalid file', async () => {
    const dir = temporaryDirectory('altan-apply-');
    writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  todos:\n    access: everyone\n');
    const r = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^altan\.yaml:4:13: /m);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
  });

  it('reports a failing statement at its line in the generated SQL, exit 2, and leaves nothing behind', { timeout: 120_000 }, async () => {
    const dir = temporaryDirectory('altan-apply-');
    // The check parses (validation reads it with Postgres's parser), but Postgres refuses it when it runs.
    writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, check: "title > 3" }\n');
    const r = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /altan-cloud: apply failed in CREATE TABLE public\.notes \(generated SQL line \d+:\d+\):\n {2}operator does not exist: text > integer \(SQLSTATE 42883\)\n/,
    );
    expect(r.stderr).toMatch(/\| {3}CONSTRAINT notes_title_check CHECK \(title > 3\),\n.*\^\n/);
    // Pointed back at the file, where the author wrote it.
    expect(r.stderr).toContain('\n  from altan.yaml:5:35: the check of field "notes.title"\nNothing was applied: the transaction was rolled back.');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    // The bootstrap committed before the apply, the failed apply left no record: a fixed file applies.
    writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, check: "char_length(title) > 3" }\n');
    const fixed = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(fixed.status, fixed.stderr).toBe(0);
  });

  it('bootstrap in a new folder finds everything present (the build snapshot is bootstrapped) and says what it found', { timeout: 120_000 }, async () => {
    const dir = temporaryDirectory('altan-apply-');
    for (const _ of [1, 2]) {
      const run = await runCliInProcess(['bootstrap'], { cwd: dir, env });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).not.toContain('bootstrap: added');
      expect(run.stdout).toMatch(
        /bootstrap: already present role anon, role authenticated, role service_role, role authenticator, schema auth, .*public\.apply_postgrest_permissions\(\)/,
      );
      expect(run.stdout).toContain('bootstrap: nothing to add');
    }
  });
});

/** The CLI as a child process that runs alongside others. */
function runCliAsync(args: readonly string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnvironment({ DATABASE_URL: undefined }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

describe('two applies at once on one embedded database', () => {
  it('wait for each other (a lock file): one applies, the other finds it up to date', { timeout: 120_000 }, async () => {
    const dir = exampleProject('todo');
    const results = await Promise.all([runCliAsync(['apply'], dir), runCliAsync(['apply'], dir)]);
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const heads = results.map((r) => r.stdout.split(' ')[0]).sort();
    expect(heads).toEqual(['altan.yaml', 'applied']);
    expect(results.map((r) => r.stdout).join('')).toContain('altan.yaml is up to date on embedded database');
    expect(existsSync(join(dir, '.altan-cloud', 'db.lock'))).toBe(false);
  });
});

describe('apply target errors', () => {
  it('a server that does not answer: exit 2, a message, no stack', async () => {
    const dir = exampleProject('todo');
    const r = await runCliInProcess(['apply', '--database-url', 'postgres://nobody@127.0.0.1:1/none'], { cwd: dir, env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('altan-cloud: cannot connect to postgres://nobody@127.0.0.1:1/none: connection refused (is the server running?)');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('a URL that is not a postgres:// URL: a usage error (exit 64) before any connection', async () => {
    const dir = exampleProject('todo');
    const r = await runCliInProcess(['apply', '--database-url', 'localhost:5432/db'], { cwd: dir, env });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(
      /^altan-cloud: the database URL must start with postgres:\/\/ or postgresql:\/\/ \(postgres:\/\/user:password@host:5432\/database\)\nhint: percent-encode /,
    );
  });

  it('an unknown --target is a usage error', async () => {
    const dir = exampleProject('todo');
    const r = await runCliInProcess(['apply', '--target', 'heroku'], { cwd: dir, env });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain("argument 'heroku' is invalid. Allowed choices are altan, supabase.");
  });
});
