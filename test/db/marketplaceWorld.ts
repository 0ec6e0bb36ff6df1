/**
 * The rows both marketplace access files start from (access-marketplace*.test.ts):
 * a seller S, buyers B and C (B sells too), a user V with nothing, listings,
 * orders written by the checkout backend, one review, files in both buckets,
 * and the materialized views refreshed by running their cron jobs' commands.
 */
import type { Database } from '../../src/db/database.js';
import type { Backend } from './access.js';
import { namer, user, uuid } from './access.js';

export const ID = {
  S: uuid(0x5), // seller of lS1 (active) and lS2 (draft)
  B: uuid(0xb), // bought lS1 (order oB, delivered) and reviewed it (rB); sells lB
  C: uuid(0xc), // bought lS1 (oC, paid) and lB (oC2, pending)
  V: uuid(0xf), // signed up, nothing else
  lS1: uuid(0x101),
  lS2: uuid(0x102),
  lB: uuid(0x103),
  oB: uuid(0x201),
  oC: uuid(0x202),
  oC2: uuid(0x203),
  rB: uuid(0x301),
} as const;

export const names = namer(ID);
export const S = user(ID.S);
export const B = user(ID.B);
export const C = user(ID.C);
export const V = user(ID.V);

/** Files in storage.objects (bucket, name, owner), as the storage API would have stored them. */
export const FILES = [
  ['invoices', `${ID.B}/oB.pdf`, ID.B],
  ['invoices', `${ID.C}/oC.pdf`, ID.C],
  ['listing-images', `${ID.S}/bike.jpg`, ID.S],
  ['listing-images', `${ID.B}/chair.jpg`, ID.B],
] as const;

/** Runs the pg_cron job `name` the way pg_cron would: its command, on the owner's connection. */
export async function runJob(db: Database, name: string): Promise<void> {
  const [job] = await db.query<{ command: string }>('SELECT command FROM cron.job WHERE jobname = $1', [name]);
  if (job === undefined) throw new Error(`no cron job ${name}`);
  await db.exec(job.command);
  await db.exec('RESET search_path'); // the command sets it for its session
}

export async function seedMarketplace(b: Backend): Promise<void> {
  for (const id of [ID.S, ID.B, ID.C, ID.V]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.listings (id, seller_id, title, price_cents, status) VALUES
      ('${ID.lS1}', '${ID.S}', 'Bike', 5000, 'active'),
      ('${ID.lS2}', '${ID.S}', 'Lamp', 1500, 'draft'),
      ('${ID.lB}', '${ID.B}', 'Chair', 2000, 'active');
    INSERT INTO public.orders (id, buyer_id, listing_id, total_cents, status, invoice_path, created_at) VALUES
      ('${ID.oB}', '${ID.B}', '${ID.lS1}', 5000, 'delivered', '${ID.B}/oB.pdf', '2024-05-01 10:00Z'),
      ('${ID.oC}', '${ID.C}', '${ID.lS1}', 5000, 'paid', '${ID.C}/oC.pdf', '2024-05-01 12:00Z'),
      ('${ID.oC2}', '${ID.C}', '${ID.lB}', 2000, 'pending', NULL, '2024-05-02 09:00Z');
    INSERT INTO public.reviews (id, reviewer_id, listing_id, order_id, rating, body) VALUES
      ('${ID.rB}', '${ID.B}', '${ID.lS1}', '${ID.oB}', 4, 'Rides well');`);
  for (const [bucket, name, owner] of FILES) {
    await b.db.query('INSERT INTO storage.objects (bucket_id, name, owner) VALUES ($1, $2, $3)', [bucket, name, owner]);
  }
  for (const view of ['daily_sales', 'listing_ratings', 'seller_stats']) await runJob(b.db, `refresh-${view}`);
}
