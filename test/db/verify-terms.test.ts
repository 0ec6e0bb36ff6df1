/**
 * verify on files that use every access term of issue 15 (test/fixtures/access-terms: the
 * contract's blog with private drafts and marketplace orders, and every-term.yaml), on real
 * PostgreSQL and on PGlite, both targets: as applied they verify clean, each term probed; then
 * each break — the guard trigger dropped, a `where` widened to true, an update check that lets a
 * seller cancel, a member's term without its `where`, a column privilege on a read-only column,
 * the guard made executable, a per-user view without its filter — is made inside a transaction,
 * verified there and rolled back, and the report names the entity, actor and request (or the
 * privilege). Last, a `where` no test row meets is reported as not tested, never passed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { CRON_STAND_IN } from '../../src/execute/bootstrap.js';
import type { Database } from '../../src/db/database.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';
import { passedRequests, verifyAfter, verifyProblems } from './verify-checks.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'access-terms');
type Target = 'altan' | 'supabase';
const compiled = (name: string, target: Target) => compile(readFileSync(join(FIXTURES, name), 'utf8'), { fileName: name, target });

describe.each(['postgres', 'pglite'] as const)('verify on every access term (%s)', (backend) => {
  const urls: string[] = [];
  /** A bootstrapped database (on the server: with pg_cron's stand-in, for the view's refresh job). */
  const database = async (label: string): Promise<Database> => {
    if (backend === 'pglite') return memoryDatabase();
    const url = await freshDatabase(label);
    urls.push(url);
    const db = await connect(url);
    await db.exec(CRON_STAND_IN.create);
    return db;
  };
  const dbs: Partial<Record<Target, Database>> = {};
  const files: Partial<Record<Target, CompileResult>> = {};
  beforeAll(async () => {
    for (const target of ['altan', 'supabase'] as const) {
      const db = await database(`verify terms ${target}`);
      files[target] = await compiled('every-term.yaml', target);
      expect((await apply(db, files[target])).status).toBe('applied');
      dbs[target] = db;
    }
  }, 120_000);
  afterAll(async () => {
    for (const url of urls) await dropDatabase(url);
  });
  const broken = (sql: string, target: Target = 'altan'): Promise<VerifyReport> => verifyAfter(dbs[target] as Database, files[target] as CompileResult, sql);

  it.each(['altan', 'supabase'] as const)('passes as applied (target %s), every term probed', { timeout: 120_000 }, async (target) => {
    const report = await verify(dbs[target] as Database, files[target] as CompileResult);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(passedRequests(report)).toEqual(
      expect.arrayContaining([
        // { level: public, where }: anon reads the published posts only; a parent read under it
        "posts: anon read → A's row (status published), B's row (status published)",
        "feedback: anon insert own row with post_id = A's row of posts → denied",
        "feedback: anon insert own row with post_id = A's row (status published) of posts → allowed",
        // { user: seller_id }: the seller reads and updates, a third user neither
        "orders: user B read → A's row, A's row (status cancelled), A's row (status paid), A's row (status shipped), B's row, B's row (status cancelled), B's row (status paid), B's row (status shipped)",
        'orders: outsider read → none',
        // a per-user view with no rows is refreshed inside verify's transaction: user A is served their own rows
        expect.stringMatching(/^view order_totals: user A read: own rows only \(buyer_id\) → \d+ own$/),
        "orders: user B update A's row → allowed",
        "orders: outsider update A's row → denied",
        // create where, read-only and immutable columns, the owner of a table using terms
        'orders: user A insert own row with status = pending → allowed',
        'orders: user A insert own row with status = paid → denied',
        'orders: user A insert own row with read-only total_cents set → denied',
        "orders: user B change read-only total_cents of A's row → denied",
        "orders: user B change immutable seller_id of A's row → denied",
        "orders: user B change immutable buyer_id of A's row → denied",
        'orders: user A hand own row to user B → denied',
        // an update that leaves the row failing every update term
        "orders: user B set status of A's row to shipped → allowed",
        "orders: user B set status of A's row to cancelled → denied",
        "tasks: user A hand B's row assignee_id to user B → denied",
        "tasks: user A hand A's row assignee_id to outsider → allowed",
        // { org: [admin, member] }, { org: admin }, { org: member } with a where, { org: member } alone
        "contacts: org member read → admin's row, admin's row (archived true), member's row, member's row (archived true)",
        "contacts: org member delete admin's row → denied",
        "contacts: org admin delete member's row → allowed",
        "contacts: org member set archived of admin's row to true → denied",
        "contacts: org admin set archived of member's row to true → allowed",
        "contacts: org member change immutable user_id of admin's row → denied",
        'notes: org admin read → none',
        "notes: org member update admin's row → allowed",
        'profiles: user A insert own row with read-only is_verified set → denied',
        "profiles: user A change read-only is_verified of A's row → denied",
      ]),
    );
  });

  it('the guard trigger dropped: read-only and immutable columns are written on altan; the column privileges still hold on supabase', {
    timeout: 120_000,
  }, async () => {
    expect(verifyProblems(await broken('DROP TRIGGER orders_guard_columns ON public.orders'))).toEqual([
      '✗ orders: user A insert own row with read-only total_cents set: expected denied, got allowed',
      '✗ orders: user B insert own row with read-only total_cents set: expected denied, got allowed',
      '✗ orders: outsider insert own row with read-only total_cents set: expected denied, got allowed',
      "✗ orders: user A change read-only total_cents of B's row: expected denied, got allowed (1 row)",
      "✗ orders: user A change immutable buyer_id of B's row: expected denied, got allowed (1 row)",
      "✗ orders: user B change read-only total_cents of A's row: expected denied, got allowed (1 row)",
      "✗ orders: user B change immutable buyer_id of A's row: expected denied, got allowed (1 row)",
    ]);
    expect(verifyProblems(await broken('DROP TRIGGER orders_guard_columns ON public.orders', 'supabase'))).toEqual([]);
  });

  it('a where widened to true: everyone reads the drafts, and may point feedback at them', { timeout: 120_000 }, async () => {
    // anon has a policy of its own (the public terms only): both are widened
    const report = await broken(
      'ALTER POLICY posts_select ON public.posts USING ((select auth.uid()) = author_id OR true); ALTER POLICY posts_select_anon ON public.posts USING (true)',
    );
    expect(verifyProblems(report)).toEqual([
      "✗ posts: anon read: expected A's row (status published), B's row (status published), got A's row, A's row (status published), B's row, B's row (status published)",
      "✗ posts: user A read: expected A's row, A's row (status published), B's row (status published), got A's row, A's row (status published), B's row, B's row (status published)",
      "✗ posts: user B read: expected A's row (status published), B's row, B's row (status published), got A's row, A's row (status published), B's row, B's row (status published)",
      "✗ feedback: anon insert own row with post_id = A's row of posts: expected denied, got allowed",
      "✗ feedback: anon insert own row with post_id = B's row of posts: expected denied, got allowed",
      "✗ feedback: user A insert own row with post_id = B's row of posts: expected denied, got allowed",
      "✗ feedback: user B insert own row with post_id = A's row of posts: expected denied, got allowed",
    ]);
  });

  it('an update check without its where: the seller cancels an order', { timeout: 120_000 }, async () => {
    const report = await broken('ALTER POLICY orders_update ON public.orders WITH CHECK ((select auth.uid()) = seller_id)');
    expect(verifyProblems(report)).toEqual([
      "✗ orders: user A set status of B's row to cancelled: expected denied, got allowed (1 row)",
      "✗ orders: user A set status of B's row (status paid) to cancelled: expected denied, got allowed (1 row)",
      "✗ orders: user A set status of B's row (status shipped) to cancelled: expected denied, got allowed (1 row)",
      "✗ orders: user B set status of A's row to cancelled: expected denied, got allowed (1 row)",
      "✗ orders: user B set status of A's row (status paid) to cancelled: expected denied, got allowed (1 row)",
      "✗ orders: user B set status of A's row (status shipped) to cancelled: expected denied, got allowed (1 row)",
    ]);
  });

  it('{ org: member } without its where, and widened to admins: members change archived contacts', { timeout: 120_000 }, async () => {
    const members = 'org_id = ANY (ARRAY(SELECT altan_private.member_org_ids()))';
    const report = await broken(`ALTER POLICY contacts_update ON public.contacts USING (${members}) WITH CHECK (${members})`);
    expect(verifyProblems(report)).toEqual([
      "✗ contacts: org member update admin's row (archived true): expected denied, got allowed (1 row)",
      "✗ contacts: org member update member's row (archived true): expected denied, got allowed (1 row)",
      "✗ contacts: org member set archived of admin's row to true: expected denied, got allowed (1 row)",
      "✗ contacts: org member set archived of member's row to true: expected denied, got allowed (1 row)",
    ]);
  });

  it('the audit: a column privilege the file does not grant (supabase), the guard made executable', { timeout: 120_000 }, async () => {
    const grants = await broken(
      'GRANT UPDATE (total_cents) ON public.orders TO authenticated; GRANT INSERT ON public.profiles TO authenticated; GRANT UPDATE (title) ON public.posts TO anon',
      'supabase',
    );
    expect(verifyProblems(grants)).toEqual([
      // a command the file grants anon on no column at all: one finding, for the table
      '✗ anon has UPDATE on table public.posts (on some columns): not granted by the file nor the platform',
      '✗ authenticated has UPDATE on column total_cents of table public.orders (directly): not granted by the file nor the platform',
      '✗ authenticated has INSERT on column is_verified of table public.profiles (on the whole table): not granted by the file nor the platform',
    ]);
    expect(grants.status).toBe('failed');
    const guard = await broken('GRANT EXECUTE ON FUNCTION altan_private.public_orders_guard() TO anon');
    expect(verifyProblems(guard)).toEqual([
      '✗ anon has EXECUTE on function altan_private.public_orders_guard() (directly): not granted by the file nor the platform',
    ]);
  });

  it("a per-user view with rows: user A is served none of others'; without its filter, all of them", { timeout: 120_000 }, async () => {
    const rows = `INSERT INTO auth.users (id) VALUES ('00000000-0000-4000-8000-00000000000a'), ('00000000-0000-4000-8000-00000000000b');
      INSERT INTO public.orders (buyer_id, seller_id) VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b');
      REFRESH MATERIALIZED VIEW altan_private.order_totals`;
    const filtered = await broken(rows);
    expect(verifyProblems(filtered)).toEqual([]);
    // the view holds rows already: it is not refreshed, and user A (new) owns none of them
    expect(passedRequests(filtered)).toContain('view order_totals: user A read: own rows only (buyer_id) → none');
    const open = `CREATE OR REPLACE VIEW public.order_totals WITH (security_invoker = true) AS SELECT * FROM altan_private.order_totals`;
    expect(verifyProblems(await broken(`${rows}; ${open}`))).toEqual([
      '✗ view order_totals: user A read: own rows only (buyer_id): expected none, got 1 of others',
    ]);
  });

  it.each([
    ['blog-drafts.yaml', 'altan'],
    ['orders.yaml', 'supabase'],
  ] as const)("the contract's %s (target %s) verifies clean", { timeout: 120_000 }, async (name, target) => {
    const db = await database(`verify terms ${name}`);
    const file = await compiled(name, target);
    expect((await apply(db, file)).status).toBe('applied');
    const report = await verify(db, file);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.passed).toBe(report.results.length);
  });

  it('a where no test row meets: its requests are not tested, with the reason, never passed', { timeout: 120_000 }, async () => {
    const db = await database('verify terms uncovered');
    const file = await compile(
      `version: 1
entities:
  posts:
    access: { read: [owner, { level: public, where: "title = 'never'" }], create: owner, update: owner, delete: owner }
    fields:
      title: { type: text, required: true }
`,
      { fileName: 'uncovered.yaml' },
    );
    expect((await apply(db, file)).status).toBe('applied');
    const report = await verify(db, file);
    expect(verifyProblems(report)).toEqual(["– posts: everyone requests on rows where title = 'never': not tested: no test row where title = 'never' holds"]);
    expect(report.status).toBe('passed');
  });
  it('columns named __proto__ and constructor are sent as columns; a read-only default the column rounds is still its default', {
    timeout: 120_000,
  }, async () => {
    const db = await database('verify terms proto');
    const file = await compile(
      `version: 1
entities:
  notes:
    access: { read: [owner, { user: constructor }], create: owner, update: owner, delete: owner }
    fields:
      __proto__: { type: datetime, required: true }
      total: { type: "numeric(18)", readonly: true }
      constructor: { type: uuid, references: auth.users }
      rounded: { type: "numeric(4)", readonly: true, required: true, default: "-3553.126206" }
      flag: { type: boolean, readonly: true, default: { sql: "NOT false" } }
`,
      { fileName: 'proto.yaml' },
    );
    expect((await apply(db, file)).status).toBe('applied');
    const report = await verify(db, file);
    // Before: INSERT … (__proto__, total) VALUES ([object Object], 1), a syntax error, for the read-only probe;
    // the guard refused a row left to the default of `rounded` (stored -3553, compared with -3553.126206);
    // and verify sent `true` for `flag` as a value other than its default NOT false.
    expect(verifyProblems(report)).toEqual([]);
    expect(passedRequests(report)).toEqual(
      expect.arrayContaining([
        'notes: user A insert own row → allowed',
        'notes: user A insert own row with read-only total set → denied',
        'notes: user A insert own row with read-only flag set → denied',
      ]),
    );
  });
  it.each(['child first', 'parent first'])(
    'a create where on a reference that closes a cycle (%s): not probed with made-up values, as other references are not',
    { timeout: 120_000 },
    async (order) => {
      const child = `  entries:
    access: { read: authenticated, create: [authenticated, { level: authenticated, where: '"folder_id" IS NOT NULL' }], update: owner, delete: owner }
    fields:
      folder_id: { references: folders }
`;
      const parent = `  folders:
    access: private
    fields:
      entry_id: { references: entries }
`;
      const db = await database(`verify terms cycle ${order}`);
      const file = await compile(`version: 1\nentities:\n${order === 'child first' ? child + parent : parent + child}`, { fileName: 'cycle.yaml' });
      // entries sorts before folders: its reference is the one added after both tables
      expect(file.model.deferredForeignKeys.map((fk) => `${fk.table}.${fk.column}`)).toEqual(['entries.folder_id']);
      expect((await apply(db, file)).status).toBe('applied');
      // Before: "insert own row with folder_id = <a folder>" expected allowed, refused by the reference rule.
      expect(verifyProblems(await verify(db, file))).toEqual([]);
    },
  );
});
