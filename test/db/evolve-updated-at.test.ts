/**
 * A database applied by an earlier altan-cloud, whose updated_at triggers ran
 * BEFORE UPDATE only (a client's updated_at was kept on INSERT): the next
 * plan replaces each trigger, apply makes it BEFORE INSERT OR UPDATE, rows are
 * kept, and the plan is empty after. On the test server and on PGlite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { RECORD_TABLE } from '../../src/db/record.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { ROOT } from '../helpers.js';
import { applyAndSettle, comparableSnapshot } from './evolve.js';
import { connect, createUser, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';

const FILE = `version: 1
entities:
  notes:
    fields:
      title: { type: text, required: true }
  tags:
    access: reference
    fields:
      label: text
`;

/**
 * The database as the earlier version left it: its triggers, and its record of them and of the SQL it ran
 * (inventory format 1, as that version wrote it for this file: test/fixtures/format-1/notes.json).
 */
async function asEarlierVersion(db: Database): Promise<void> {
  const earlier = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'format-1', 'notes.json'), 'utf8')) as { file: string; record: { inventory: string } };
  expect(earlier.file).toBe(FILE);
  await db.exec(`
    DROP TRIGGER notes_set_updated_at ON public.notes;
    CREATE TRIGGER notes_set_updated_at BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION altan_private.set_updated_at();
    DROP TRIGGER tags_set_updated_at ON public.tags;
    CREATE TRIGGER tags_set_updated_at BEFORE UPDATE ON public.tags FOR EACH ROW EXECUTE FUNCTION altan_private.set_updated_at();`);
  await db.query(`UPDATE ${RECORD_TABLE} SET inventory = $1, sql = replace(sql, 'BEFORE INSERT OR UPDATE', 'BEFORE UPDATE'), sql_sha256 = 'earlier version'`, [
    earlier.record.inventory.replaceAll('BEFORE INSERT OR UPDATE', 'BEFORE UPDATE'),
  ]);
}

const triggers = (db: Database) =>
  db.query<{ name: string; def: string }>(
    "SELECT tgname AS name, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid IN ('public.notes'::regclass, 'public.tags'::regclass) AND NOT tgisinternal ORDER BY 1",
  );

async function check(db: Database): Promise<void> {
  const compiled = await compile(FILE, { fileName: 'notes.yaml' });
  await applyAndSettle(db, compiled);
  const fresh = await comparableSnapshot(db);
  await asEarlierVersion(db);
  const user = await createUser(db);
  await db.query("INSERT INTO public.notes (user_id, title, updated_at) VALUES ($1, 'old', '2000-01-01')", [user]);
  expect((await triggers(db)).map((t) => t.def)).toEqual([
    expect.stringContaining('BEFORE UPDATE ON public.notes'),
    expect.stringContaining('BEFORE UPDATE ON public.tags'),
  ]);

  const planned = await plan(db, compiled);
  expect(planned.changes.map(describeChange)).toEqual([
    expect.stringMatching(/notes_set_updated_at.*replaced/),
    expect.stringMatching(/tags_set_updated_at.*replaced/),
  ]);
  await applyAndSettle(db, compiled);
  expect((await triggers(db)).map((t) => t.def)).toEqual([
    expect.stringContaining('BEFORE INSERT OR UPDATE ON public.notes'),
    expect.stringContaining('BEFORE INSERT OR UPDATE ON public.tags'),
  ]);
  // the row is kept; a new one gets the server's time whatever the client sends
  expect(await db.query("SELECT title, updated_at::text LIKE '2000%' AS old FROM public.notes")).toEqual([{ title: 'old', old: true }]);
  await db.query("INSERT INTO public.notes (user_id, title, updated_at) VALUES ($1, 'new', '2000-01-01')", [user]);
  expect(await db.query("SELECT count(*)::int AS n FROM public.notes WHERE updated_at < '2001-01-01'")).toEqual([{ n: 1 }]);
  await db.exec("DELETE FROM public.notes WHERE title = 'new'");
  expect(await comparableSnapshot(db)).toEqual(fresh);
}

describe('updated_at triggers of an earlier version', () => {
  it('are replaced by plan and apply on PostgreSQL', async () => {
    const url = await freshDatabase('updated_at trigger');
    const db = await connect(url);
    try {
      await check(db);
    } finally {
      await db.close();
      await dropDatabase(url);
    }
  }, 60_000);

  it('are replaced by plan and apply on PGlite', async () => {
    const db = await memoryDatabase();
    try {
      await check(db);
    } finally {
      await db.close();
    }
  }, 60_000);
});
