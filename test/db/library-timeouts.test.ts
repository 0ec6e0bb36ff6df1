/**
 * The library's `timeouts` option, on the caller's own connection (a pg
 * client of the test's, not openPostgres): behind another session's lock,
 * apply, plan and verify fail with the CLI's codes (`lock-timeout`,
 * `statement-timeout`) in about the time given, the statement named; and
 * whatever happens, the caller's session keeps its own lock_timeout and
 * statement_timeout, value and source. On PGlite too.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apply, ApplyError, AltanError, compile, DEFAULT_TIMEOUTS, plan, verify } from '../../src/index.js';
import type { Database } from '../../src/index.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase } from './harness.js';
import { catalogSnapshot } from './snapshot.js';

const FIRST = 'version: 1\nentities:\n  todos:\n    fields:\n      title: text\n';
const SECOND = `${FIRST}      done: boolean\n`;

let url: string;
let client: pg.Client;
/** The caller's own connection, as a `Database`. */
let callers: Database;
let admin: Database;
let holder: Database;

beforeAll(async () => {
  url = await freshDatabase('library-timeouts');
  client = new pg.Client({ connectionString: url });
  await client.connect();
  callers = {
    kind: 'postgres',
    description: "the caller's connection",
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as Row[],
    exec: async (sql: string) => void (await client.query(sql)),
    close: () => client.end(),
  };
  admin = await connect(url);
  holder = await connect(url);
  await apply(callers, await compile(FIRST, { fileName: 'first.yaml' }));
  // The caller's own settings: one SET in the session, one left to the server's default.
  await client.query("SET lock_timeout = '7s'");
});
afterAll(async () => {
  await client.end();
  await dropDatabase(url);
});
beforeEach(async () => {
  await holder.exec('ROLLBACK').catch(() => {});
});

interface Setting {
  readonly name: string;
  readonly setting: string;
  readonly source: string;
}
const SETTINGS_SQL = "SELECT name, setting, source FROM pg_settings WHERE name IN ('lock_timeout', 'statement_timeout') ORDER BY name";
const settingsOf = (db: Database) => db.query<Setting>(SETTINGS_SQL);
const CALLERS_OWN: readonly Setting[] = [
  { name: 'lock_timeout', setting: '7000', source: 'session' },
  { name: 'statement_timeout', setting: '0', source: 'default' },
];

const hasDone = async () =>
  (await admin.query("SELECT 1 FROM pg_attribute WHERE attrelid = 'public.todos'::regclass AND attname = 'done' AND NOT attisdropped")).length > 0;

/** What `work` rejects with, and how long it took. */
async function failing(work: () => Promise<unknown>): Promise<{ error: AltanError; seconds: number }> {
  const started = performance.now();
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AltanError)) throw new Error(`expected an AltanError, got ${String(error)}`);
  return { error, seconds: (performance.now() - started) / 1000 };
}

describe("timeouts of the library, on the caller's connection", () => {
  it('apply behind a lock another session holds: lock-timeout after about lockTimeoutMs, nothing applied, the session as it was', async () => {
    const before = await catalogSnapshot(admin);
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE');
    const second = await compile(SECOND, { fileName: 'second.yaml' });
    const { error, seconds } = await failing(() => apply(callers, second, { timeouts: { lockTimeoutMs: 500 } }));
    expect(seconds).toBeGreaterThanOrEqual(0.45);
    expect(seconds).toBeLessThan(3);
    expect(error).toBeInstanceOf(ApplyError);
    expect(error.problems).toMatchObject([{ code: 'lock-timeout', category: 'database', sqlstate: '55P03' }]);
    expect(error.message).toBe(
      "the caller's connection: lock timeout: waited 500ms (timeouts.lockTimeoutMs) for a lock another session holds; nothing was applied (the transaction was rolled back)",
    );
    expect(await settingsOf(callers)).toEqual(CALLERS_OWN);
    await holder.exec('ROLLBACK');
    expect(await catalogSnapshot(admin)).toEqual(before);
    expect(await hasDone()).toBe(false);
  });

  it('apply with statementTimeoutMs: the statement that ran too long is named, with its place in the SQL and in the file', async () => {
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE');
    const second = await compile(SECOND, { fileName: 'second.yaml' });
    const { error, seconds } = await failing(() => apply(callers, second, { timeouts: { lockTimeoutMs: 0, statementTimeoutMs: 300 } }));
    // The apply, and the replay that finds the statement.
    expect(seconds).toBeGreaterThanOrEqual(0.55);
    expect(seconds).toBeLessThan(3);
    const [problem] = error.problems;
    expect(problem).toMatchObject({
      code: 'statement-timeout',
      sqlstate: '57014',
      statement: 'ALTER TABLE public.todos ADD COLUMN done boolean',
      file: 'second.yaml',
      line: 6,
      column: 13,
      hint: 'give timeouts.statementTimeoutMs more time (0: no limit)',
    });
    const sqlLine = problem?.sql?.line ?? 0;
    const planned = await plan(callers, second);
    expect(planned.sql.split('\n')[sqlLine - 1]).toBe('ALTER TABLE public.todos ADD COLUMN done boolean;');
    expect(error.message.split('\n')).toEqual([
      `statement timeout: ALTER TABLE public.todos ADD COLUMN done boolean (generated SQL line ${sqlLine}:1) ran longer than 300ms (timeouts.statementTimeoutMs); nothing was applied (the transaction was rolled back)`,
      `  ${sqlLine} | ALTER TABLE public.todos ADD COLUMN done boolean;`,
      `  ${' '.repeat(String(sqlLine).length)} | ^`,
      '  from second.yaml:6:13: the column todos.done',
    ]);
    expect(await settingsOf(callers)).toEqual(CALLERS_OWN);
    await holder.exec('ROLLBACK');
    expect(await hasDone()).toBe(false);
  });

  it('verify behind a table another session locked: lock-timeout, not a failed request; the session as it was', async () => {
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS EXCLUSIVE MODE');
    const first = await compile(FIRST, { fileName: 'first.yaml' });
    const { error, seconds } = await failing(() => verify(callers, first, { timeouts: { lockTimeoutMs: 300 } }));
    expect(seconds).toBeLessThan(3);
    expect(error.problems).toMatchObject([{ code: 'lock-timeout', sqlstate: '55P03', hint: expect.stringContaining('timeouts.lockTimeoutMs') }]);
    expect(error.message).toMatch(
      /^the caller's connection: lock timeout: waited 300ms \(timeouts\.lockTimeoutMs\) for a lock another session holds; nothing was changed\n/,
    );
    expect(await settingsOf(callers)).toEqual(CALLERS_OWN);
  });

  it('plan with a statement timeout shorter than a lock wait: statement-timeout; the session as it was', async () => {
    await holder.exec('BEGIN; LOCK TABLE public.todos IN ACCESS EXCLUSIVE MODE');
    // A column made NOT NULL: plan counts the table's NULLs, which waits for the lock.
    const required = await compile(FIRST.replace('title: text', 'title: { type: text, required: true }'), { fileName: 'required.yaml' });
    const { error } = await failing(() => plan(callers, required, { timeouts: { lockTimeoutMs: 0, statementTimeoutMs: 300 } }));
    expect(error.problems).toMatchObject([{ code: 'statement-timeout', sqlstate: '57014' }]);
    expect(await settingsOf(callers)).toEqual(CALLERS_OWN);
  });

  it('by default DEFAULT_TIMEOUTS hold during the call (a lock waited for 10 s at most), and the session has its own again after it', async () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ lockTimeoutMs: 10_000, statementTimeoutMs: 0 });
    let during: readonly Setting[] = [];
    const report = await apply(callers, await compile(SECOND, { fileName: 'second.yaml' }), {
      dryRun: true,
      beforeEnd: async (db) => void (during = await settingsOf(db)),
    });
    expect(report.status).toBe('dry-run');
    expect(during).toEqual([
      { name: 'lock_timeout', setting: '10000', source: 'session' },
      { name: 'statement_timeout', setting: '0', source: 'default' },
    ]);
    expect(await settingsOf(callers)).toEqual(CALLERS_OWN);
  });
});

describe('on PGlite', () => {
  it('apply sets its timeouts for the call and leaves the session as it was', async () => {
    const db = await memoryDatabase();
    const before = await settingsOf(db);
    let during: readonly Setting[] = [];
    await apply(db, await compile(FIRST, { fileName: 'first.yaml' }), {
      timeouts: { statementTimeoutMs: 60_000 },
      beforeEnd: async (d) => void (during = await settingsOf(d)),
    });
    expect(during.map((s) => s.setting)).toEqual(['10000', '60000']);
    expect(await settingsOf(db)).toEqual(before);
  });
});
