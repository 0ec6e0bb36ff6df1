/**
 * The sequences of evolve-sequence.test.ts (test/evolve/, v1 → v2 → v3 → v2)
 * on the embedded PGlite, where jobs are recorded in the stand-in cron.job:
 * rows keep their values, the catalog (stand-in jobs included) equals a fresh
 * apply of each version, the user's objects are untouched, destructive steps
 * are refused until allowed, and planning again finds nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runSequence } from './evolve.js';
import { ACCESS, STUDIO, TASKS } from './evolve-projects.js';
import { createUser, memoryDatabase, resetDatabase } from './harness.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDatabase();
}, 60_000);
const backend = {
  get db() {
    return db;
  },
  reset: () => resetDatabase(db),
  createUser: () => createUser(db),
};

describe('evolving a file on PGlite', () => {
  for (const project of [TASKS, STUDIO]) {
    it(`${project.name}: v1 → v2 → v3 → v2 keeps the rows and ends each step as a fresh apply would`, async () => {
      const jobs: string[][] = [];
      const ledger = await runSequence(backend, project, async () => {
        jobs.push((await db.query<{ jobname: string }>('SELECT jobname FROM cron.job ORDER BY 1')).map((j) => j.jobname));
      });
      expect(ledger.size).toBeGreaterThan(0);
      expect(jobs).toEqual(
        project === TASKS
          ? [['purge-done'], ['close-stale'], ['close-stale'], ['close-stale']]
          : [
              ['cleanup', 'refresh-top_posts'],
              ['digest', 'refresh-post_count', 'refresh-top_posts'],
              ['digest', 'refresh-post_count'],
              ['digest', 'refresh-post_count', 'refresh-top_posts'],
            ],
      );
    }, 240_000);
  }

  it('access: v1 → v2 → v3 → v1 → v2 (rules with terms, readonly and immutable fields, access closed) keeps the rows and ends each step as a fresh apply would', async () => {
    const ledger = await runSequence(backend, ACCESS);
    expect(ledger.size).toBe(5 * 3);
  }, 240_000);
});
