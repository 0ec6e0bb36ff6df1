/**
 * `--json` on every command, success or failure: stdout is one JSON document
 * (a failure is `{ status: "error", code, category, exitCode, message,
 * problems, warnings }`), stderr has no stack trace, and the exit code is the
 * one without --json. The database commands run against databases of their
 * own on the test server; the library's coded connection errors and a
 * `Database` the caller brings are checked here too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { openPostgres } from '../src/db/database.js';
import type { Database } from '../src/db/database.js';
import { ConnectionError } from '../src/db/errors.js';
import { apply, ApplyError } from '../src/execute/apply.js';
import type { FailureDocument } from '../src/cli/jsonDocuments.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from './helpers.js';
import { dropDatabase, freshDatabase, testDatabaseUrl } from './db/harness.js';

afterAll(removeTemporaryDirectories);

const env = { DATABASE_URL: undefined };

/** Runs the command line; stdout must be exactly one JSON document and stderr free of stack traces. */
async function runJson(args: readonly string[], cwd: string): Promise<{ status: number | null; doc: Record<string, unknown>; stderr: string }> {
  const r = await runCliInProcess(args, { cwd, env });
  expect(r.stderr).not.toMatch(STACK_TRACE);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.status}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { status: r.status, doc, stderr: r.stderr };
}

/** A failure document with `code`, exiting `exit`; returns it for more checks. */
async function expectFailure(args: readonly string[], cwd: string, code: string, exit: number): Promise<FailureDocument> {
  const r = await runJson(args, cwd);
  expect(r.status, JSON.stringify(r.doc)).toBe(exit);
  const doc = r.doc as unknown as FailureDocument;
  expect({ status: doc.status, code: doc.code, exitCode: doc.exitCode }).toEqual({ status: 'error', code, exitCode: exit });
  expect(doc.problems.length).toBeGreaterThan(0);
  expect(doc.problems[0]?.code).toBe(code);
  return doc;
}

/** Postgres refuses this CHECK when it runs (text > integer), though it parses. */
const BAD_CHECK = 'version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, check: "title > 3" }\n';
const INVALID = 'version: 1\nentities:\n  todos:\n    access: everyone\n';
const TODOS = 'version: 1\nentities:\n  todos:\n    fields:\n      title: text\n';
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/none';

describe('--json without a database', () => {
  it('validate: counts and warnings; an invalid file: each problem at its line:col, exit 1; an unreadable one', async () => {
    const dir = exampleProject('todo');
    const ok = await runJson(['validate', '--json'], dir);
    expect(ok.status).toBe(0);
    expect(ok.doc).toMatchObject({ status: 'ok', file: 'altan.yaml', entities: 3, buckets: 0, views: 0, jobs: 1, warnings: [] });

    writeFileSync(join(dir, 'bad.yaml'), INVALID);
    for (const command of ['validate', 'generate', 'apply', 'plan', 'verify']) {
      const doc = await expectFailure([command, 'bad.yaml', '--json'], dir, 'invalid-value', 1);
      expect(doc.category).toBe('invalid');
      expect(doc.problems[0]).toMatchObject({ file: 'bad.yaml', line: 4, column: 13, path: 'entities.todos.access' });
    }
    const missing = await expectFailure(['validate', 'missing.yaml', '--json'], dir, 'file-unreadable', 1);
    expect(missing.message).toBe('missing.yaml: cannot read the requirements file: no such file');
  });

  it('a refused command line: a usage document, exit 64', async () => {
    const doc = await expectFailure(['generate', '--json', '--target', 'nowhere'], temporaryDirectory('altan-json-'), 'usage', 64);
    expect(doc.message).toMatch(/option '--target <platform>' argument 'nowhere' is invalid/);
  });

  it('a server that does not answer and a login refused are different codes, from the CLI and the library', async () => {
    const dir = exampleProject('todo');
    for (const command of ['apply', 'plan', 'verify', 'bootstrap']) {
      const doc = await expectFailure([command, '--json', '--database-url', UNREACHABLE], dir, 'server-unreachable', 2);
      expect(doc.category).toBe('connection');
      expect(doc.message).toBe(`cannot connect to ${UNREACHABLE}: connection refused (is the server running?)`);
    }
    // The test server trusts every local login, so a refused one is a role that does not exist (28000; a wrong password is 28P01).
    const noRole = new URL(testDatabaseUrl());
    noRole.username = 'json_no_such_role';
    noRole.password = 'secret-json';
    const doc = await expectFailure(['apply', '--json', '--database-url', noRole.toString()], dir, 'authentication-failed', 2);
    expect(doc.problems[0]).toMatchObject({ sqlstate: '28000', hint: 'check the user name and password of the database URL' });
    expect(JSON.stringify(doc)).not.toContain('secret-json');

    const library = async (url: string) =>
      openPostgres(url).then(
        async (db) => void (await db.close()),
        (e: unknown) => e,
      );
    const refused = await library(UNREACHABLE);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect((refused as ConnectionError).problems[0]?.code).toBe('server-unreachable');
    expect(((await library(noRole.toString())) as ConnectionError).problems[0]?.code).toBe('authentication-failed');
  });
});

describe('--json against a database', () => {
  it('apply, verify, bootstrap: reports on success; an apply failure with its statement and both positions; verify before apply and a failed verify', {
    timeout: 120_000,
  }, async () => {
    const url = await freshDatabase('json');
    try {
      // No cron jobs: a fresh database of the test server has no pg_cron.
      const dir = temporaryDirectory('altan-json-');
      writeFileSync(join(dir, 'altan.yaml'), TODOS);
      const at = ['--json', '--database-url', url];
      writeFileSync(join(dir, 'bad.yaml'), BAD_CHECK);
      const failed = await expectFailure(['apply', 'bad.yaml', ...at], dir, 'apply-failed', 2);
      expect(failed.category).toBe('database');
      expect(failed.message).toMatch(/^apply failed in CREATE TABLE public\.notes \(generated SQL line \d+:\d+\):/);
      expect(failed.problems[0]).toMatchObject({
        statement: 'CREATE TABLE public.notes',
        sqlstate: '42883',
        file: 'bad.yaml',
        line: 5,
        column: 35,
        sql: { line: expect.any(Number), column: expect.any(Number) },
      });

      const early = await expectFailure(['verify', ...at], dir, 'not-applied', 2);
      expect(early.category).toBe('not-applied');

      const boot = await runJson(['bootstrap', ...at], dir);
      expect(boot.status).toBe(0);
      expect(boot.doc).toMatchObject({ database: expect.stringContaining('postgres://'), added: [], notes: expect.any(Array) });

      const applied = await runJson(['apply', ...at], dir);
      expect(applied.status).toBe(0);
      expect(applied.doc).toMatchObject({ status: 'applied', created: expect.arrayContaining(['1 table', '4 policies']) });

      const db = await openPostgres(url);
      await db.exec('DROP POLICY todos_update ON public.todos');
      await db.close();
      const verified = await runJson(['verify', ...at], dir);
      expect(verified.status).toBe(4);
      expect(verified.doc).toMatchObject({
        status: 'failed',
        results: expect.arrayContaining([expect.objectContaining({ subject: 'todos', status: 'fail' })]),
      });
    } finally {
      await dropDatabase(url);
    }
  });

  it('a Database the caller brings (over its own pg client) gets the same positioned apply error', async () => {
    const url = await freshDatabase('json');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // pg's own errors, untranslated: position as a string, no DatabaseError.
      const own: Database = {
        kind: 'postgres',
        description: 'a caller database',
        query: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as Row[],
        exec: async (sql: string) => void (await client.query(sql)),
        close: () => client.end(),
      };
      const compiled = await compile(BAD_CHECK, { fileName: 'bad.yaml' });
      const error = await apply(own, compiled).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApplyError);
      expect((error as ApplyError).message).toMatch(/^apply failed in CREATE TABLE public\.notes \(generated SQL line \d+:\d+\):/);
      expect((error as ApplyError).problems[0]).toMatchObject({
        code: 'apply-failed',
        statement: 'CREATE TABLE public.notes',
        sqlstate: '42883',
        file: 'bad.yaml',
        line: 5,
        column: 35,
      });
    } finally {
      await client.end().catch(() => {});
      await dropDatabase(url);
    }
  });
});
