/**
 * verify on members and `member`/`via` terms (issue 16), on real PostgreSQL and on PGlite, with
 * test/fixtures/access-members: board.yaml (the contract's project board with admin/editor/viewer
 * members, tasks through it, task comments two levels down, a course one joins), via-parents.yaml
 * (comments through a post that anon may read, a post's author moderating through `can: update`,
 * boards through the generated organizations) and rooms.yaml (four roles, join: open, one role).
 * As applied they verify clean, on both targets, each term probed with members of every role,
 * non-members, the parent's owner and anon. Then each break — a members table's SELECT opened to
 * everyone, a via policy dropped, a member allowed to raise their own role, the creator's
 * membership trigger dropped, a parent's ids helper widened, `join: open` without its checks, the
 * owner's read dropped from a members entity's SELECT policy, a helper or a members table granted
 * beyond the file — is made inside a transaction, verified there and rolled back, and the report
 * names the table, actor and request (or the privilege).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/verify/run.js';
import { databases, passedRequests, verifyAfter, verifyProblems } from './verify-checks.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'access-members');
const compiled = await compile(readFileSync(join(FIXTURES, 'board.yaml'), 'utf8'), { fileName: 'board.yaml' });
const parents = await compile(readFileSync(join(FIXTURES, 'via-parents.yaml'), 'utf8'), { fileName: 'via-parents.yaml' });
const rooms = await compile(readFileSync(join(FIXTURES, 'rooms.yaml'), 'utf8'), { fileName: 'rooms.yaml' });

describe.each(['postgres', 'pglite'] as const)('verify on members and via terms (%s)', (backend) => {
  let db: Database;
  let parentsDb: Database;
  const database = databases(backend);
  beforeAll(async () => {
    db = await database('verify members');
    expect((await apply(db, compiled)).status).toBe('applied');
    parentsDb = await database('verify via parents');
    expect((await apply(parentsDb, parents)).status).toBe('applied');
  }, 120_000);
  const broken = (sql: string): Promise<VerifyReport> => verifyAfter(db, compiled, sql);

  it('passes as applied, every term probed', { timeout: 120_000 }, async () => {
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(passedRequests(report)).toEqual(
      expect.arrayContaining([
        // member / { member: ROLES }: A's project has A (its creator, admin), an admin, an editor and a viewer; B's only B
        'projects: anon read → none',
        "projects: outsider read → A's row",
        "projects: user B read → B's row",
        "projects: user D update A's row → allowed",
        "projects: outsider update A's row → denied",
        "projects: user D delete A's row → denied",
        "projects: user C delete A's row → allowed",
        // { via: project_id } and its member roles; the parent's owner
        "tasks: outsider read → row 1, row 2 (project_id → A's row)",
        "tasks: user B read → row 1 (project_id → B's row), row 2",
        "tasks: user A delete row 1 (project_id → B's row) → denied",
        'tasks: outsider insert own row → denied',
        'tasks: user D insert own row → allowed',
        'tasks: user D delete row 1 → denied',
        'tasks: user A delete row 1 → allowed',
        "tasks: user D insert own row with project_id = B's row of projects → denied",
        // two levels: comments follow their task, which follows its project; a NULL reference grants nothing
        "task_comments: outsider read → A's row, A's row (task_id → row 2 (project_id → A's row)), B's row (task_id → row 1), B's row (task_id → row 2 (project_id → A's row))",
        "task_comments: user A update A's row (task_id null) → denied",
        'task_comments: user A insert own row with task_id = null → denied',
        "task_comments: user B point B's row task_id at row 1 of tasks → denied",
        // the members tables
        "projects_members: user B read → B's row: user B (admin)",
        "projects_members: user D add user B to A's row as viewer → denied",
        "projects_members: user C add user B to A's row as admin → allowed",
        "projects_members: user D raise own role of A's row to admin → denied",
        "projects_members: user C step down in A's row to viewer → allowed",
        "projects_members: user A demote user C in A's row to viewer → allowed",
        "projects_members: user D demote user C in A's row to viewer → denied",
        "projects_members: user C move outsider's membership of A's row to B's row → denied",
        "projects_members: outsider leave A's row → allowed",
        "projects_members: user D remove outsider from A's row → denied",
        'projects_members: user B create a projects row and become its admin → allowed',
        "projects_members: user B join A's row as viewer → denied",
        "projects: user A leave A's row, then read it → A's row",
        // join: open, into a row one may read, with the last role only
        "courses_members: user B join A's row (published true) as student → allowed",
        "courses_members: user B join A's row as student → denied",
        "courses_members: user B join A's row as teacher → denied",
      ]),
    );
  });

  it('via a public parent, can update, and the generated organizations', { timeout: 120_000 }, async () => {
    const report = await verify(parentsDb, parents);
    expect(verifyProblems(report)).toEqual([]);
    expect(passedRequests(report)).toEqual(
      expect.arrayContaining([
        // anon reads the comments of published posts only, whoever wrote them
        "comments: anon read → A's row (post_id → A's row (status published)), A's row (post_id → B's row (status published)), B's row (post_id → A's row (status published)), B's row (post_id → B's row (status published))",
        // { via: post_id, can: update }: the post's author deletes others' comments on it
        "comments: user B delete A's row (post_id → B's row) → allowed",
        "comments: user A delete B's row (post_id → B's row (status published)) → denied",
        // via the generated organizations: membership of each row's organization
        'boards: outsider read → row 2',
        'boards: org member read → row 1',
        'boards: user A read → none',
        'boards: org member update row 1 → denied',
        'boards: outsider delete row 2 → allowed',
      ]),
    );
  });

  it('passes on target supabase (its grants exact: the members table and helpers to authenticated only)', { timeout: 120_000 }, async () => {
    const supabase = await compile(readFileSync(join(FIXTURES, 'board.yaml'), 'utf8'), { fileName: 'board.yaml', target: 'supabase' });
    const target = await database('verify members supabase');
    expect((await apply(target, supabase)).status).toBe('applied');
    expect(verifyProblems(await verify(target, supabase))).toEqual([]);
    // a grant on the members table beyond the file's is reported there
    expect(verifyProblems(await verifyAfter(target, supabase, 'GRANT SELECT ON public.projects_members TO anon'))).toEqual([
      '✗ anon has SELECT on table public.projects_members (directly): not granted by the file nor the platform',
    ]);
  });

  it('four roles, join: open into the rooms one may read, via can update and delete two levels down, one role', { timeout: 120_000 }, async () => {
    const target = await database('verify members rooms');
    expect((await apply(target, rooms)).status).toBe('applied');
    const report = await verify(target, rooms);
    expect(verifyProblems(report)).toEqual([]);
    expect(passedRequests(report)).toEqual(
      expect.arrayContaining([
        "rooms_members: user B join A's row (is_public true, archived true) as listener → allowed",
        "rooms_members: user B join A's row as listener → denied",
        "rooms_members: user B join A's row as owner → denied",
        "rooms_members: user D raise own role of A's row to owner → denied",
        "rooms_members: user A promote outsider in A's row to owner → allowed",
        "rooms_members: user C promote outsider in A's row to owner → denied",
        // a room's owner and moderators delete its messages (can: update), a message's author deletes theirs
        "messages: user A delete B's row (room_id → A's row) → allowed",
        "messages: user A delete A's row (room_id → B's row) → denied",
        'solo_members: user D read → none',
      ]),
    );
  });

  it('a members table readable by everyone signed in: memberships of other rows are seen', { timeout: 120_000 }, async () => {
    const problems = verifyProblems(await broken('ALTER POLICY projects_members_select ON public.projects_members USING (true)'));
    expect(problems).toHaveLength(5);
    expect(problems).toContain(
      "✗ projects_members: user B read: expected B's row: user B (admin), got A's row: outsider (viewer), A's row: user A (admin), A's row: user C (admin), A's row: user D (editor), B's row: user B (admin)",
    );
  });

  it("a via policy dropped: nobody reads the project's tasks", { timeout: 120_000 }, async () => {
    const problems = verifyProblems(await broken('DROP POLICY tasks_select ON public.tasks'));
    expect(problems).toEqual(
      expect.arrayContaining([
        "✗ tasks: outsider read: expected row 1, row 2 (project_id → A's row), got none",
        "✗ tasks: user B read: expected row 1 (project_id → B's row), row 2, got none",
        "✗ policy tasks_select on public.tasks: the file's, missing",
      ]),
    );
  });

  it('a member allowed to update their own membership: they raise their own role', { timeout: 120_000 }, async () => {
    const manager = "project_id = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(ARRAY['admin'])))";
    const sql = `ALTER POLICY projects_members_update ON public.projects_members USING (user_id = (select auth.uid()) OR ${manager}) WITH CHECK (true)`;
    expect(verifyProblems(await broken(sql))).toEqual([
      "✗ projects_members: user D raise own role of A's row to admin: expected denied, got allowed (1 row)",
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
    // comments only: the tasks themselves keep their own policies
    expect(problems.filter((p) => !p.startsWith('✗ task_comments: '))).toEqual([]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✗ task_comments: outsider read: expected A's row, .*got A's row, A's row \(task_id → row 1 \(project_id → B's row\)\)/),
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

  it("the audit: the members helpers and tables are the file's; anon executing one is not", { timeout: 120_000 }, async () => {
    // (on altan, apply_postgrest_permissions() may grant the API roles any table: RLS guards the members table, and anon still reads none)
    const report = await broken(
      'GRANT EXECUTE ON FUNCTION altan_private.public_projects_member_ids(text[]) TO anon; GRANT SELECT ON public.projects_members TO anon',
    );
    expect(verifyProblems(report)).toEqual([
      '✗ anon has EXECUTE on function altan_private.public_projects_member_ids(roles text[]) (directly): not granted by the file nor the platform',
    ]);
  });

  it("the owner's read dropped from a members entity's SELECT policy: an owner who left no longer reads the row", { timeout: 120_000 }, async () => {
    const sql = 'ALTER POLICY projects_select ON public.projects USING (id = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(NULL))))';
    // and insert … returning of a new row fails: its creator's membership is not visible to the statement yet
    expect(verifyProblems(await broken(sql))).toEqual([
      '✗ projects_members: user B create a projects row and become its admin: expected allowed, got denied (row-level security)',
      "✗ projects: user A leave A's row, then read it: expected A's row, got none",
    ]);
  });
});
