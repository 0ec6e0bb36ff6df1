/**
 * examples/blog-drafts applied for real, then used as PostgREST would: anon
 * and other users read only published posts and approved comments; an author
 * reads, publishes and unpublishes their own posts and nobody else's, and
 * never hands one to another author; a commenter writes under posts they may
 * read, and never sets `approved` (readonly: 42501), which the backend sets.
 * Every scenario runs on the test server's Postgres and on PGlite; the
 * readonly column's column privileges (target supabase) and its guard (after
 * apply_postgrest_permissions()): access-readonly.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectRlsViolation, failure, namer, serviceRole, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const compiled = await compileExample('blog-drafts');

const ID = {
  A: uuid(0xa), // ada: wrote the published pA and the draft dA, commented on her own draft (cDA)
  B: uuid(0xb), // bob: wrote the draft dB
  C: uuid(0xc), // a reader: commented under pA, once approved (cC1), once not yet (cC2)
  pA: uuid(0x101),
  dA: uuid(0x102),
  dB: uuid(0x103),
  cC1: uuid(0x201),
  cC2: uuid(0x202),
  cDA: uuid(0x203),
} as const;
const names = namer(ID);
const A = user(ID.A);
const B = user(ID.B);
const C = user(ID.C);

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.B, ID.C]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.posts (id, author_id, title, status) VALUES
      ('${ID.pA}', '${ID.A}', 'Hello', 'published'),
      ('${ID.dA}', '${ID.A}', 'Secret plans', 'draft'),
      ('${ID.dB}', '${ID.B}', 'Half-baked', 'draft');
    INSERT INTO public.comments (id, user_id, post_id, body, approved) VALUES
      ('${ID.cC1}', '${ID.C}', '${ID.pA}', 'Great post', true),
      ('${ID.cC2}', '${ID.C}', '${ID.pA}', 'Waiting for approval', false),
      ('${ID.cDA}', '${ID.A}', '${ID.dA}', 'Note to self', false);`);
}

describe.each(BACKENDS)('blog-drafts example on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);
  const all = async () => ({
    posts: await b.db.query('SELECT * FROM public.posts ORDER BY id'),
    comments: await b.db.query('SELECT * FROM public.comments ORDER BY id'),
  });
  const seen = async (actor: Parameters<Backend['query']>[0]) =>
    b.as(actor, async (s) => ({
      posts: names(await s.query('SELECT id FROM public.posts')),
      comments: names(await s.query('SELECT id FROM public.comments')),
    }));

  it('anon reads the published posts and the approved comments only', async () => {
    expect(await seen(anon)).toEqual({ posts: ['pA'], comments: ['cC1'] });
    // asking for drafts by id or by status finds nothing
    expect(await b.query(anon, `SELECT id FROM public.posts WHERE status = 'draft' OR id = $1`, [ID.dA])).toEqual([]);
  });

  it('an author reads their own drafts besides the published posts; another user reads none of them', async () => {
    expect(await seen(A)).toEqual({ posts: ['dA', 'pA'], comments: ['cC1', 'cDA'] });
    expect(await seen(B)).toEqual({ posts: ['dB', 'pA'], comments: ['cC1'] });
    expect(await seen(C)).toEqual({ posts: ['pA'], comments: ['cC1', 'cC2'] });
    expect(await b.query(C, 'SELECT title FROM public.posts WHERE id = $1', [ID.dA])).toEqual([]);
  });

  it("an author publishes and unpublishes their own post; nobody publishes, edits or deletes someone else's", async () => {
    const published = await b.query(A, `UPDATE public.posts SET status = 'published' WHERE id = $1 RETURNING id`, [ID.dA], { rollback: true });
    expect(names(published)).toEqual(['dA']);
    const unpublished = await b.query(A, `UPDATE public.posts SET status = 'draft' WHERE id = $1 RETURNING id`, [ID.pA], { rollback: true });
    expect(names(unpublished)).toEqual(['pA']);
    const before = await all();
    const touched = [];
    for (const actor of [B, C, anon]) {
      touched.push(
        ...(await b.query(actor, `UPDATE public.posts SET status = 'published' WHERE id = $1 RETURNING id`, [ID.dA])),
        // a published post is readable, still not theirs to change or remove
        ...(await b.query(actor, `UPDATE public.posts SET title = 'Hacked' WHERE id = $1 RETURNING id`, [ID.pA])),
        ...(await b.query(actor, 'DELETE FROM public.posts WHERE id IN ($1, $2) RETURNING id', [ID.pA, ID.dA])),
      );
    }
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('nobody hands a post to another author: the owner column never changes through the API (42501)', async () => {
    const before = await all();
    const e = await failure(b.query(A, 'UPDATE public.posts SET author_id = $1 WHERE id = $2', [ID.B, ID.pA]));
    expect({ code: e.code, message: e.message }).toEqual({ code: '42501', message: 'permission denied for column author_id of table posts' });
    expect(await all()).toEqual(before);
  });

  it('a post is created by a signed-in user as its author only; never by anon', async () => {
    const [row] = await b.query(C, `INSERT INTO public.posts (title) VALUES ('Mine') RETURNING author_id, status`, [], { rollback: true });
    expect(row).toEqual({ author_id: ID.C, status: 'draft' });
    await expectRlsViolation(b.query(C, `INSERT INTO public.posts (author_id, title) VALUES ($1, 'Forged')`, [ID.A]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.posts (author_id, title, status) VALUES ($1, 'Anon', 'published')`, [ID.A]));
  });

  it("a reader comments under a post they may read, never under someone else's draft", async () => {
    const [row] = await b.query(C, 'INSERT INTO public.comments (post_id, body) VALUES ($1, $2) RETURNING user_id, approved', [ID.pA, 'Me too'], {
      rollback: true,
    });
    expect(row).toEqual({ user_id: ID.C, approved: false });
    // a draft of one's own is readable, so its author may comment on it (the comment stays private until approved)
    expect(await b.query(A, 'INSERT INTO public.comments (post_id, body) VALUES ($1, $2) RETURNING body', [ID.dA, 'todo'], { rollback: true })).toEqual([
      { body: 'todo' },
    ]);
    // someone else's draft is not: refused like a post that does not exist
    await expectRlsViolation(b.query(C, 'INSERT INTO public.comments (post_id, body) VALUES ($1, $2)', [ID.dA, 'Found it']));
    await expectRlsViolation(b.query(C, 'INSERT INTO public.comments (post_id, body) VALUES ($1, $2)', [uuid(0x999), 'Nothing']));
    await expectRlsViolation(b.query(anon, 'INSERT INTO public.comments (user_id, post_id, body) VALUES ($1, $2, $3)', [ID.C, ID.pA, 'Anon']));
  });

  it('approved is read-only: set on insert or changed by update, the request fails with 42501', async () => {
    const before = await all();
    const denied = { code: '42501', message: 'permission denied for column approved of table comments' };
    const insert = await failure(b.query(C, 'INSERT INTO public.comments (post_id, body, approved) VALUES ($1, $2, true)', [ID.pA, 'Approve me']));
    expect({ code: insert.code, message: insert.message }).toEqual(denied);
    const update = await failure(b.query(C, 'UPDATE public.comments SET approved = true WHERE id = $1', [ID.cC2]));
    expect({ code: update.code, message: update.message }).toEqual(denied);
    // writing its default is no write: an insert that spells approved = false passes
    expect(
      await b.query(C, 'INSERT INTO public.comments (post_id, body, approved) VALUES ($1, $2, false) RETURNING approved', [ID.pA, 'Plain'], {
        rollback: true,
      }),
    ).toEqual([{ approved: false }]);
    expect(await all()).toEqual(before);
  });

  it('a commenter edits their comment until it is approved; then only deletes it', async () => {
    expect(names(await b.query(C, `UPDATE public.comments SET body = 'Edited' WHERE id = $1 RETURNING id`, [ID.cC2], { rollback: true }))).toEqual(['cC2']);
    expect(await b.query(C, `UPDATE public.comments SET body = 'Edited' WHERE id = $1 RETURNING id`, [ID.cC1])).toEqual([]);
    expect(names(await b.query(C, 'DELETE FROM public.comments WHERE id = $1 RETURNING id', [ID.cC1], { rollback: true }))).toEqual(['cC1']);
    // others' comments: neither
    const before = await all();
    for (const actor of [A, B, anon]) {
      expect(await b.query(actor, `UPDATE public.comments SET body = 'x' WHERE id IN ($1, $2) RETURNING id`, [ID.cC1, ID.cC2])).toEqual([]);
      expect(await b.query(actor, 'DELETE FROM public.comments WHERE id IN ($1, $2) RETURNING id', [ID.cC1, ID.cC2])).toEqual([]);
    }
    expect(await all()).toEqual(before);
  });

  it('the backend (service role) approves a comment, which anon then reads', async () => {
    const seenByAnon = await b.as(
      serviceRole,
      async (s) => {
        await s.query('UPDATE public.comments SET approved = true WHERE id = $1', [ID.cC2]);
        // the same transaction, read as anon
        await s.exec('SET LOCAL ROLE anon');
        return names(await s.query('SELECT id FROM public.comments'));
      },
      { rollback: true },
    );
    expect(seenByAnon).toEqual(['cC1', 'cC2']);
  });
});
