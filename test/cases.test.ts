/**
 * The golden corpus. Each `test/cases/<name>/` holds a `requirements.yaml`
 * and either `expected.sql` (valid: compiled by the library, byte for byte;
 * its warnings, if any, in `expected.warnings`) or `expected.stderr`
 * (invalid: what the CLI prints, exit code 1; the CLI is called in this
 * process, as test/cli.test.ts checks that the built binary prints the same). The examples are checked
 * the same way with their `altan.yaml`.
 *
 * UPDATE_GOLDEN=1 writes the expected files instead; whether a case is valid
 * is decided by whether `compile` throws InvalidRequirementsError.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostic } from '../src/index.js';
import { InvalidRequirementsError } from '../src/diagnostics.js';
import type { Diagnostic } from '../src/diagnostics.js';
import {
  EXPECTED_SQL,
  EXPECTED_STDERR,
  EXPECTED_WARNINGS,
  STACK_TRACE,
  UPDATE_GOLDEN,
  listCases,
  listExamples,
  readIfExists,
  readInput,
  runCliInProcess,
} from './helpers.js';
import type { CorpusEntry } from './helpers.js';

const TIMEOUT = 60_000;

function lines(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
}

type Outcome = { kind: 'valid'; sql: string; warnings: readonly Diagnostic[] } | { kind: 'invalid'; error: InvalidRequirementsError };

async function compileEntry(entry: CorpusEntry): Promise<Outcome> {
  try {
    const result = await compile(readInput(entry), { fileName: entry.file });
    return { kind: 'valid', sql: result.sql, warnings: result.warnings };
  } catch (e) {
    if (e instanceof InvalidRequirementsError) return { kind: 'invalid', error: e };
    throw e;
  }
}

function writeOrRemove(path: string, content: string | undefined): void {
  if (content === undefined) {
    if (existsSync(path)) rmSync(path);
  } else {
    writeFileSync(path, content);
  }
}

const counts = { valid: 0, invalid: 0 };

describe('test cases', () => {
  const cases = listCases();

  it('the corpus is found', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const entry of cases) {
    it(
      entry.name,
      async () => {
        const sqlPath = join(entry.dir, EXPECTED_SQL);
        const stderrPath = join(entry.dir, EXPECTED_STDERR);
        const warningsPath = join(entry.dir, EXPECTED_WARNINGS);

        if (UPDATE_GOLDEN) {
          const outcome = await compileEntry(entry);
          if (outcome.kind === 'valid') {
            writeFileSync(sqlPath, outcome.sql);
            writeOrRemove(warningsPath, outcome.warnings.length > 0 ? lines(outcome.warnings) : undefined);
            writeOrRemove(stderrPath, undefined);
            counts.valid++;
          } else {
            const run = await runCliInProcess(['validate', entry.file], { cwd: entry.dir });
            expect(run.status, `validate should exit 1 for ${entry.name}; stderr:\n${run.stderr}`).toBe(1);
            writeFileSync(stderrPath, run.stderr);
            writeOrRemove(sqlPath, undefined);
            writeOrRemove(warningsPath, undefined);
            counts.invalid++;
          }
          return;
        }

        const expectedSql = readIfExists(sqlPath);
        const expectedStderr = readIfExists(stderrPath);
        if (expectedSql === undefined && expectedStderr === undefined) {
          throw new Error(`${entry.name}: neither ${EXPECTED_SQL} nor ${EXPECTED_STDERR} exists; run with UPDATE_GOLDEN=1 and review the result`);
        }
        if (expectedSql !== undefined && expectedStderr !== undefined) {
          throw new Error(`${entry.name}: has both ${EXPECTED_SQL} and ${EXPECTED_STDERR}; keep one`);
        }

        if (expectedSql !== undefined) {
          counts.valid++;
          const outcome = await compileEntry(entry);
          if (outcome.kind === 'invalid') {
            throw new Error(`${entry.name} should be valid but compile failed:\n${lines([...outcome.error.errors, ...outcome.error.warnings])}`);
          }
          expect(outcome.sql).toBe(expectedSql);
          expect(lines(outcome.warnings)).toBe(readIfExists(warningsPath) ?? '');
          return;
        }

        counts.invalid++;
        await expect(compile(readInput(entry), { fileName: entry.file })).rejects.toThrow(InvalidRequirementsError);
        const validate = await runCliInProcess(['validate', entry.file], { cwd: entry.dir });
        expect(validate.stderr).toBe(expectedStderr);
        expect(validate.status).toBe(1);
        expect(validate.stdout).toBe('');
        const generate = await runCliInProcess(['generate', entry.file], { cwd: entry.dir });
        expect(generate.status).toBe(1);
        expect(generate.stdout).toBe('');
        expect(generate.stderr).toBe(expectedStderr);
      },
      TIMEOUT,
    );
  }

  it(
    'valid cases give the same output through the CLI as through the library',
    async () => {
      for (const entry of cases) {
        const expectedSql = readIfExists(join(entry.dir, EXPECTED_SQL));
        if (expectedSql === undefined) continue;
        const validate = await runCliInProcess(['validate', entry.file], { cwd: entry.dir });
        expect(validate.status, `${entry.name}: ${validate.stderr}`).toBe(0);
        expect(validate.stdout).toMatch(/^ok: /);
        expect(validate.stderr, entry.name).toBe(readIfExists(join(entry.dir, EXPECTED_WARNINGS)) ?? '');
        const generate = await runCliInProcess(['generate', entry.file], { cwd: entry.dir });
        expect(generate.status, `${entry.name}: ${generate.stderr}`).toBe(0);
        expect(generate.stdout, entry.name).toBe(expectedSql);
      }
    },
    10 * TIMEOUT,
  );

  it('invalid cases: the CLI prints exactly the library diagnostics, without stack traces', async () => {
    for (const entry of cases) {
      const expectedStderr = readIfExists(join(entry.dir, EXPECTED_STDERR));
      if (expectedStderr === undefined) continue;
      let error: InvalidRequirementsError | undefined;
      try {
        await compile(readInput(entry), { fileName: entry.file });
      } catch (e) {
        if (e instanceof InvalidRequirementsError) error = e;
        else throw e;
      }
      expect(error, entry.name).toBeDefined();
      const fromLibrary = lines([...(error?.errors ?? []), ...(error?.warnings ?? [])])
        .split('\n')
        .sort();
      expect(expectedStderr.split('\n').sort(), entry.name).toEqual(fromLibrary);
      expect(error?.errors.length, entry.name).toBeGreaterThan(0);
      expect(expectedStderr, entry.name).not.toMatch(STACK_TRACE);
      // Every line names the file as given and a rule.
      for (const line of expectedStderr.split('\n').filter((l) => l !== '')) {
        expect(line, entry.name).toMatch(/^requirements\.yaml(:\d+:\d+)?: .+ \[[a-z0-9-]+\]$/);
      }
    }
  });

  afterAll(() => {
    if (UPDATE_GOLDEN) console.log(`golden files written: ${counts.valid} valid, ${counts.invalid} invalid cases`);
  });
});

describe('examples', () => {
  const examples = listExamples();

  it('the eight examples are present', () => {
    expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining(['blog', 'blog-drafts', 'board', 'chat', 'crm', 'marketplace', 'orders', 'todo']));
  });

  for (const entry of examples) {
    it(entry.name, async () => {
      const sqlPath = join(entry.dir, EXPECTED_SQL);
      const outcome = await compileEntry(entry);
      if (outcome.kind === 'invalid') {
        throw new Error(`example ${entry.name} must be valid:\n${lines([...outcome.error.errors, ...outcome.error.warnings])}`);
      }
      const text = readInput(entry).toString('utf8');
      expect(text.startsWith('# yaml-language-server: $schema=../../schemas/requirements.schema.json\n')).toBe(true);
      if (UPDATE_GOLDEN) {
        writeFileSync(sqlPath, outcome.sql);
        return;
      }
      const expected = readIfExists(sqlPath);
      if (expected === undefined) throw new Error(`examples/${entry.name}/${EXPECTED_SQL} is missing; run with UPDATE_GOLDEN=1`);
      expect(outcome.sql).toBe(expected);
      expect(outcome.warnings.map(formatDiagnostic), `example ${entry.name} should compile without warnings`).toEqual([]);
    });
  }
});

describe('corpus size', () => {
  it('has at least 15 valid and 15 invalid cases', () => {
    const cases = listCases();
    const valid = cases.filter((c) => existsSync(join(c.dir, EXPECTED_SQL))).length;
    const invalid = cases.filter((c) => existsSync(join(c.dir, EXPECTED_STDERR))).length;
    expect(valid).toBeGreaterThanOrEqual(15);
    expect(invalid).toBeGreaterThanOrEqual(15);
  });
});
