/**
 * The same file always gives the same bytes, and the SQL says where it came
 * from: its header names the source file and the sha256 of its bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { InvalidRequirementsError } from '../src/diagnostics.js';
import { listCases, listExamples, readInput } from './helpers.js';
import type { CorpusEntry } from './helpers.js';

/** How many lines at the top of the SQL count as its header. */
const HEADER_LINES = 10;

async function isValid(entry: CorpusEntry): Promise<boolean> {
  try {
    await compile(readInput(entry), { fileName: entry.file });
    return true;
  } catch (e) {
    if (e instanceof InvalidRequirementsError) return false;
    throw e;
  }
}

const candidates = [...listCases(), ...listExamples()];
const valid = await Promise.all(candidates.map(isValid));
const entries = candidates.filter((_, i) => valid[i]);

describe('determinism', () => {
  it('there are valid inputs to check', () => {
    expect(entries.length).toBeGreaterThanOrEqual(15);
  });

  for (const entry of entries) {
    it(`${entry.name}: identical bytes on every call, header names the file and its sha256`, async () => {
      const bytes = readInput(entry);
      const first = await compile(bytes, { fileName: entry.file });
      const second = await compile(readInput(entry), { fileName: entry.file });
      expect(second.sql).toBe(first.sql);
      expect(second.cron).toEqual(first.cron);
      expect(second.warnings).toEqual(first.warnings);

      // The same text given as a string compiles to the same bytes.
      const asString = await compile(bytes.toString('utf8'), { fileName: entry.file });
      expect(asString.sql).toBe(first.sql);

      const header = first.sql.split('\n').slice(0, HEADER_LINES).join('\n');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(header).toContain(entry.file);
      expect(header).toContain(sha256);

      // The header only changes with the file name; the rest does not depend on it.
      const renamed = await compile(bytes, { fileName: `other-${entry.file}` });
      const body = (sql: string): string =>
        sql
          .split('\n')
          .filter((l) => !l.startsWith('--'))
          .join('\n');
      expect(body(renamed.sql)).toBe(body(first.sql));
    });
  }
});
