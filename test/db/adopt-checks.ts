/**
 * What adopt*.test.ts check on PostgreSQL and on PGlite alike: a database
 * made by running the generated SQL by hand is adopted with nothing to run;
 * one whose objects were then changed by hand (one of every kind) is
 * adopted with exactly those objects changed back in place, and ends as the
 * generated SQL left it, rows included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { apply } from '../../src/execute/apply.js';
import { describeObject } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { EXAMPLES_DIR } from '../helpers.js';
import { createUser } from './harness.js';
import { comparableSnapshot as snapshotWithRecord } from './evolve.js';

export const EXAMPLE_NAMES = ['blog', 'blog-drafts', 'crm', 'marketplace', 'orders', 'todo'] as const;

export const example = async (name: string, text = readFileSync(join(EXAMPLES_DIR, name, 'altan.yaml'), 'utf8')): Promise<CompileResult> =>
  await compile(text, { fileName: 'altan.yaml' });

/** The catalog without the apply record (its schema comes with the first apply). */
async function comparableSnapshot(db: Database): Promise<Record<string, unknown[]>> {
  const snapshot = await snapshotWithRecord(db);
  const outside = (row: unknown) => !Object.values(row as Record<string, unknown>).includes('altan_meta');
  return Object.fromEntries(Object.entries(snapshot).map(([name, rows]) => [name, rows.filter(outside)]));
}

/** Every table's row count, by table. */
async function rowCounts(db: Database, compiled: CompileResult): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of compiled.model.tables) {
    const [row] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${compiled.model.schema}.${t.name}`);
    counts[t.name] = Number(row?.n);
  }
  return counts;
}

/** The generated SQL run by hand (as psql would), then adopted: every object as it is, no SQL, the catalog and rows untouched. */
export async function adoptsWhatTheGeneratedSqlMade(db: Database, compiled: CompileResult): Promise<void> {
  await db.exec(compiled.sql);
  const before = await comparableSnapshot(db);
  const rows = await rowCounts(db, compiled);

  const blocked = await plan(db, compiled);
  expect(blocked.blockers.length).toBeGreaterThan(0);
  expect(blocked.adoptable).toBe(blocked.blockers.length);

  const p = await plan(db, compiled, { adopt: true });
  expect(p.changes.map(describeObject)).toEqual([]);
  expect(p).toMatchObject({ status: 'changes', fresh: false, blockers: [], sql: '', unowned: [] });
  expect(p.adopted?.filter((a) => a.changed)).toEqual([]);
  const adoptedTables = p.adopted?.filter((a) => a.kind === 'table').map((a) => a.name);
  expect(adoptedTables).toEqual(compiled.model.tables.map((t) => t.name));
  expect(p.adopted?.length).toBe(compiled.objects.filter((o) => o.kind !== 'schema-usage').length);
  // plan --adopt changed nothing either.
  expect(await comparableSnapshot(db)).toEqual(before);

  const report = await apply(db, compiled, { adopt: true });
  expect(report).toMatchObject({ status: 'applied', changes: [], created: [] });
  expect(report.adopted).toEqual(p.adopted);
  expect(await comparableSnapshot(db)).toEqual(before);
  expect(await rowCounts(db, compiled)).toEqual(rows);
  expect((await plan(db, compiled)).status).toBe('up-to-date');
  expect((await apply(db, compiled)).status).toBe('up-to-date');
}

/** The marketplace example with a table of seed rows too. */
export const MARKETPLACE_WITH_ROWS = readFileSync(join(EXAMPLES_DIR, 'marketplace', 'altan.yaml'), 'utf8').replace(
  '\nentities:\n',
  `\nentities:\n  plans:\n    access: reference\n    fields:\n      name: { type: text, required: true }\n    rows:\n      - { id: 6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f, name: Free }\n`,
);

/** One hand change of every kind an adoption compares, on what the generated SQL of MARKETPLACE_WITH_ROWS made. */
const HAND_CHANGES = `
ALTER POLICY listings_update ON public.listings USING (true);
DROP INDEX public.orders_status_idx;
CREATE INDEX orders_status_idx ON public.orders (status, id);
DROP INDEX public.reviews_listing_id_idx;
ALTER TABLE public.orders DROP CONSTRAINT orders_total_cents_check, ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= -1);
ALTER TABLE public.orders DROP CONSTRAINT orders_listing_id_fkey,
  ADD CONSTRAINT orders_listing_id_fkey FOREIGN KEY (listing_id) REFERENCES public.listings (id) ON DELETE CASCADE;
ALTER TABLE public.listings ALTER COLUMN currency SET DEFAULT 'EUR';
ALTER TABLE public.orders ALTER COLUMN quantity TYPE smallint;
ALTER TABLE public.orders ALTER COLUMN invoice_path SET DEFAULT 'none';
DROP TRIGGER reviews_set_updated_at ON public.reviews;
CREATE TRIGGER reviews_set_updated_at BEFORE UPDATE ON public.reviews FOR EACH ROW EXECUTE FUNCTION altan_private.set_updated_at();
CREATE OR REPLACE FUNCTION altan_private.set_updated_at() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
  AS $$ BEGIN RETURN NEW; END $$;
COMMENT ON TABLE public.reviews IS 'changed by hand';
REVOKE DELETE ON public.orders FROM service_role;
UPDATE storage.buckets SET file_size_limit = 1 WHERE id = 'invoices';
ALTER POLICY bucket_invoices_select ON storage.objects USING (bucket_id = 'invoices');
DROP VIEW public.listing_ratings;
DROP MATERIALIZED VIEW altan_private.listing_ratings;
CREATE MATERIALIZED VIEW altan_private.listing_ratings AS
  SELECT listing_id, round(avg(rating), 1) AS average_rating, count(*) AS review_count FROM public.reviews GROUP BY listing_id;
SELECT cron.schedule('refresh-seller_stats', '7 * * * *', 'SET search_path = public; REFRESH MATERIALIZED VIEW CONCURRENTLY altan_private.seller_stats;');
UPDATE public.plans SET name = 'Gratis';
`;

/** The objects HAND_CHANGES changed, as plan names them. */
const CHANGED_BY_HAND = [
  'seed rows of plans',
  'column listings.currency',
  'policy listings_update on listings',
  'column orders.quantity',
  'column orders.invoice_path',
  'constraint orders_total_cents_check on orders',
  'foreign key orders_listing_id_fkey on orders',
  'grants on orders',
  'index orders_status_idx on orders',
  'comment on reviews',
  'trigger reviews_set_updated_at on reviews',
  'function set_updated_at',
  'bucket invoices',
  'storage policy bucket_invoices_select',
  'materialized view listing_ratings',
  'job refresh-seller_stats',
];

/**
 * The generated SQL run by hand, a row added, then HAND_CHANGES: adopting plans each changed object back (and
 * what reads a column whose type changes, and the index dropped), nothing else; the database then equals what the
 * generated SQL made, with its rows.
 */
export async function adoptsAndRepairsHandChanges(db: Database): Promise<void> {
  const compiled = await example('marketplace', MARKETPLACE_WITH_ROWS);
  await db.exec(compiled.sql);
  const seller = await createUser(db);
  const buyer = await createUser(db);
  await db.query(
    `WITH l AS (INSERT INTO public.listings (seller_id, title, price_cents) VALUES ($1, 'Lamp', 1200) RETURNING id)
     INSERT INTO public.orders (buyer_id, listing_id, quantity, total_cents) SELECT $2, id, 2, 2400 FROM l`,
    [seller, buyer],
  );
  const generated = await comparableSnapshot(db);
  await db.exec(HAND_CHANGES);

  const p = await plan(db, compiled, { adopt: true });
  expect(p.blockers).toEqual([]);
  expect(
    p.adopted
      ?.filter((a) => a.changed)
      .map(describeObject)
      .sort(),
  ).toEqual([...CHANGED_BY_HAND].sort());
  const lines = p.changes.map((c) => `${c.action} ${describeObject(c)}: ${c.details.join(', ')}`);
  expect(lines).toContain('alter column orders.quantity: type smallint → integer');
  expect(lines).toContain('alter column listings.currency: default ' + "'USD'");
  expect(lines).toContain('alter column orders.invoice_path: drop default');
  expect(lines).toContain('alter policy listings_update on listings: replaced: it differs from the file');
  expect(lines).toContain('alter constraint orders_quantity_check on orders: made again: it reads orders.quantity, whose type changes');
  expect(lines).toContain('create index reviews_listing_id_idx on reviews: ');
  expect(p.changes.filter((c) => c.action === 'drop')).toEqual([]);
  expect(p.destructive).toEqual([]);

  const report = await apply(db, compiled, { adopt: true });
  expect(report.status).toBe('applied');
  expect(await comparableSnapshot(db)).toEqual(generated);
  expect(await db.query('SELECT name FROM public.plans')).toEqual([{ name: 'Free' }]);
  expect(await db.query('SELECT l.title, o.quantity, o.total_cents::text AS total FROM public.orders o JOIN public.listings l ON l.id = o.listing_id')).toEqual(
    [{ title: 'Lamp', quantity: 2, total: '2400' }],
  );
  expect((await plan(db, compiled)).status).toBe('up-to-date');
}

/**
 * A schema the tool applied a file to, then a table made by hand under the name of an entity the next
 * version of the file adds: adopted beside what the tool already owns, whose objects stay untouched.
 */
export async function adoptsBesideWhatItApplied(db: Database): Promise<void> {
  const v1 = `version: 1\nentities:\n  todos:\n    fields:\n      title: text\n`;
  await apply(db, await compile(v1, { fileName: 'altan.yaml' }));
  await db.exec(`CREATE TABLE public.tags (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE CASCADE,
    label text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  const user = await createUser(db);
  await db.query(`INSERT INTO public.tags (user_id, label) VALUES ($1, 'kept')`, [user]);
  const v2 = await compile(`${v1}  tags:\n    fields:\n      label: text\n`, { fileName: 'altan.yaml' });

  expect((await plan(db, v2)).adoptable).toBe(1);
  const p = await plan(db, v2, { adopt: true });
  expect(p.blockers).toEqual([]);
  expect(p.lastApplied?.file).toBe('altan.yaml');
  expect(p.changes.filter((c) => c.table !== 'tags')).toEqual([]);
  expect(p.changes.filter((c) => c.action !== 'create').map(describeObject)).toEqual(['grants on tags']);
  expect(p.changes.map(describeObject)).toContain('policy tags_select on tags');
  expect(p.adopted?.filter((a) => a.kind !== 'grants')).toEqual([
    { kind: 'table', name: 'tags', changed: false },
    ...['id', 'user_id', 'label', 'created_at', 'updated_at'].map((name) => ({ kind: 'column', table: 'tags', name, changed: false })),
    { kind: 'constraint', table: 'tags', name: 'tags_pkey', changed: false },
    { kind: 'foreign-key', table: 'tags', name: 'tags_user_id_fkey', changed: false },
  ]);
  expect((await apply(db, v2, { adopt: true })).status).toBe('applied');
  expect(await db.query('SELECT label FROM public.tags')).toEqual([{ label: 'kept' }]);
  expect((await plan(db, v2)).status).toBe('up-to-date');
}
