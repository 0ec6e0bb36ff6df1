/**
 * Random valid files (arbitraries.ts) applied for real, through apply(), on
 * PostgreSQL with pg_cron (the cron database, reset between files) and on
 * PGlite (one in-memory database, reset between files). For each file, on
 * each backend:
 *
 * - apply succeeds ('applied'), with the catalog guarantees of the corpus
 *   tests (RLS, policies, foreign-key indexes, private functions and views,
 *   realtime tables in the publication);
 * - every literal default and seed value reads back exactly as the file has
 *   it (roundtrip.ts);
 * - Postgres: cron.job holds exactly the compiled jobs, and every job's
 *   command runs (view refreshes, CONCURRENTLY included, and the author's
 *   job SQL); PGlite: the stand-in cron.job holds their names and schedules.
 *
 * Users that seed rows reference are created first, as a project would have
 * them. The generator writes author SQL (checks, defaults, view queries and
 * keys, index conditions, job SQL) that is valid for the schema it generates,
 * so any failure here is the compiler's or the generator's — never skipped.
 * FUZZ_RUNS=N applies N files; a failure prints its seed and path (replay
 * with fc.assert(..., { seed, path })) and the YAML file.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import type { CompileResult } from '../../src/index.js';
import { catalogProblems, cronJobs, expectedCron } from '../db/apply-corpus-checks.js';
import { memoryDatabase, resetDatabase, withCronDatabase } from '../db/harness.js';
import { advisorProblems } from '../db/advisors.js';
import { fileArb, numRuns, replay, timeoutFor } from './arbitraries.js';
import type { GeneratedFile } from './expected.js';
import { verify } from '../../src/verify/run.js';
import { READ_SETTINGS, fileLiterals, literalMismatches, seedUsers } from './roundtrip.js';

const FILE = 'random.yaml';
/** Files per run (each applied on both backends). */
const RUNS = 50;
const cron = withCronDatabase();
let lite: Database;

beforeAll(async () => {
  await loadSqlParser();
  lite = await memoryDatabase();
}, 60_000);

/** What the run exercised, so that a generator that stopped producing something is noticed. */
const seen = { files: 0, literals: 0, seedRows: 0, views: 0, jobs: 0, verified: 0, realtime: 0 };

/** Runs each job's command as pg_cron would (one simple query, as the admin who scheduled it); returns the failures. */
async function jobFailures(db: Database, compiled: CompileResult): Promise<string[]> {
  const failures: string[] = [];
  for (const job of compiled.cron) {
    try {
      await db.exec(job.command);
    } catch (e) {
      failures.push(`${job.name}: ${(e as Error).message}\n${job.command}`);
    } finally {
      // refresh commands begin with SET search_path
      await db.exec('RESET search_path');
    }
  }
  return failures;
}

/** Applies the file to a just-reset database and checks it there; `label` names the backend in failures. */
async function applyAndCheck(db: Database, label: string, file: GeneratedFile, compiled: CompileResult): Promise<void> {
  await resetDatabase(db);
  await db.exec(READ_SETTINGS);
  const users = seedUsers(file.doc, compiled.model);
  if (users.length > 0) await db.query('INSERT INTO auth.users (id) SELECT unnest($1::uuid[])', [users]);

  const report = await apply(db, compiled);
  expect(report.status, label).toBe('applied');
  expect(await catalogProblems(db, compiled), `${label}: catalog`).toEqual([]);
  // on PostgreSQL only: the catalogs are the same, and PGlite answers the advisors' one query in about 70 ms
  if (db.kind === 'postgres') {
    const advisors = await advisorProblems(db, compiled);
    expect(advisors, `${label}: Supabase's advisors`).toEqual([]);
  }
  const literals = fileLiterals(file.doc, compiled.model);
  expect(await literalMismatches(db, compiled.model, literals), `${label}: literals read back`).toEqual([]);

  // Every request clients make comes out as the access rules promise ("not tested" is allowed here:
  // a random CHECK may refuse every value verify tries).
  const verified = await verify(db, compiled);
  expect(
    verified.results.filter((r) => r.status === 'fail'),
    `${label}: verify`,
  ).toEqual([]);
  seen.verified += verified.passed;

  if (db.kind === 'postgres') {
    expect(await cronJobs(db), `${label}: cron.job`).toEqual(expectedCron(compiled));
    expect(await jobFailures(db, compiled), `${label}: job commands`).toEqual([]);
    seen.literals += literals.length;
    seen.seedRows += new Set(literals.flatMap((l) => (l.source.kind === 'row' ? [`${l.table}:${l.source.row}`] : []))).size;
    seen.views += compiled.model.views.length;
    seen.jobs += compiled.model.jobs.length;
    seen.realtime += compiled.model.tables.filter((t) => t.realtime).length;
  } else {
    const recorded = (await cronJobs(db)).map(({ name, schedule }) => ({ name, schedule }));
    expect(recorded, `${label}: stand-in cron.job`).toEqual(expectedCron(compiled).map(({ name, schedule }) => ({ name, schedule })));
  }
}

describe('random valid files apply on PostgreSQL (pg_cron) and PGlite', () => {
  it(
    'each applies, keeps the catalog guarantees, reads back every literal exactly, and its jobs run',
    async () => {
      await fc.assert(
        fc.asyncProperty(fileArb, async (file) => {
          fc.pre(validate(file.text, { fileName: FILE }).errors.length === 0);
          const compiled = compile(file.text, { fileName: FILE });
          await applyAndCheck(cron.db, 'PostgreSQL', file, compiled);
          await applyAndCheck(lite, 'PGlite', file, compiled);
          seen.files++;
        }),
        // No shrinking: each step would apply twice more; the failure prints its file, ready to replay.
        { numRuns: numRuns(RUNS), endOnFailure: true, ...replay() },
      );
      // The sample really exercised seeds, views and jobs (the counts are far above these floors).
      expect(seen.files).toBe(numRuns(RUNS));
      expect(seen.seedRows, 'seed rows').toBeGreaterThan(0);
      expect(seen.literals, 'literals read back').toBeGreaterThan(numRuns(RUNS));
      expect(seen.views, 'views refreshed').toBeGreaterThan(0);
      expect(seen.jobs, 'jobs run').toBeGreaterThan(0);
      expect(seen.realtime, 'realtime tables published').toBeGreaterThan(0);
      expect(seen.verified, 'requests verified').toBeGreaterThan(numRuns(RUNS) * 10);
    },
    timeoutFor(RUNS, 300_000),
  );
});
