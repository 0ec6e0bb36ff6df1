/**
 * The fixtures of test/evolve/ applied as sequences (v1 → v2 → v3 → v2, or longer) on real
 * PostgreSQL with pg_cron (the cron database, reset between runs), with rows
 * in the tables: after every step the rows keep their values, the catalog
 * (cron jobs included) equals a fresh apply of the same version, the user's
 * own table, policy and function are untouched, and planning again finds
 * nothing; each step's destructive changes are refused first, listed one by
 * one, leaving the catalog as it was. PGlite: evolve-sequence-pglite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runSequence } from './evolve.js';
import { ACCESS, STUDIO, TASKS } from './evolve-projects.js';
import { withCronDatabase } from './harness.js';

const cron = withCronDatabase();
const backend = {
  get db() {
    return cron.db;
  },
  reset: () => cron.reset(),
  createUser: () => cron.createUser(),
};

describe('evolving a file on PostgreSQL with pg_cron', () => {
  it('tasks: entities, fields, types, defaults, required, enum, check, access, indexes, comments, seeds and jobs change; rows survive', async () => {
    const labels: (string | null)[] = [];
    const ledger = await runSequence(backend, TASKS, async () => {
      const [exists] = await cron.db.query<{ yes: boolean }>("SELECT to_regclass('public.labels') IS NOT NULL AS yes");
      const [row] = exists?.yes ? await cron.db.query<{ names: string }>("SELECT string_agg(name, ',' ORDER BY name) AS names FROM public.labels") : [];
      labels.push(row?.names ?? null);
    });
    // seed rows are upserted: v2 renames one and adds one, the row it no longer lists stays; v3 drops the table, v2 makes it again
    expect(labels).toEqual(['bug,feature', 'chore,defect,feature,label 10', null, 'chore,defect']);
    // 14 rows inserted, the 2 of labels before v3 went with it
    expect(ledger.gone).toBe(2);
    expect(ledger.size).toBe(12);
  }, 240_000);

  it('access: a rule with terms, readonly and immutable fields, access closed and reopened, back to plain levels; rows survive', async () => {
    const ledger = await runSequence(backend, ACCESS);
    expect(ledger.gone).toBe(0);
    expect(ledger.size).toBe(5 * 3);
  }, 240_000);

  it('studio: organizations appear, buckets, materialized views and jobs change; rows and files survive', async () => {
    const images: number[] = [];
    const ledger = await runSequence(backend, STUDIO, async () => {
      const [row] = await cron.db.query<{ n: number }>("SELECT count(*)::int AS n FROM storage.objects WHERE bucket_id = 'images'");
      images.push(row?.n ?? -1);
    });
    expect(images).toEqual([0, 1, 2, 3]);
    expect(ledger.gone).toBe(0);
    expect(ledger.size).toBe(1 + 3 + 3 + 3);
    // the bucket docs was dropped by v3 with its file, and made again empty by the last v2 (then filled)
    const docs = await cron.db.query<{ name: string }>("SELECT name FROM storage.objects WHERE bucket_id = 'docs'");
    expect(docs.length).toBe(1);
    // post_count reads no column that changed (posts.score changes type): it is not made again, so it holds what it
    // counted when it was made until its job refreshes it; a refresh counts the rows every version left
    const [job] = await cron.db.query<{ n: number }>("SELECT count(*)::int AS n FROM cron.job WHERE jobname = 'refresh-post_count'");
    expect(job?.n).toBe(1);
    await cron.db.exec('REFRESH MATERIALIZED VIEW altan_private.post_count');
    const [counted] = await cron.db.query<{ n: number; posts: number }>(
      'SELECT n::int AS n, (SELECT count(*)::int FROM public.posts) AS posts FROM altan_private.post_count',
    );
    expect(counted?.n).toBe(counted?.posts);
    expect(counted?.n).toBeGreaterThan(0);
  }, 240_000);
});
