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

describe('bench/run.mjs --sections runtime, 2,000 rows, one run', () => {
  it('measures the owner, org and access-term shapes as PostgREST runs them, each against its superuser floor', () => {
    expect(cliBuilt()).toBe(true);
    const url = inject('testDatabaseUrl');
    const args = ['--sections', 'runtime', '--rows', '2000', '--users', '20', '--orgs', '4', '--runs', '1', '--warmup', '0', '--database-url', url];
    const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const out = result.stdout;
    const measured = (measure: string, floor: string) =>
      expect(out).toMatch(
        new RegExp(`^\\| 3 +\\| ${measure} +\\| \\d[\\d,.]* ms +\\| \\d[\\d,.]* ms ${floor} +\\| \\d+\\.\\d\\d× .*\\| ≤ 1\\.50× +\\| (pass|MISS) +\\|$`, 'm'),
      );
    measured('owner table, count\\(\\*\\): generated policy', 'superuser WHERE user_id');
    measured('where term \\(posts, 90% published\\), as anon, ORDER BY created_at DESC LIMIT 50', 'superuser WHERE published');
    measured('where term \\(posts, 90% published\\), as a user, count\\(\\*\\)', "superuser WHERE the policy's USING");
    measured('second user column \\(orders, buyer or seller\\), ORDER BY created_at DESC LIMIT 50', "superuser WHERE the policy's USING");
    // The literal-id floors of a user's reads are shown beside them, for information (no target).
    const informational = (measure: string, floor: string) =>
      expect(out).toMatch(new RegExp(`^\\| 3 +\\| ${measure} +\\| \\d[\\d,.]* ms +\\| \\d[\\d,.]* ms ${floor} +\\| \\d+\\.\\d\\d× .*\\| +\\| +\\|$`, 'm'));
    informational('where term \\(posts, 90% published\\), as a user, count\\(\\*\\)', 'superuser WHERE author OR published');
    informational('second user column \\(orders, buyer or seller\\), ORDER BY created_at DESC LIMIT 50', 'superuser WHERE buyer OR seller');
    measured('org admin \\(contacts, admin of 4 of 4 orgs\\), count\\(\\*\\)', 'superuser WHERE org_id = ANY');
    measured('per-user matview, a row per user per day, ORDER BY day DESC LIMIT 50', 'superuser matview WHERE user_id');
    measured('per-user matview, a row per user, the whole view', 'superuser matview WHERE user_id');
    expect(out).toMatch(/^- plan of the list, per-user matview, a row per user per day: .*user_daily_user_id_day_key/m);
    // The floor that holds the target evaluates the policy's auth.uid() as the caller's query does (an init plan).
    expect(out).toMatch(/^- plan of the list's floor superuser WHERE the policy's USING, where term \(posts, 90% published\), as a user: .*InitPlan 1/m);
  }, 90_000);
});

describe('bench/run.mjs --sections members, 2,000 rows, one run', () => {
  it('measures member, via one and two levels, via member roles and the via bucket, each against the superuser join', () => {
    expect(cliBuilt()).toBe(true);
    const url = inject('testDatabaseUrl');
    const args = ['--sections', 'members', '--rows', '2000', '--users', '20', '--runs', '1', '--warmup', '0', '--database-url', url];
    const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^- members file: entities and bucket generated by the tool/m);
    const measured = (measure: string, floor: string) =>
      expect(out).toMatch(
        new RegExp(
          `^\\| 3 +\\| ${measure}[^|]* +\\| \\d[\\d,.]* ms +\\| \\d[\\d,.]* ms ${floor} +\\| \\d+\\.\\d\\d× .*\\| ≤ 1\\.50× +\\| (pass|MISS) +\\|$`,
          'm',
        ),
      );
    measured('member \\(projects, 20 rows\\), ORDER BY created_at DESC LIMIT 50', 'superuser explicit join');
    measured('member \\(documents, owned or shared\\), count\\(\\*\\)', 'superuser, member or owner');
    measured('via one level \\(messages → rooms read: member\\), count\\(\\*\\)', 'superuser explicit join');
    measured('via two levels \\(task_comments → tasks → projects read: member\\), ORDER BY created_at DESC LIMIT 50', 'superuser explicit join');
    measured('via member roles \\(reports, via project_id member \\[admin, editor\\]\\), count\\(\\*\\)', 'superuser explicit join');
    measured("via bucket \\(project-files read: \\{ via: projects \\}\\), Storage list of a project's folder", 'superuser folder IN member projects');
    expect(out).toMatch(
      /^- plan of via two levels \(task_comments → tasks → projects read: member\), ORDER BY created_at DESC LIMIT 50 \[task_id is (NOT )?an index condition\]: /m,
    );
  }, 90_000);
});
