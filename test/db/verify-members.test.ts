/**
 * verify on members and `member`/`via` terms (issue 16; test/fixtures/access-members/board.yaml:
 * the contract's project board with admin/editor/viewer members, tasks through it, task comments
 * two levels down, a course one joins), on real PostgreSQL and on PGlite: as applied it verifies
 * clean, each term probed with members of every role, non-members, the parent's owner and anon;
 * then each break — a members table's SELECT opened to everyone, a via policy dropped, a member
 * allowed to raise their own role, the creator's membership trigger dropped, a parent's ids
 * helper widened — is made inside a transaction, verified there and rolled back, and the report
 * names the table, actor and request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';
import { verifyAfter, verifyProblems } from './verify-checks.js';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'access-members', 'board.yaml');
const compiled = await compile(readFileSync(FILE, 'utf8'), { fileName: 'board.yaml' });

/** `subject: actor operation → expected` of the requests that passed. */
const passed = (report: VerifyReport) =>
  report.results.filter((r) => r.status === 'pass' && r.audit === undefined).map((r) => `${r.subject}: ${r.actor} ${r.operation} → ${r.expected}`);

describe.each(['postgres', 'pglite'] as const)('verify on members and via terms (%s)', (backend) => {
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    if (backend === 'pglite') db = await memoryDatabase();
    else {
      url = await freshDatabase('verify members');
      db = await connect(url);
    }
    expect((await apply(db, compiled)).status).toBe('applied');
  }, 120_000);
  afterAll(async () => {
    if (url !== undefined) await dropDatabase(url);
  });
  const broken = (sql: string): Promise<VerifyReport> => verifyAfter(db, compiled, sql);

  it('passes as applied, every term probed', { timeout: 120_000 }, async () => {
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(passed(report)).toEqual(
      expect.arrayContaining([
        // member / { member: ROLES }: A's project has A (its creator, admin), an admin, an editor and a viewer; B's only B
        'projects: anon read → none',
        "projects: outsider read → A's row",
        "projects: user B read → B's row",
        "projects: org member update A's row → allowed",
        "projects: outsider update A's row → denied",
        "projects: org member delete A's row → denied",
        "projects: org admin delete A's row → allowed",
        // { via: project_id } and its member roles; the parent's owner
        'tasks: outsider read → row 1',
        'tasks: user B read → row 2',
        'tasks: outsider insert own row → denied',
        'tasks: org member insert own row → allowed',
        'tasks: org member delete row 1 → denied',
        'tasks: user A delete row 1 → allowed',
        "tasks: org member insert own row with project_id = B's row of projects → denied",
        // two levels: comments follow their task, which follows its project; a NULL reference grants nothing
        "task_comments: outsider read → A's row",
        "task_comments: user A update A's row (task_id null) → denied",
        'task_comments: user A insert own row with task_id = null → denied',
        "task_comments: user B point B's row task_id at row 1 of tasks → denied",
        // the members tables
        "projects_members: user B read → B's row: user B (admin)",
        "projects_members: org member add user B to A's row as viewer → denied",
        "projects_members: org admin add user B to A's row as admin → allowed",
        "projects_members: org member raise own role of A's row to admin → denied",
        "projects_members: org admin step down in A's row to viewer → allowed",
        "projects_members: org admin move outsider's membership of A's row to B's row → denied",
        "projects_members: outsider leave A's row → allowed",
        "projects_members: org member remove outsider from A's row → denied",
        'projects_members: user B create a projects row and become its admin → allowed',
        "projects_members: user B join A's row as viewer → denied",
        // join: open, into a row one may read, with the last role only
        "courses_members: user B join A's row (published true) as student → allowed",
        "courses_members: user B join A's row as student → denied",
        "courses_members: user B join A's row as teacher → denied",
      ]),
    );
  });

  it('a members table readable by everyone signed in: memberships of other rows are seen', { timeout: 120_000 }, async () => {
    const problems = verifyProblems(await broken('ALTER POLICY projects_members_select ON public.projects_members USING (true)'));
    expect(problems).toHaveLength(5);
    expect(problems).toContain(
      "✗ projects_members: user B read: expected B's row: user B (admin), got A's row: org admin (admin), A's row: org member (editor), A's row: outsider (viewer), A's row: user A (admin), B's row: user B (admin)",
    );
  });

  it("a via policy dropped: nobody reads the project's tasks", { timeout: 120_000 }, async () => {
    const problems = verifyProblems(await broken('DROP POLICY tasks_select ON public.tasks'));
    expect(problems).toEqual(
      expect.arrayContaining([
        '✗ tasks: outsider read: expected row 1, got none',
        '✗ tasks: user B read: expected row 2, got none',
        "✗ policy tasks_select on public.tasks: the file's, missing",
      ]),
    );
  });

  it('a member allowed to update their own membership: they raise their own role', { timeout: 120_000 }, async () => {
    const manager = "project_id = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(ARRAY['admin'])))";
    const sql = `ALTER POLICY projects_members_update ON public.projects_members USING (user_id = (select auth.uid()) OR ${manager}) WITH CHECK (true)`;
    expect(verifyProblems(await broken(sql))).toEqual([
      "✗ projects_members: org member raise own role of A's row to admin: expected denied, got allowed (1 row)",
      "✗ projects_members: outsider raise own role of A's row to admin: expected denied, got allowed (1 row)",
    ]);
  });

  it("the creator's membership trigger dropped: creators do not manage their rows", { timeout: 120_000 }, async () => {
    const problems = verifyProblems(await broken('DROP TRIGGER projects_add_owner_member ON public.projects'));
    expect(problems).toEqual(
      expect.arrayContaining([
        "✗ projects: user A update A's row: expected allowed, got denied (0 rows)",
        '✗ projects_members: user B create a projects row and become its admin: expected allowed, got denied (created, but its creator is not its admin)',
      ]),
    );
  });

  it("a parent's ids helper widened: every task's comments are read, and written to", { timeout: 120_000 }, async () => {
    const sql =
      "CREATE OR REPLACE FUNCTION altan_private.public_tasks_ids_read() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$ SELECT id FROM public.tasks $$";
    const problems = verifyProblems(await broken(sql));
    expect(problems).toHaveLength(12);
    expect(problems).toEqual(
      expect.arrayContaining([
        "✗ task_comments: outsider read: expected A's row, got A's row, B's row",
        '✗ task_comments: outsider insert own row with task_id = row 2 of tasks: expected denied, got allowed',
        "✗ task_comments: user B point B's row task_id at row 1 of tasks: expected denied, got allowed (1 row)",
      ]),
    );
  });

  it('join: open without its checks: anyone joins any row, with any role', { timeout: 120_000 }, async () => {
    const teacher = "course_id = ANY (ARRAY(SELECT altan_private.public_courses_member_ids(ARRAY['teacher'])))";
    const sql = `ALTER POLICY courses_members_insert ON public.courses_members WITH CHECK (user_id = (select auth.uid()) OR ${teacher})`;
    expect(verifyProblems(await broken(sql))).toEqual([
      "✗ courses_members: user B join A's row as student: expected denied, got allowed",
      "✗ courses_members: user B join A's row as teacher: expected denied, got allowed",
      "✗ courses_members: outsider join B's row as student: expected denied, got allowed",
    ]);
  });
});
