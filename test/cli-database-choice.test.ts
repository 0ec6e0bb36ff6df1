/**
 * Which database a command talks to (src/cli/databaseChoice.ts): a CI job
 * without its database secret is refused (exit 64, `database-url-missing`)
 * instead of applying to a throw-away embedded database; an empty URL is
 * refused from any source; --embedded asks for the embedded database on
 * purpose; DATABASE_URL is read from ./.env (src/cli/dotenv.ts) when the
 * environment has none. Every password is made of markers `qq1`, `qq2`…
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDotenv } from '../src/cli/dotenv.js';
import { dropDatabase, freshDatabase } from './db/harness.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess, STACK_TRACE } from './helpers.js';

afterAll(removeTemporaryDirectories);

const SECRET = /qq\d/;
const UNREACHABLE = 'postgres://u:qq1@127.0.0.1:1/db';
/** CI as GitHub Actions sets it, and no database URL anywhere. */
const CI = { CI: 'true', DATABASE_URL: undefined };
const NO_CI = { DATABASE_URL: undefined };

/** Each database command, with its name for the test's title. */
const DATABASE_COMMANDS = [['apply'], ['plan'], ['plan', '--exit-code'], ['verify'], ['bootstrap'], ['sql', 'select 1'], ['history']].map(
  (c) => [c.join(' '), c] as const,
);

function expectMissing(r: { status: number | null; stdout: string; stderr: string }, why: string): void {
  expect(r.status, r.stderr).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    `altan-cloud: ${why}: set DATABASE_URL (or give --database-url) to the database to use, e.g. from your CI secret; ` +
      'give --embedded to use the embedded database ./.altan-cloud/db on purpose\n',
  );
}

describe('with CI set and no database given', () => {
  it.each(DATABASE_COMMANDS)('%s: refused with exit 64, saying what to set; no embedded database is created', async (_, command) => {
    const dir = exampleProject('todo');
    const r = await runCliInProcess(command, { cwd: dir, env: CI });
    expectMissing(r, 'CI is set and no database was given (DATABASE_URL is not set, nor in .env)');
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
  });

  it('--json: the failure document, code database-url-missing, exit 64', async () => {
    for (const command of [
      ['apply', '--json'],
      ['plan', '--exit-code', '--json'],
      ['history', '--json'],
    ]) {
      const r = await runCliInProcess(command, { cwd: exampleProject('todo'), env: CI });
      expect(r.status, command.join(' ')).toBe(64);
      expect(JSON.parse(r.stdout)).toMatchObject({
        status: 'error',
        code: 'database-url-missing',
        category: 'usage',
        exitCode: 64,
        problems: [{ code: 'database-url-missing', hint: expect.stringContaining('--embedded') }],
      });
      expect(r.stderr).toBe('');
    }
  });

  it('is refused before the file is read: an invalid file in CI still says what to set', async () => {
    const dir = exampleProject('todo');
    writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities: 3\n');
    const r = await runCliInProcess(['apply'], { cwd: dir, env: CI });
    expectMissing(r, 'CI is set and no database was given (DATABASE_URL is not set, nor in .env)');
  });

  it('CI=false, CI=0 and an empty CI are not CI: the embedded default', async () => {
    for (const value of ['false', '0', '']) {
      const r = await runCliInProcess(['bootstrap', '--json'], { cwd: exampleProject('todo'), env: { CI: value, DATABASE_URL: undefined } });
      expect(r.status, `CI=${value}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('database: embedded database .altan-cloud/db (PGlite); use --database-url or DATABASE_URL for a real project\n');
    }
  });

  it('--embedded uses the embedded database on purpose: apply, then plan and verify as next steps say, and sql', { timeout: 60_000 }, async () => {
    const dir = exampleProject('todo');
    const applied = await runCliInProcess(['apply', '--embedded'], { cwd: dir, env: CI });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/^database: embedded database \.altan-cloud\/db \(PGlite\) \(--embedded\)\n/);
    expect(applied.stdout).toContain('applied altan.yaml to embedded database .altan-cloud/db (PGlite)');
    expect(applied.stdout).toMatch(/^ {2}altan-cloud verify --embedded +# /m);
    expect(applied.stdout).toMatch(/^ {2}altan-cloud plan --embedded +# /m);
    const planned = await runCliInProcess(['plan', '--embedded', '--exit-code'], { cwd: dir, env: CI });
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('is up to date on embedded database');
    const rows = await runCliInProcess(['sql', '--embedded', 'select count(*) as n from public.todos'], { cwd: dir, env: CI });
    expect(rows.status, rows.stderr).toBe(0);
    expect(rows.stderr).toBe('database: embedded database .altan-cloud/db (PGlite) (--embedded)\n');
  });

  it('--embedded wins over DATABASE_URL in the environment', async () => {
    const r = await runCliInProcess(['bootstrap', '--embedded'], { cwd: exampleProject('todo'), env: { CI: 'true', DATABASE_URL: UNREACHABLE } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('database: embedded database .altan-cloud/db (PGlite) (--embedded)\n');
  });

  it('--embedded with --database-url is a usage error (exit 64), in --json too', async () => {
    const dir = exampleProject('todo');
    const r = await runCliInProcess(['apply', '--embedded', '--database-url', UNREACHABLE], { cwd: dir, env: NO_CI });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/option '--embedded' cannot be used with option '--database-url <url>'/);
    const json = await runCliInProcess(['plan', '--json', '--database-url', UNREACHABLE, '--embedded'], { cwd: dir, env: NO_CI });
    expect(json.status).toBe(64);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'error', code: 'usage', exitCode: 64 });
    expect(r.stdout + r.stderr + json.stdout + json.stderr).not.toMatch(SECRET);
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
  });
});

describe('an empty database URL is refused, CI or not', () => {
  it.each(DATABASE_COMMANDS)('DATABASE_URL set but empty: %s exits 64', async (_, command) => {
    const r = await runCliInProcess(command, { cwd: exampleProject('todo'), env: { DATABASE_URL: '' } });
    expectMissing(r, 'DATABASE_URL is set but empty');
  });

  it('blank counts as empty; so does --database-url "" (an unset variable in --database-url "$DATABASE_URL")', async () => {
    const dir = exampleProject('todo');
    expectMissing(await runCliInProcess(['apply'], { cwd: dir, env: { DATABASE_URL: '  ' } }), 'DATABASE_URL is set but empty');
    expectMissing(await runCliInProcess(['plan', '--exit-code', '--database-url', ''], { cwd: dir, env: NO_CI }), '--database-url is empty');
  });
});

describe('DATABASE_URL from ./.env', () => {
  let url = '';
  beforeAll(async () => {
    url = await freshDatabase('dotenv');
  });
  afterAll(async () => {
    await dropDatabase(url);
  });

  /** The crm example (it needs no pg_cron) with a .env of `text`. */
  function withEnvFile(text: string): string {
    const dir = exampleProject('crm');
    writeFileSync(join(dir, '.env'), text);
    return dir;
  }

  it('is the database when the environment has none, in CI too; the database line names .env', { timeout: 60_000 }, async () => {
    const dir = withEnvFile(`# the project's settings\nSUPABASE_URL=http://localhost:54321\nexport DATABASE_URL="${url}" # the test server\n`);
    const r = await runCliInProcess(['bootstrap'], { cwd: dir, env: CI });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`database: ${url} (DATABASE_URL from .env)\n`);
    const plan = await runCliInProcess(['plan', '--json'], { cwd: dir, env: NO_CI });
    expect(plan.status, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ database: url, fresh: true });
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
  });

  it('never overrides the environment: DATABASE_URL there wins, even empty (then refused)', async () => {
    const dir = withEnvFile(`DATABASE_URL=${UNREACHABLE}\n`);
    const fromEnvironment = await runCliInProcess(['bootstrap'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(fromEnvironment.status, fromEnvironment.stderr).toBe(0);
    expect(fromEnvironment.stderr).toBe(`database: ${url} (DATABASE_URL)\n`);
    expectMissing(
      await runCliInProcess(['bootstrap'], { cwd: withEnvFile(`DATABASE_URL=${url}\n`), env: { DATABASE_URL: '' } }),
      'DATABASE_URL is set but empty',
    );
  });

  it('--database-url and --embedded win over it', async () => {
    const dir = withEnvFile(`DATABASE_URL=${UNREACHABLE}\n`);
    const given = await runCliInProcess(['bootstrap', '--database-url', url], { cwd: dir, env: CI });
    expect(given.stderr).toBe(`database: ${url} (--database-url)\n`);
    const embedded = await runCliInProcess(['bootstrap', '--embedded'], { cwd: dir, env: CI });
    expect(embedded.stderr).toBe('database: embedded database .altan-cloud/db (PGlite) (--embedded)\n');
  });

  it('a URL that cannot be read: database-url-invalid naming .env, without the password', async () => {
    const dir = withEnvFile("DATABASE_URL='postgres://u:qq1@qq2#qq3@127.0.0.1:1/db'\n");
    const r = await runCliInProcess(['apply'], { cwd: dir, env: NO_CI });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(
      /^altan-cloud: DATABASE_URL in \.env: the user name or password in the database URL holds an @, \/, \? or # that is not percent-encoded/,
    );
    expect(r.stderr).toContain('encodeURIComponent');
    const json = await runCliInProcess(['plan', '--json'], { cwd: dir, env: NO_CI });
    expect(JSON.parse(json.stdout)).toMatchObject({ code: 'database-url-invalid', exitCode: 64, message: expect.stringMatching(/^DATABASE_URL in \.env: /) });
    expect(r.stdout + r.stderr + json.stdout + json.stderr).not.toMatch(SECRET);
  });

  it('an unreachable one is named without its password (exit 2)', async () => {
    const r = await runCliInProcess(['bootstrap'], { cwd: withEnvFile(`DATABASE_URL=${UNREACHABLE}\n`), env: NO_CI });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('altan-cloud: cannot connect to postgres://u@127.0.0.1:1/db: connection refused (is the server running?)\n');
  });

  it('DATABASE_URL empty in .env is refused; a .env without it leaves the default (refused in CI)', async () => {
    expectMissing(await runCliInProcess(['apply'], { cwd: withEnvFile('DATABASE_URL=\n'), env: NO_CI }), 'DATABASE_URL in .env is empty');
    const other = withEnvFile('SUPABASE_ANON_KEY=abc\n# DATABASE_URL=postgres://commented/out\n');
    expectMissing(await runCliInProcess(['plan'], { cwd: other, env: CI }), 'CI is set and no database was given (DATABASE_URL is not set, nor in .env)');
    const local = await runCliInProcess(['bootstrap'], { cwd: other, env: NO_CI });
    expect(local.status, local.stderr).toBe(0);
    expect(local.stderr).toMatch(/^database: embedded database /);
  });

  it('a .env that cannot be read is a problem, not a silent fallback', async () => {
    const dir = exampleProject('todo');
    mkdirSync(join(dir, '.env'));
    const r = await runCliInProcess(['plan', '--json'], { cwd: dir, env: NO_CI });
    expect(r.status).toBe(64);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'env-file-unreadable', problems: [{ message: '.env: it is a directory' }] });
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('parseDotenv', () => {
  it('reads dotenv syntax: export, quotes, comments, spaces around =', () => {
    const text = [
      '# a comment',
      'PLAIN=postgres://u@h/db',
      '  export SPACED = value with spaces   # and a comment',
      "SINGLE='p#w $NOT_EXPANDED \\n'",
      'DOUBLE="line\\nnext \\"quoted\\""  # comment',
      'BACKTICK=`a "b" \'c\'`',
      'HASH=p#w@h',
      'EMPTY=',
      'ONLY_COMMENT= # nothing',
      'export',
      'STRAY LINE',
      'AFTER=ok',
    ].join('\n');
    expect(Object.fromEntries(parseDotenv(text))).toEqual({
      PLAIN: 'postgres://u@h/db',
      SPACED: 'value with spaces',
      SINGLE: 'p#w $NOT_EXPANDED \\n',
      DOUBLE: 'line\nnext "quoted"',
      BACKTICK: 'a "b" \'c\'',
      HASH: 'p#w@h',
      EMPTY: '',
      ONLY_COMMENT: '',
      AFTER: 'ok',
    });
  });

  it('a line without = does not swallow the next key (as util.parseEnv of Node 20 does)', () => {
    expect(parseDotenv('STRAY\nDATABASE_URL=postgres://h/db\n').get('DATABASE_URL')).toBe('postgres://h/db');
  });

  it('CRLF line ends, a byte order mark, a double-quoted value over lines, the last of a key twice', () => {
    expect(Object.fromEntries(parseDotenv('\ufeffA=1\r\nB="x\ny"\r\nA=2\r\n'))).toEqual({ A: '2', B: 'x\ny' });
  });
});
