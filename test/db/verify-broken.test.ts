/**
 * verify against databases that break a promise, on real PostgreSQL and on
 * PGlite: each break — a policy dropped, one widened to `true`, RLS turned
 * off, a storage upload policy without its folder check, an organization's
 * rows opened to outsiders — is made inside a transaction, verified there and
 * rolled back; the report must name the subject, actor and operation. Then
 * the requests verify cannot make: said so, with the reason, never a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { openPostgres } from '../../src/db/database.js';
import { VerifyError, verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, resetDatabase } from './harness.js';
import { userUrl } from './names.js';
import { verifyAfter, verifyProblems } from './verify-checks.js';

const FILE = `version: 1
entities:
  notes:
    fields:
      title: { type: text, required: true }
  tasks:
    access: org
    fields:
      title: { type: text, required: true, check: "char_length(title) <= 3" }
buckets:
  docs: {}
`;
const compiled = await compile(FILE, { fileName: 'broken.yaml' });
const uploadPolicy = compiled.model.buckets[0]?.policies.find((p) => p.command === 'INSERT')?.name ?? '';

const verifyBroken = (db: Database, sql: string): Promise<VerifyReport> => verifyAfter(db, compiled, sql);

describe.each(['postgres', 'pglite'] as const)('verify on a broken database (%s)', (backend) => {
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    if (backend === 'pglite') db = await memoryDatabase();
    else {
      url = await freshDatabase('verify broken');
      db = await connect(url);
    }
    expect((await apply(db, compiled)).status).toBe('applied');
  }, 60_000);
  afterAll(async () => {
    if (url !== undefined) await dropDatabase(url);
  });

  it('passes on the database as applied (the simple CHECK is met by a shorter value)', async () => {
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(report.passed).toBe(report.results.length);
  });

  it('a dropped policy: owners can no longer delete their rows', async () => {
    const report = await verifyBroken(db, 'DROP POLICY notes_delete ON public.notes');
    expect(report.status).toBe('failed');
    expect(verifyProblems(report)).toEqual([
      "✗ notes: user A delete A's row: expected allowed, got denied (0 rows)",
      "✗ notes: user B delete B's row: expected allowed, got denied (0 rows)",
      "✗ policy notes_delete on public.notes: the file's, missing",
    ]);
  });

  it("a policy widened to true: each user reads the other one's rows", async () => {
    const report = await verifyBroken(db, 'ALTER POLICY notes_select ON public.notes USING (true)');
    expect(verifyProblems(report)).toEqual([
      "✗ notes: user A read: expected A's row, got A's row, B's row",
      "✗ notes: user B read: expected B's row, got A's row, B's row",
    ]);
  });

  it('RLS disabled on one table: anon and every user read, change and delete everything', async () => {
    const problems = verifyProblems(await verifyBroken(db, 'ALTER TABLE public.notes DISABLE ROW LEVEL SECURITY'));
    expect(problems).toEqual(
      expect.arrayContaining([
        "✗ notes: anon read: expected none, got A's row, B's row",
        "✗ notes: user B update A's row: expected denied, got allowed (1 row)",
        "✗ notes: user A delete B's row: expected denied, got allowed (1 row)",
        '✗ notes: user A insert a row owned by user B: expected denied, got allowed',
        '✗ notes: user A hand own row to user B: expected denied, got allowed (1 row)',
      ]),
    );
    // and the privilege audit says why, once
    expect(problems.filter((p) => !p.startsWith('✗ notes: '))).toEqual(['✗ public.notes: row-level security is disabled; the file enables it']);
  });

  it('an owner column without its default: a client that leaves it out, as clients do, is refused', async () => {
    const problems = verifyProblems(await verifyBroken(db, 'ALTER TABLE public.notes ALTER COLUMN user_id DROP DEFAULT'));
    // The policy's check (owner = caller) sees NULL before the NOT NULL constraint does.
    expect(problems).toEqual([
      '✗ notes: user A insert own row: expected allowed, got denied (row-level security)',
      '✗ notes: user B insert own row: expected allowed, got denied (row-level security)',
      // the timestamp request inserts an own row too
      "✗ notes: user A insert own row with updated_at of 2000: expected the server's time, got none (row-level security)",
    ]);
  });

  it('a storage upload policy without the folder check: uploads into other folders and the root', async () => {
    const report = await verifyBroken(db, `ALTER POLICY "${uploadPolicy}" ON storage.objects WITH CHECK (bucket_id = 'docs')`);
    expect(verifyProblems(report)).toEqual([
      "✗ bucket docs: user A upload to user B's folder: expected denied, got allowed",
      '✗ bucket docs: user A upload to the bucket root: expected denied, got allowed',
      "✗ bucket docs: user B upload to user A's folder: expected denied, got allowed",
      '✗ bucket docs: user B upload to the bucket root: expected denied, got allowed',
    ]);
  });

  it("an organization's rows opened to every signed-in user: the outsider reads them", async () => {
    const report = await verifyBroken(db, 'ALTER POLICY tasks_select ON public.tasks USING (true)');
    expect(verifyProblems(report)).toEqual(
      [
        "✗ tasks: outsider read: expected outsider's row, got admin's row, member's row, outsider's row",
        "✗ tasks: org admin read: expected admin's row, member's row, got admin's row, member's row, outsider's row",
        "✗ tasks: org member read: expected admin's row, member's row, got admin's row, member's row, outsider's row",
      ].sort(byActorOrder),
    );
  });

  it('membership open to self-service: the outsider joins X and user A makes themselves its admin', async () => {
    const report = await verifyBroken(db, 'ALTER POLICY organization_members_insert ON public.organization_members WITH CHECK (true)');
    expect(verifyProblems(report)).toEqual(
      expect.arrayContaining([
        '✗ organization_members: outsider join X: expected denied, got allowed',
        '✗ organization_members: user A join X as admin: expected denied, got allowed',
        '✗ organization_members: org member add user A to X as member: expected denied, got allowed',
      ]),
    );
  });

  it('keeps nothing: the broken runs left the database as applied', async () => {
    expect(verifyProblems(await verify(db, compiled))).toEqual([]);
  });
});

describe('verify as a connecting user who may not build the test world (PostgreSQL)', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('verify limited');
    const db = await connect(url);
    try {
      expect((await apply(db, compiled)).status).toBe('applied');
    } finally {
      await db.close();
    }
  }, 60_000);
  afterAll(async () => {
    await dropDatabase(url);
  });

  it('a connecting user who may not build the test world: a VerifyError saying why, nothing run', async () => {
    // authenticator may switch to the API roles but owns nothing and may not write auth.users
    const limited = await openPostgres(userUrl(url, 'authenticator'));
    try {
      const error = await verify(limited, compiled).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VerifyError);
      expect((error as Error).message).toMatch(/^(cannot verify|verify stopped on) postgres:\/\/authenticator@.*: permission denied for (table|schema) /);
    } finally {
      await limited.close();
    }
  });
});

/** The order verify reports actors of an org table in: anon, admin, member, outsider. */
function byActorOrder(a: string, b: string): number {
  const rank = (s: string) => ['anon', 'org admin', 'org member', 'outsider'].findIndex((actor) => s.includes(`: ${actor} `));
  return rank(a) - rank(b);
}

describe('requests verify cannot make (PGlite)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDatabase();
  }, 60_000);

  it('a CHECK no tried value meets, and a required reference to the same table: not tested, with the reason', async () => {
    await resetDatabase(db);
    const file = await compile(
      `version: 1
entities:
  codes:
    access: public-read
    fields:
      code: { type: text, required: true, check: "code = 'exactly-this'" }
  nodes:
    access: public-read
    fields:
      parent_id: { references: nodes, required: true }
  tags:
    access: public-read
    fields:
      code_id: { references: codes, required: true }
`,
      { fileName: 'untestable.yaml' },
    );
    expect((await apply(db, file)).status).toBe('applied');
    const report = await verify(db, file);
    expect(verifyProblems(report)).toEqual([
      '– codes: everyone every request: not tested: no value tried for code passes its check (codes_code_check)',
      '– nodes: everyone every request: not tested: parent_id must reference a row of the same table',
      '– tags: everyone every request: not tested: needs a row of codes (no value tried for code passes its check (codes_code_check))',
    ]);
    // not tested is not failed
    expect(report.status).toBe('passed');
    expect(report.notTested).toBe(3);
  });

  it('refuses a database the file was not applied to, naming what is missing', async () => {
    await resetDatabase(db);
    await expect(verify(db, compiled)).rejects.toThrow(
      /^cannot verify in-memory PGlite database: missing table public\.organizations, .*table public\.notes, table public\.tasks, bucket docs \(apply the file first: altan-cloud apply\)$/,
    );
  });
});
