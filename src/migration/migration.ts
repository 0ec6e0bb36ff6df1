/**
 * `migration new`: a Supabase migration file holding what a requirements file
 * needs beyond what a database already has, or, with no database, beyond
 * what the folder's migrations give when replayed in order on a new embedded
 * database. Its SQL is the plan's (`altan-cloud plan` shows the same), run
 * by `supabase db push`, and it records itself as an apply does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CompileResult } from '../compile.js';
import { openMemory, withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { preflight } from '../db/preflight.js';
import { readRecord } from '../db/record.js';
import { bootstrap } from '../execute/bootstrap.js';
import { describeChange } from '../plan/format.js';
import { planAgainst } from '../plan/plan.js';
import type { Change } from '../plan/plan.js';
import { checkVersionIsNew, DEFAULT_MIGRATIONS_DIR, listMigrations, MigrationError, migrationName, migrationVersion, replayMigrations } from './folder.js';
import type { MigrationFile } from './folder.js';
import { migrationSql } from './migrationSql.js';

export interface NewMigrationOptions {
  /** What the migration does (`add todos`): made lower-case snake case for its file name. */
  readonly name: string;
  /** The migrations folder; default supabase/migrations. A relative one is taken from `cwd`. */
  readonly dir?: string;
  readonly cwd?: string;
  /**
   * The database the migration is for: planned against what it holds. Absent: against the folder's
   * migrations, replayed on a new in-memory embedded database (bootstrapped like the embedded one).
   */
  readonly database?: Database;
  /** Also plan changes that may lose data (they are marked in the file); refused otherwise. */
  readonly allowDestructive?: boolean;
  /** When the migration is made: its version (UTC, to the second). Default: now. */
  readonly now?: Date;
  /** Runs a slow step (the replay), for a caller that shows progress. */
  readonly step?: <T>(label: string, work: Promise<T>) => Promise<T>;
}

/** What the migration was planned against. */
export type MigrationBase =
  | { readonly kind: 'database'; readonly database: string }
  | { readonly kind: 'folder'; readonly dir: string; readonly migrations: readonly string[] };

export interface MigrationReport {
  /** `written`: a new file; `up-to-date`: nothing to migrate, and no file was written. */
  readonly status: 'written' | 'up-to-date';
  /** The file written (in `dir` as given); absent when up to date. */
  readonly file?: string;
  readonly version: string;
  readonly name: string;
  readonly base: MigrationBase;
  /** What it changes, as `plan` lists it; the ones that may lose data again in `destructive`. */
  readonly changes: readonly Change[];
  readonly destructive: readonly Change[];
  /** The file's statements, in the order `supabase db push` runs them; none when up to date. */
  readonly statements: readonly string[];
  /** The file's text; '' when up to date. */
  readonly sql: string;
}

/** The migrations folder's entries of the Supabase CLI's history that this database has (undefined: it has no history table). */
async function pushedVersions(db: Database): Promise<Set<string> | undefined> {
  const [row] = await db.query<{ present: boolean }>("SELECT pg_catalog.to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS present");
  if (row?.present !== true) return undefined;
  const rows = await db.query<{ version: string }>('SELECT version::text AS version FROM supabase_migrations.schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/**
 * Refuses to plan against a database that lacks migrations of the folder: the new one would repeat
 * their changes. A database that never saw `supabase db push` lacks them all.
 */
async function checkPushed(db: Database, files: readonly MigrationFile[], dir: string): Promise<void> {
  if (files.length === 0) return;
  const pushed = (await pushedVersions(db)) ?? new Set<string>();
  const pending = files.filter((f) => !pushed.has(f.version));
  if (pending.length === 0) return;
  throw new MigrationError(
    `${db.description} has not run ${pending.length === 1 ? 'this migration' : `these ${pending.length} migrations`} of ${dir} yet: ` +
      `${pending.map((f) => f.file).join(', ')}; a new migration planned against it would repeat their changes. Nothing was written.`,
    'conflict',
    'migrations-not-pushed',
    'push them first (supabase db push), or make the migration from the folder alone (without --database-url or DATABASE_URL)',
  );
}

/** `postgres://…/app`, `the 2 migrations of supabase/migrations, replayed on a new embedded database`. */
export function describeBase(base: MigrationBase): string {
  if (base.kind === 'database') return base.database;
  const n = base.migrations.length;
  if (n === 0) return `a new embedded database (${base.dir} holds no migrations yet)`;
  return `the ${n === 1 ? 'migration' : `${n} migrations`} of ${base.dir}, replayed on a new embedded database`;
}

const changeLine = (c: Change) => `  ${describeChange(c)}${c.destructive ? `: ${c.destructive}` : ''}`;

/** A new migration in the folder for `compiled`; nothing is written when there is nothing to migrate. */
export async function newMigration(compiled: CompileResult, options: NewMigrationOptions): Promise<MigrationReport> {
  const name = migrationName(options.name);
  const version = migrationVersion(options.now ?? new Date());
  const dir = options.dir ?? DEFAULT_MIGRATIONS_DIR;
  const path = resolve(options.cwd ?? '', dir);
  const files = listMigrations(path);
  const step = options.step ?? ((_label, work) => work);

  let db: Database;
  let base: MigrationBase;
  if (options.database) {
    db = withDatabaseErrors(options.database);
    base = { kind: 'database', database: db.description };
    await checkPushed(db, files, dir);
  } else {
    db = await step('opening an embedded database…', openMemory());
    base = { kind: 'folder', dir, migrations: files.map((f) => f.file) };
  }
  try {
    if (!options.database) {
      await step('preparing the embedded database…', bootstrap(db));
      await step(`replaying the migrations of ${dir}…`, replayMigrations(db, path, dir, files));
    }
    const { model } = compiled;
    const missing = await preflight(db, model, compiled.target);
    if (missing.length > 0)
      throw new MigrationError(
        `${db.description} is missing what this file needs; nothing was written:\n${missing.map((m) => `  - ${m.what}: ${m.why}`).join('\n')}`,
        'preflight',
        'prerequisite-missing',
        'a local database gets what is missing from `altan-cloud bootstrap`',
      );
    const records = await readRecord(db, model.schema);
    const { plan, inventory, statements } = await step('comparing with the database…', planAgainst(db, compiled, records));
    const report = { version, name, base, changes: plan.changes, destructive: plan.destructive };
    if (plan.status === 'up-to-date') return { status: 'up-to-date', ...report, statements: [], sql: '' };
    // Only a file to write needs a version of its own: nothing to migrate is said even within the second of the last one.
    checkVersionIsNew(files, version, dir);
    if (plan.blockers.length > 0)
      throw new MigrationError(
        `the plan for schema ${model.schema} cannot run as it stands; nothing was written:\n${plan.blockers.map((b) => `  - ${b}`).join('\n')}`,
        'blocked',
        'plan-blocked',
        'move what is in the way (`altan-cloud plan` lists it), then make the migration again',
      );
    if (plan.destructive.length > 0 && options.allowDestructive !== true)
      throw new MigrationError(
        `refused: ${plan.destructive.length === 1 ? 'this change' : `these ${plan.destructive.length} changes`} may lose data, and nothing was written:\n` +
          `${plan.destructive.map(changeLine).join('\n')}\nMake the migration with --allow-destructive to include them (they are marked in the file).`,
        'destructive',
        'destructive-change',
        'read `altan-cloud plan`, then make the migration with --allow-destructive',
      );
    if (!inventory) throw new Error('internal: a plan with changes and no inventory');
    const sql = migrationSql({
      compiled,
      sql: plan.sql,
      statements,
      changes: plan.changes,
      destructive: plan.destructive,
      inventory,
      startsFrom: records.last?.sql_sha256,
      fileName: model.source.fileName,
      base: describeBase(base),
    });
    const file = `${dir.replace(/\/+$/, '')}/${version}_${name}.sql`;
    write(join(path, `${version}_${name}.sql`), file, sql.text);
    return { status: 'written', file, ...report, statements: sql.statements, sql: sql.text };
  } finally {
    if (!options.database) await db.close();
  }
}

/** Writes a new file, never over one (`wx`), making the folder when missing. */
function write(path: string, file: string, text: string): void {
  try {
    mkdirSync(resolve(path, '..'), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MigrationError(
      `${file}: cannot write the migration: ${code === 'EEXIST' ? 'the file exists' : (e as Error).message}`,
      'invalid',
      code === 'EEXIST' ? 'file-exists' : 'output-unwritable',
    );
  }
}

export { DEFAULT_MIGRATIONS_DIR, MigrationError, migrationName, migrationVersion };
