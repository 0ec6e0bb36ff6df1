/**
 * examples/orders applied for real, then used as PostgREST would: an order is
 * read by its buyer and its seller and by nobody else; a buyer places pending
 * orders as themselves and never prices one (total_cents is readonly: 42501);
 * only the seller moves an order on, changing its status and nothing else
 * (buyer_id, seller_id and item are immutable, total_cents readonly: 42501);
 * nobody deletes one; the per-user materialized views serve each caller their
 * own rows. Every scenario runs on the test server's Postgres (the cron
 * database: the views have refresh jobs) and on PGlite. Column privileges
 * before apply_postgrest_permissions(): access-readonly.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectRlsViolation, failure, namer, serviceRole, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';
import type { Actor } from './harness.js';
import { runJob } from './marketplaceWorld.js';

const compiled = await compileExample('orders');

const ID = {
  B: uuid(0xb), // buyer of o1 (from S, pending) and o2 (from T, paid)
  C: uuid(0xc), // buyer of o3 (from S, shipped)
  S: uuid(0x5), // seller of o1 and o3
  T: uuid(0x7), // seller of o2
  X: uuid(0xf), // signed up, neither buys nor sells
  o1: uuid(0x101),
  o2: uuid(0x102),
  o3: uuid(0x103),
} as const;
const names = namer(ID);
const [B, C, S, T, X] = [user(ID.B), user(ID.C), user(ID.S), user(ID.T), user(ID.X)];

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.B, ID.C, ID.S, ID.T, ID.X]) await b.user(id);
  // as the backend would: the amounts are its to set
  await b.db.exec(`
    INSERT INTO public.orders (id, buyer_id, seller_id, item, status, total_cents, created_at) VALUES
      ('${ID.o1}', '${ID.B}', '${ID.S}', 'Bike', 'pending', 5000, '2024-05-01 10:00Z'),
      ('${ID.o2}', '${ID.B}', '${ID.T}', 'Lamp', 'paid', 1500, '2024-05-01 11:00Z'),
      ('${ID.o3}', '${ID.C}', '${ID.S}', 'Tent', 'shipped', 9000, '2024-05-02 09:00Z');`);
  // the views are filled by their refresh jobs
  await runJob(b.db, 'refresh-buyer_spending');
  await runJob(b.db, 'refresh-seller_sales');
}

const denied = (column: string) => ({ code: '42501', message: `permission denied for column ${column} of table orders` });

describe.each(BACKENDS)('orders example on %s', (backend) => {
  const b = useBackend(backend, 'cron', compiled, seed);
  const all = async () => b.db.query('SELECT * FROM public.orders ORDER BY id');
  const orders = async (actor: Actor) => names(await b.query(actor, 'SELECT id FROM public.orders'));

  it('the buyer and the seller read an order; a third user and anon read none', async () => {
    expect(await orders(B)).toEqual(['o1', 'o2']);
    expect(await orders(C)).toEqual(['o3']);
    expect(await orders(S)).toEqual(['o1', 'o3']);
    expect(await orders(T)).toEqual(['o2']);
    expect(await orders(X)).toEqual([]);
    expect(await orders(anon)).toEqual([]);
    // asking for them by id, buyer or seller changes nothing
    expect(await b.query(X, 'SELECT id FROM public.orders WHERE buyer_id = $1 OR seller_id = $2 OR id = $3', [ID.B, ID.S, ID.o1])).toEqual([]);
  });

  it('a buyer places a pending order as themselves; not a paid one, not for another buyer, not as anon', async () => {
    const [row] = await b.query(
      B,
      `INSERT INTO public.orders (seller_id, item) VALUES ($1, 'Kettle') RETURNING buyer_id, status, total_cents::int AS total_cents`,
      [ID.S],
      {
        rollback: true,
      },
    );
    expect(row).toEqual({ buyer_id: ID.B, status: 'pending', total_cents: 0 });
    await expectRlsViolation(b.query(B, `INSERT INTO public.orders (seller_id, item, status) VALUES ($1, 'Kettle', 'paid')`, [ID.S]));
    await expectRlsViolation(b.query(B, `INSERT INTO public.orders (buyer_id, seller_id, item) VALUES ($1, $2, 'Kettle')`, [ID.C, ID.S]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.orders (buyer_id, seller_id, item) VALUES ($1, $2, 'Kettle')`, [ID.B, ID.S]));
  });

  it('a buyer cannot price an order: total_cents set on insert is refused (42501)', async () => {
    const e = await failure(b.query(B, `INSERT INTO public.orders (seller_id, item, total_cents) VALUES ($1, 'Kettle', 1)`, [ID.S]));
    expect({ code: e.code, message: e.message }).toEqual(denied('total_cents'));
    // its default, written out, is no write
    const [row] = await b.query(
      B,
      `INSERT INTO public.orders (seller_id, item, total_cents) VALUES ($1, 'Kettle', 0) RETURNING total_cents::int AS total_cents`,
      [ID.S],
      {
        rollback: true,
      },
    );
    expect(row).toEqual({ total_cents: 0 });
  });

  it('a buyer changes nothing of their order, and deletes none: no update or delete is theirs (0 rows)', async () => {
    const before = await all();
    const touched = [
      ...(await b.query(B, `UPDATE public.orders SET status = 'shipped' WHERE id = $1 RETURNING id`, [ID.o1])),
      ...(await b.query(B, 'UPDATE public.orders SET total_cents = 1 WHERE id = $1 RETURNING id', [ID.o1])),
      ...(await b.query(B, 'UPDATE public.orders SET seller_id = $1 WHERE id = $2 RETURNING id', [ID.B, ID.o1])),
      ...(await b.query(B, 'DELETE FROM public.orders WHERE buyer_id = $1 RETURNING id', [ID.B])),
    ];
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('the seller moves their order on: its status, and nothing else (42501 for buyer_id, seller_id, item, total_cents)', async () => {
    const shipped = await b.query(S, `UPDATE public.orders SET status = 'paid' WHERE id = $1 RETURNING id, status`, [ID.o1], { rollback: true });
    expect(shipped).toEqual([{ id: ID.o1, status: 'paid' }]);
    // the guard compares values: an immutable column written with its own value is no change
    const same = await b.query(S, `UPDATE public.orders SET status = 'paid', seller_id = $1, item = 'Bike' WHERE id = $2 RETURNING id`, [ID.S, ID.o1], {
      rollback: true,
    });
    expect(names(same)).toEqual(['o1']);
    const before = await all();
    for (const [column, value] of [
      ['buyer_id', ID.C],
      ['seller_id', ID.T],
      ['item', 'Broken bike'],
      ['total_cents', 1],
    ] as const) {
      const e = await failure(b.query(S, `UPDATE public.orders SET ${column} = $1 WHERE id = $2`, [value, ID.o1]));
      expect({ code: e.code, message: e.message }).toEqual(denied(column));
    }
    // a seller may not delete either
    expect(await b.query(S, 'DELETE FROM public.orders WHERE id = $1 RETURNING id', [ID.o1])).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it("no seller moves another seller's order; a third user and anon move none", async () => {
    const before = await all();
    const touched = [];
    for (const actor of [T, X, C, anon]) {
      touched.push(...(await b.query(actor, `UPDATE public.orders SET status = 'cancelled' WHERE id = $1 RETURNING id`, [ID.o1])));
    }
    touched.push(...(await b.query(S, `UPDATE public.orders SET status = 'cancelled' WHERE id = $1 RETURNING id`, [ID.o2])));
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it('the backend (service role) prices and deletes orders', async () => {
    const written = await b.as(
      serviceRole,
      async (s) => [
        ...(await s.query('UPDATE public.orders SET total_cents = 4500, seller_id = $1 WHERE id = $2 RETURNING id', [ID.T, ID.o1])),
        ...(await s.query('DELETE FROM public.orders WHERE id = $1 RETURNING id', [ID.o2])),
      ],
      { rollback: true },
    );
    expect(names(written)).toEqual(['o1', 'o2']);
  });

  it("each buyer reads their own spending, each seller their own sales; nobody else's, whatever they ask for", async () => {
    const spending = async (actor: Actor, where = '') =>
      b.query(actor, `SELECT buyer_id, orders::int AS orders, spent_cents::int AS spent FROM public.buyer_spending ${where}`);
    expect(await spending(B)).toEqual([{ buyer_id: ID.B, orders: 2, spent: 1500 }]); // one paid, one pending
    expect(await spending(C)).toEqual([{ buyer_id: ID.C, orders: 1, spent: 9000 }]);
    expect(await spending(B, `WHERE buyer_id = '${ID.C}'`)).toEqual([]);
    expect(await spending(S)).toEqual([]);
    expect(await spending(X)).toEqual([]);
    const sales = async (actor: Actor) =>
      b.query(actor, 'SELECT seller_id, day::text AS day, revenue_cents::int AS revenue FROM public.seller_sales ORDER BY day');
    // a day of pending orders only counts them, with no revenue yet
    expect(await sales(S)).toEqual([
      { seller_id: ID.S, day: '2024-05-01', revenue: 0 },
      { seller_id: ID.S, day: '2024-05-02', revenue: 9000 },
    ]);
    expect(await sales(T)).toEqual([{ seller_id: ID.T, day: '2024-05-01', revenue: 1500 }]);
    expect(await sales(B)).toEqual([]);
    // the rows are there: the backend reads them all
    expect(await b.db.query('SELECT count(*)::int AS n FROM altan_private.buyer_spending')).toEqual([{ n: 2 }]);
  });

  it('anon reads no per-user view: it holds no privilege on the materialized views behind them', async () => {
    for (const view of ['buyer_spending', 'seller_sales']) {
      const e = await failure(b.query(anon, `SELECT * FROM public.${view}`));
      expect(e.code).toBe('42501');
    }
  });
});
