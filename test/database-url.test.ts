/**
 * Connection URLs (src/db/url.ts): a URL that cannot be read as meant is a
 * usage error (exit 64, `database-url-invalid`) that says how to encode a
 * password, and no message, report or JSON ever shows a password, whatever
 * the URL looks like. Every password below is made of markers `qq1`, `qq2`…
 * so that any piece of one in any output is found.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AltanError, DatabaseUrlError, openPostgres, redactUrl } from '../src/index.js';
import { dropDatabase, freshDatabase } from './db/harness.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess, STACK_TRACE } from './helpers.js';

afterAll(removeTemporaryDirectories);

/** A piece of a password: none may appear in anything shown. */
const SECRET = /qq\d/;

/** URLs that cannot be read as their user meant: exit 64 before any connection. */
const UNREADABLE = [
  'postgres://u:qq1@qq2#qq3@127.0.0.1:1/db', // an unencoded @ and #: parsers take `qq2` for the host
  'postgres://u:qq1/qq2@127.0.0.1:1/db', // an unencoded /: node-postgres threw "Invalid URL" (exit 70, a stack)
  'postgres://u:qq1?qq2@127.0.0.1:1/db', // an unencoded ?
  'postgres://u:qq1@qq2@127.0.0.1:1/db',
  'postgres://u:qq1@qq2/qq3@127.0.0.1:1/db',
  'postgres://u:qq1#qq2/qq3?qq4@127.0.0.1:1/db',
  'postgres://u:qq1%zzqq2@127.0.0.1:1/db', // not a percent-encoding
  'postgres://u:qq1%C3%28@127.0.0.1:1/db', // not UTF-8
  'postgres://u:qq1/db', // the @ forgotten: the password reads as a port
  'postgres://u:qq1@127.0.0.1:port/db',
  'mysql://u:qq1@127.0.0.1/db',
  'u:qq1@127.0.0.1:5432/db',
  '',
];

/** URLs that are read as meant, of a server that does not answer: exit 2, the URL shown without its password. */
const UNREACHABLE: readonly [url: string, shown: string][] = [
  ['postgres://u:qq1@127.0.0.1:1/db', 'postgres://u@127.0.0.1:1/db'],
  ['postgres://u:@127.0.0.1:1/db', 'postgres://u@127.0.0.1:1/db'], // an empty password
  ['postgresql://u:qq1%40qq2%23qq3%2Fqq4%3Fqq5%25@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db'], // encoded as the hint says
  ['postgres://u:qq1@/db?host=127.0.0.1&port=1', 'postgres://u@/db?host=127.0.0.1&port=1'], // no host in the authority
  ['postgres://127.0.0.1:1/db?password=qq1&sslmode=disable', 'postgres://127.0.0.1:1/db?password=***&sslmode=disable'],
];

describe('redactUrl, the one function that shows a URL', () => {
  it.each([
    ['postgres://postgres:secret@db.example.com:5432/postgres', 'postgres://postgres@db.example.com:5432/postgres'],
    ['postgres://postgres@127.0.0.1:54329/altan_test', 'postgres://postgres@127.0.0.1:54329/altan_test'],
    ['postgres://u:qq1@qq2#qq3@h/db', 'postgres://u@h/db'],
    ['postgres://u:qq1/qq2@h/db', 'postgres://u@h/db'],
    ['postgres://u:qq1?qq2@h/db', 'postgres://u@h/db'],
    ['postgres://u:qq1%zz@h/db', 'postgres://u@h/db'],
    ['postgres://u:@h/db', 'postgres://u@h/db'],
    ['postgres://u:qq1@/db', 'postgres://u@/db'],
    ['postgres://u:qq1/db', 'postgres://u:***/db'],
    ['postgres://[::1]:5432/db', 'postgres://[::1]:5432/db'],
    ['postgres://h/db?sslpassword=qq1&password=qq2#qq3', 'postgres://h/db?sslpassword=***&password=***'],
    ['postgres://u:qq1\nqq2@h/db\nx', 'postgres://u@h/db?x'],
    ['mysql://u:qq1@h/db', '(a database URL that is not postgres://…)'],
    ['qq1', '(a database URL that is not postgres://…)'],
  ])('%j → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('shows no piece of a password, for every URL of this file', () => {
    for (const url of [...UNREADABLE, ...UNREACHABLE.map(([u]) => u)]) expect(redactUrl(url), url).not.toMatch(SECRET);
  });
});

describe('the library: openPostgres', () => {
  it.each(UNREADABLE)('%j: a DatabaseUrlError (usage, database-url-invalid) saying how to encode, without the password', async (url) => {
    const error = await openPostgres(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUrlError);
    const e = error as DatabaseUrlError;
    expect(e).toBeInstanceOf(AltanError);
    expect(e.category).toBe('usage');
    expect(e.problems.map((p) => p.code)).toEqual(['database-url-invalid']);
    expect(e.problems[0]?.hint).toContain('encodeURIComponent');
    expect(e.message).toContain('percent-encode');
    expect(JSON.stringify({ message: e.message, problems: e.problems })).not.toMatch(SECRET);
  });

  it.each(UNREACHABLE)('%j: a ConnectionError naming %s', async (url, shown) => {
    const error = (await openPostgres(url).then(
      () => undefined,
      (e: unknown) => e,
    )) as AltanError;
    expect(error.category).toBe('connection');
    expect(error.message).toContain(`cannot connect to ${shown}: `);
    expect(JSON.stringify({ message: error.message, problems: error.problems })).not.toMatch(SECRET);
  });
});

describe('the command line', () => {
  const commands = [['plan'], ['apply'], ['verify', '--json'], ['bootstrap'], ['plan', '--json']];

  it.each(UNREADABLE.filter((u) => u !== ''))('%j: exit 64 in every database command, how to encode, no password, no stack', async (url) => {
    const dir = exampleProject('todo');
    for (const command of commands) {
      const r = await runCliInProcess([...command, '--database-url', url], { cwd: dir, env: { DATABASE_URL: undefined } });
      expect(r.status, `${command.join(' ')}: ${r.stderr}`).toBe(64);
      // with --json the failure is one document on stdout (README, "JSON output"); else text on stderr
      const shown = command.includes('--json') ? r.stdout : r.stderr;
      if (command.includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', code: 'database-url-invalid', exitCode: 64 });
      else expect(r.stderr).toMatch(/^altan-cloud: the (database URL|user name or password in the database URL) /);
      expect(shown).toContain('encodeURIComponent');
      expect(shown).toContain('/ → %2F');
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout + r.stderr).not.toMatch(SECRET);
    }
  });

  it('the same from DATABASE_URL', async () => {
    const r = await runCliInProcess(['plan'], { cwd: exampleProject('todo'), env: { DATABASE_URL: 'postgres://postgres:qq1@qq2#qq3@127.0.0.1:1/db' } });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('encodeURIComponent');
    expect(r.stdout + r.stderr).not.toMatch(SECRET);
  });

  it.each(UNREACHABLE)('%j: exit 2, naming %s', async (url, shown) => {
    const r = await runCliInProcess(['apply', '--database-url', url], { cwd: exampleProject('todo'), env: { DATABASE_URL: undefined } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`altan-cloud: cannot connect to ${shown}: connection refused (is the server running?)\n`);
  });

  it('a password with every character that needs encoding, encoded: apply, plan, verify and their JSON never show it', { timeout: 120_000 }, async () => {
    const url = await freshDatabase('urls');
    try {
      // The test server trusts loopback: any password connects, and is still never shown.
      const u = new URL(url);
      const withPassword = `postgres://${u.username}:${encodeURIComponent('qq1@qq2#qq3/qq4?qq5%qq6 qq7:')}@${u.host}${u.pathname}`;
      const dir = exampleProject('crm'); // no pg_cron needed: the test server has it in its cron database only
      const env = { DATABASE_URL: withPassword };
      const before = await runCliInProcess(['verify'], { cwd: dir, env }); // before apply: a not-applied error naming the database
      expect(before.status, before.stderr).toBe(2);
      const runs = [before];
      for (const args of [['apply', '--json', '--verify'], ['plan', '--json'], ['verify', '--json'], ['apply'], ['bootstrap']]) {
        const r = await runCliInProcess(args, { cwd: dir, env });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        runs.push(r);
      }
      const shown = `postgres://${u.username}@${u.host}${u.pathname}`;
      expect(runs[1]?.stderr).toContain(`database: ${shown} (DATABASE_URL)`);
      expect((JSON.parse(runs[1]?.stdout ?? '') as { database: string }).database).toBe(shown);
      for (const r of runs) expect(r.stdout + r.stderr).not.toMatch(SECRET);
    } finally {
      await dropDatabase(url);
    }
  });
});
