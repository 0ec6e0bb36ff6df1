/**
 * examples/todo applied for real, then used as PostgREST would: who reads,
 * creates, changes and deletes which profiles, projects and to-dos. Every
 * scenario runs on the test server's Postgres and on PGlite.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectPermissionDenied, expectRlsViolation, namer, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const compiled = await compileExample('todo');

const ID = {
  A: uuid(0xa), // alice: profile, project pA with to-do tA
  B: uuid(0xb), // bob: profile, project pB with to-do tB
  C: uuid(0xc), // signed up, no profile yet
  D: uuid(0xd), // signed up, no profile yet
  pA: uuid(0x101),
  pB: uuid(0x102),
  tA: uuid(0x201),
  tB: uuid(0x202),
} as const;
const names = namer(ID);
const A = user(ID.A);
const B = user(ID.B);
const C = user(ID.C);

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.B, ID.C, ID.D]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.profiles (id, username) VALUES ('${ID.A}', 'alice'), ('${ID.B}', 'bob');
    INSERT INTO public.projects (id, user_id, name) VALUES ('${ID.pA}', '${ID.A}', 'Home'), ('${ID.pB}', '${ID.B}', 'Work');
    INSERT INTO public.todos (id, user_id, project_id, title) VALUES
      ('${ID.tA}', '${ID.A}', '${ID.pA}', 'buy milk'),
      ('${ID.tB}', '${ID.B}', '${ID.pB}', 'send report');`);
}

describe.each(BACKENDS)('todo example on %s', (backend) => {
  const b = useBackend(backend, 'cron', compiled, seed);
  const rows = (table: string) => b.db.query(`SELECT * FROM public.${table} ORDER BY id`);

  it('anon reads every profile and no project or to-do', async () => {
    expect(names(await b.query(anon, 'SELECT id FROM public.profiles'))).toEqual(['A', 'B']);
    expect(await b.query(anon, 'SELECT id FROM public.projects')).toEqual([]);
    expect(await b.query(anon, 'SELECT id FROM public.todos')).toEqual([]);
  });

  it('each user reads every profile but only their own projects and to-dos', async () => {
    for (const [actor, own] of [
      [A, 'A'],
      [B, 'B'],
    ] as const) {
      expect(names(await b.query(actor, 'SELECT id FROM public.profiles'))).toEqual(['A', 'B']);
      expect(names(await b.query(actor, 'SELECT id FROM public.projects'))).toEqual([`p${own}`]);
      expect(names(await b.query(actor, 'SELECT id FROM public.todos'))).toEqual([`t${own}`]);
    }
    // asking for the other's row by id changes nothing
    expect(await b.query(A, 'SELECT id FROM public.todos WHERE id = $1', [ID.tB])).toEqual([]);
    // a user with no rows sees none
    expect(await b.query(C, 'SELECT id FROM public.projects UNION ALL SELECT id FROM public.todos')).toEqual([]);
  });

  it('a row inserted without its owner column belongs to the caller', async () => {
    const created = await b.as(
      A,
      async (s) => {
        const [project] = await s.query<{ id: string; user_id: string }>(`INSERT INTO public.projects (name) VALUES ('Garden') RETURNING id, user_id`);
        const [todo] = await s.query(`INSERT INTO public.todos (project_id, title) VALUES ($1, 'water plants') RETURNING user_id`, [project?.id]);
        return { project: project?.user_id, todo: todo?.user_id };
      },
      { rollback: true },
    );
    expect(created).toEqual({ project: ID.A, todo: ID.A });
    // the profile's key is the owner: it defaults to the caller too
    const [profile] = await b.query(C, `INSERT INTO public.profiles (username) VALUES ('carol') RETURNING id`, [], { rollback: true });
    expect(profile).toEqual({ id: ID.C });
  });

  it('inserting a row owned by someone else is refused', async () => {
    await expectRlsViolation(b.query(A, `INSERT INTO public.projects (name, user_id) VALUES ('Spam', $1)`, [ID.B]));
    await expectRlsViolation(b.query(A, `INSERT INTO public.todos (user_id, project_id, title) VALUES ($1, $2, 'x')`, [ID.B, ID.pA]));
    // C may not create D's profile
    await expectRlsViolation(b.query(C, `INSERT INTO public.profiles (id, username) VALUES ($1, 'dave')`, [ID.D]));
    expect(await b.db.query(`SELECT id FROM public.profiles WHERE id = $1`, [ID.D])).toEqual([]);
  });

  it('nobody hands their row to another user', async () => {
    await expectRlsViolation(b.query(A, 'UPDATE public.projects SET user_id = $1 WHERE id = $2', [ID.B, ID.pA]));
    await expectRlsViolation(b.query(A, 'UPDATE public.todos SET user_id = $1 WHERE id = $2', [ID.B, ID.tA]));
    // a profile's owner is its key: moving it to another user is refused too
    await expectRlsViolation(b.query(A, 'UPDATE public.profiles SET id = $1 WHERE id = $2', [ID.C, ID.A]));
    expect((await rows('projects')).map((r) => [r.id, r.user_id])).toEqual([
      [ID.pA, ID.A],
      [ID.pB, ID.B],
    ]);
  });

  it("a to-do can only be put into a project of one's own, and probing for projects tells nothing", async () => {
    await expectRlsViolation(b.query(A, `INSERT INTO public.todos (project_id, title) VALUES ($1, 'sneak in')`, [ID.pB]));
    await expectRlsViolation(b.query(A, 'UPDATE public.todos SET project_id = $1 WHERE id = $2', [ID.pB, ID.tA]));
    // a project that does not exist gives the same answer as another user's
    await expectRlsViolation(b.query(A, `INSERT INTO public.todos (project_id, title) VALUES ($1, 'probe')`, [uuid(0xdead)]));
    expect(names(await b.db.query('SELECT id FROM public.todos WHERE project_id = $1', [ID.pB]))).toEqual(['tB']);
  });

  it('owners change and delete their own rows (the control for the next test)', async () => {
    const changed = await b.as(
      A,
      async (s) => ({
        project: await s.query(`UPDATE public.projects SET name = 'Home!' WHERE id = $1 RETURNING id`, [ID.pA]),
        profile: await s.query(`UPDATE public.profiles SET display_name = 'Alice' WHERE id = $1 RETURNING id`, [ID.A]),
        todo: await s.query('DELETE FROM public.todos WHERE id = $1 RETURNING id', [ID.tA]),
      }),
      { rollback: true },
    );
    expect({ project: names(changed.project), profile: names(changed.profile), todo: names(changed.todo) }).toEqual({
      project: ['pA'],
      profile: ['A'],
      todo: ['tA'],
    });
  });

  it("another user's rows are neither changed nor deleted: 0 rows", async () => {
    const before = { profiles: await rows('profiles'), projects: await rows('projects'), todos: await rows('todos') };
    const touched = await b.as(A, async (s) => [
      ...(await s.query(`UPDATE public.projects SET name = 'mine now' WHERE id = $1 RETURNING id`, [ID.pB])),
      ...(await s.query(`UPDATE public.todos SET title = 'mine now' WHERE id = $1 RETURNING id`, [ID.tB])),
      ...(await s.query(`UPDATE public.profiles SET display_name = 'defaced' WHERE id = $1 RETURNING id`, [ID.B])),
      ...(await s.query('DELETE FROM public.todos WHERE id = $1 RETURNING id', [ID.tB])),
      ...(await s.query('DELETE FROM public.projects WHERE id = $1 RETURNING id', [ID.pB])),
      ...(await s.query('DELETE FROM public.profiles WHERE id = $1 RETURNING id', [ID.B])),
      // without a WHERE: only A's own rows could be reached, and there is none of B's among them
      ...(await s.query(`UPDATE public.todos SET notes = 'seen by A' WHERE user_id = $1 RETURNING id`, [ID.B])),
    ]);
    expect(touched).toEqual([]);
    expect({ profiles: await rows('profiles'), projects: await rows('projects'), todos: await rows('todos') }).toEqual(before);
  });

  it('anon writes nothing', async () => {
    await expectRlsViolation(b.query(anon, `INSERT INTO public.projects (user_id, name) VALUES ($1, 'anon')`, [ID.A]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.todos (user_id, project_id, title) VALUES ($1, $2, 'anon')`, [ID.A, ID.pA]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.profiles (id, username) VALUES ($1, 'anon_user')`, [ID.C]));
    const before = await rows('profiles');
    const touched = await b.as(anon, async (s) => [
      ...(await s.query(`UPDATE public.profiles SET username = 'anon_was_here' RETURNING id`)),
      ...(await s.query(`UPDATE public.projects SET name = 'anon' RETURNING id`)),
      ...(await s.query('DELETE FROM public.todos RETURNING id')),
      ...(await s.query('DELETE FROM public.profiles RETURNING id')),
    ]);
    expect(touched).toEqual([]);
    expect(await rows('profiles')).toEqual(before);
    expect(names(await rows('todos'))).toEqual(['tA', 'tB']);
  });

  it("the record of applied files is out of the API roles' reach", async () => {
    expect(await b.db.query('SELECT file_name FROM altan_meta.applied_files')).toEqual([{ file_name: 'altan.yaml' }]);
    for (const actor of [anon, A]) {
      await expectPermissionDenied(b.query(actor, 'SELECT * FROM altan_meta.applied_files'), /schema altan_meta/);
    }
  });
});
