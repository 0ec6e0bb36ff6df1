/**
 * altan-cloud's benchmark (`npm run bench`; issue 6). Prints the machine, one
 * table of figures, each the median of --runs runs with its spread and, where
 * it has one, its ratio to a floor measured in the same run, then notes.
 * It reads dist/, so build first (the npm script does).
 *
 *   node bench/run.mjs [--runs 5] [--warmup 1] [--sections generate,apply,runtime,members,embedded,plan,limits,fleet]
 *                      [--sizes 10,100,1000] [--apply-entities 200] [--plan-entities 1000] [--fleet-targets 200]
 *                      [--rows 1000000] [--users 1000] [--orgs 100]
 *                      [--clock wall|cpu] [--database-url URL] [--smoke]
 *
 * `members` is section 3's members and `via` shapes (issue 16; --rows rows per
 * child table, --users users), on a database of its own.
 *
 * The database sections (apply, runtime, members, plan, fleet) use --database-url, else
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the test cluster that
 * scripts/test-db.sh starts; they create databases altan_bench_* there and
 * drop them afterwards. --clock cpu times generate by the CPU time of its
 * processes instead of wall time: less moved by other load on the machine,
 * for comparing changes on a busy one. --smoke: one run of generate on 10 entities (the
 * test suite's check that the harness works).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/measure.mjs';
import { formatTable } from './lib/table.mjs';

const SECTIONS = ['generate', 'apply', 'runtime', 'members', 'embedded', 'plan', 'limits', 'fleet'];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    sections: { type: 'string', default: SECTIONS.join(',') },
    sizes: { type: 'string', default: '10,100,1000' },
    'apply-entities': { type: 'string', default: '200' },
    'plan-entities': { type: 'string', default: '1000' },
    'fleet-targets': { type: 'string', default: '200' },
    rows: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '1000' },
    orgs: { type: 'string', default: '100' },
    'database-url': { type: 'string' },
    clock: { type: 'string', default: 'wall' },
    smoke: { type: 'boolean', default: false },
  },
});

const positive = (name, text) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bench: --${name} must be a whole number, got ${JSON.stringify(text)}`);
  return n;
};

const config = args.smoke
  ? { runs: 1, warmup: 0, sections: ['generate'], sizes: [10] }
  : {
      runs: Math.max(1, positive('runs', args.runs)),
      warmup: positive('warmup', args.warmup),
      sections: args.sections.split(',').map((s) => s.trim()),
      sizes: args.sizes.split(',').map((s) => positive('sizes', s)),
    };
for (const s of config.sections) if (!SECTIONS.includes(s)) throw new Error(`bench: unknown section ${s}; known: ${SECTIONS.join(', ')}`);
if (!['wall', 'cpu'].includes(args.clock)) throw new Error('bench: --clock is wall or cpu');
Object.assign(config, {
  clock: args.clock,
  applyEntities: positive('apply-entities', args['apply-entities']),
  planEntities: Math.max(2, positive('plan-entities', args['plan-entities'])),
  fleetTargets: Math.max(1, positive('fleet-targets', args['fleet-targets'])),
  rows: positive('rows', args.rows),
  users: positive('users', args.users),
  orgs: positive('orgs', args.orgs),
});

/** The server of the database sections: asked for only when one of them runs. */
function databaseUrl() {
  const given = args['database-url'] ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) return given;
  return execFileSync('bash', ['scripts/test-db.sh'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function machine() {
  const cpu = cpus();
  const pg = (() => {
    try {
      return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'psql not found';
    }
  })();
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${pg}`,
    `runs: ${config.runs} (after ${config.warmup} warm-up), sections: ${config.sections.join(', ')}`,
  ].join('\n');
}

const rows = [];
const notes = [];
process.stdout.write(`${machine()}\n\n`);
const log = (message) => process.stderr.write(`bench: ${message}\n`);

if (config.sections.includes('generate')) {
  log(`generate: ${config.sizes.join(', ')} entities`);
  const { generateSection } = await import('./sections/generate.mjs');
  rows.push(...(await generateSection(config)));
}
const needsServer = ['apply', 'runtime', 'members', 'plan', 'fleet'].some((s) => config.sections.includes(s));
const url = needsServer ? databaseUrl() : undefined;
if (config.sections.includes('apply')) {
  log(`apply: ${config.applyEntities} entities on ${url}`);
  const { applySection } = await import('./sections/apply.mjs');
  rows.push(...(await applySection({ ...config, url })));
}
if (config.sections.includes('runtime')) {
  log(`runtime: ${config.rows} rows, ${config.users} users, ${config.orgs} organizations on ${url}`);
  const { runtimeSection } = await import('./sections/runtime.mjs');
  const result = await runtimeSection({ ...config, url, log });
  rows.push(...result.rows);
  notes.push(...result.notes);
}
if (config.sections.includes('members')) {
  log(`members: ${config.rows} rows per child table, ${config.users} users on ${url}`);
  const { membersSection } = await import('./sections/runtime-members.mjs');
  const result = await membersSection({ ...config, url, log });
  rows.push(...result.rows);
  notes.push(...result.notes);
}
if (config.sections.includes('embedded')) {
  log('embedded: cold and warm apply of examples/todo');
  const { embeddedSection } = await import('./sections/embedded.mjs');
  const result = await embeddedSection(config);
  rows.push(...result.rows);
  notes.push(...result.notes);
}

if (config.sections.includes('plan')) {
  log(`plan: ${config.planEntities} entities on ${url}`);
  const { planSection } = await import('./sections/plan.mjs');
  const result = await planSection({ ...config, url });
  rows.push(...result.rows);
  notes.push(...result.notes);
}

if (config.sections.includes('limits')) {
  log('limits: validate of 10,000 and 40,000 entities, two alias bombs');
  const { limitsSection } = await import('./sections/limits.mjs');
  rows.push(...(await limitsSection(config)));
}

if (config.sections.includes('fleet')) {
  log(`fleet: examples/todo to ${config.fleetTargets} databases on ${url}`);
  const { fleetSection } = await import('./sections/fleet.mjs');
  const result = await fleetSection({ ...config, url, log });
  rows.push(...result.rows);
  notes.push(...result.notes);
}

// Rows in section order: memory rows (section 5) come from the runs of sections 1 and 4, and are listed after them.
rows.sort((a, b) => a.section.localeCompare(b.section));
process.stdout.write(`${formatTable(rows)}\n`);
if (notes.length > 0) process.stdout.write(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
const missed = rows.filter((r) => r.pass === false).length;
process.stdout.write(`\n${rows.filter((r) => r.pass !== undefined).length - missed} targets met, ${missed} missed\n`);
