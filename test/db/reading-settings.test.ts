/**
 * Issue 13, item 1, against real databases: the hostile files are refused
 * before anything reaches a database, and a database whose settings change
 * how SQL is read (standard_conforming_strings = off by ALTER DATABASE, or by
 * the connection URL) reads the tool's SQL exactly as written: apply, plan and
 * verify work, values with backslashes and quotes arrive unchanged, and anon
 * still cannot read auth.users. PostgreSQL and PGlite.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, validate } from '../../src/compile.js';
import { InvalidRequirementsError } from '../../src/diagnostics.js';
import { apply } from '../../src/execute/apply.js';
import { bootstrap } from '../../src/execute/bootstrap.js';
import { openEmbedded } from '../../src/db/database.js';
import type { Database } from '../../src/db/database.js';
import { plan } from '../../src/plan/plan.js';
import { verify } from '../../src/verify/run.js';
import { anon, expectPermissionDenied } from './access.js';
import { asRole, connect, dropDatabase, freshDatabase } from './harness.js';
import { databaseOf } from './names.js';
import { embeddedFromSnapshot } from './pglite.js';
import { verifyProblems } from './verify-checks.js';

const CASES = join(import.meta.dirname, '..', 'cases');
const HOSTILE = [
  'error-sql-fragment-continuation-check',
  'error-sql-fragment-continuation-default',
  'error-sql-fragment-continuation-index-where',
  'error-sql-fragment-continuation-view',
  'error-sql-fragment-backslash-quote',
  'error-view-over-auth-users-unicode-escapes',
];
const hostile = (name: string) => readFileSync(join(CASES, name, 'requirements.yaml'));

/** Backslashes and quotes in values, defaults and the file's own SQL: what a misread would change. */
const TRICKY = "it's \\ a \\' trick\\";
const FILE = `version: 1
entities:
  notes:
    access: reference
    fields:
      body: { type: text, required: true, check: "body <> E'\\\\\\\\''' AND body <> 'x''y'" }
      note: { type: text, default: ${JSON.stringify(TRICKY)} }
      tag: { type: text, default: { sql: "'a\\\\b' || E'\\\\\\\\'" } }
    rows:
      - { id: 6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f, body: ${JSON.stringify(TRICKY)} }
`;

/** anon cannot read auth.users, and reads the seed row exactly as the file has it. */
async function nothingReachedAnon(db: Database): Promise<void> {
  await expectPermissionDenied(
    asRole(db, anon, (s) => s.query('SELECT email FROM auth.users')),
    /auth\.users|users/,
  );
  const rows = await asRole(db, anon, (s) => s.query<{ body: string; note: string; tag: string }>('SELECT body, note, tag FROM public.notes'));
  // With the setting off, 'a\b' would be read as a, backspace.
  expect(rows).toEqual([{ body: TRICKY, note: TRICKY, tag: 'a\\b\\' }]);
}

async function applyPlanVerify(db: Database): Promise<void> {
  const compiled = await compile(FILE, { fileName: 'notes.yaml' });
  expect((await apply(db, compiled)).status).toBe('applied');
  // The record holds the whole SQL as a literal: read back unchanged, the same file is up to date.
  expect((await plan(db, compiled)).status).toBe('up-to-date');
  expect((await apply(db, compiled)).status).toBe('up-to-date');
  expect(verifyProblems(await verify(db, compiled))).toEqual([]);
  await nothingReachedAnon(db);
}

describe('the hostile files of issue 13', () => {
  for (const name of HOSTILE) {
    it(`${name}: refused by validate and compile, so no SQL exists to apply`, async () => {
      const checked = await validate(hostile(name), { fileName: 'requirements.yaml' });
      expect(checked.errors.map((e) => e.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/^(sql-fragment|view-over-auth-users)$/)]));
      await expect(compile(hostile(name), { fileName: 'requirements.yaml' })).rejects.toThrow(InvalidRequirementsError);
    });
  }
});

describe('PostgreSQL with standard_conforming_strings = off', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('scs off');
    const admin = await connect(url);
    await admin.exec(`ALTER DATABASE "${databaseOf(url)}" SET standard_conforming_strings = off`);
    await admin.close();
  }, 60_000);
  afterAll(async () => {
    if (url) await dropDatabase(url);
  });

  it('the setting is really off for a plain connection, and pinned on for the tool', async () => {
    const plain = new pg.Client({ connectionString: url });
    await plain.connect();
    try {
      expect((await plain.query('SHOW standard_conforming_strings')).rows[0]).toEqual({ standard_conforming_strings: 'off' });
      // What the tool guards against: on this database '\'' is a quote.
      expect((await plain.query("SELECT '\\'' AS q")).rows[0]).toEqual({ q: "'" });
    } finally {
      await plain.end();
    }
    const db = await connect(url);
    expect(await db.query('SHOW standard_conforming_strings')).toEqual([{ standard_conforming_strings: 'on' }]);
  });

  it('apply, plan and verify work; every value arrives as written; anon reads no user', async () => {
    await applyPlanVerify(await connect(url));
  }, 120_000);

  it('also with the setting off in the connection URL (options=-c ...)', async () => {
    const withOption = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c standard_conforming_strings=off')}`;
    const plain = new pg.Client({ connectionString: withOption });
    await plain.connect();
    try {
      expect((await plain.query('SHOW standard_conforming_strings')).rows[0]).toEqual({ standard_conforming_strings: 'off' });
    } finally {
      await plain.end();
    }
    const db = await connect(withOption);
    expect(await db.query('SHOW standard_conforming_strings')).toEqual([{ standard_conforming_strings: 'on' }]);
    const compiled = await compile(FILE, { fileName: 'notes.yaml' });
    expect((await plan(db, compiled)).status).toBe('up-to-date');
    expect(verifyProblems(await verify(db, compiled))).toEqual([]);
    await nothingReachedAnon(db);
  }, 120_000);
});

describe('PGlite with standard_conforming_strings = off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'altan-scs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('apply, plan and verify work; every value arrives as written; anon reads no user', async () => {
    // The directory starts as the run's PGlite snapshot (test/db/pglite.ts): no initdb of seconds.
    await embeddedFromSnapshot('bootstrapped', join(dir, 'db'));
    const first = await openEmbedded(join(dir, 'db'));
    await bootstrap(first);
    await first.exec('ALTER DATABASE postgres SET standard_conforming_strings = off');
    await first.close();
    // A new session reads the database's setting; the tool pins it back on.
    const db = await openEmbedded(join(dir, 'db'));
    try {
      expect(await db.query('SHOW standard_conforming_strings')).toEqual([{ standard_conforming_strings: 'on' }]);
      await applyPlanVerify(db);
    } finally {
      await db.close();
    }
  }, 120_000);
});
