/**
 * Databases applied by altan-cloud 0.1, whose record keeps inventory format
 * 1 (each object's SQL text): the records in test/fixtures/format-1/ are what
 * that version wrote (kept as it wrote them). After the upgrade, the same file
 * plans up to date — also when the SQL text changed (then the recorded
 * inventory is read and upgraded) — and a changed file touches only what
 * changed. Then apply records format 2, and the plan is up to date again.
 * On the test server: a bootstrapped database of its own per test, with the
 * pg_cron stand-in the embedded database has (the jobs are recorded, not run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { RECORD_SQL, RECORD_TABLE } from '../../src/db/record.js';
import { CREATE_CRON_STAND_IN } from '../../src/execute/bootstrapSql.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { ROOT } from '../helpers.js';
import { applyAndSettle } from './evolve.js';
import { connect, dropDatabase, freshDatabase } from './harness.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'format-1');

interface Fixture {
  readonly file: string;
  readonly record: Record<string, string | number>;
}

const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;

/** A database as altan-cloud 0.1 left it: the SQL it ran, and its record. */
async function appliedByFormatOne(db: Database, f: Fixture, edit: (text: string) => string = (t) => t): Promise<void> {
  await db.exec(edit(String(f.record.sql)));
  await db.exec(RECORD_SQL);
  const r = f.record;
  await db.query(
    `INSERT INTO ${RECORD_TABLE} (schema_name, file_name, file_sha256, sql_sha256, target, tool_version, duration_ms, sql, inventory) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [r.schema_name, r.file_name, r.file_sha256, r.sql_sha256, r.target, r.tool_version, r.duration_ms, edit(String(r.sql)), edit(String(r.inventory))],
  );
}

/** A bootstrapped database of the test server for `work`, dropped after. */
async function withDatabase(label: string, work: (db: Database) => Promise<void>): Promise<void> {
  const url = await freshDatabase(label);
  const db = await connect(url);
  try {
    await db.exec(CREATE_CRON_STAND_IN);
    await work(db);
  } finally {
    await db.close();
    await dropDatabase(url);
  }
}

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('records of inventory format 1', () => {
  it('are kept for several files', () => {
    expect(names).toEqual(expect.arrayContaining(['blog', 'crm', 'marketplace', 'notes', 'todo']));
    for (const name of names) expect(JSON.parse(String(fixture(name).record.inventory)).format).toBe(1);
  });

  for (const name of names) {
    it(`${name}: the same file is up to date, by the SQL's hash and by the upgraded inventory`, async () => {
      const f = fixture(name);
      await withDatabase(`format 1 ${name}`, async (db) => {
        await appliedByFormatOne(db, f);
        const compiled = await compile(f.file, { fileName: 'altan.yaml' });
        expect((await plan(db, compiled)).status).toBe('up-to-date');
        // As if a later release wrote the same objects in other words: the recorded inventory is read.
        await db.exec(`UPDATE ${RECORD_TABLE} SET sql_sha256 = 'another text'`);
        const planned = await plan(db, compiled);
        expect(planned.changes.map(describeChange)).toEqual([]);
        expect(planned.status).toBe('up-to-date');
      });
    });
  }

  it('marketplace: a nullable field added to listings changes that column only; the view reading listings stays', async () => {
    const f = fixture('marketplace');
    await withDatabase('format 1 changed', async (db) => {
      await appliedByFormatOne(db, f);
      const changed = f.file.replace(/^( {2}listings:\n(?:.*\n)*? {4}fields:\n)/m, '$1      subtitle: text\n');
      expect(changed).not.toBe(f.file);
      const compiled = await compile(changed, { fileName: 'altan.yaml' });
      const planned = await plan(db, compiled);
      expect(planned.changes.map(describeChange)).toEqual(['+ column listings.subtitle']);
      expect(planned.sql).not.toContain('MATERIALIZED VIEW');
      await applyAndSettle(db, compiled);
      expect(
        JSON.parse((await db.query<{ inventory: string }>(`SELECT inventory FROM ${RECORD_TABLE} ORDER BY id DESC LIMIT 1`))[0]?.inventory ?? '{}').format,
      ).toBe(2);
    });
  });

  it('notes: a trigger recorded with other SQL is replaced, and only it', async () => {
    const f = fixture('notes');
    await withDatabase('format 1 trigger', async (db) => {
      await appliedByFormatOne(db, f, (t) => t.replaceAll('BEFORE INSERT OR UPDATE', 'BEFORE UPDATE'));
      await db.exec(`UPDATE ${RECORD_TABLE} SET sql_sha256 = 'earlier version'`);
      const compiled = await compile(f.file, { fileName: 'altan.yaml' });
      const planned = await plan(db, compiled);
      expect(planned.changes.map(describeChange)).toEqual([
        '~ trigger notes_set_updated_at on notes: replaced: the file changed it',
        '~ trigger tags_set_updated_at on tags: replaced: the file changed it',
      ]);
      await applyAndSettle(db, compiled);
    });
  });
});
