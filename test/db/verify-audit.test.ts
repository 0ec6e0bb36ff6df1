/**
 * verify's privilege audit, on real PostgreSQL and on PGlite: every example
 * applied then verified passes it (both targets); then, each made by hand in
 * a transaction that is rolled back, a grant or policy the file does not
 * imply fails verify naming the object and the privilege; privileges on a
 * user's own guarded table are a note; another applied file's objects are
 * that file's, not a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { CRON_STAND_IN } from '../../src/execute/bootstrap.js';
import type { Database } from '../../src/db/database.js';
import { formatReport } from '../../src/verify/report.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { EXAMPLES_DIR } from '../helpers.js';
import { resetDatabase } from './harness.js';
import { databases, verifyProblems } from './verify-checks.js';

const FILE = `version: 1
entities:
  notes:
    fields:
      title: { type: text, required: true }
  tasks:
    access: org
    fields:
      title: { type: text, required: true }
  categories:
    access: reference
    primary_key: slug
    timestamps: false
    fields:
      slug: { type: text }
buckets:
  docs: {}
`;

const OTHER = `version: 1
schema: shop
entities:
  items:
    access: public-read
    fields:
      title: text
buckets:
  shop_files: { public: true }
`;

/** Only the audit's lines (failures and notes), as the report prints them. */
const auditProblems = (report: VerifyReport) => verifyProblems({ ...report, results: report.results.filter((r) => r.audit !== undefined) });

describe.each(['postgres', 'pglite'] as const)('the privilege audit on every example (%s)', (backend) => {
  const database = databases(backend);
  // One database, reset to just-bootstrapped before each example: a new one costs more than the
  // reset, and anything a reset forgot would only add to what the audit finds.
  let db: Database;
  beforeAll(async () => {
    db = await database('audit examples');
    // Jobs need pg_cron, whose one database the cron tests hold: the server's copy takes PGlite's stand-in.
    if (backend === 'postgres') await db.exec(CRON_STAND_IN.create);
  });
  it.each([
    ['todo', 'altan'],
    ['blog', 'supabase'],
    ['crm', 'altan'],
    ['marketplace', 'supabase'],
    ['todo', 'supabase'],
    ['blog', 'altan'],
    ['crm', 'supabase'],
    ['marketplace', 'altan'],
    ['blog-drafts', 'altan'],
    ['orders', 'supabase'],
    ['blog-drafts', 'supabase'],
    ['orders', 'altan'],
  ] as const)('%s (target %s): applied then verified, nothing beyond the file and the platform', { timeout: 120_000 }, async (example, target) => {
    await resetDatabase(db);
    const compiled = await compile(readFileSync(join(EXAMPLES_DIR, example, 'altan.yaml'), 'utf8'), { fileName: 'altan.yaml', target });
    expect((await apply(db, compiled)).status).toBe('applied');
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(report.audit.failed).toBe(0);
    expect(report.audit.privileges).toBeGreaterThan(10);
    expect(formatReport(report)).toMatch(
      /\nprivilege audit: \d+ privileges of anon and authenticated, \d+ policies: none beyond what the file and the platform grant\n/,
    );
  });
});

describe.each(['postgres', 'pglite'] as const)('the privilege audit on a database changed by hand (%s)', (backend) => {
  const database = databases(backend);
  const compiled = { altan: compile(FILE, { fileName: 'audit.yaml' }), supabase: compile(FILE, { fileName: 'audit.yaml', target: 'supabase' }) };
  const dbs: Partial<Record<'altan' | 'supabase', Database>> = {};
  beforeAll(async () => {
    for (const target of ['altan', 'supabase'] as const) {
      const db = await database(`audit hand ${target}`);
      expect((await apply(db, await compiled[target])).status).toBe('applied');
      dbs[target] = db;
    }
  }, 120_000);

  /** verify after `sql`, in one transaction rolled back afterwards. */
  async function verifyAfter(sql: string, target: 'altan' | 'supabase' = 'altan'): Promise<VerifyReport> {
    const db = dbs[target] as Database;
    await db.exec('BEGIN');
    try {
      await db.exec(sql);
      return await verify(db, await compiled[target], { insideTransaction: true });
    } finally {
      await db.exec('ROLLBACK');
    }
  }

  it('passes as applied', async () => {
    for (const target of ['altan', 'supabase'] as const) {
      const report = await verify(dbs[target] as Database, await compiled[target]);
      expect(verifyProblems(report)).toEqual([]);
    }
  });

  it.each([
    ['GRANT SELECT ON auth.users TO anon', '✗ anon has SELECT on table auth.users (directly): not granted by the file nor the platform'],
    [
      'GRANT SELECT (email) ON auth.users TO authenticated',
      '✗ authenticated has SELECT on table auth.users (on some columns): not granted by the file nor the platform',
    ],
    [
      'GRANT EXECUTE ON FUNCTION altan_private.admin_org_ids() TO anon',
      '✗ anon has EXECUTE on function altan_private.admin_org_ids() (directly): not granted by the file nor the platform',
    ],
    [
      'GRANT EXECUTE ON FUNCTION altan_private.set_updated_at() TO PUBLIC',
      '✗ anon has EXECUTE on function altan_private.set_updated_at() (through PUBLIC): not granted by the file nor the platform',
    ],
    ['GRANT USAGE ON SCHEMA altan_private TO anon', '✗ anon has USAGE on schema altan_private (directly): not granted by the file nor the platform'],
    ['CREATE POLICY notes_open ON public.notes FOR SELECT USING (true)', "✗ policy notes_open on public.notes (FOR SELECT TO public): not the file's"],
    ['CREATE POLICY mine ON storage.objects FOR SELECT TO anon USING (true)', "✗ policy mine on storage.objects (FOR SELECT TO anon): not the file's"],
    ['ALTER TABLE public.categories DISABLE ROW LEVEL SECURITY', '✗ public.categories: row-level security is disabled; the file enables it'],
    ['ALTER TABLE storage.objects DISABLE ROW LEVEL SECURITY', '✗ storage.objects: row-level security is disabled; the platform enables it'],
    [
      'CREATE SEQUENCE altan_private.counter; GRANT UPDATE ON SEQUENCE altan_private.counter TO authenticated',
      '✗ authenticated has UPDATE on sequence altan_private.counter (directly): not granted by the file nor the platform',
    ],
    [
      'CREATE MATERIALIZED VIEW altan_private.emails AS SELECT email FROM auth.users; GRANT SELECT ON altan_private.emails TO anon',
      '✗ anon has SELECT on materialized view altan_private.emails (directly): not granted by the file nor the platform',
    ],
    [
      'CREATE TABLE public.leak (x int); GRANT SELECT, INSERT ON public.leak TO anon',
      '✗ anon has INSERT, SELECT on table public.leak (directly): not granted by the file nor the platform',
    ],
    [
      'CREATE ROLE audit_helper_role; GRANT SELECT ON auth.users TO audit_helper_role; GRANT audit_helper_role TO authenticated',
      '✗ role authenticated is a member of role audit_helper_role: not granted by the file nor the platform',
    ],
  ])('%s: fails naming the object and the privilege', async (sql, line) => {
    const report = await verifyAfter(sql);
    expect(report.status).toBe('failed');
    expect(auditProblems(report)).toContain(line);
    expect(formatReport(report).split('\nFailed:\n')[1]).toContain(`  ${line}\n`);
  });

  it('a role granted by membership: the table it reaches is named, with the route', async () => {
    const report = await verifyAfter('CREATE ROLE audit_member_role; GRANT SELECT ON auth.users TO audit_member_role; GRANT audit_member_role TO anon');
    expect(auditProblems(report)).toEqual([
      '✗ role anon is a member of role audit_member_role: not granted by the file nor the platform',
      '✗ anon has SELECT on table auth.users (through role membership): not granted by the file nor the platform',
    ]);
  });

  it('target supabase: INSERT on a read-only (reference) table fails; on altan the platform grants the exposed schema', async () => {
    const sql = 'GRANT INSERT ON public.categories TO authenticated';
    expect(auditProblems(await verifyAfter(sql, 'supabase'))).toEqual([
      '✗ authenticated has INSERT on table public.categories (directly): not granted by the file nor the platform',
    ]);
    expect(auditProblems(await verifyAfter(sql, 'altan'))).toEqual([]);
  });

  it('a policy of the file changed to other roles: named with both shapes', async () => {
    const report = await verifyAfter('ALTER POLICY categories_select ON public.categories TO anon');
    expect(auditProblems(report)).toEqual([
      '✗ policy categories_select on public.categories is FOR SELECT TO anon; the file says FOR SELECT TO anon, authenticated',
    ]);
  });

  it("a user's own table with RLS enabled is a note, not a failure; the --json report carries it", async () => {
    const report = await verifyAfter('CREATE TABLE public.own (x int); ALTER TABLE public.own ENABLE ROW LEVEL SECURITY; GRANT SELECT ON public.own TO anon');
    expect(report.status).toBe('passed');
    expect(auditProblems(report)).toEqual([
      "– note: anon has SELECT on table public.own (directly): not the file's nor the platform's; its own row-level security guards its rows, and verify does not judge those policies",
    ]);
    expect(report.audit.notes).toBe(1);
    expect(JSON.parse(JSON.stringify(report)).results).toContainEqual(
      expect.objectContaining({ subject: 'table public.own', actor: 'anon', operation: 'SELECT', status: 'not-tested' }),
    );
  });

  it("another applied file's schema, tables and storage policies are its own: both files verify", async () => {
    const db = await database('audit two files');
    const first = await compile(FILE, { fileName: 'audit.yaml' });
    const second = await compile(OTHER, { fileName: 'shop.yaml' });
    expect((await apply(db, first)).status).toBe('applied');
    expect((await apply(db, second)).status).toBe('applied');
    expect(verifyProblems(await verify(db, first))).toEqual([]);
    expect(verifyProblems(await verify(db, second))).toEqual([]);
    // A storage policy neither file made still fails both.
    await db.exec('BEGIN');
    try {
      await db.exec('CREATE POLICY stray ON storage.objects FOR INSERT TO authenticated WITH CHECK (true)');
      for (const compiled of [first, second]) {
        expect(auditProblems(await verify(db, compiled, { insideTransaction: true }))).toEqual([
          "✗ policy stray on storage.objects (FOR INSERT TO authenticated): not the file's",
        ]);
      }
    } finally {
      await db.exec('ROLLBACK');
    }
  }, 120_000);
});
