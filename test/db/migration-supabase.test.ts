/**
 * `migration new` with the real Supabase CLI (the `supabase` dev dependency,
 * pinned): its migrations pushed with `supabase db push --db-url` to a fresh
 * database of the test server, after which `plan --exit-code` finds the
 * database up to date; a changed file, a second migration, a second push,
 * and the rows put in between are still there. Also migrations made from the
 * folder alone, pushed to a database that never saw them.
 *
 * The CLI is required: without it this file fails (npm ci installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CRON_STAND_IN } from '../../src/execute/bootstrap.js';
import { migrationVersion } from '../../src/migration/migration.js';
import { removeTemporaryDirectories, ROOT, runCliInProcess, temporaryDirectory } from '../helpers.js';
import { connect, createUser, dropDatabase, freshDatabase } from './harness.js';
import { NOTES, NOTES_AND_TAGS } from './migrationFiles.js';

afterAll(removeTemporaryDirectories);

const SUPABASE = join(ROOT, 'node_modules', '.bin', 'supabase');

/**
 * A fresh bootstrapped database with the cron stand-in: pg_cron runs in the test server's cron database
 * only, and a Supabase project has pg_cron; the stand-in's cron.schedule takes the jobs' statements.
 */
async function database(label: string): Promise<string> {
  const url = await freshDatabase(label);
  const db = await connect(url);
  await db.exec(CRON_STAND_IN.create);
  return url;
}

/**
 * `supabase db push` of the project's supabase/migrations to `url`. Its HOME (telemetry, profile) and TMPDIR
 * (the native module its runtime unpacks) are in the project, removed with it.
 */
async function push(dir: string, url: string): Promise<string> {
  expect(existsSync(SUPABASE), `the Supabase CLI is missing at ${SUPABASE}: run npm ci (it installs the supabase dev dependency)`).toBe(true);
  const home = join(dir, 'home');
  mkdirSync(join(home, 'tmp'), { recursive: true });
  const { stdout, stderr } = await promisify(execFile)(SUPABASE, ['db', 'push', '--yes', '--db-url', `${url}?sslmode=disable`], {
    cwd: dir,
    env: { ...process.env, HOME: home, TMPDIR: join(home, 'tmp'), DO_NOT_TRACK: '1', SUPABASE_TELEMETRY_DISABLED: '1' },
    timeout: 60_000,
  });
  return stdout + stderr;
}

/** Waits until the clock is past the second of the folder's last migration: a new one gets a later version. */
async function laterSecond(dir: string): Promise<void> {
  const last = (migrations(dir).at(-1) ?? '').slice(0, 14);
  while (migrationVersion(new Date()) <= last) await new Promise((done) => setTimeout(done, 100));
}

function project(yaml: string): string {
  const dir = temporaryDirectory('altan-supabase-');
  writeFileSync(join(dir, 'altan.yaml'), yaml);
  return dir;
}

const migrations = (dir: string) => readdirSync(join(dir, 'supabase', 'migrations')).sort();

describe('supabase db push of migration new', () => {
  it('push → up to date; a changed file → a second migration → push → up to date, rows kept', { timeout: 90_000 }, async () => {
    const url = await database('migration');
    try {
      const dir = project(NOTES);
      const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env: { DATABASE_URL: url } });

      const first = await run('migration', 'new', 'create notes');
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr).toContain(`database: ${url} (DATABASE_URL)`);
      expect(first.stdout).toMatch(new RegExp(`^wrote supabase/migrations/\\d{14}_create_notes\\.sql: \\d+ changes from ${url}\\n`));
      const pushed = await push(dir, url);
      expect(pushed).toMatch(/Applying migration \d{14}_create_notes\.sql\.\.\./);
      const upToDate = await run('plan', '--exit-code');
      expect(upToDate.status, upToDate.stdout).toBe(0);
      expect(upToDate.stdout).toBe(`altan.yaml is up to date on ${url}, schema public: nothing to do\n`);

      // Rows made between the migrations.
      const db = await connect(url);
      const user = await createUser(db);
      await db.query("INSERT INTO public.notes (user_id, title, body) VALUES ($1, 'kept', 'across migrations')", [user]);
      await laterSecond(dir);

      writeFileSync(join(dir, 'altan.yaml'), NOTES_AND_TAGS);
      const second = await run('migration', 'new', 'add tags', '--json');
      expect(second.status, second.stderr).toBe(0);
      const report = JSON.parse(second.stdout) as { file: string; changes: { kind: string; name: string }[] };
      expect(report.changes.map((c) => `${c.kind} ${c.name}`)).toEqual([
        'column pinned',
        'table tags',
        'policy tags_select',
        'policy tags_insert',
        'policy tags_update',
        'policy tags_delete',
        'index tags_user_id_idx',
        'trigger tags_set_updated_at',
      ]);
      expect(await run('plan', '--exit-code')).toMatchObject({ status: 3 });
      expect(await push(dir, url)).toMatch(/Applying migration \d{14}_add_tags\.sql\.\.\./);
      expect(await run('plan', '--exit-code')).toMatchObject({ status: 0 });
      expect(await db.query('SELECT title, body, pinned FROM public.notes')).toEqual([{ title: 'kept', body: 'across migrations', pinned: null }]);
      expect(await db.query('SELECT jobname FROM cron.job')).toEqual([{ jobname: 'purge-old-notes' }]);
      expect((await db.query<{ version: string }>('SELECT version FROM supabase_migrations.schema_migrations ORDER BY version')).length).toBe(2);

      // Nothing left to migrate: no file.
      const none = await run('migration', 'new', 'nothing');
      expect(none.status, none.stderr).toBe(0);
      expect(none.stdout).toBe(`altan.yaml is up to date on ${url}: nothing to migrate, no file written\n`);
      expect(migrations(dir)).toHaveLength(2);

      // A migration in the folder that this database has not run: a new one would repeat it.
      writeFileSync(join(dir, 'supabase', 'migrations', '20240102000000_by_hand.sql'), 'SELECT 1;\n');
      const pending = await run('migration', 'new', 'more');
      expect(pending.status).toBe(2);
      expect(pending.stderr).toContain(`altan-cloud: ${url} has not run this migration of supabase/migrations yet: 20240102000000_by_hand.sql;`);
    } finally {
      await dropDatabase(url);
    }
  });

  it('migrations made from the folder alone push to a new database, which is then up to date', { timeout: 90_000 }, async () => {
    const dir = project(NOTES);
    const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env: { DATABASE_URL: undefined } });
    expect(await run('migration', 'new', 'create notes')).toMatchObject({ status: 0 });
    await laterSecond(dir);
    writeFileSync(join(dir, 'altan.yaml'), NOTES_AND_TAGS);
    expect(await run('migration', 'new', 'add tags')).toMatchObject({ status: 0 });

    const url = await database('migration_folder');
    try {
      const pushed = await push(dir, url);
      expect(pushed).toMatch(/Applying migration \d{14}_create_notes\.sql\.\.\.\nApplying migration \d{14}_add_tags\.sql\.\.\./);
      const plan = await runCliInProcess(['plan', '--exit-code', '--database-url', url], { cwd: dir });
      expect(plan.status, plan.stdout).toBe(0);
    } finally {
      await dropDatabase(url);
    }
  });
});
