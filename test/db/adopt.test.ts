/**
 * Adoption on PostgreSQL with pg_cron (the cron database, reset before each
 * test): what the generated SQL of each example made is adopted as it is;
 * hand changes of every kind are changed back in place. The command line's
 * cases are in test/cli-adopt.test.ts; PGlite's in adopt-pglite.test.ts.
 */
import { describe, it } from 'vitest';
import { adoptsAndRepairsHandChanges, adoptsWhatTheGeneratedSqlMade, EXAMPLE_NAMES, example } from './adopt-checks.js';
import { withCronDatabase } from './harness.js';

const cron = withCronDatabase();

describe('adopting on PostgreSQL', () => {
  for (const name of EXAMPLE_NAMES) {
    it(`example ${name}: the generated SQL run by hand is adopted as it is, with no SQL to run, rows and catalog untouched`, async () => {
      await cron.reset();
      await adoptsWhatTheGeneratedSqlMade(cron.db, await example(name));
    });
  }

  it('hand changes of every kind (policy, index, constraint, foreign key, column, trigger, function, comment, grants, bucket, storage policy, view, job, seed rows) are changed back in place', async () => {
    await cron.reset();
    await adoptsAndRepairsHandChanges(cron.db);
  });
});
