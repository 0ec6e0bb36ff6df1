/**
 * Every rule the validator can emit is shown by at least one case of the
 * corpus, so a new rule cannot land without a case that demonstrates it.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/validate/rules/index.js';
import { CASES_DIR } from './helpers.js';

/** Rules of the loader and the JSON Schema stage; `file-too-large` is shown in cli.test.ts (no 5 MiB file in the repo). */
const LOAD_AND_SHAPE_RULES = [
  'not-utf8',
  'binary-file',
  'yaml-syntax',
  'yaml-aliases',
  'empty-file',
  'wrong-type',
  'unknown-key',
  'missing-key',
  'invalid-value',
  'invalid-name',
  'duplicate-item',
];
/** Rule entries whose diagnostics carry another name as well. */
const ALSO_EMITTED = ['open-write'];

function emittedInCorpus(): Set<string> {
  const names = new Set<string>();
  for (const dir of readdirSync(CASES_DIR)) {
    for (const file of ['expected.stderr', 'expected.warnings']) {
      const path = join(CASES_DIR, dir, file);
      if (!existsSync(path)) continue;
      for (const m of readFileSync(path, 'utf8').matchAll(/\[([a-z0-9-]+)\]$/gm)) names.add(m[1] as string);
    }
  }
  return names;
}

describe('rule coverage of test/cases', () => {
  it('shows every rule at least once', () => {
    const seen = emittedInCorpus();
    const all = [...LOAD_AND_SHAPE_RULES, ...RULES.map((r) => r.name), ...ALSO_EMITTED];
    expect(all.filter((rule) => !seen.has(rule))).toEqual([]);
  });
});
