/**
 * `history` (src/plan/history.ts) and `altan-cloud history`: the applies of a
 * schema, newest first, with each file's sha256 and what changed, read from
 * the record on PostgreSQL (a fresh database of the test server) and PGlite
 * (in memory for the library, the embedded database for the CLI).
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, compile, history } from '../../src/index.js';
import type { Database } from '../../src/index.js';
import type { HistoryReport } from '../../src/plan/history.js';
import { removeTemporaryDirectories, runCliInProcess, temporaryDirectory } from '../helpers.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';

afterAll(removeTemporaryDirectories);

const V1 = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n';
/** V1 with a field more, another entity, and title required. */
const V2 =
  'version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, required: true }\n      body: text\n  tags:\n    fields:\n      label: text\n';
/** V2 without tags: a destructive change. */
const V3 = 'version: 1\nentities:\n  notes:\n    fields:\n      title: { type: text, required: true }\n      body: text\n';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const lines = (changes: HistoryReport['entries'][number]['changes']) =>
  changes?.map((c) => `${c.action} ${c.kind} ${c.table === undefined ? c.name : `${c.table}.${c.name}`}${c.destructive ? ' !' : ''}`);

async function applyText(db: Database, text: string, options: { allowDestructive?: boolean } = {}): Promise<void> {
  expect((await apply(db, await compile(text, { fileName: 'notes.yaml' }), options)).status).toBe('applied');
}

/** The same checks on either backend. */
function historyOn(label: string, open: () => Promise<{ db: Database; done: () => Promise<void> }>) {
  describe(`history(db) on ${label}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
    });
    afterAll(async () => {
      await done();
    });

    it('nothing applied: no entries', async () => {
      expect(await history(db)).toEqual({ database: db.description, schema: 'public', total: 0, entries: [] });
      await expect(history(db, { limit: 0 })).rejects.toMatchObject({ category: 'usage', problems: [{ code: 'usage' }] });
    });

    it('apply a file, a changed one, one that drops: newest first, each with its sha256 and what changed', async () => {
      await applyText(db, V1);
      await applyText(db, V2);
      await applyText(db, V3, { allowDestructive: true });
      const r = await history(db);
      expect(r.total).toBe(3);
      expect(r.entries.map((e) => e.fileSha256)).toEqual([sha256(V3), sha256(V2), sha256(V1)]);
      const [third, second, first] = r.entries;
      expect(r.entries.map((e) => e.id)).toEqual([...r.entries.map((e) => e.id)].sort((a, b) => b - a));
      expect(first).toMatchObject({ file: 'notes.yaml', target: 'altan', toolVersion: '0.1.0', fresh: true });
      expect(first?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(first?.appliedAt ?? '')).toBeLessThanOrEqual(Date.parse(third?.appliedAt ?? ''));
      expect(lines(first?.changes ?? null)).toContain('create table notes');
      expect(second?.fresh).toBe(false);
      expect(lines(second?.changes ?? null)).toEqual(expect.arrayContaining(['alter column notes.title', 'create column notes.body', 'create table tags']));
      expect(second?.changes?.find((c) => c.name === 'title')?.details).toEqual(['set not null']);
      expect(lines(third?.changes ?? null)).toEqual(['drop table tags !']);
      expect(third?.sqlSha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('--limit: the newest only, the oldest shown still compared with the one before it; another schema has its own', async () => {
      const r = await history(db, { limit: 2 });
      expect(r.total).toBe(3);
      expect(r.entries.map((e) => e.fileSha256)).toEqual([sha256(V3), sha256(V2)]);
      expect(r.entries[1]?.fresh).toBe(false);
      expect(lines(r.entries[1]?.changes ?? null)).toContain('create table tags');
      expect(await history(db, { schema: 'other' })).toMatchObject({ schema: 'other', total: 0, entries: [] });
    });

    it('a record without an inventory (an earlier release): what changed is not known, for it and the apply after it', async () => {
      await db.exec('UPDATE altan_meta.applied_files SET inventory = NULL WHERE id = (SELECT min(id) + 1 FROM altan_meta.applied_files)');
      const [third, second, first] = (await history(db)).entries;
      expect(second?.changes).toBeNull();
      expect(third?.changes).toBeNull();
      expect(first?.changes).not.toBeNull();
    });

    it("records of the first inventory format compare with each other, not with a record of today's format", async () => {
      const formatOne = (names: string[]) =>
        JSON.stringify({
          format: 1,
          entries: names.map((n) => ({ kind: 'table', name: n, create: `CREATE TABLE ${n} ()`, drop: `DROP TABLE ${n}`, presence: [`table ${n}`] })),
        });
      const ids = (await db.query<{ id: string }>('SELECT id::text AS id FROM altan_meta.applied_files ORDER BY id')).map((r) => r.id);
      await db.query('UPDATE altan_meta.applied_files SET inventory = $1 WHERE id = $2', [formatOne(['notes']), ids[0]]);
      await db.query('UPDATE altan_meta.applied_files SET inventory = $1 WHERE id = $2', [formatOne(['notes', 'tags']), ids[1]]);
      const [third, second, first] = (await history(db)).entries;
      expect(lines(first?.changes ?? null)).toEqual(['create table notes']);
      expect(lines(second?.changes ?? null)).toEqual(['create table tags']);
      expect(third?.changes).toBeNull();
    });
  });
}

historyOn('PGlite', async () => ({ db: await memoryDatabase(), done: async () => {} }));

historyOn('PostgreSQL', async () => {
  const url = await freshDatabase('history');
  const db = await connect(url);
  return {
    db,
    done: async () => {
      await db.close();
      await dropDatabase(url);
    },
  };
});

describe('altan-cloud history', () => {
  const env = { DATABASE_URL: undefined };

  it('on the embedded database: two applies listed as text and --json, newest first; bad --limit is a usage error', { timeout: 60_000 }, async () => {
    const dir = temporaryDirectory('altan-history-');
    writeFileSync(join(dir, 'altan.yaml'), V1);
    expect((await runCliInProcess(['apply'], { cwd: dir, env })).status).toBe(0);
    writeFileSync(join(dir, 'altan.yaml'), V2);
    expect((await runCliInProcess(['apply'], { cwd: dir, env })).status).toBe(0);

    const text = await runCliInProcess(['history'], { cwd: dir, env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stderr).toBe('database: embedded database .altan-cloud/db (PGlite); use --database-url or DATABASE_URL for a real project\n');
    const out = text.stdout.split('\n');
    expect(out[0]).toBe('history of schema public on embedded database .altan-cloud/db (PGlite): 2 applies, newest first');
    expect(out[1]).toMatch(new RegExp(`^#2 \\S+Z altan\\.yaml sha256 ${sha256(V2)}$`));
    expect(out[2]).toMatch(/^ {4}altan-cloud 0\.1\.0, target altan, \d+ ms: 9 changes$/);
    expect(out).toContain('    ~ column notes.title: set not null');
    expect(out).toContain('    + table tags');
    expect(text.stdout).toMatch(
      new RegExp(
        `\\n#1 \\S+Z altan\\.yaml sha256 ${sha256(V1)}\\n {4}altan-cloud 0\\.1\\.0, target altan, \\d+ ms: first apply, created 1 table, 4 policies, 1 index, 1 trigger, 1 function\\n$`,
      ),
    );

    const json = await runCliInProcess(['history', '--json', '--limit', '1'], { cwd: dir, env });
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as HistoryReport;
    expect(report).toMatchObject({ database: 'embedded database .altan-cloud/db (PGlite)', schema: 'public', total: 2 });
    expect(report.entries.map((e) => [e.id, e.fileSha256, e.fresh])).toEqual([[2, sha256(V2), false]]);
    const limited = await runCliInProcess(['history', '--limit', '1'], { cwd: dir, env });
    expect(limited.stdout.split('\n')[0]).toBe('history of schema public on embedded database .altan-cloud/db (PGlite): the last 1 of 2 applies, newest first');

    for (const bad of ['0', '-1', 'x', '1.5']) {
      const r = await runCliInProcess(['history', '--limit', bad, '--json'], { cwd: dir, env });
      expect(r.status, bad).toBe(64);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 'usage', message: expect.stringContaining('a whole number of at least 1') });
    }
  });

  it('a folder without an embedded database: nothing applied (exit 0), and no database is made', async () => {
    const dir = temporaryDirectory('altan-history-');
    const r = await runCliInProcess(['history'], { cwd: dir, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('nothing applied here: this folder has no embedded database (.altan-cloud/db)\n');
    const json = await runCliInProcess(['history', '--json'], { cwd: dir, env });
    expect(JSON.parse(json.stdout)).toEqual({ database: 'embedded database .altan-cloud/db (PGlite)', schema: 'public', total: 0, entries: [] });
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
  });

  it('on a server (--database-url): nothing applied yet, then the apply; --schema picks another schema', { timeout: 60_000 }, async () => {
    const url = await freshDatabase('history_cli');
    try {
      const dir = temporaryDirectory('altan-history-');
      const before = await runCliInProcess(['history', '--database-url', url], { cwd: dir, env });
      expect(before.status, before.stderr).toBe(0);
      expect(before.stderr).toBe(`database: ${url} (--database-url)\n`);
      expect(before.stdout).toBe(`nothing applied to schema public on ${url} yet\n`);
      writeFileSync(join(dir, 'altan.yaml'), `${V1}schema: app\n`);
      expect((await runCliInProcess(['apply', '--database-url', url], { cwd: dir, env })).status).toBe(0);
      const other = await runCliInProcess(['history', '--database-url', url, '--schema', 'app', '--json'], { cwd: dir, env });
      expect(other.status, other.stderr).toBe(0);
      const report = JSON.parse(other.stdout) as HistoryReport;
      expect(report).toMatchObject({ database: url, schema: 'app', total: 1 });
      expect(report.entries[0]).toMatchObject({ fileSha256: sha256(`${V1}schema: app\n`), fresh: true });
      const publicOnly = await runCliInProcess(['history', '--database-url', url], { cwd: dir, env });
      expect(publicOnly.stdout).toBe(`nothing applied to schema public on ${url} yet\n`);
    } finally {
      await dropDatabase(url);
    }
  });
});
