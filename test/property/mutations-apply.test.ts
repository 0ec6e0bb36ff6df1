/**
 * Invalid files apply nothing. Random mutations of valid files (mutate.ts)
 * that make them invalid, applied:
 *
 * - through the CLI (called in process), `apply <file> --database-url <url>` on PostgreSQL:
 *   exit 1, nothing on stdout, exactly validate()'s problems on stderr as
 *   `file:line:col: message [rule]` lines, no stack trace, and the catalog
 *   (catalogSnapshot: schemas, tables, columns, constraints, policies,
 *   functions, triggers, grants, roles, buckets, users, cron jobs, applied
 *   files) exactly as before; and `apply <file>` with no database named: the
 *   same, and no embedded database created in the working directory;
 * - through the library, `compile` then `apply` on PostgreSQL and PGlite:
 *   InvalidRequirementsError with validate()'s problems, and both catalogs
 *   exactly as before.
 *
 * The database is not empty: a valid file was applied first, so that
 * "unchanged" also means that nothing of it was dropped or altered.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { formatDiagnostic, InvalidRequirementsError } from '../../src/index.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from '../db/harness.js';
import { catalogSnapshot } from '../db/snapshot.js';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { FUZZ_RUNS } from './arbitraries.js';
import { mutatedArb } from './mutate.js';

afterAll(removeTemporaryDirectories);

const FILE = 'altan.yaml';
/** Mutations per run for each of the two tests (each CLI step runs apply twice). */
const RUNS = FUZZ_RUNS === undefined ? 10 : Math.max(10, Math.ceil(FUZZ_RUNS / 10));

const BEFORE = `version: 1
entities:
  notes:
    fields:
      body: { type: text, required: true, check: "char_length(body) < 1000" }
buckets:
  files: {}
`;

const invalidArb = mutatedArb.filter((m) => validate(m.text, { fileName: FILE }).errors.length > 0);

/** What the CLI must print to stderr for the file: its problems and warnings, one per line. */
function expectedStderr(text: string): string {
  const checked = validate(text, { fileName: FILE });
  return [...checked.errors, ...checked.warnings].map((d) => `${formatDiagnostic(d)}\n`).join('');
}

let url: string;
let pg: Database;
let lite: Database;

beforeAll(async () => {
  await loadSqlParser();
  url = await freshDatabase('mutations apply');
  pg = await connect(url);
  lite = await memoryDatabase();
  for (const db of [pg, lite]) expect((await apply(db, compile(BEFORE, { fileName: 'before.yaml' }))).status).toBe('applied');
}, 60_000);

afterAll(async () => {
  await pg?.close();
  if (url) await dropDatabase(url);
});

describe('invalid files apply nothing', () => {
  it(
    'CLI apply (--database-url, and the embedded default): exit 1, positioned one-line problems, no stack trace, catalog unchanged, no database created',
    async () => {
      const before = await catalogSnapshot(pg);
      expect(before.applied).toHaveLength(1);
      await fc.assert(
        fc.asyncProperty(invalidArb, async (mutated) => {
          const dir = temporaryDirectory('altan-mutations-apply-');
          writeFileSync(join(dir, FILE), mutated.text);
          const runs = {
            'apply --database-url': await runCliInProcess(['apply', FILE, '--database-url', url], { cwd: dir }),
            // No DATABASE_URL: the embedded database in ./.altan-cloud/db would be the target
            apply: await runCliInProcess(['apply', FILE], { cwd: dir, env: { DATABASE_URL: undefined } }),
          };
          for (const [command, r] of Object.entries(runs)) {
            expect(r.stderr, `${command} stderr`).not.toMatch(STACK_TRACE);
            expect(r.status, `${command} exit code; stderr:\n${r.stderr}`).toBe(1);
            expect(r.stdout, `${command} stdout`).toBe('');
            for (const line of r.stderr.trimEnd().split('\n')) expect(line, `${command}: one problem per line`).toMatch(/^altan\.yaml:\d+:\d+: \S/);
            expect(r.stderr, `${command}: the problems validate() reports`).toBe(expectedStderr(mutated.text));
          }
          expect(existsSync(join(dir, '.altan-cloud')), 'an embedded database was created').toBe(false);
          expect(await catalogSnapshot(pg)).toEqual(before);
        }),
        // No shrinking: each step runs the CLI twice; the counterexample prints as a file anyway.
        { numRuns: RUNS, endOnFailure: true },
      );
    },
    RUNS * 12_000,
  );

  it(
    'library compile + apply on PostgreSQL and PGlite: InvalidRequirementsError with the problems, both catalogs unchanged',
    async () => {
      const before = { pg: await catalogSnapshot(pg), lite: await catalogSnapshot(lite) };
      await fc.assert(
        fc.asyncProperty(invalidArb, async (mutated) => {
          for (const [label, db] of [
            ['PostgreSQL', pg],
            ['PGlite', lite],
          ] as const) {
            const error = await (async () => apply(db, compile(mutated.text, { fileName: FILE })))().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error, label).toBeInstanceOf(InvalidRequirementsError);
            expect((error as InvalidRequirementsError).errors, label).toEqual(validate(mutated.text, { fileName: FILE }).errors);
          }
          expect(await catalogSnapshot(pg), 'PostgreSQL catalog').toEqual(before.pg);
          expect(await catalogSnapshot(lite), 'PGlite catalog').toEqual(before.lite);
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    },
    RUNS * 6_000,
  );
});
