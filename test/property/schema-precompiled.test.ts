/**
 * The build's precompiled schema validator (dist/validate/requirements.validate.cjs,
 * scripts/build-schema-validator.mjs) decides alone that a well-formed file is
 * well-formed: it must give ajv's verdict on every file — the corpus, and
 * random valid files and random mutations of them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT, listCases, listExamples, readInput } from '../helpers.js';
import { numRuns, timeoutFor } from './arbitraries.js';
import { mutatedArb } from './mutate.js';

const require = createRequire(import.meta.url);
const precompiled = require(join(ROOT, 'dist', 'validate', 'requirements.validate.cjs')) as (data: unknown) => boolean;
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'requirements.schema.json'), 'utf8')) as object;
// The options src/validate/schema.ts compiles with (allErrors and verbose shape errors, not verdicts).
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(schema);

/** The data a file parses to, or undefined when it is not YAML at all. */
function dataOf(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

describe('the precompiled schema validator', () => {
  it("gives ajv's verdict on every example and case, valid ones included", () => {
    const entries = [...listExamples(), ...listCases()];
    let valid = 0;
    for (const entry of entries) {
      const data = dataOf(readInput(entry).toString('utf8'));
      if (data === undefined) continue;
      expect({ file: entry.name, verdict: precompiled(data) }).toEqual({ file: entry.name, verdict: ajv(data) });
      if (ajv(data)) valid++;
    }
    // both verdicts occur: the comparison is not all true or all false
    expect(valid).toBeGreaterThan(20);
    expect(valid).toBeLessThan(entries.length);
  });

  it("gives ajv's verdict on random mutations of random valid files", { timeout: timeoutFor(200) }, () => {
    fc.assert(
      fc.property(mutatedArb, (m) => {
        const data = dataOf(m.text);
        if (data === undefined) return;
        expect(precompiled(data)).toBe(ajv(data));
        expect(precompiled(m.original)).toBe(true);
      }),
      { numRuns: numRuns(200) },
    );
  });
});
