/**
 * applyTarget (src/fleet/applyTarget.ts) on the test cluster: one target's apply as a result, never a
 * throw; what passes (a lock held, the server unreachable) tried again with backoff, what would fail the
 * same way (authentication, a missing prerequisite, a destructive change) tried once; an abort cancels
 * the running statement and rolls back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import { applyTarget } from '../../src/fleet/applyTarget.js';
import type { Database } from '../../src/db/database.js';
import { LOCK_SQL } from '../../src/db/lock.js';
import { connect, dropDatabase, freshDatabase, testDatabaseUrl } from './harness.js';
import { databaseOf } from './names.js';

const FIRST = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n      body: text\n';
const WITHOUT_BODY = 'version: 1\nentities:\n  notes:\n    fields:\n      title: text\n';
const SECRET = 'Fl33tPassw0rd';
const QUICK = { attempts: 3, baseDelayMs: 50 };

let first: CompileResult;
let withoutBody: CompileResult;
const made: string[] = [];

async function database(label: string, bootstrapped = true): Promise<string> {
  const url = await freshDatabase(label, { bootstrapped });
  made.push(url);
  return url;
}

const recordRows = async (db: Database) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM altan_meta.applied_files'))[0]?.n);

beforeAll(async () => {
  first = await compile(FIRST, { fileName: 'notes.yaml' });
  withoutBody = await compile(WITHOUT_BODY, { fileName: 'notes.yaml' });
});
afterAll(async () => {
  for (const url of made) await dropDatabase(url);
});

describe('applyTarget', () => {
  it('applies, then finds the target up to date; one record row', async () => {
    const url = await database('fleet-target-ok');
    const target = { name: 'acme', url };
    const applied = await applyTarget(first, target);
    expect(applied).toMatchObject({
      name: 'acme',
      database: url,
      status: 'applied',
      attempts: 1,
      created: ['1 table', '1 function', '4 policies', '1 index', '1 trigger'],
    });
    expect(applied.code).toBeUndefined();
    const again = await applyTarget(first, target);
    expect(again).toMatchObject({ status: 'up-to-date', attempts: 1 });
    expect(await recordRows(await connect(url))).toBe(1);
  });

  it('a dry run reports dry-run and records nothing', async () => {
    const url = await database('fleet-target-dry');
    expect(await applyTarget(first, { name: 'd', url }, { dryRun: true })).toMatchObject({ status: 'dry-run', attempts: 1 });
    const db = await connect(url);
    expect(await db.query("SELECT FROM pg_class WHERE oid = to_regclass('public.notes')")).toEqual([]);
  });

  it('a destructive change is refused (status destructive), not retried; with allowDestructive it is made', async () => {
    const url = await database('fleet-target-destructive');
    await applyTarget(first, { name: 'x', url });
    const refused = await applyTarget(withoutBody, { name: 'x', url }, { retries: QUICK });
    expect(refused).toMatchObject({ status: 'destructive', code: 'destructive-change', attempts: 1 });
    expect(refused.message).toMatch(/^refused: this change may lose data/);
    expect(await applyTarget(withoutBody, { name: 'x', url }, { allowDestructive: true })).toMatchObject({ status: 'applied', changes: 1 });
  });

  it('a role the server refuses: authentication-failed, tried once, no password in the result', async () => {
    const server = new URL(testDatabaseUrl());
    const url = `postgres://fleet_no_such_role:${SECRET}@${server.host}/postgres`;
    const result = await applyTarget(first, { name: 'nobody', url }, { retries: QUICK });
    expect(result).toMatchObject({ status: 'failed', code: 'authentication-failed', attempts: 1 });
    expect(result.database).toBe(`postgres://fleet_no_such_role@${server.host}/postgres`);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('an unreachable server: server-unreachable after every attempt, with waits between them', async () => {
    const url = `postgres://postgres:${SECRET}@127.0.0.1:1/postgres`;
    const result = await applyTarget(first, { name: 'gone', url }, { retries: { attempts: 3, baseDelayMs: 100 } });
    expect(result).toMatchObject({ status: 'failed', code: 'server-unreachable', attempts: 3 });
    // Waits of at least 50 + 100 ms (the lower halves of 100 and 200).
    expect(result.durationMs).toBeGreaterThanOrEqual(150);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('a database without the prerequisites: prerequisite-missing, tried once', async () => {
    const url = await database('fleet-target-vanilla', false);
    expect(await applyTarget(first, { name: 'v', url }, { retries: QUICK })).toMatchObject({
      status: 'failed',
      code: 'prerequisite-missing',
      attempts: 1,
    });
  });

  it("another apply's advisory lock: lock-timeout, tried again, applied once the lock is released", async () => {
    const url = await database('fleet-target-advisory');
    const holder = await connect(url);
    await holder.exec(`BEGIN; ${LOCK_SQL}`);
    const release = setTimeout(() => void holder.exec('ROLLBACK'), 700);
    const result = await applyTarget(first, { name: 'l', url }, { timeouts: { lockTimeoutMs: 200 }, retries: { attempts: 6, baseDelayMs: 200 } });
    clearTimeout(release);
    expect(result).toMatchObject({ status: 'applied' });
    expect(result.attempts).toBeGreaterThan(1);
    expect(await recordRows(holder)).toBe(1);
  });

  it('the connection lost mid-apply (its backend terminated): tried again on a new connection, applied once', { timeout: 60_000 }, async () => {
    const url = await database('fleet-target-lost');
    const holder = await connect(url);
    await holder.exec(`BEGIN; ${LOCK_SQL}`);
    // The apply's session, once it waits for the lock: terminated, then the lock let go for the next attempt
    // (waited for up to 30 s: on a loaded machine the apply may take seconds to reach the lock).
    const terminate = (async () => {
      for (let i = 0; i < 600; i++) {
        // The holder is inside its transaction, where pg_stat_activity is read once and kept: cleared for a new look.
        await holder.query('SELECT pg_stat_clear_snapshot()');
        const [row] = await holder.query<{ ended: boolean }>(
          "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        );
        if (row?.ended) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await holder.exec('ROLLBACK');
    })();
    const result = await applyTarget(first, { name: 'lost', url }, { timeouts: { lockTimeoutMs: 0 }, retries: QUICK });
    await terminate;
    expect(result).toMatchObject({ status: 'applied', attempts: 2 });
    expect(await recordRows(holder)).toBe(1);
  });

  it('aborted while it waits for a lock: the statement is cancelled, interrupted, nothing applied', async () => {
    const url = await database('fleet-target-abort');
    const holder = await connect(url);
    await holder.exec(`BEGIN; ${LOCK_SQL}`);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const result = await applyTarget(first, { name: 'a', url }, { timeouts: { lockTimeoutMs: 0 }, signal: abort.signal });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ status: 'failed', code: 'interrupted', attempts: 1 });
    await holder.exec('ROLLBACK');
    // The session that waited is gone or idle: nothing of the apply is left running.
    const waiting = await holder.query(
      "SELECT FROM pg_stat_activity WHERE datname = $1 AND application_name = 'altan-cloud' AND state = 'active' AND pid <> pg_backend_pid()",
      [databaseOf(url)],
    );
    expect(waiting).toEqual([]);
    expect(await holder.query("SELECT FROM pg_class WHERE oid = to_regclass('public.notes')")).toEqual([]);
  });
});
