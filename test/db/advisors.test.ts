/**
 * Our Supabase advisors (advisors.ts) see what they look for: on PostgreSQL
 * and on PGlite, a bootstrapped database gives no finding; each lint names
 * exactly the objects of a hand-made bad schema (advisorCases.ts) and none
 * of the same schema mended; the findings a file asks for are the only ones
 * advisorProblems() lets through.
 *
 * That the tool's own output keeps them silent is checked where every
 * example and golden case is applied already, without applying them again:
 * apply-corpus.test.ts (PostgreSQL, both targets) and
 * apply-corpus-pglite.test.ts call advisorProblems() after each apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { apply } from '../../src/execute/apply.js';
import { LINT_CASES } from './advisorCases.js';
import { LINTS } from './advisorLints.js';
import { advisorFindings, advisorProblems } from './advisors.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, resetDatabase } from './harness.js';

/** What `lint` finds after `sql`, inside a transaction that is then rolled back. */
async function findingsAfter(db: Database, sql: string, lint: string): Promise<string[]> {
  await db.exec('BEGIN');
  try {
    await db.exec(sql);
    return (await advisorFindings(db, ['public'])).filter((f) => f.lint === lint).map((f) => f.object);
  } finally {
    await db.exec('ROLLBACK');
  }
}

// What a file may ask for and be warned about: an entity nobody reaches through the API (0008) with an
// index that repeats a unique field's (0009), an open form (0024), a public bucket every signed-in user lists (0025).
const ASKED = `
version: 1
entities:
  ledger:
    access: private
    fields:
      amount: { type: numeric, required: true }
      code: { type: text, unique: true }
    indexes:
      - { fields: [code], unique: true }
  signups:
    access: { create: public }
    fields:
      email: { type: text, required: true }
buckets:
  gallery:
    public: true
    access: { read: authenticated }
`;

it('every lint has a bad schema and a mended one', () => {
  expect(LINT_CASES.map((c) => c.lint)).toEqual(LINTS.map((l) => l.lint));
});

for (const kind of ['PostgreSQL', 'PGlite'] as const) {
  describe(`advisors on ${kind}`, () => {
    let db: Database;
    let url: string | undefined;

    beforeAll(async () => {
      if (kind === 'PGlite') db = await memoryDatabase();
      else db = await connect((url = await freshDatabase('advisors')));
    });
    afterAll(async () => {
      if (url === undefined) return;
      await db.close();
      await dropDatabase(url);
    });

    it('a bootstrapped database: no finding, and the session keeps its search_path', async () => {
      await db.exec('SET search_path = public, auth');
      expect(await advisorFindings(db, ['public'])).toEqual([]);
      expect(await db.query('SHOW search_path')).toEqual([{ search_path: 'public, auth' }]);
      await db.exec('RESET search_path');
    });

    for (const c of LINT_CASES) {
      const run = c.notOnPGlite !== undefined && kind === 'PGlite' ? it.skip : it;
      run(`${c.lint}: names what the bad schema gets wrong, and nothing once it is mended`, async () => {
        expect(await findingsAfter(db, c.bad, c.lint)).toEqual(c.objects);
        expect(await findingsAfter(db, c.fixed, c.lint)).toEqual([]);
      });
    }

    it('advisorProblems() lets through only the findings a file asks for and is warned about', async () => {
      const compiled = await compile(Buffer.from(ASKED), { fileName: 'asked.yaml' });
      expect(compiled.warnings.map((w) => `${w.rule} ${w.path}`)).toEqual([
        'duplicate-index entities.ledger.indexes.0',
        'open-write entities.signups.access.create',
        'public-bucket-read buckets.gallery.access.read',
      ]);
      await resetDatabase(db);
      try {
        expect((await apply(db, compiled)).status).toBe('applied');
        const found = (await advisorFindings(db, ['public'])).map((f) => `${f.lint} ${f.object}`);
        expect(found).toEqual([
          '0008_rls_enabled_no_policy public.ledger',
          '0009_duplicate_index public.ledger',
          '0024_rls_policy_always_true public.signups',
          '0025_public_bucket_allows_listing gallery',
        ]);
        expect(await advisorProblems(db, compiled)).toEqual([]);

        // the same lints on other objects, or on another command, are not excused
        await db.exec(`CREATE TABLE public.extra (id int PRIMARY KEY);
          ALTER TABLE public.extra ENABLE ROW LEVEL SECURITY;
          CREATE UNIQUE INDEX signups_email_a ON public.signups (email);
          CREATE UNIQUE INDEX signups_email_b ON public.signups (email);
          CREATE POLICY signups_delete ON public.signups FOR DELETE TO anon USING (true);
          INSERT INTO storage.buckets (id, name, public) VALUES ('photos', 'photos', true);
          CREATE POLICY photos_list ON storage.objects FOR SELECT TO anon USING (bucket_id = 'photos');`);
        expect(await advisorProblems(db, compiled)).toEqual([
          'INFO 0008_rls_enabled_no_policy public.extra: row level security is on and no policy exists',
          'WARN 0009_duplicate_index public.signups: identical indexes signups_email_a, signups_email_b',
          'WARN 0024_rls_policy_always_true public.signups: policy signups_delete for DELETE lets the API roles write any row',
          "WARN 0025_public_bucket_allows_listing photos: public bucket 'photos' is listable by the API roles through policy photos_list",
        ]);
      } finally {
        await resetDatabase(db);
      }
    });
  });
}
