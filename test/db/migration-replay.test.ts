/**
 * `migration new` without a database: the folder's migrations replayed on an
 * in-memory PGlite are the base, so a second migration holds only what the
 * file changed. Also what it refuses (a name without letters, a version
 * taken, data loss without --allow-destructive, a folder that cannot be
 * replayed), how data loss is marked, and the check a migration makes of the
 * database it runs on (its record must be the one it was planned from).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { DatabaseError } from '../../src/db/errors.js';
import { MigrationError, migrationName, migrationVersion, newMigration } from '../../src/migration/migration.js';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { memoryDatabase } from './harness.js';
import { NOTES, NOTES_AND_TAGS, NOTES_WITHOUT_BODY } from './migrationFiles.js';

afterAll(removeTemporaryDirectories);

// Without DATABASE_URL: the folder is the base.
const env = { DATABASE_URL: undefined };

function project(yaml: string): string {
  const dir = temporaryDirectory('altan-migration-');
  writeFileSync(join(dir, 'altan.yaml'), yaml);
  return dir;
}

const migrations = (dir: string) => readdirSync(join(dir, 'supabase', 'migrations')).sort();
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

/** Gives a migration an older version, as if it had been made a while ago (versions are seconds). */
function age(dir: string, file: string, version: string): void {
  const name = file.split('/').pop() as string;
  renameSync(join(dir, file), join(dir, 'supabase', 'migrations', name.replace(/^\d+/, version)));
}

describe('migration names and versions', () => {
  it('are lower-case snake case, and the UTC second', () => {
    expect(migrationName('Add todos!')).toBe('add_todos');
    expect(migrationName('addDueDate')).toBe('add_due_date');
    expect(migrationName('  crème brûlée  ')).toBe('creme_brulee');
    expect(migrationName('v2 -- drop ; tables')).toBe('v2_drop_tables');
    expect(() => migrationName('!!!')).toThrow(MigrationError);
    expect(() => migrationName('')).toThrow(/has no letters or digits/);
    expect(() => migrationName('x'.repeat(101))).toThrow(/longer than 100/);
    expect(migrationVersion(new Date('2025-03-04T05:06:07.891Z'))).toBe('20250304050607');
  });
});

describe('migration new from the folder alone', () => {
  it('first the whole file, then only the change; up to date writes nothing', { timeout: 120_000 }, async () => {
    const dir = project(NOTES);
    const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env });

    const first = await run('migration', 'new', 'Create notes');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('base: the migrations of supabase/migrations, replayed on an embedded database');
    expect(first.stdout).toMatch(/^wrote supabase\/migrations\/\d{14}_create_notes\.sql: \d+ changes from a new embedded database/);
    const [firstFile] = migrations(dir);
    expect(firstFile).toMatch(/^\d{14}_create_notes\.sql$/);
    const firstSql = read(dir, `supabase/migrations/${firstFile}`);
    // supabase db push opens the transaction: none of the file's own (the record's copy of the plan, quoted, has them).
    const record = firstSql.indexOf('INSERT INTO altan_meta.applied_files');
    expect(firstSql.slice(0, record)).not.toMatch(/^(BEGIN|COMMIT);$/m);
    expect(firstSql).toContain('CREATE TABLE public.notes (');
    expect(firstSql).toContain("SELECT cron.schedule('purge-old-notes'");
    expect(firstSql).toMatch(/^INSERT INTO altan_meta\.applied_files \(/m);
    age(dir, `supabase/migrations/${firstFile}`, '20240101000000');

    writeFileSync(join(dir, 'altan.yaml'), NOTES_AND_TAGS);
    const second = await run('migration', 'new', 'add tags', '--json');
    expect(second.status, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as {
      status: string;
      file: string;
      base: { kind: string; migrations: string[] };
      changes: { action: string; kind: string; table?: string; name: string }[];
      destructive: unknown[];
      statements: string[];
    };
    expect(report.status).toBe('written');
    expect(report.file).toMatch(/^supabase\/migrations\/\d{14}_add_tags\.sql$/);
    expect(report.base).toEqual({ kind: 'folder', dir: 'supabase/migrations', migrations: ['20240101000000_create_notes.sql'] });
    expect(report.changes.filter((c) => c.kind === 'table' || c.kind === 'column')).toEqual([
      { action: 'create', kind: 'column', table: 'notes', name: 'pinned', details: [] },
      { action: 'create', kind: 'table', name: 'tags', details: [] },
    ]);
    expect(report.destructive).toEqual([]);
    const secondSql = read(dir, report.file);
    // The JSON's statements are the file's, in its order, the record last.
    let at = 0;
    for (const statement of report.statements) {
      const found = secondSql.indexOf(`${statement}\n`, at);
      expect(found, statement).toBeGreaterThanOrEqual(at);
      at = found + statement.length;
    }
    expect(secondSql.slice(at)).toBe('\n');
    expect(report.statements.at(-1)).toMatch(/^INSERT INTO altan_meta\.applied_files /);
    // Only the change: the notes table and its job are there already.
    expect(secondSql).not.toContain('CREATE TABLE public.notes');
    expect(secondSql).not.toContain('cron.schedule');
    expect(secondSql).toContain('CREATE TABLE public.tags (');
    expect(secondSql).toContain('ALTER TABLE public.notes ADD COLUMN pinned boolean');
    expect(secondSql).toMatch(/^-- Planned against the migration of supabase\/migrations, replayed on a new embedded database: \d+ changes/m);
    age(dir, report.file, '20240102000000');

    const again = await run('migration', 'new', 'nothing');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(
      'altan.yaml is up to date on the 2 migrations of supabase/migrations, replayed on a new embedded database: nothing to migrate, no file written\n',
    );
    expect(migrations(dir)).toEqual(['20240101000000_create_notes.sql', '20240102000000_add_tags.sql']);
    const json = await run('migration', 'new', 'nothing', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'up-to-date', file: null, changes: [], statements: [] });
  });

  it('refuses data loss without --allow-destructive; with it, marks the file', { timeout: 120_000 }, async () => {
    const dir = project(NOTES);
    const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env });
    expect((await run('migration', 'new', 'notes')).status).toBe(0);
    age(dir, `supabase/migrations/${migrations(dir)[0]}`, '20240101000000');
    writeFileSync(join(dir, 'altan.yaml'), NOTES_WITHOUT_BODY);

    const refused = await run('migration', 'new', 'drop body');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      'altan-cloud: refused: this change may lose data, and nothing was written:\n  - column notes.body: its values are deleted\n',
    );
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    expect(migrations(dir)).toHaveLength(1);
    const json = await run('migration', 'new', 'drop body', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'error', code: 'destructive-change', category: 'destructive', exitCode: 2 });

    const allowed = await run('migration', 'new', 'drop body', '--allow-destructive');
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('  - column notes.body  [destructive: its values are deleted]\n');
    const sql = read(dir, `supabase/migrations/${migrations(dir)[1]}`);
    expect(sql).toContain('-- DESTRUCTIVE: this change may lose data (made with --allow-destructive):\n--   - column notes.body: its values are deleted\n');
    expect(sql).toContain('ALTER TABLE public.notes DROP COLUMN IF EXISTS body;');
  });

  it('refuses a version taken, a later one, a bad name and a folder it cannot replay', { timeout: 60_000 }, async () => {
    const dir = project(NOTES);
    const folder = join(dir, 'db', 'migrations');
    mkdirSync(folder, { recursive: true });
    const now = new Date('2025-06-01T12:00:00Z');
    const compiled = await compile(NOTES);
    writeFileSync(join(folder, '20250601120000_other.sql'), 'SELECT 1;\n');
    await expect(newMigration(compiled, { name: 'x', dir: 'db/migrations', cwd: dir, now })).rejects.toMatchObject({
      category: 'invalid',
      problems: [{ code: 'file-exists' }],
    });
    await expect(newMigration(compiled, { name: 'x', dir: 'db/migrations', cwd: dir, now: new Date('2025-05-01T00:00:00Z') })).rejects.toMatchObject({
      category: 'invalid',
      problems: [{ code: 'migration-out-of-order' }],
    });
    const badName = await runCliInProcess(['migration', 'new', '***'], { cwd: dir, env });
    expect(badName.status).toBe(64);
    expect(badName.stderr).toBe('altan-cloud: the migration name "***" has no letters or digits\n');

    // A hand-written migration the embedded database cannot run: named, with what Postgres said.
    writeFileSync(join(folder, '20250601120001_broken.sql'), 'CREATE TABLE public.a (id int);\nSELECT no_such_function();\n');
    const broken = await runCliInProcess(['migration', 'new', 'x', '--dir', 'db/migrations'], { cwd: dir, env });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(
      /altan-cloud: cannot replay db\/migrations\/20250601120001_broken\.sql on an embedded database .*function no_such_function\(\) does not exist/,
    );
    expect(readdirSync(folder)).toHaveLength(2);
  });

  it('a migration stops when the database was not where it was planned from', { timeout: 60_000 }, async () => {
    const dir = project(NOTES);
    const made = await newMigration(await compile(NOTES), { name: 'notes', cwd: dir });
    expect(made.status).toBe('written');
    const db = await memoryDatabase();
    // Something else applied to the schema first: the migration's base is not this database.
    await apply(db, await compile('version: 1\nentities:\n  other:\n    fields:\n      x: text\n', { fileName: 'other.yaml' }));
    await db.exec('BEGIN');
    const failed = await db.exec(made.sql).catch((e: unknown) => e);
    await db.exec('ROLLBACK');
    expect(failed).toBeInstanceOf(DatabaseError);
    expect((failed as DatabaseError).message).toMatch(
      /^altan-cloud: this migration was made for schema public with nothing applied to it yet, but other\.yaml was applied there last, at .* \(SQL sha256 [0-9a-f]{64}\); push the migrations before it first/,
    );
    expect(existsSync(join(dir, made.file as string))).toBe(true);
  });
});

describe('migration new and the database choice (README: CI and the database)', () => {
  it('with CI set and no database it still plans from the folder (it writes to no database); an empty DATABASE_URL is refused', async () => {
    const dir = project(NOTES);
    const ci = await runCliInProcess(['migration', 'new', 'notes'], { cwd: dir, env: { DATABASE_URL: undefined, CI: 'true' } });
    expect(ci.status, ci.stderr).toBe(0);
    expect(ci.stderr).toContain('base: the migrations of supabase/migrations');
    expect(migrations(dir)).toHaveLength(1);

    const empty = await runCliInProcess(['migration', 'new', 'more'], { cwd: dir, env: { DATABASE_URL: '' } });
    expect(empty.status).toBe(64);
    expect(empty.stderr).toContain('DATABASE_URL is set but empty');
    expect(empty.stderr).not.toMatch(STACK_TRACE);
    expect(migrations(dir)).toHaveLength(1);
  });
});

describe('nothing to migrate within the second of the last migration', () => {
  it('is up to date, not refused for the version (the file it would have written is not written)', { timeout: 120_000 }, async () => {
    const dir = project(NOTES);
    const now = new Date('2026-12-04T21:02:45Z');
    const compiled = await compile(NOTES);
    expect((await newMigration(compiled, { name: 'notes', cwd: dir, now })).status).toBe('written');
    // The same second again: before, `file-exists` ("has this second's version already"), seen in CI.
    expect((await newMigration(compiled, { name: 'again', cwd: dir, now })).status).toBe('up-to-date');
    expect(migrations(dir)).toHaveLength(1);
    // With something to write, the same second is still refused.
    await expect(newMigration(await compile(NOTES_AND_TAGS), { name: 'tags', cwd: dir, now })).rejects.toThrow("has this second's version");
  });
});
