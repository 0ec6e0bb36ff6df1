/**
 * Random mutations of valid files — a value of the wrong kind, a wrong scalar,
 * a missing or unknown key, a value nested one level too deep, `version: 2`,
 * or damage to the YAML text itself (a tab, a duplicated line, a cut, a stray
 * piece) — must always be reported, never crash:
 *
 * - in process (most runs): `validate` never throws; every problem has a rule,
 *   a one-line message and a position (line ≥ 1, column ≥ 1; only the few
 *   file-level rules have none); `compile` throws `InvalidRequirementsError`
 *   with those same problems, or, when the mutation happened to keep the file
 *   valid, gives SQL that Postgres's parser accepts. Most mutations must make
 *   the file invalid (counted), so the property does not test nothing.
 * - through the CLI, called in process (a few per run): `validate` and `generate` exit 1 with
 *   nothing on stdout and exactly the in-process problems on stderr, one
 *   `file:line:col: message [rule]` per line, and never a stack trace.
 *
 * The mutations are drawn by mutate.ts; mutations-apply.test.ts applies them to databases.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadModule, parseSync } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { formatDiagnostic, InvalidRequirementsError } from '../../src/index.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import type { Diagnostic } from '../../src/index.js';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { FUZZ_RUNS, numRuns, timeoutFor } from './arbitraries.js';
import { mutatedArb } from './mutate.js';

afterAll(removeTemporaryDirectories);

const FILE = 'altan.yaml';
const RUNS = 100;
const CLI_RUNS = FUZZ_RUNS === undefined ? 5 : Math.max(5, Math.ceil(FUZZ_RUNS / 20));
/** Problems about the file as a whole, which have no position (see docs/format.md §13). */
const POSITIONLESS = new Set(['empty-file', 'file-too-large', 'not-utf8']);

beforeAll(async () => {
  await loadSqlParser();
  await loadModule();
});

/** The SQL fragments an author wrote (checks, defaults, index conditions, view queries), in a canonical order. */
function authorSql(doc: unknown): string {
  const out: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string' && (key === 'check' || key === 'where' || key === 'query' || key === 'sql')) out.push(`${key}:${value}`);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, undefined));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(doc, undefined);
  return JSON.stringify(out.sort());
}

/** The problems must be usable: rule, one-line message, position. */
function checkDiagnostics(errors: readonly Diagnostic[]): void {
  for (const d of errors) {
    const shown = formatDiagnostic(d);
    expect(d.rule, shown).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(d.message.trim().length, shown).toBeGreaterThan(0);
    expect(d.file).toBe(FILE);
    // One problem per line: a newline in a message would break `file:line:col: message` parsing.
    expect(shown, 'a diagnostic is one line').not.toMatch(/[\n\r]/);
    if (!POSITIONLESS.has(d.rule)) {
      expect(d.line, shown).toBeGreaterThanOrEqual(1);
      expect(d.column, shown).toBeGreaterThanOrEqual(1);
    }
  }
  expect(
    errors.some((d) => d.line >= 1 && d.column >= 1),
    'at least one problem has a position',
  ).toBe(true);
}

describe('mutations of valid files', () => {
  it(
    'in process: never a throw, always a positioned one-line problem (or, if still valid, SQL that parses)',
    () => {
      let invalid = 0;
      let total = 0;
      fc.assert(
        fc.property(mutatedArb, (mutated) => {
          total++;
          let checked: ReturnType<typeof validate> | undefined;
          expect(() => {
            checked = validate(mutated.text, { fileName: FILE });
          }).not.toThrow();
          const errors = checked?.errors ?? [];
          if (errors.length === 0) {
            // Still valid: then it compiles, and the SQL parses — unless the mutation changed
            // SQL that the author writes (check, where, { sql: }, query), which no one parses
            // before Postgres does.
            const { sql } = compile(mutated.text, { fileName: FILE });
            if (authorSql(checked?.input) === authorSql(mutated.original)) expect(() => parseSync(sql)).not.toThrow();
            return;
          }
          invalid++;
          checkDiagnostics(errors);
          let thrown: unknown;
          try {
            compile(mutated.text, { fileName: FILE });
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeInstanceOf(InvalidRequirementsError);
          expect((thrown as InvalidRequirementsError).errors).toEqual(errors);
        }),
        { numRuns: numRuns(RUNS) },
      );
      // Most mutations must break the file, or the property above tests little.
      expect(invalid / total, `${invalid} of ${total} mutated files were invalid`).toBeGreaterThan(0.5);
    },
    timeoutFor(RUNS),
  );

  it(
    'through the CLI: exit 1, nothing on stdout, `file:line:col: message` lines on stderr, no stack trace',
    async () => {
      const dir = temporaryDirectory('altan-mutations-');
      await fc.assert(
        fc.asyncProperty(
          mutatedArb.filter((m) => validate(m.text, { fileName: FILE }).errors.length > 0),
          async (mutated) => {
            writeFileSync(join(dir, FILE), mutated.text);
            const checked = validate(mutated.text, { fileName: FILE });
            const expected = [...checked.errors, ...checked.warnings].map((d) => `${formatDiagnostic(d)}\n`).join('');
            for (const command of ['validate', 'generate']) {
              const r = await runCliInProcess([command, FILE], { cwd: dir });
              expect(r.stderr, `${command} stderr`).not.toMatch(STACK_TRACE);
              expect(r.status, `${command} exit code; stderr:\n${r.stderr}`).toBe(1);
              expect(r.stdout, `${command} stdout`).toBe('');
              for (const line of r.stderr.trimEnd().split('\n')) {
                expect(line, `${command}: every stderr line is one problem`).toMatch(/^[^:\n]+:\d+:\d+: \S/);
              }
              expect(r.stderr, `${command}: the problems validate() reports`).toBe(expected);
            }
          },
        ),
        // No shrinking: each step runs the CLI twice; the counterexample is printed as a file anyway.
        { numRuns: CLI_RUNS, endOnFailure: true },
      );
    },
    timeoutFor(RUNS, 60_000),
  );
});
