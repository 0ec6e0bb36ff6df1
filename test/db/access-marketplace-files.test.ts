/**
 * examples/marketplace applied for real, then used as PostgREST would: the
 * storage buckets (files in the caller's own folder only), the materialized
 * views (private, authenticated, public) and a refresh job run for real.
 * The tables: access-marketplace.test.ts. Every scenario runs on the test
 * server's Postgres (real pg_cron) and on PGlite (its stand-in cron.job).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectPermissionDenied, expectRlsViolation, failure, serviceRole, useBackend } from './access.js';
import type { Actor } from './harness.js';
import { STORAGE_REQUEST } from './roles.js';
import { B, C, ID, S, V, runJob, seedMarketplace } from './marketplaceWorld.js';

const compiled = await compileExample('marketplace');

/** `<bucket>:<who>/<file>` for rows of storage.objects, the folder named by its owner's letter. */
const letter = new Map([ID.S, ID.B, ID.C, ID.V].map((id, i) => [id, 'SBCV'[i] as string]));
const files = (rows: readonly Record<string, unknown>[]) =>
  rows.map((r) => `${String(r.bucket_id)}:${String(r.name).replace(/^[0-9a-f-]{36}/, (id) => letter.get(id) ?? id)}`).sort();

describe.each(BACKENDS)('marketplace example, buckets and views, on %s', (backend) => {
  const b = useBackend(backend, 'cron', compiled, seedMarketplace);
  const objects = async () => files(await b.db.query('SELECT bucket_id, name FROM storage.objects'));
  // no RETURNING: it would add the SELECT policy's check to the INSERT policy's
  const upload = (actor: Actor, bucket: string, name: string) =>
    b.query(actor, 'INSERT INTO storage.objects (bucket_id, name, owner) VALUES ($1, $2, auth.uid())', [bucket, name], { rollback: true });

  it('each user lists only the files in their own folders; anon lists none', async () => {
    const listed = async (actor: Actor) => files(await b.query(actor, 'SELECT bucket_id, name FROM storage.objects'));
    expect(await listed(B)).toEqual(['invoices:B/oB.pdf', 'listing-images:B/chair.jpg']);
    expect(await listed(C)).toEqual(['invoices:C/oC.pdf']);
    expect(await listed(S)).toEqual(['listing-images:S/bike.jpg']);
    expect(await listed(V)).toEqual([]);
    expect(await listed(anon)).toEqual([]); // public images are served by URL, not listed through the API
    expect(await b.query(B, 'SELECT name FROM storage.objects WHERE name = $1', [`${ID.C}/oC.pdf`])).toEqual([]);
  });

  it("uploads go into the caller's own folder only: not another user's, not the bucket root", async () => {
    const uploaded = await b.as(
      B,
      async (s) => {
        await s.query(`INSERT INTO storage.objects (bucket_id, name, owner) VALUES ('invoices', $1, auth.uid())`, [`${ID.B}/new.pdf`]);
        await s.query(`INSERT INTO storage.objects (bucket_id, name, owner) VALUES ('listing-images', $1, auth.uid())`, [`${ID.B}/table.jpg`]);
        return s.query('SELECT bucket_id, name FROM storage.objects');
      },
      { rollback: true },
    );
    expect(files(uploaded)).toEqual(['invoices:B/new.pdf', 'invoices:B/oB.pdf', 'listing-images:B/chair.jpg', 'listing-images:B/table.jpg']);
    const before = await objects();
    for (const bucket of ['invoices', 'listing-images']) {
      await expectRlsViolation(upload(B, bucket, `${ID.C}/x.pdf`));
      await expectRlsViolation(upload(B, bucket, 'x.pdf'));
      await expectRlsViolation(upload(B, bucket, `/${ID.B}/x.pdf`)); // an empty first folder is nobody's
      await expectRlsViolation(upload(anon, bucket, `${ID.B}/x.pdf`));
    }
    // a bucket with no policies of its own (one the file does not declare) takes nothing
    await b.db.exec(`INSERT INTO storage.buckets (id, name) VALUES ('other', 'other')`);
    await expectRlsViolation(upload(B, 'other', `${ID.B}/x.pdf`));
    await b.db.exec(`BEGIN; SET LOCAL storage.allow_delete_query = 'true'; DELETE FROM storage.buckets WHERE id = 'other'; COMMIT`);
    expect(await objects()).toEqual(before);
  });

  it('invoices are never replaced or removed through the API, not even by their owner', async () => {
    const before = await objects();
    const touched = [
      ...(await b.query(B, `UPDATE storage.objects SET name = $1 WHERE bucket_id = 'invoices' RETURNING name`, [`${ID.B}/renamed.pdf`])),
      ...(await b.query(B, `DELETE FROM storage.objects WHERE bucket_id = 'invoices' RETURNING name`, [], STORAGE_REQUEST)),
      ...(await b.query(C, `UPDATE storage.objects SET metadata = '{}' WHERE name = $1 RETURNING name`, [`${ID.B}/oB.pdf`])),
      ...(await b.query(anon, 'DELETE FROM storage.objects RETURNING name', [], STORAGE_REQUEST)),
    ];
    expect(touched).toEqual([]);
    expect(await objects()).toEqual(before);
  });

  it("listing images: the owner replaces and removes their own, nobody touches or takes over another's", async () => {
    const own = await b.as(
      S,
      async (s) => [
        ...(await s.query(`UPDATE storage.objects SET name = $1 WHERE name = $2 RETURNING bucket_id, name`, [`${ID.S}/bike2.jpg`, `${ID.S}/bike.jpg`])),
        ...(await s.query(`DELETE FROM storage.objects WHERE bucket_id = 'listing-images' RETURNING bucket_id, name`)),
      ],
      { ...STORAGE_REQUEST, rollback: true },
    );
    expect(files(own)).toEqual(['listing-images:S/bike2.jpg', 'listing-images:S/bike2.jpg']);
    const before = await objects();
    const touched = [
      ...(await b.query(B, `UPDATE storage.objects SET name = $1 WHERE name = $2 RETURNING name`, [`${ID.B}/bike.jpg`, `${ID.S}/bike.jpg`])),
      ...(await b.query(B, 'DELETE FROM storage.objects WHERE name = $1 RETURNING name', [`${ID.S}/bike.jpg`], STORAGE_REQUEST)),
      ...(await b.query(anon, `UPDATE storage.objects SET name = 'x.jpg' RETURNING name`)),
    ];
    expect(touched).toEqual([]);
    // moving one's own file into another user's folder, to the root, or into the invoices bucket is refused
    await expectRlsViolation(b.query(S, 'UPDATE storage.objects SET name = $1 WHERE name = $2', [`${ID.B}/planted.jpg`, `${ID.S}/bike.jpg`]));
    await expectRlsViolation(b.query(S, `UPDATE storage.objects SET name = 'bike.jpg' WHERE name = $1`, [`${ID.S}/bike.jpg`]));
    await expectRlsViolation(b.query(S, `UPDATE storage.objects SET bucket_id = 'invoices' WHERE name = $1`, [`${ID.S}/bike.jpg`]));
    expect(await objects()).toEqual(before);
  });

  it('buckets are not created, opened up or removed through the API', async () => {
    const buckets = () => b.db.query('SELECT id, public FROM storage.buckets ORDER BY id');
    expect(await buckets()).toEqual([
      { id: 'invoices', public: false },
      { id: 'listing-images', public: true },
    ]);
    for (const actor of [anon, B]) {
      await expectRlsViolation(b.query(actor, `INSERT INTO storage.buckets (id, name, public) VALUES ('mine', 'mine', true)`));
      const touched = [
        ...(await b.query(actor, `UPDATE storage.buckets SET public = true, allowed_mime_types = NULL WHERE id = 'invoices' RETURNING id`)),
        ...(await b.query(actor, 'DELETE FROM storage.buckets RETURNING id', [], STORAGE_REQUEST)),
      ];
      expect(touched).toEqual([]);
    }
    expect(await buckets()).toEqual([
      { id: 'invoices', public: false },
      { id: 'listing-images', public: true },
    ]);
  });

  it('seller_stats (access none) is read by the service role only, and has no public view', async () => {
    for (const actor of [anon, S, B]) {
      await expectPermissionDenied(b.query(actor, 'SELECT * FROM altan_private.seller_stats'), /materialized view seller_stats/);
    }
    expect(await b.db.query(`SELECT to_regclass('public.seller_stats') AS view`)).toEqual([{ view: null }]);
    const stats = await b.query(
      serviceRole,
      'SELECT seller_id, active_listings::int, orders::int, revenue_cents::int FROM altan_private.seller_stats ORDER BY active_listings, orders',
    );
    expect(stats).toEqual([
      { seller_id: ID.B, active_listings: 1, orders: 1, revenue_cents: 0 }, // C's order of lB is pending
      { seller_id: ID.S, active_listings: 1, orders: 2, revenue_cents: 10000 },
    ]);
  });

  it('daily_sales (authenticated) is read by users through public.daily_sales; anon is denied', async () => {
    const sql = 'SELECT day::text, orders::int, revenue_cents::int FROM public.daily_sales';
    for (const actor of [B, V]) expect(await b.query(actor, sql)).toEqual([{ day: '2024-05-01', orders: 2, revenue_cents: 10000 }]);
    await expectPermissionDenied(b.query(anon, sql), /materialized view daily_sales/);
    await expectPermissionDenied(b.query(anon, 'SELECT * FROM altan_private.daily_sales'), /materialized view daily_sales/);
  });

  it('listing_ratings (public) is read by anon; nobody writes into or refreshes the views through the API', async () => {
    const sql = 'SELECT listing_id, average_rating::text, review_count::int FROM public.listing_ratings';
    expect(await b.query(anon, sql)).toEqual([{ listing_id: ID.lS1, average_rating: '4.00', review_count: 1 }]);
    const refuse = await failure(b.query(anon, 'INSERT INTO public.listing_ratings (listing_id, average_rating, review_count) VALUES ($1, 5, 100)', [ID.lB]));
    expect({ code: refuse.code, message: refuse.message }).toEqual({ code: '55000', message: 'cannot insert into view "listing_ratings"' });
    for (const actor of [anon, S]) {
      for (const view of ['listing_ratings', 'seller_stats']) {
        expect((await failure(b.query(actor, `REFRESH MATERIALIZED VIEW altan_private.${view}`))).code).toBe('42501');
      }
    }
    expect(await b.query(anon, sql)).toEqual([{ listing_id: ID.lS1, average_rating: '4.00', review_count: 1 }]);
  });

  it('the refresh-listing_ratings job, run as pg_cron runs it, brings a new review to anon', async () => {
    const [job] = await b.db.query('SELECT schedule, command FROM cron.job WHERE jobname = $1', ['refresh-listing_ratings']);
    expect(job).toEqual({
      schedule: '*/15 * * * *',
      command: 'SET search_path = public; REFRESH MATERIALIZED VIEW CONCURRENTLY altan_private.listing_ratings;',
    });
    const sql = 'SELECT average_rating::text, review_count::int FROM public.listing_ratings WHERE listing_id = $1';
    // the backend creates C's review of the paid order oC
    await b.query(serviceRole, `INSERT INTO public.reviews (reviewer_id, listing_id, order_id, rating) VALUES ($1, $2, $3, 2)`, [ID.C, ID.lS1, ID.oC]);
    expect(await b.query(anon, sql, [ID.lS1])).toEqual([{ average_rating: '4.00', review_count: 1 }]); // not refreshed yet
    await runJob(b.db, 'refresh-listing_ratings');
    expect(await b.query(anon, sql, [ID.lS1])).toEqual([{ average_rating: '3.00', review_count: 2 }]);
  });
});
