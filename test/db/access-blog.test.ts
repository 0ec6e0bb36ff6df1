/**
 * examples/blog applied for real, then used as PostgREST would: everyone reads
 * authors, categories, posts and comments; each row is written only by whoever
 * owns it; the reference table `categories` is written by nobody but the
 * service role. Every scenario runs on the test server's Postgres and on PGlite.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectRlsViolation, failure, namer, serviceRole, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const compiled = await compileExample('blog');

const ID = {
  A: uuid(0xa), // ada: author, wrote postA and the comment cA under postB
  B: uuid(0xb), // bob: author, wrote the draft postB and the comment cB under postA
  C: uuid(0xc), // signed up, no author profile
  D: uuid(0xd), // signed up, no author profile
  postA: uuid(0x101),
  postB: uuid(0x102),
  cA: uuid(0x201),
  cB: uuid(0x202),
} as const;
const names = namer(ID);
const A = user(ID.A);
const C = user(ID.C);
const CATEGORIES = ['culture', 'design', 'engineering'];

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.B, ID.C, ID.D]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.authors (id, pen_name) VALUES ('${ID.A}', 'Ada'), ('${ID.B}', 'Bob');
    INSERT INTO public.posts (id, author_id, category, slug, title, published_at) VALUES
      ('${ID.postA}', '${ID.A}', 'engineering', 'hello', 'Hello', now()),
      ('${ID.postB}', '${ID.B}', 'design', 'draft', 'A draft', NULL);
    INSERT INTO public.comments (id, user_id, post_id, body) VALUES
      ('${ID.cA}', '${ID.A}', '${ID.postB}', 'nice draft'),
      ('${ID.cB}', '${ID.B}', '${ID.postA}', 'nice post');`);
}

describe.each(BACKENDS)('blog example on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);
  const all = async () => ({
    authors: await b.db.query('SELECT * FROM public.authors ORDER BY id'),
    categories: await b.db.query('SELECT * FROM public.categories ORDER BY slug'),
    posts: await b.db.query('SELECT * FROM public.posts ORDER BY id'),
    comments: await b.db.query('SELECT * FROM public.comments ORDER BY id'),
  });

  it('anon and every user read all authors, categories, posts (drafts too) and comments', async () => {
    for (const actor of [anon, A, C]) {
      const seen = await b.as(actor, async (s) => ({
        authors: names(await s.query('SELECT id FROM public.authors')),
        categories: (await s.query<{ slug: string }>('SELECT slug FROM public.categories ORDER BY slug')).map((r) => r.slug),
        posts: names(await s.query('SELECT id FROM public.posts')),
        comments: names(await s.query('SELECT id FROM public.comments')),
      }));
      expect(seen).toEqual({ authors: ['A', 'B'], categories: CATEGORIES, posts: ['postA', 'postB'], comments: ['cA', 'cB'] });
    }
  });

  it('rows inserted without their owner column belong to the caller', async () => {
    const created = await b.as(
      A,
      async (s) => ({
        post: await s.query(`INSERT INTO public.posts (category, slug, title) VALUES ('culture', 'mine', 'Mine') RETURNING author_id`),
        comment: await s.query(`INSERT INTO public.comments (post_id, body) VALUES ($1, 'me too') RETURNING user_id`, [ID.postB]),
      }),
      { rollback: true },
    );
    expect(created).toEqual({ post: [{ author_id: ID.A }], comment: [{ user_id: ID.A }] });
    expect(await b.query(C, `INSERT INTO public.authors (pen_name) VALUES ('Cy') RETURNING id`, [], { rollback: true })).toEqual([{ id: ID.C }]);
    // a post's owner column points at authors: without an author profile, no post (a foreign-key error, not a leak)
    expect((await failure(b.query(C, `INSERT INTO public.posts (category, slug, title) VALUES ('culture', 'c', 'C')`))).code).toBe('23503');
  });

  it('inserting a row owned by someone else is refused', async () => {
    await expectRlsViolation(b.query(A, `INSERT INTO public.posts (author_id, category, slug, title) VALUES ($1, 'culture', 'fake', 'Fake')`, [ID.B]));
    await expectRlsViolation(b.query(A, `INSERT INTO public.comments (user_id, post_id, body) VALUES ($1, $2, 'said B')`, [ID.B, ID.postA]));
    await expectRlsViolation(b.query(C, `INSERT INTO public.authors (id, pen_name) VALUES ($1, 'Dee')`, [ID.D]));
    expect(await b.db.query(`SELECT id FROM public.posts WHERE slug = 'fake' UNION ALL SELECT id FROM public.authors WHERE id = $1`, [ID.D])).toEqual([]);
  });

  it('nobody hands their row to another user', async () => {
    const before = await all();
    await expectRlsViolation(b.query(A, 'UPDATE public.posts SET author_id = $1 WHERE id = $2', [ID.B, ID.postA]));
    await expectRlsViolation(b.query(A, 'UPDATE public.comments SET user_id = $1 WHERE id = $2', [ID.B, ID.cA]));
    await expectRlsViolation(b.query(A, 'UPDATE public.authors SET id = $1 WHERE id = $2', [ID.C, ID.A]));
    expect(await all()).toEqual(before);
  });

  it('owners edit and delete their own rows (the control for the next test)', async () => {
    const changed = await b.as(
      A,
      async (s) => [
        ...(await s.query(`UPDATE public.authors SET bio = 'hi' WHERE id = $1 RETURNING id`, [ID.A])),
        ...(await s.query(`UPDATE public.posts SET title = 'Hello!' WHERE id = $1 RETURNING id`, [ID.postA])),
        ...(await s.query('DELETE FROM public.comments WHERE id = $1 RETURNING id', [ID.cA])),
        ...(await s.query('DELETE FROM public.posts WHERE id = $1 RETURNING id', [ID.postA])),
      ],
      { rollback: true },
    );
    expect(names(changed)).toEqual(['A', 'cA', 'postA', 'postA']);
  });

  it("another user's rows are neither changed nor deleted: 0 rows", async () => {
    const before = await all();
    const touched = await b.as(A, async (s) => [
      ...(await s.query(`UPDATE public.authors SET bio = 'defaced' WHERE id = $1 RETURNING id`, [ID.B])),
      ...(await s.query(`UPDATE public.posts SET title = 'defaced', published_at = now() WHERE id = $1 RETURNING id`, [ID.postB])),
      ...(await s.query(`UPDATE public.comments SET body = 'defaced' WHERE id = $1 RETURNING id`, [ID.cB])),
      ...(await s.query('DELETE FROM public.comments WHERE id = $1 RETURNING id', [ID.cB])),
      ...(await s.query('DELETE FROM public.posts WHERE id = $1 RETURNING id', [ID.postB])),
      ...(await s.query('DELETE FROM public.authors WHERE id = $1 RETURNING id', [ID.B])),
    ]);
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('anon writes nothing', async () => {
    const before = await all();
    await expectRlsViolation(b.query(anon, `INSERT INTO public.authors (id, pen_name) VALUES ($1, 'Anon')`, [ID.C]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.posts (author_id, category, slug, title) VALUES ($1, 'culture', 'anon', 'Anon')`, [ID.A]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.comments (user_id, post_id, body) VALUES ($1, $2, 'spam')`, [ID.A, ID.postA]));
    const touched = await b.as(anon, async (s) => [
      ...(await s.query(`UPDATE public.authors SET bio = 'anon' RETURNING id`)),
      ...(await s.query(`UPDATE public.posts SET title = 'anon' RETURNING id`)),
      ...(await s.query(`UPDATE public.comments SET body = 'anon' RETURNING id`)),
      ...(await s.query('DELETE FROM public.comments RETURNING id')),
      ...(await s.query('DELETE FROM public.posts RETURNING id')),
      ...(await s.query('DELETE FROM public.authors RETURNING id')),
    ]);
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  describe('the reference table categories', () => {
    it('is written by no API role: inserts violate RLS, updates and deletes reach 0 rows', async () => {
      const before = await all();
      for (const actor of [anon, A]) {
        await expectRlsViolation(b.query(actor, `INSERT INTO public.categories (slug, title) VALUES ('news', 'News')`));
        // an upsert of an existing slug is an INSERT first: refused the same way
        await expectRlsViolation(
          b.query(actor, `INSERT INTO public.categories (slug, title) VALUES ('design', 'Hacked') ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title`),
        );
        const touched = await b.as(actor, async (s) => [
          ...(await s.query(`UPDATE public.categories SET title = 'Hacked' RETURNING slug`)),
          ...(await s.query('DELETE FROM public.categories RETURNING slug')),
        ]);
        expect(touched).toEqual([]);
      }
      expect(await all()).toEqual(before);
    });

    it('on the altan target the API roles hold every privilege on it, so RLS is the guard', async () => {
      // apply_postgrest_permissions() re-grants ALL after the per-table grants; what stops writes is
      // RLS on the table with nothing but a SELECT policy
      const [state] = await b.db.query(`
        SELECT has_table_privilege('anon', 'public.categories', 'INSERT, UPDATE, DELETE') AS anon_writes,
               has_table_privilege('authenticated', 'public.categories', 'INSERT, UPDATE, DELETE') AS authenticated_writes,
               c.relrowsecurity AS rls,
               array(SELECT p.cmd FROM pg_policies AS p WHERE p.schemaname = 'public' AND p.tablename = 'categories') AS commands
        FROM pg_class AS c WHERE c.oid = 'public.categories'::regclass`);
      expect(state).toEqual({ anon_writes: true, authenticated_writes: true, rls: true, commands: ['SELECT'] });
    });

    it('is written by the service role', async () => {
      const written = await b.as(
        serviceRole,
        async (s) => [
          ...(await s.query(`INSERT INTO public.categories (slug, title) VALUES ('news', 'News') RETURNING slug`)),
          ...(await s.query(`UPDATE public.categories SET title = 'UX' WHERE slug = 'design' RETURNING slug`)),
        ],
        { rollback: true },
      );
      expect(written).toEqual([{ slug: 'news' }, { slug: 'design' }]);
    });
  });
});
