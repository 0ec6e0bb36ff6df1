/**
 * examples/blog for `--target supabase`: no apply_postgrest_permissions()
 * re-grants everything afterwards, so the per-table grants are the API's
 * permissions and writes the access does not allow stop at the privilege
 * check (42501 permission denied), before RLS. Postgres (a database of its
 * own: the file has no jobs) and PGlite.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectPermissionDenied, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const compiled = await compileExample('blog', 'supabase');
const A = uuid(0xa);

async function seed(b: Backend): Promise<void> {
  await b.user(A);
  await b.db.exec(`
    INSERT INTO public.authors (id, pen_name) VALUES ('${A}', 'Ada');
    INSERT INTO public.posts (author_id, category, slug, title) VALUES ('${A}', 'engineering', 'hello', 'Hello');`);
}

describe.each(BACKENDS)('blog example, target supabase, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);

  it('the reference table categories is read by anon and users, and written by neither: permission denied', async () => {
    for (const actor of [anon, user(A)]) {
      expect(await b.query(actor, 'SELECT slug FROM public.categories ORDER BY slug')).toEqual([
        { slug: 'culture' },
        { slug: 'design' },
        { slug: 'engineering' },
      ]);
      await expectPermissionDenied(b.query(actor, `INSERT INTO public.categories (slug, title) VALUES ('news', 'News')`), /table categories/);
      await expectPermissionDenied(b.query(actor, `UPDATE public.categories SET title = 'Hacked'`), /table categories/);
      await expectPermissionDenied(b.query(actor, 'DELETE FROM public.categories'), /table categories/);
    }
    expect(await b.db.query(`SELECT title FROM public.categories WHERE slug = 'design'`)).toEqual([{ title: 'Design & UX' }]);
  });

  it('anon reads posts but has no privilege to write them', async () => {
    expect(await b.query(anon, 'SELECT slug FROM public.posts')).toEqual([{ slug: 'hello' }]);
    await expectPermissionDenied(
      b.query(anon, `INSERT INTO public.posts (author_id, category, slug, title) VALUES ($1, 'culture', 'x', 'X')`, [A]),
      /table posts/,
    );
    await expectPermissionDenied(b.query(anon, `UPDATE public.posts SET title = 'anon'`), /table posts/);
    await expectPermissionDenied(b.query(anon, 'DELETE FROM public.posts'), /table posts/);
  });

  it('an author still writes their own posts (the grants are not too tight)', async () => {
    const [row] = await b.query(user(A), `INSERT INTO public.posts (category, slug, title) VALUES ('culture', 'mine', 'Mine') RETURNING author_id`, [], {
      rollback: true,
    });
    expect(row).toEqual({ author_id: A });
  });
});
