/**
 * One problem model (src/problems.ts): every error the library throws on
 * purpose is an AltanError with a category and coded problems, its message
 * unchanged; an apply whose SQL Postgres refuses points into the generated
 * SQL and back into the file.
 */
import { describe, expect, it } from 'vitest';
import {
  AltanError,
  ApplyError,
  ConnectionError,
  DatabaseError,
  DatabaseUrlError,
  InvalidRequirementsError,
  PlanError,
  VerifyError,
  apply,
  compile,
  openPostgres,
} from '../src/index.js';
import type { Problem } from '../src/index.js';
import { memoryDatabase } from './db/harness.js';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function expectProblems(e: AltanError, category: Problem['category'], codes: readonly string[]): void {
  expect(e).toBeInstanceOf(AltanError);
  expect(e).toBeInstanceOf(Error);
  expect(e.category).toBe(category);
  expect(e.problems.map((p) => p.code)).toEqual(codes);
  for (const p of e.problems) {
    expect(p.code).toMatch(KEBAB);
    expect(p.category).toBe(category);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

describe('every error class is an AltanError', () => {
  it('InvalidRequirementsError: category invalid, a problem per error (code = rule), positions kept', async () => {
    const error = await compile('version: 1\nentities:\n  t:\n    fields:\n      a: txt\n', { fileName: 'altan.yaml' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidRequirementsError);
    const invalid = error as InvalidRequirementsError;
    expect(invalid.message).toBe('invalid requirements file: 1 problem(s)');
    expectProblems(invalid, 'invalid', ['unknown-type']);
    expect(invalid.problems[0]).toMatchObject({ file: 'altan.yaml', line: 5, column: 10, path: 'entities.t.fields.a' });
    expect(invalid.errors[0]?.rule).toBe('unknown-type');
  });

  it('ApplyError keeps reason (= category) and its message; a default problem per reason', () => {
    const cases = [
      ['preflight', 'prerequisite-missing'],
      ['conflict', 'record-without-inventory'],
      ['blocked', 'plan-blocked'],
      ['destructive', 'destructive-change'],
      ['database', 'database-error'],
      ['connection', 'connection-lost'],
    ] as const;
    for (const [reason, code] of cases) {
      const e = new ApplyError(`refused: ${reason}`, reason);
      expect(e.reason).toBe(reason);
      expect(e.name).toBe('ApplyError');
      expect(e.message).toBe(`refused: ${reason}`);
      expectProblems(e, reason, [code]);
      expect(e.problems[0]?.message).toBe(`refused: ${reason}`);
    }
  });

  it('PlanError, VerifyError, ConnectionError, DatabaseError', () => {
    expectProblems(new PlanError('no inventory'), 'conflict', ['record-without-inventory']);
    expectProblems(new VerifyError('cannot verify x: missing table public.t'), 'not-applied', ['not-applied']);
    expectProblems(new VerifyError('storage is missing', 'storage-missing'), 'preflight', ['storage-missing']);
    expectProblems(new VerifyError('verify stopped', 'database-error'), 'database', ['database-error']);
    expectProblems(new ConnectionError('cannot connect'), 'connection', ['connection-failed']);
    expectProblems(new ConnectionError('refused', 'server-unreachable'), 'connection', ['server-unreachable']);
    const db = new DatabaseError('permission denied for schema auth', '42501', undefined, 'ask the owner', undefined, undefined, undefined, undefined);
    expectProblems(db, 'database', ['database-error']);
    expect(db.code).toBe('42501');
    expect(db.problems[0]).toMatchObject({ sqlstate: '42501', hint: 'ask the owner' });
    for (const e of [new PlanError('m'), new VerifyError('m'), new ConnectionError('m'), db]) expect(e.name).not.toBe('AltanError');
  });

  it('a URL that is not postgres:// is database-url-invalid, with a hint', async () => {
    const error = await openPostgres('localhost:5432/db').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expectProblems(error as DatabaseUrlError, 'usage', ['database-url-invalid']);
    expect((error as DatabaseUrlError).problems[0]?.message).toMatch(/postgres:\/\/user:password@host:5432\/database/);
    expect((error as DatabaseUrlError).problems[0]?.hint).toMatch(/encodeURIComponent/);
  });
});

describe('the problems of a refused apply', () => {
  it("the file's SQL failing: apply-failed, the generated-SQL line:col and the file's line:col", async () => {
    const db = await memoryDatabase();
    const compiled = await compile('version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, check: "title > 3" }\n', {
      fileName: 'altan.yaml',
    });
    const error = await apply(db, compiled).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplyError);
    const refused = error as ApplyError;
    expectProblems(refused, 'database', ['apply-failed']);
    const [, line, column] = /generated SQL line (\d+):(\d+)/.exec(refused.message) ?? [];
    expect(refused.problems[0]).toEqual({
      code: 'apply-failed',
      category: 'database',
      message: 'operator does not exist: text > integer',
      sqlstate: '42883',
      hint: expect.any(String),
      statement: 'CREATE TABLE public.notes',
      sql: { line: Number(line), column: Number(column) },
      file: 'altan.yaml',
      line: 5,
      column: 35,
    });
    expect(compiled.sql.split('\n')[Number(line) - 1]).toContain('CHECK (title > 3)');
  }, 60_000);

  it('changes that may lose data: destructive-change, one problem per change', async () => {
    const db = await memoryDatabase();
    const two = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n      body: text\n      note: text\n';
    expect((await apply(db, await compile(two, { fileName: 'altan.yaml' }))).status).toBe('applied');
    const one = await compile('version: 1\nentities:\n  notes:\n    fields:\n      title: text\n', { fileName: 'altan.yaml' });
    const error = (await apply(db, one).then(
      () => undefined,
      (e: unknown) => e,
    )) as ApplyError;
    expect(error).toBeInstanceOf(ApplyError);
    expectProblems(error, 'destructive', ['destructive-change', 'destructive-change']);
    expect(error.problems.map((p) => p.message)).toEqual(['- column notes.body: its values are deleted', '- column notes.note: its values are deleted']);
    expect(error.problems[0]?.hint).toContain('--allow-destructive');
  }, 60_000);
});
