/**
 * A smoke run of the benchmark (`node bench/run.mjs --smoke`: one run of
 * generate on 10 entities), so that a change that breaks the harness is seen
 * by the suite; and one run of the plan section on 10 entities against the
 * test server. The benchmark itself (`npm run bench`) is never part of the
 * suite's timing; its figures are in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT, cliBuilt } from './helpers.js';

describe('bench/run.mjs --smoke', () => {
  it('prints the machine and a table of ratios to their floors', () => {
    expect(cliBuilt()).toBe(true);
    const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), '--smoke'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^machine: .+ cores/m);
    expect(out).toMatch(/^\| # +\| measure +\| median \(min–max\) +\| floor \(median\) +\| ratio /m);
    const generate = out.split('\n').find((line) => line.includes('generate, 10 entities (whole process)'));
    expect(generate).toMatch(/\| \d[\d,.]* ms +\| \d[\d,.]* ms parse only +\| \d+\.\d\d× /);
    expect(out).toMatch(/generate peak RSS, 10 entities +\| \d[\d,.]* MiB/);
  }, 30_000);
});

describe('bench/run.mjs --sections plan, 10 entities, one run', () => {
  it('applies, plans up to date and changed, on the test server, and drops its database', () => {
    expect(cliBuilt()).toBe(true);
    const url = inject('testDatabaseUrl');
    const args = ['--sections', 'plan', '--plan-entities', '10', '--runs', '1', '--warmup', '0', '--database-url', url];
    const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /^\| 6 +\| plan, 10 entities, up to date \(server\) +\| \d[\d,.]* ms +\| \d[\d,.]* ms generate +\| \d+\.\d\d× .*\| < 2 s +\| (pass|MISS) +\|$/m,
    );
    expect(out).toMatch(/^\| 6 +\| plan, 10 entities, 1 field added \+ 1 entity removed \(server\) +\| \d[\d,.]* ms /m);
    expect(out).toMatch(/^- plan, 10 entities applied .*CPU time of the plan process/m);
  }, 90_000);
});
