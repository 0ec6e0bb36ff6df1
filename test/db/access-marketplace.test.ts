/**
 * examples/marketplace applied for real, then used as PostgREST would: the
 * tables. Listings are public and written by their seller; orders are read
 * by their buyer and written only by the backend (service role); reviews are
 * public, created and changed by the backend, deleted by their reviewer.
 * Buckets, materialized views and cron: access-marketplace-files.test.ts.
 * Every scenario runs on the test server's Postgres and on PGlite.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectRlsViolation, serviceRole, useBackend } from './access.js';
import type { Actor } from './harness.js';
import { B, C, ID, S, V, names, seedMarketplace } from './marketplaceWorld.js';

const compiled = await compileExample('marketplace');

describe.each(BACKENDS)('marketplace example, tables, on %s', (backend) => {
  const b = useBackend(backend, 'cron', compiled, seedMarketplace);
  const all = async () => Promise.all(['listings', 'orders', 'reviews'].map((t) => b.db.query(`SELECT * FROM public.${t} ORDER BY id`)));

  it('anon and every user read all listings, drafts included, and all reviews', async () => {
    for (const actor of [anon, S, B, V]) {
      expect(names(await b.query(actor, 'SELECT id FROM public.listings'))).toEqual(['lB', 'lS1', 'lS2']);
      expect(names(await b.query(actor, 'SELECT id FROM public.reviews'))).toEqual(['rB']);
    }
  });

  it("a listing inserted without seller_id is the caller's; naming another seller is refused", async () => {
    const [row] = await b.query(S, `INSERT INTO public.listings (title, price_cents) VALUES ('Tent', 900) RETURNING seller_id, status`, [], { rollback: true });
    expect(row).toEqual({ seller_id: ID.S, status: 'draft' });
    await expectRlsViolation(b.query(S, `INSERT INTO public.listings (seller_id, title, price_cents) VALUES ($1, 'Fake', 1)`, [ID.B]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.listings (seller_id, title, price_cents) VALUES ($1, 'Anon', 1)`, [ID.S]));
  });

  it('a seller changes and deletes their own listings, but hands none to another seller', async () => {
    const changed = await b.as(
      S,
      async (s) => [
        ...(await s.query(`UPDATE public.listings SET price_cents = 4500 WHERE id = $1 RETURNING id`, [ID.lS1])),
        ...(await s.query('DELETE FROM public.listings WHERE id = $1 RETURNING id', [ID.lS2])),
      ],
      { rollback: true },
    );
    expect(names(changed)).toEqual(['lS1', 'lS2']);
    const before = await all();
    await expectRlsViolation(b.query(S, 'UPDATE public.listings SET seller_id = $1 WHERE id = $2', [ID.B, ID.lS1]));
    expect(await all()).toEqual(before);
  });

  it("another seller's listings are neither changed nor deleted: 0 rows, for users and anon", async () => {
    const before = await all();
    const touched = [];
    for (const actor of [B, V, anon]) {
      touched.push(
        ...(await b.query(actor, 'UPDATE public.listings SET price_cents = 1 WHERE id = $1 RETURNING id', [ID.lS1])),
        ...(await b.query(actor, `UPDATE public.listings SET status = 'active' WHERE seller_id = $1 RETURNING id`, [ID.S])),
        ...(await b.query(actor, 'DELETE FROM public.listings WHERE id = $1 RETURNING id', [ID.lS2])),
      );
    }
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('buyers read only their own orders; the seller, other users and anon read none', async () => {
    const orders = async (actor: Actor) => names(await b.query(actor, 'SELECT id FROM public.orders'));
    expect(await orders(B)).toEqual(['oB']);
    expect(await orders(C)).toEqual(['oC', 'oC2']);
    expect(await orders(S)).toEqual([]); // orders of S's listing are not S's to read
    expect(await orders(V)).toEqual([]);
    expect(await orders(anon)).toEqual([]);
  });

  it('orders are written by the backend only: a buyer cannot create, reprice or delete one', async () => {
    const before = await all();
    await expectRlsViolation(b.query(B, 'INSERT INTO public.orders (listing_id, total_cents) VALUES ($1, 1)', [ID.lB]));
    await expectRlsViolation(b.query(B, 'INSERT INTO public.orders (buyer_id, listing_id, total_cents) VALUES ($1, $2, 1)', [ID.B, ID.lS1]));
    await expectRlsViolation(b.query(anon, 'INSERT INTO public.orders (buyer_id, listing_id, total_cents) VALUES ($1, $2, 1)', [ID.V, ID.lS1]));
    const touched = [
      ...(await b.query(B, `UPDATE public.orders SET total_cents = 1, status = 'paid' WHERE id = $1 RETURNING id`, [ID.oB])),
      ...(await b.query(C, `UPDATE public.orders SET status = 'cancelled' WHERE id = $1 RETURNING id`, [ID.oC2])),
      ...(await b.query(B, 'DELETE FROM public.orders WHERE id = $1 RETURNING id', [ID.oB])),
      ...(await b.query(S, `UPDATE public.orders SET status = 'shipped' RETURNING id`)),
      ...(await b.query(anon, 'DELETE FROM public.orders RETURNING id')),
    ];
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
    // the backend does write them
    const [order] = await b.query(
      serviceRole,
      'INSERT INTO public.orders (buyer_id, listing_id, total_cents) VALUES ($1, $2, 2000) RETURNING buyer_id',
      [ID.V, ID.lB],
      {
        rollback: true,
      },
    );
    expect(order).toEqual({ buyer_id: ID.V });
  });

  it('reviews are created by the backend only, not by the buyer', async () => {
    // C has a paid order of lS1 and no review yet: still not theirs to create
    await expectRlsViolation(b.query(C, 'INSERT INTO public.reviews (listing_id, order_id, rating) VALUES ($1, $2, 5)', [ID.lS1, ID.oC]));
    await expectRlsViolation(
      b.query(anon, 'INSERT INTO public.reviews (reviewer_id, listing_id, order_id, rating) VALUES ($1, $2, $3, 1)', [ID.C, ID.lS1, ID.oC]),
    );
    expect(names(await b.db.query('SELECT id FROM public.reviews'))).toEqual(['rB']);
  });

  it('the reviewer deletes their review; nobody else can', async () => {
    const own = await b.as(B, (s) => s.query('DELETE FROM public.reviews WHERE id = $1 RETURNING id', [ID.rB]), { rollback: true });
    expect(names(own)).toEqual(['rB']);
    const before = await all();
    const touched = [];
    for (const actor of [S, C, anon]) {
      touched.push(...(await b.query(actor, 'DELETE FROM public.reviews WHERE id = $1 RETURNING id', [ID.rB])));
    }
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('nobody edits a review through the API: not its rating, owner, order or listing', async () => {
    // Edits are the backend's, so a review cannot be moved to a listing its reviewer never bought.
    const before = await all();
    const touched = [];
    for (const actor of [B, S, C, anon]) {
      for (const [column, value] of [
        ['rating', 1],
        ['reviewer_id', ID.C],
        ['order_id', ID.oC],
        ['listing_id', ID.lB],
      ] as const) {
        touched.push(...(await b.query(actor, `UPDATE public.reviews SET ${column} = $1 WHERE id = $2 RETURNING id`, [value, ID.rB])));
      }
    }
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });
});
