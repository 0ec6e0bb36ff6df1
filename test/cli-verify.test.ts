/**
 * `verify` and `apply --verify` from the command line (called in this
 * process) on the embedded database (a directory of its own per test), and
 * `verify --database-url` on the test server: exit codes (4 for a request not
 * as promised, 2 before apply, 1 for an invalid file), the matrix, --json, a broken database named in
 * the output (a dropped policy; a hand-made GRANT the privilege audit finds),
 * and nothing ever kept.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded, openPostgres } from '../src/db/database.js';
import type { VerifyReport } from '../src/verify/run.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess, STACK_TRACE } from './helpers.js';
import { dropDatabase, freshDatabase } from './db/harness.js';

afterAll(removeTemporaryDirectories);

const env = { DATABASE_URL: undefined };

describe('verify on the embedded database', () => {
  it('before apply: exit 2 naming what is missing; apply --dry-run --verify verifies and keeps nothing', { timeout: 120_000 }, async () => {
    const dir = exampleProject('todo');
    const early = await runCliInProcess(['verify'], { cwd: dir, env });
    expect(early.status).toBe(2);
    expect(early.stderr).toContain(
      'altan-cloud: cannot verify embedded database .altan-cloud/db (PGlite): missing table public.profiles, table public.projects, table public.todos (apply the file first: altan-cloud apply)',
    );
    expect(early.stderr).not.toMatch(STACK_TRACE);

    const dry = await runCliInProcess(['apply', '--dry-run', '--verify'], { cwd: dir, env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run of altan\.yaml on .*; rolled back, nothing changed/);
    expect(dry.stdout).toMatch(
      /\nverified: 81 requests on embedded database \.altan-cloud\/db \(PGlite\): 81 as promised, 0 not, 0 not tested \(\d+ ms\); nothing was kept\n$/,
    );
    expect((await runCliInProcess(['verify'], { cwd: dir, env })).status).toBe(2);
  });

  it('apply --verify, then verify: the matrix; --json; a dropped policy: exit 4 naming entity, actor and operation', { timeout: 120_000 }, async () => {
    const dir = exampleProject('todo');
    const applied = await runCliInProcess(['apply', '--verify'], { cwd: dir, env });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied altan\.yaml to /);
    expect(applied.stdout).toContain(
      '\ntodos\n    actor   operation' +
        ' '.repeat(47) +
        'expected' +
        ' '.repeat(11) +
        'actual\n  ✓ anon    read' +
        ' '.repeat(52) +
        'none' +
        ' '.repeat(15) +
        'none\n',
    );
    expect(applied.stdout).toContain("\n  ✓ user B  delete A's row" + ' '.repeat(42) + 'denied' + ' '.repeat(13) + 'denied (0 rows)\n');

    const json = await runCliInProcess(['verify', '--json'], { cwd: dir, env });
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect({ status: report.status, passed: report.passed, failed: report.failed, notTested: report.notTested }).toEqual({
      status: 'passed',
      passed: 81,
      failed: 0,
      notTested: 0,
    });
    expect(report.results).toContainEqual({
      subject: 'todos',
      actor: 'user A',
      operation: 'insert a row owned by user B',
      expected: 'denied',
      actual: 'denied (row-level security)',
      status: 'pass',
    });

    const db = await openEmbedded(join(dir, '.altan-cloud', 'db'));
    await db.exec('DROP POLICY todos_update ON public.todos');
    await db.close();
    const broken = await runCliInProcess(['verify'], { cwd: dir, env });
    expect(broken.status).toBe(4);
    expect(broken.stdout).toContain(
      "\nFailed:\n  ✗ todos: user A update A's row: expected allowed, got denied (0 rows)\n  ✗ todos: user B update B's row: expected allowed, got denied (0 rows)\n" +
        // pointing one's own row at another project is an update too
        "  ✗ todos: user A point A's row project_id at A's row of projects: expected allowed, got denied (0 rows)\n" +
        "  ✗ todos: user B point B's row project_id at B's row of projects: expected allowed, got denied (0 rows)\n",
    );
    expect(broken.stdout).toMatch(/\nverification failed: 81 requests on .*: 77 as promised, 4 not, 0 not tested/);
    expect(broken.stderr).not.toMatch(STACK_TRACE);
    // apply notices the policy is gone (drift) and makes it again: verify passes.
    const again = await runCliInProcess(['apply', '--verify'], { cwd: dir, env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^applied altan\.yaml to .* in \d+ ms: made 1 change\n {2}\+ policy todos_update on todos: missing from the database \(dropped by hand\?\)\n/,
    );
    expect(again.stdout).toMatch(/\nverified: 81 requests on .*: 81 as promised, 0 not/);
  });

  it('an invalid file: exit 1 with file:line:col, no database opened', async () => {
    const dir = exampleProject('todo');
    const bad = await runCliInProcess(['verify', '-'], { cwd: dir, env, input: 'version: 1\nentities:\n  todos:\n    acces: owner\n' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:4:5: /m);
    expect(bad.stderr).not.toContain('database:');
  });
});

describe('verify --database-url on the test server', () => {
  it('verifies an applied example; exit 2 for an unreachable server', { timeout: 120_000 }, async () => {
    const url = await freshDatabase('cli verify');
    try {
      const dir = exampleProject('crm');
      expect((await runCliInProcess(['apply', '--database-url', url], { cwd: dir, env })).status).toBe(0);
      const verified = await runCliInProcess(['verify', '--database-url', url], { cwd: dir, env });
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(/\n {2}✓ outsider +join X +denied +denied \(row-level security\)\n/);
      expect(verified.stdout).toMatch(/\nverified: 275 requests on postgres:\/\/.*: 275 as promised, 0 not, 0 not tested/);
      expect(verified.stdout).toMatch(
        /\nprivilege audit: \d+ privileges of anon and authenticated, \d+ policies: none beyond what the file and the platform grant\n/,
      );

      // Every request is as promised, but anon may now read every user's e-mail: the audit fails verify.
      const db = await openPostgres(url);
      await db.exec('GRANT SELECT ON auth.users TO anon');
      await db.close();
      const line = '✗ anon has SELECT on table auth.users (directly): not granted by the file nor the platform';
      const broken = await runCliInProcess(['verify', '--database-url', url], { cwd: dir, env });
      expect(broken.status).toBe(4);
      expect(broken.stdout).toContain(`\nFailed:\n  ${line}\n`);
      expect(broken.stdout).toMatch(/\nverification failed: 275 requests on .*: 275 as promised, 0 not, 0 not tested, 1 privilege audit finding/);
      const json = await runCliInProcess(['verify', '--json', '--database-url', url], { cwd: dir, env });
      expect(json.status).toBe(4);
      // apply --verify: the file is up to date, its verify fails the same way.
      const applied = await runCliInProcess(['apply', '--verify', '--database-url', url], { cwd: dir, env });
      expect(applied.status, applied.stderr).toBe(4);
      expect(applied.stdout).toMatch(/^altan\.yaml is up to date on postgres:\/\/.*; nothing to do\n/);
      expect(applied.stdout).toContain(`\nFailed:\n  ${line}\n`);
      const report = JSON.parse(json.stdout) as VerifyReport;
      expect({ status: report.status, failed: report.failed, auditFailed: report.audit.failed }).toEqual({ status: 'failed', failed: 1, auditFailed: 1 });
      expect(report.results).toContainEqual({
        subject: 'table auth.users',
        actor: 'anon',
        operation: 'SELECT',
        expected: 'not granted by the file nor the platform',
        actual: 'granted directly',
        status: 'fail',
        audit: line.slice(2),
      });
    } finally {
      await dropDatabase(url);
    }
    const down = await runCliInProcess(['verify', '--database-url', 'postgres://postgres@127.0.0.1:1/none'], { cwd: exampleProject('todo'), env });
    expect(down.status).toBe(2);
    expect(down.stderr).toContain('connection refused');
  });
});
