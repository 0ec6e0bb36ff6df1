/**
 * Plan golden cases, without a database: test/plan-cases/<case>/ holds
 * before.yaml (the file last applied), after.yaml (the file now) and
 * expected.plan, what `plan` prints for it on a database the first was
 * applied to (`planBetween`: no rows are counted). `UPDATE_GOLDEN=1`
 * rewrites expected.plan; read its diff before committing it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { formatPlan } from '../src/plan/format.js';
import { planBetween } from '../src/plan/plan.js';
import type { Plan } from '../src/plan/plan.js';
import { ROOT, UPDATE_GOLDEN } from './helpers.js';

const DIR = join(ROOT, 'test', 'plan-cases');
const cases = readdirSync(DIR)
  .filter((d) => existsSync(join(DIR, d, 'before.yaml')))
  .sort();

async function planned(name: string): Promise<string> {
  const read = (file: string) => readFileSync(join(DIR, name, file));
  const before = await compile(read('before.yaml'), { fileName: 'before.yaml' });
  const after = await compile(read('after.yaml'), { fileName: 'after.yaml' });
  const p = await planBetween(before, after);
  const plan: Plan = {
    status: p.changes.length > 0 ? 'changes' : 'up-to-date',
    database: '(no database)',
    schema: after.model.schema,
    fresh: false,
    blockers: [],
    lastApplied: { file: 'before.yaml', at: '(the last apply)' },
    ...p,
  };
  return formatPlan('after.yaml', plan);
}

describe('plan golden cases', () => {
  it('there are some', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of cases) {
    it(name, async () => {
      const text = await planned(name);
      const path = join(DIR, name, 'expected.plan');
      if (UPDATE_GOLDEN) writeFileSync(path, text);
      expect(text).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('a file planned against itself is up to date', async () => {
    for (const name of cases) {
      const source = readFileSync(join(DIR, name, 'after.yaml'));
      const compiled = await compile(source, { fileName: 'after.yaml' });
      const p = await planBetween(compiled, await compile(source, { fileName: 'after.yaml' }));
      expect(p.changes, name).toEqual([]);
      expect(p.sql, name).toBe('');
    }
  });
});
