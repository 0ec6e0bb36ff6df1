/**
 * Adoption on the embedded PGlite (its stand-ins for pg_cron and Storage
 * hold the jobs and buckets): what the generated SQL of each example made is
 * adopted as it is; hand changes of every kind are changed back in place.
 */
import { beforeAll, describe, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compile.js';
import { CASES_DIR } from '../helpers.js';
import { adoptsAndRepairsHandChanges, adoptsBesideWhatItApplied, adoptsWhatTheGeneratedSqlMade, EXAMPLE_NAMES, example } from './adopt-checks.js';
import { memoryDatabase, resetDatabase } from './harness.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDatabase();
}, 60_000);

describe('adopting on PGlite', () => {
  for (const name of EXAMPLE_NAMES) {
    it(`example ${name}: the generated SQL run by hand is adopted as it is, with no SQL to run, rows and catalog untouched`, async () => {
      await resetDatabase(db);
      await adoptsWhatTheGeneratedSqlMade(db, await example(name));
    }, 120_000);
  }

  // A schema of its own (and its private schema's usage); seed rows that give updated_at, which the trigger sets instead.
  for (const name of ['custom-schema', 'warning-seed-rows']) {
    it(`case ${name}: the generated SQL run by hand is adopted as it is`, async () => {
      await resetDatabase(db);
      const compiled = await compile(readFileSync(join(CASES_DIR, name, 'requirements.yaml')), { fileName: 'requirements.yaml' });
      await adoptsWhatTheGeneratedSqlMade(db, compiled);
    }, 120_000);
  }

  it('a table made by hand for an entity the next version of an applied file adds: adopted beside what the tool owns', async () => {
    await resetDatabase(db);
    await adoptsBesideWhatItApplied(db);
  }, 120_000);

  it('hand changes of every kind (policy, index, constraint, foreign key, column, trigger, function, comment, grants, bucket, storage policy, view, job, seed rows) are changed back in place', async () => {
    await resetDatabase(db);
    await adoptsAndRepairsHandChanges(db);
  }, 120_000);
});
