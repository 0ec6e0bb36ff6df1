/**
 * verify catches the holes of references and timestamps on a database that
 * has them (each made inside a transaction, verified there, rolled back), on
 * real PostgreSQL and on PGlite: anon linking to rows only signed-in users
 * may read, a user hanging a row under another user's row of the same table,
 * either one probing which ids exist, and a client's updated_at kept on INSERT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';
import { verifyAfter, verifyProblems } from './verify-checks.js';

const FILE = `version: 1
entities:
  folders:
    fields:
      name: { type: text, required: true }
      parent_id: { references: folders, on_delete: cascade }
  events:
    access: authenticated-read
    fields:
      title: { type: text, required: true }
  signups:
    access: { create: public }
    fields:
      email: { type: text, required: true }
      event_id: { references: events, on_delete: cascade }
  categories:
    access: org
    fields:
      name: { type: text, required: true }
      parent_id: { references: categories, on_delete: set null }
`;
const compiled = await compile(FILE, { fileName: 'references.yaml' });

const verifyBroken = (db: Database, sql: string): Promise<VerifyReport> => verifyAfter(db, compiled, sql);

describe.each(['postgres', 'pglite'] as const)('verify on references and timestamps (%s)', (backend) => {
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    if (backend === 'pglite') db = await memoryDatabase();
    else {
      url = await freshDatabase('verify references');
      db = await connect(url);
    }
    expect((await apply(db, compiled)).status).toBe('applied');
  }, 60_000);
  afterAll(async () => {
    if (url !== undefined) await dropDatabase(url);
  });

  it('passes on the database as applied, with the reference and timestamp requests made', async () => {
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    const operations = report.results.map((r) => `${r.subject}: ${r.actor} ${r.operation}`);
    expect(operations).toEqual(
      expect.arrayContaining([
        "signups: anon insert own row with event_id = A's row of events",
        'signups: anon insert own row with event_id = a missing events id',
        "folders: user B insert own row with parent_id = A's row of folders",
        "folders: user B point B's row parent_id at a missing folders id",
        "categories: outsider insert own row with parent_id = admin's row of categories",
        'folders: user A insert own row with updated_at of 2000',
      ]),
    );
  });

  it('anon may link to rows only signed-in users read, and probe their ids', async () => {
    const report = await verifyBroken(db, 'ALTER POLICY signups_insert_anon ON public.signups WITH CHECK (true)');
    expect(verifyProblems(report)).toEqual([
      "✗ signups: anon insert own row with event_id = A's row of events: expected denied, got allowed",
      "✗ signups: anon insert own row with event_id = B's row of events: expected denied, got allowed",
      '✗ signups: anon insert own row with event_id = a missing events id: expected denied, got allowed (the foreign key told the id does not exist)',
    ]);
  });

  it("a self-reference left unchecked: B hangs rows under A's and probes ids", async () => {
    const report = await verifyBroken(
      db,
      `ALTER POLICY folders_insert ON public.folders WITH CHECK ((select auth.uid()) = user_id);
      ALTER POLICY folders_update ON public.folders WITH CHECK ((select auth.uid()) = user_id)`,
    );
    expect(verifyProblems(report)).toEqual([
      "✗ folders: user A insert own row with parent_id = B's row of folders: expected denied, got allowed",
      '✗ folders: user A insert own row with parent_id = a missing folders id: expected denied, got allowed (the foreign key told the id does not exist)',
      "✗ folders: user A point A's row parent_id at B's row of folders: expected denied, got allowed (1 row)",
      "✗ folders: user A point A's row parent_id at a missing folders id: expected denied, got allowed (the foreign key told the id does not exist)",
      "✗ folders: user B insert own row with parent_id = A's row of folders: expected denied, got allowed",
      '✗ folders: user B insert own row with parent_id = a missing folders id: expected denied, got allowed (the foreign key told the id does not exist)',
      "✗ folders: user B point B's row parent_id at A's row of folders: expected denied, got allowed (1 row)",
      "✗ folders: user B point B's row parent_id at a missing folders id: expected denied, got allowed (the foreign key told the id does not exist)",
    ]);
  });

  it("the timestamp trigger of an earlier version: a client's updated_at kept on INSERT", async () => {
    const report = await verifyBroken(
      db,
      `DROP TRIGGER folders_set_updated_at ON public.folders;
      CREATE TRIGGER folders_set_updated_at BEFORE UPDATE ON public.folders FOR EACH ROW EXECUTE FUNCTION altan_private.set_updated_at()`,
    );
    expect(verifyProblems(report)).toEqual(["✗ folders: user A insert own row with updated_at of 2000: expected the server's time, got the client's time"]);
  });
});

describe('verify on a varchar(N) key', () => {
  // Found by the random files: a missing id longer than the key was refused for its length (22001).
  const file = (n: number) => `version: 1
entities:
  parents:
    access: owner
    primary_key: code
    fields:
      code: { type: varchar(${n}) }
  children:
    fields:
      parent_code: { type: varchar(${n}), references: parents }
`;

  it.each([11, 40])('passes on the database as applied (varchar(%i))', async (n) => {
    const db = await memoryDatabase();
    const compiled = await compile(file(n), { fileName: 'altan.yaml' });
    await apply(db, compiled);
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    await db.close();
  });
});
