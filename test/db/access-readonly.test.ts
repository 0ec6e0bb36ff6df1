/**
 * Read-only and immutable columns hold both ways, on Postgres and PGlite.
 * With `--target supabase` nothing re-grants after the file: the API roles
 * hold INSERT and UPDATE on the other columns only, and a write of such a
 * column stops at the privilege check (42501 permission denied for the
 * table). Then `SELECT public.apply_postgrest_permissions()`, as every Altan
 * migration ends, grants every column again: the guard trigger still refuses
 * (42501 permission denied for the column). examples/blog-drafts and
 * examples/orders; what the API roles may still do is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, compileExample, failure, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';
import { grantProblems } from './apply-corpus-checks.js';
import { runJob } from './marketplaceWorld.js';

const [A, C, S] = [uuid(0xa), uuid(0xc), uuid(0x5)];
const [post, comment, order] = [uuid(0x101), uuid(0x201), uuid(0x301)];

/** What Postgres and the guard say: code and message. */
const refusal = async (promise: Promise<unknown>) => {
  const e = await failure(promise);
  return { code: e.code, message: e.message };
};
const tableDenied = (table: string) => ({ code: '42501', message: `permission denied for table ${table}` });
const columnDenied = (column: string, table: string) => ({ code: '42501', message: `permission denied for column ${column} of table ${table}` });
const regrant = (b: Backend) => b.db.exec('SELECT public.apply_postgrest_permissions()');
const blog = await compileExample('blog-drafts', 'supabase');
const orders = await compileExample('orders', 'supabase');

describe.each(BACKENDS)('blog-drafts, target supabase, on %s: approved is read-only before and after apply_postgrest_permissions()', (backend) => {
  const b = useBackend(backend, 'fresh', blog, async (b) => {
    for (const id of [A, C]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.posts (id, author_id, title, status) VALUES ('${post}', '${A}', 'Hello', 'published');
      INSERT INTO public.comments (id, user_id, post_id, body) VALUES ('${comment}', '${C}', '${post}', 'Hi');`);
  });
  const approve = {
    insert: () => b.query(user(C), 'INSERT INTO public.comments (post_id, body, approved) VALUES ($1, $2, true)', [post, 'Approve me']),
    update: () => b.query(user(C), 'UPDATE public.comments SET approved = true WHERE id = $1', [comment]),
    owner: () => b.query(user(A), 'UPDATE public.posts SET author_id = $1 WHERE id = $2', [C, post]),
  };

  it('before: no column privilege on approved (nor UPDATE on the owner column), exactly the grants of the file', async () => {
    expect(await grantProblems(b.db, blog)).toEqual([]);
    expect(await refusal(approve.insert())).toEqual(tableDenied('comments'));
    expect(await refusal(approve.update())).toEqual(tableDenied('comments'));
    expect(await refusal(approve.owner())).toEqual(tableDenied('posts'));
    // the other columns are written as before
    expect(await b.query(user(C), `UPDATE public.comments SET body = 'Hello' WHERE id = $1 RETURNING id`, [comment], { rollback: true })).toEqual([
      { id: comment },
    ]);
  });

  it('after apply_postgrest_permissions(): every column granted again, the guard refuses the same writes', async () => {
    await regrant(b);
    expect(await grantProblems(b.db, blog)).toContain('authenticated on column public.comments.approved has {INSERT,UPDATE}, the file grants {}');
    expect(await refusal(approve.insert())).toEqual(columnDenied('approved', 'comments'));
    expect(await refusal(approve.update())).toEqual(columnDenied('approved', 'comments'));
    expect(await refusal(approve.owner())).toEqual(columnDenied('author_id', 'posts'));
    expect(await b.db.query('SELECT approved FROM public.comments')).toEqual([{ approved: false }]);
  });
});

describe.each(BACKENDS)('orders, target supabase, on %s: readonly and immutable columns before and after apply_postgrest_permissions()', (backend) => {
  const b = useBackend(backend, 'cron', orders, async (b) => {
    for (const id of [A, C, S]) await b.user(id);
    await b.db.exec(`INSERT INTO public.orders (id, buyer_id, seller_id, item, total_cents) VALUES ('${order}', '${A}', '${S}', 'Bike', 5000);`);
  });
  const seller = user(S);
  const buyer = user(A);
  const all = () => b.db.query('SELECT * FROM public.orders ORDER BY id');

  it('before: INSERT and UPDATE granted on the writable columns only; writes of the others fail before RLS', async () => {
    expect(await grantProblems(b.db, orders)).toEqual([]);
    const before = await all();
    expect(await refusal(b.query(buyer, `INSERT INTO public.orders (seller_id, item, total_cents) VALUES ($1, 'Tent', 1)`, [S]))).toEqual(
      tableDenied('orders'),
    );
    // the buyer has no update policy, but the privilege check comes first
    expect(await refusal(b.query(buyer, 'UPDATE public.orders SET total_cents = 1 WHERE id = $1', [order]))).toEqual(tableDenied('orders'));
    for (const [column, value] of [
      ['buyer_id', C],
      ['seller_id', C],
      ['item', 'Broken'],
      ['total_cents', 1],
    ] as const) {
      expect(await refusal(b.query(seller, `UPDATE public.orders SET ${column} = $1 WHERE id = $2`, [value, order]))).toEqual(tableDenied('orders'));
    }
    expect(await b.query(seller, `UPDATE public.orders SET status = 'paid' WHERE id = $1 RETURNING status`, [order], { rollback: true })).toEqual([
      { status: 'paid' },
    ]);
    expect(await all()).toEqual(before);
  });

  it('the grant check sees a column privilege the file does not grant', async () => {
    await b.db.exec('GRANT UPDATE (total_cents) ON public.orders TO authenticated');
    try {
      expect(await grantProblems(b.db, orders)).toEqual(['authenticated on column public.orders.total_cents has {UPDATE}, the file grants {}']);
    } finally {
      await b.db.exec('REVOKE UPDATE (total_cents) ON public.orders FROM authenticated');
    }
    expect(await grantProblems(b.db, orders)).toEqual([]);
  });

  it('after apply_postgrest_permissions(): the guard refuses the same writes; the buyer still updates no row', async () => {
    await regrant(b);
    const before = await all();
    expect(await refusal(b.query(buyer, `INSERT INTO public.orders (seller_id, item, total_cents) VALUES ($1, 'Tent', 1)`, [S]))).toEqual(
      columnDenied('total_cents', 'orders'),
    );
    expect(await b.query(buyer, 'UPDATE public.orders SET total_cents = 1 WHERE id = $1 RETURNING id', [order])).toEqual([]);
    for (const [column, value] of [
      ['buyer_id', C],
      ['seller_id', C],
      ['item', 'Broken'],
      ['total_cents', 1],
    ] as const) {
      expect(await refusal(b.query(seller, `UPDATE public.orders SET ${column} = $1 WHERE id = $2`, [value, order]))).toEqual(columnDenied(column, 'orders'));
    }
    expect(await all()).toEqual(before);
  });

  it('the per-user views still serve each caller their own rows only', async () => {
    await b.db.exec(`UPDATE public.orders SET status = 'paid' WHERE id = '${order}'`);
    await runJob(b.db, 'refresh-buyer_spending');
    expect(await b.query(buyer, 'SELECT buyer_id FROM public.buyer_spending')).toEqual([{ buyer_id: A }]);
    expect(await b.query(user(C), 'SELECT buyer_id FROM public.buyer_spending')).toEqual([]);
  });
});
