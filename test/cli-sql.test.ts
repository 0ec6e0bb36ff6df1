/**
 * `altan-cloud sql` (src/cli/sqlCommand.ts): a query on the embedded database
 * or a server printed as psql prints it, `--json`, SQL errors with their
 * place, a folder without an embedded database, SQL from standard input, and
 * the interactive prompt in a child process on a real terminal (`script`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../src/db/database.js';
import { dropDatabase, freshDatabase } from './db/harness.js';
import { CLI, cliBuilt, cliEnvironment, removeTemporaryDirectories, runCli, runCliInProcess, STACK_TRACE, temporaryDirectory } from './helpers.js';

afterAll(removeTemporaryDirectories);

let project = '';
beforeAll(async () => {
  project = temporaryDirectory('altan-sql-');
  // An embedded database as apply leaves it, with a table to read.
  const db = await openEmbedded('.altan-cloud/db', { cwd: project });
  try {
    await db.exec("CREATE TABLE notes (id int PRIMARY KEY, title text, done boolean); INSERT INTO notes VALUES (1, 'first', true), (20, NULL, false)");
  } finally {
    await db.close();
  }
});

const sql = (args: string[], input?: string) =>
  runCliInProcess(['sql', ...args], { cwd: project, env: { DATABASE_URL: undefined }, ...(input !== undefined ? { input } : {}) });

describe('altan-cloud sql on the embedded database', () => {
  it('prints the rows as an aligned table: NULL empty, numbers to the right, a (N rows) line', async () => {
    const r = await sql(['select id, title, done from notes order by id']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe([' id | title | done', '----+-------+------', '  1 | first | t', ' 20 |       | f', '(2 rows)', ''].join('\n'));
    expect(r.stderr).toBe('database: embedded database .altan-cloud/db (PGlite)\n');
  });

  it('runs several statements, printing each result, as one transaction', async () => {
    const r = await sql(["create table tags (name text); insert into tags values ('a'), ('b'); update tags set name = 'c'; select count(*) as n from tags"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(['CREATE', '', 'INSERT 0 2', '', 'UPDATE 2', '', ' n', '---', ' 2', '(1 row)', ''].join('\n'));
    // An error in the last statement applies none of them.
    const failed = await sql(['create table more (a int); select nothing_here']);
    expect(failed.status).toBe(2);
    expect((await sql(["select count(*) from pg_tables where tablename = 'more'"])).stdout).toContain(' 0\n');
  });

  it('the CLI runs PGlite with 16 MB of shared buffers (the embedded time and memory targets, bench section 4)', () => {
    // In a process of its own: the flag is the binary's (src/cli/main.ts), not the test process's.
    const r = runCli(['sql', '--json', "select current_setting('shared_buffers') as shared_buffers"], { cwd: project, env: { DATABASE_URL: undefined } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual([{ shared_buffers: '16MB' }]);
  });

  it('--json prints { rows, rowCount } of the last statement', async () => {
    const r = await sql(['--json', 'select 1 as a; select id, title from notes order by id']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      rows: [
        { id: 1, title: 'first' },
        { id: 20, title: null },
      ],
      rowCount: 2,
    });
  });

  it('an SQL error names its line and column, with a caret under it (exit 2), and in --json', async () => {
    const r = await sql(['select 1;\nselect id frm notes']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'altan-cloud: embedded database .altan-cloud/db (PGlite): syntax error at or near "notes" (SQLSTATE 42601)\nLINE 2: select id frm notes\n                      ^\n',
    );
    expect(r.stderr).not.toMatch(STACK_TRACE);
    const json = await sql(['--json', 'select 1;\nselect id frm notes']);
    expect(json.status).toBe(2);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ status: 'error', code: 'database-error', exitCode: 2 });
    expect(doc.problems[0]).toMatchObject({ sqlstate: '42601', sql: { line: 2, column: 15 } });
  });

  it('reads the SQL from standard input when there is no query and stdin is not a terminal', async () => {
    const r = await sql([], 'select title\n  from notes\n where id = 1;\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(' title\n-------\n first\n(1 row)\n');
  });

  it('a folder without an embedded database is a clear error (exit 2), and creates none', async () => {
    const empty = temporaryDirectory('altan-sql-empty-');
    const r = await runCliInProcess(['sql', 'select 1'], { cwd: empty, env: { DATABASE_URL: undefined } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('altan-cloud: no embedded database in .altan-cloud/db of this folder: run altan-cloud apply here first, or give --database-url\n');
    const json = await runCliInProcess(['sql', '--json', 'select 1'], { cwd: empty, env: { DATABASE_URL: undefined } });
    expect(JSON.parse(json.stdout)).toMatchObject({ code: 'embedded-database-missing', category: 'connection', exitCode: 2 });
    const again = await runCliInProcess(['sql', 'select 1'], { cwd: empty, env: { DATABASE_URL: undefined } });
    expect(again.status).toBe(2);
    expect(existsSync(join(empty, '.altan-cloud'))).toBe(false);
  });
});

describe('altan-cloud sql on a server', () => {
  it('runs on --database-url as on the embedded database', async () => {
    const url = await freshDatabase('sql');
    try {
      const r = await runCliInProcess(['sql', '--database-url', url, "select 'x' as a, 2 as a, null::int as n"], { cwd: project });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(' a | a | n\n---+---+---\n x | 2 |\n(1 row)\n');
      expect(r.stderr).toMatch(/^database: postgres:\/\/.*\(--database-url\)\n$/);
      const missing = await runCliInProcess(['sql', '--database-url', `${url}_none`, 'select 1'], { cwd: project });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/does not exist/);
    } finally {
      await dropDatabase(url);
    }
  });
});

// The prompt needs a terminal: `script` runs the CLI on a pseudo-terminal and writes what it is given to it.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('the interactive prompt', () => {
  // Never skipped: without `script` (util-linux) the prompt would go untested, so say so as a failure.
  it('has script(1) to give the CLI a terminal', () => {
    expect(hasScript, 'script (util-linux) is needed for these tests: apt-get install bsdutils').toBe(true);
  });

  it('runs statements ended by ";" (over several lines), prints errors and goes on, quits at \\q', () => {
    expect(cliBuilt()).toBe(true);
    const input = 'select id\n  from notes where id = 20;\nselec;\nselect 7 as seven;\n\\q\nselect 8 as never;\n';
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} sql`, '/dev/null'], {
      cwd: project,
      input,
      encoding: 'utf8',
      env: cliEnvironment({ DATABASE_URL: undefined }),
      timeout: 60_000,
    });
    expect(r.status, r.stdout).toBe(0);
    const out = r.stdout.replace(/\r/g, '');
    expect(out).toContain('altan-cloud> ');
    expect(out).toContain('altan-cloud-> ');
    expect(out).toContain(' id\n----\n 20\n(1 row)\n');
    expect(out).toContain('syntax error at or near "selec"');
    expect(out).toContain(' seven\n-------\n     7\n(1 row)\n');
    expect(out).not.toContain(' never\n');
  });

  it('Ctrl-D quits', { timeout: 60_000 }, async () => {
    // Ctrl-D is typed at the prompt that follows the result, as a person would: sent with the statement,
    // it could reach the terminal before the prompt had it in raw mode (seen on a loaded machine).
    const child = spawn('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} sql`, '/dev/null'], {
      cwd: project,
      env: cliEnvironment({ DATABASE_URL: undefined }),
    });
    let out = '';
    let typed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!typed && /\(1 row\)[\s\S]*altan-cloud> /.test(out.replace(/\r/g, ''))) {
        typed = true;
        child.stdin.write('\u0004');
      }
    });
    child.stdin.write('select 5 as five;\n');
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status, out).toBe(0);
    expect(out.replace(/\r/g, '')).toContain(' five\n------\n    5\n(1 row)\n');
  });
});
