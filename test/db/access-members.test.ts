/**
 * Members of any entity and `member`/`via` terms applied for real, on Postgres
 * and PGlite, as an attacker would try them (golden cases members-roles,
 * members-join-open, via-two-levels): members of every role, the owner, an
 * outsider and anon; adding, promoting, demoting, leaving, joining; raising
 * one's own role; linking a child to a parent one may not read, or to an id
 * that does not exist; a chain two levels deep. No request ever meets
 * infinite recursion (42P17): every policy reads membership through helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { CASES_DIR } from '../helpers.js';
import { BACKENDS, anon, expectRlsViolation, failure, namer, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const caseFile = async (name: string) => await compile(readFileSync(join(CASES_DIR, name, 'requirements.yaml')), { fileName: 'requirements.yaml' });

const ID = {
  A: uuid(0xa), // owns P1: its admin by the trigger
  E: uuid(0xe), // editor of P1
  V: uuid(0x5), // viewer of P1
  O: uuid(0x0f), // outsider
  B: uuid(0xb), // owns P2
  P1: uuid(0x101),
  P2: uuid(0x102),
  T1: uuid(0x201),
  T2: uuid(0x202),
  nowhere: uuid(0x999),
} as const;
const names = namer(ID);

async function seedBoard(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.E, ID.V, ID.O, ID.B]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.projects (id, user_id, name) VALUES ('${ID.P1}', '${ID.A}', 'One'), ('${ID.P2}', '${ID.B}', 'Two');
    INSERT INTO public.project_members (project_id, user_id, role) VALUES ('${ID.P1}', '${ID.E}', 'editor'), ('${ID.P1}', '${ID.V}', 'viewer');
    INSERT INTO public.tasks (id, project_id, title) VALUES ('${ID.T1}', '${ID.P1}', 'First'), ('${ID.T2}', '${ID.P2}', 'Second');`);
}

const board = await caseFile('members-roles');

describe.each(BACKENDS)('a project board with admins, editors and viewers, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', board, seedBoard);
  const seen = (actor: Parameters<Backend['as']>[0]) =>
    b.as(actor, async (s) => ({
      projects: names(await s.query('SELECT id FROM public.projects')),
      tasks: names(await s.query('SELECT id FROM public.tasks')),
      members: names(await s.query('SELECT user_id FROM public.project_members'), 'user_id'),
    }));
  const rollback = { rollback: true };

  it('the trigger made each owner the admin of their project', async () => {
    const rows = await b.db.query<{ project_id: string; user_id: string; role: string }>(
      'SELECT project_id, user_id, role FROM public.project_members ORDER BY project_id, role, user_id',
    );
    expect(rows).toEqual([
      { project_id: ID.P1, user_id: ID.A, role: 'admin' },
      { project_id: ID.P1, user_id: ID.E, role: 'editor' },
      { project_id: ID.P1, user_id: ID.V, role: 'viewer' },
      { project_id: ID.P2, user_id: ID.B, role: 'admin' },
    ]);
  });

  it('members of every role read their project, its tasks and its members; an outsider and anon nothing', async () => {
    const p1 = { projects: ['P1'], tasks: ['T1'], members: ['A', 'E', 'V'] };
    expect(await seen(user(ID.A))).toEqual(p1);
    expect(await seen(user(ID.E))).toEqual(p1);
    expect(await seen(user(ID.V))).toEqual(p1);
    expect(await seen(user(ID.O))).toEqual({ projects: [], tasks: [], members: [] });
    expect(await b.query(anon, 'SELECT id FROM public.tasks')).toEqual([]);
  });

  it('a new project is returned to its creator at once, who is then its admin', async () => {
    const rows = await b.as(
      user(ID.O),
      async (s) => {
        const made = await s.query<{ id: string }>(`INSERT INTO public.projects (name) VALUES ('Mine') RETURNING id`);
        const id = made[0]?.id as string;
        return await s.query(`SELECT user_id, role FROM public.project_members WHERE project_id = $1`, [id]);
      },
      rollback,
    );
    expect(rows).toEqual([{ user_id: ID.O, role: 'admin' }]);
  });

  it('only the admin adds members; an editor cannot, nor can an outsider add themselves (join: invite)', async () => {
    const add = (actor: string, who: string, role: string) =>
      b.query(user(actor), `INSERT INTO public.project_members (project_id, user_id, role) VALUES ($1, $2, $3)`, [ID.P1, who, role], rollback);
    expect(await add(ID.A, ID.O, 'viewer')).toEqual([]);
    await expectRlsViolation(add(ID.E, ID.O, 'viewer'));
    await expectRlsViolation(add(ID.O, ID.O, 'viewer'));
    await expectRlsViolation(add(ID.O, ID.O, 'admin'));
    // The admin of another project cannot add to this one.
    await expectRlsViolation(add(ID.B, ID.O, 'viewer'));
  });

  it('nobody raises their own role; the admin promotes and demotes, and may step down', async () => {
    const setRole = (actor: string, who: string, role: string) =>
      b.query(user(actor), `UPDATE public.project_members SET role = $3 WHERE project_id = $1 AND user_id = $2 RETURNING role`, [ID.P1, who, role], rollback);
    expect(await setRole(ID.V, ID.V, 'admin')).toEqual([]);
    expect(await setRole(ID.E, ID.E, 'admin')).toEqual([]);
    expect(await setRole(ID.E, ID.V, 'editor')).toEqual([]);
    expect(await setRole(ID.A, ID.V, 'editor')).toEqual([{ role: 'editor' }]);
    expect(await setRole(ID.A, ID.E, 'viewer')).toEqual([{ role: 'viewer' }]);
    expect(await setRole(ID.A, ID.A, 'viewer')).toEqual([{ role: 'viewer' }]);
    // A role that is not one of the roles is refused by the table itself.
    expect((await failure(setRole(ID.A, ID.V, 'owner'))).code).toBe('23514');
  });

  it('anyone leaves; only the admin removes another member', async () => {
    const remove = (actor: string, who: string) =>
      b.query(user(actor), `DELETE FROM public.project_members WHERE project_id = $1 AND user_id = $2 RETURNING user_id`, [ID.P1, who], rollback);
    expect(names(await remove(ID.V, ID.V), 'user_id')).toEqual(['V']);
    expect(await remove(ID.E, ID.V)).toEqual([]);
    expect(await remove(ID.O, ID.V)).toEqual([]);
    expect(names(await remove(ID.A, ID.V), 'user_id')).toEqual(['V']);
  });

  it('editors create tasks in their project; a viewer, an outsider or an editor elsewhere cannot; a missing id is refused the same way', async () => {
    const create = (actor: string, project: string) =>
      b.query(user(actor), `INSERT INTO public.tasks (project_id, title) VALUES ($1, 'New') RETURNING project_id`, [project], rollback);
    expect(await create(ID.E, ID.P1)).toEqual([{ project_id: ID.P1 }]);
    expect(await create(ID.A, ID.P1)).toEqual([{ project_id: ID.P1 }]);
    await expectRlsViolation(create(ID.V, ID.P1));
    await expectRlsViolation(create(ID.O, ID.P1));
    await expectRlsViolation(create(ID.E, ID.P2));
    // No foreign-key error tells whether the id exists.
    await expectRlsViolation(create(ID.E, ID.nowhere));
  });

  it('a task never moves to another project (immutable), and its assignee (a viewer) edits it but cannot hand it on', async () => {
    const e = await failure(b.query(user(ID.A), `UPDATE public.tasks SET project_id = $1 WHERE id = $2`, [ID.P2, ID.T1], rollback));
    expect(e.code).toBe('42501');
    await b.db.exec(`UPDATE public.tasks SET assignee_id = '${ID.V}' WHERE id = '${ID.T1}'`);
    await b
      .as(
        user(ID.V),
        async (s) => {
          expect(await s.query(`UPDATE public.tasks SET title = 'Mine now' WHERE id = $1 RETURNING title`, [ID.T1])).toEqual([{ title: 'Mine now' }]);
          await expectRlsViolation(s.query(`UPDATE public.tasks SET assignee_id = $1 WHERE id = $2`, [ID.B, ID.T1]));
        },
        rollback,
      )
      .finally(() => b.db.exec(`UPDATE public.tasks SET assignee_id = NULL WHERE id = '${ID.T1}'`));
  });

  it('only the admin deletes tasks and the project; a project pins only a task its writer may read', async () => {
    expect(await b.query(user(ID.E), `DELETE FROM public.tasks WHERE id = $1 RETURNING id`, [ID.T1], rollback)).toEqual([]);
    expect(names(await b.query(user(ID.A), `DELETE FROM public.tasks WHERE id = $1 RETURNING id`, [ID.T1], rollback))).toEqual(['T1']);
    expect(await b.query(user(ID.E), `DELETE FROM public.projects WHERE id = $1 RETURNING id`, [ID.P1], rollback)).toEqual([]);
    const pin = (task: string) => b.query(user(ID.E), `UPDATE public.projects SET pinned_task_id = $1 WHERE id = $2 RETURNING id`, [task, ID.P1], rollback);
    expect(names(await pin(ID.T1))).toEqual(['P1']);
    await expectRlsViolation(pin(ID.T2));
  });
});

const courses = await caseFile('members-join-open');
const C = { T: uuid(0xa), S: uuid(0xb), O: uuid(0xc), open: uuid(0x301), draft: uuid(0x302) } as const;

describe.each(BACKENDS)('a course students join themselves (join: open), on %s', (backend) => {
  const b = useBackend(backend, 'fresh', courses, async (b) => {
    for (const id of [C.T, C.S, C.O]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.courses (id, user_id, title, published) VALUES ('${C.open}', '${C.T}', 'Open', true), ('${C.draft}', '${C.T}', 'Draft', false);
      INSERT INTO public.courses_members (course_id, user_id, role) VALUES ('${C.open}', '${C.S}', 'student');`);
  });
  const join = (actor: string, course: string, role: string) =>
    b.query(user(actor), `INSERT INTO public.courses_members (course_id, user_id, role) VALUES ($1, $2, $3)`, [course, actor, role], { rollback: true });

  it('a signed-in user joins a published course as a student, never as a teacher, never a draft, never for someone else', async () => {
    expect(await join(C.O, C.open, 'student')).toEqual([]);
    await expectRlsViolation(join(C.O, C.open, 'teacher'));
    await expectRlsViolation(join(C.O, C.draft, 'student'));
    await expectRlsViolation(
      b.query(user(C.O), `INSERT INTO public.courses_members (course_id, user_id, role) VALUES ($1, $2, 'student')`, [C.open, C.S], { rollback: true }),
    );
  });

  it('a student cannot promote themselves to teacher', async () => {
    expect(await b.query(user(C.S), `UPDATE public.courses_members SET role = 'teacher' WHERE user_id = $1 RETURNING role`, [C.S], { rollback: true })).toEqual(
      [],
    );
  });
});

const chain = await caseFile('via-two-levels');
const W = { A: uuid(0xa), V: uuid(0xb), O: uuid(0xc), P: uuid(0x101), T: uuid(0x201), mine: uuid(0x301), theirs: uuid(0x302) } as const;
const wnames = namer(W);

describe.each(BACKENDS)('task comments through their task through its project (via two levels), on %s', (backend) => {
  const b = useBackend(backend, 'fresh', chain, async (b) => {
    for (const id of [W.A, W.V, W.O]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.projects (id, user_id, name) VALUES ('${W.P}', '${W.A}', 'P');
      INSERT INTO public.projects_members (project_id, user_id, role) VALUES ('${W.P}', '${W.V}', 'viewer');
      INSERT INTO public.tasks (id, project_id, title) VALUES ('${W.T}', '${W.P}', 'T');
      INSERT INTO public.task_comments (id, user_id, task_id, body) VALUES ('${W.mine}', '${W.V}', '${W.T}', 'hi'), ('${W.theirs}', '${W.A}', '${W.T}', 'yo');`);
  });

  it('members read the comments of their project tasks; an outsider reads none and cannot comment', async () => {
    expect(wnames(await b.query(user(W.V), 'SELECT id FROM public.task_comments'))).toEqual(['mine', 'theirs']);
    expect(await b.query(user(W.O), 'SELECT id FROM public.task_comments')).toEqual([]);
    await expectRlsViolation(b.query(user(W.O), `INSERT INTO public.task_comments (task_id, body) VALUES ($1, 'x')`, [W.T], { rollback: true }));
    expect(await b.query(user(W.V), `INSERT INTO public.task_comments (task_id, body) VALUES ($1, 'x') RETURNING body`, [W.T], { rollback: true })).toEqual([
      { body: 'x' },
    ]);
  });

  it('who may update the task (an admin) deletes any comment; a viewer only their own', async () => {
    const del = (actor: string, id: string) => b.query(user(actor), 'DELETE FROM public.task_comments WHERE id = $1 RETURNING id', [id], { rollback: true });
    expect(await del(W.V, W.theirs)).toEqual([]);
    expect(wnames(await del(W.V, W.mine))).toEqual(['mine']);
    expect(wnames(await del(W.A, W.mine))).toEqual(['mine']);
  });

  it('a member who leaves loses the chain at once', async () => {
    const rows = await b.as(
      user(W.V),
      async (s) => {
        await s.query('DELETE FROM public.projects_members WHERE user_id = $1', [W.V]);
        return await s.query('SELECT id FROM public.task_comments');
      },
      { rollback: true },
    );
    expect(rows).toEqual([]);
  });
});
