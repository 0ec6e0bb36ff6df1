/**
 * A folder of Supabase migrations (`supabase/migrations/`): files named
 * `<version>_<name>.sql`, run in version order by `supabase db push`. What a
 * new migration is called, which files are already there, and replaying them
 * on a database that has none of them (the base of a migration made without one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/database.js';
import { DatabaseError, describeDatabaseError } from '../db/errors.js';
import { AltanError } from '../problems.js';
import type { ProblemCategory } from '../problems.js';

/** Where `supabase init` keeps migrations, relative to the project's folder. */
export const DEFAULT_MIGRATIONS_DIR = 'supabase/migrations';

/** Why no migration was made; the folder and the database are left as they were. */
export class MigrationError extends AltanError {
  constructor(message: string, category: ProblemCategory, code: string, hint?: string) {
    super(message, category, { code, message, ...(hint !== undefined ? { hint } : {}) });
    this.name = 'MigrationError';
  }
}

/** The Supabase CLI's pattern for a migration file; it skips any other file of the folder. */
const MIGRATION_FILE = /^(\d+)_(.*)\.sql$/;

/** Longest name kept: the file name stays well within every file system's limit. */
const MAX_NAME_LENGTH = 100;

export interface MigrationFile {
  /** The digits before the first `_`: `20250102030405`. */
  readonly version: string;
  /** The file's name in the folder. */
  readonly file: string;
}

/**
 * `name` as a migration's name: lower-case snake case (`Add todos!` → `add_todos`, `addDueDate` →
 * `add_due_date`), ASCII letters and digits only, accents dropped. Refused when nothing is left.
 */
export function migrationName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (safe === '')
    throw new MigrationError(
      `the migration name ${JSON.stringify(name)} has no letters or digits`,
      'usage',
      'migration-name',
      'name what the migration does, e.g. add_todos',
    );
  if (safe.length > MAX_NAME_LENGTH)
    throw new MigrationError(`the migration name is longer than ${MAX_NAME_LENGTH} characters`, 'usage', 'migration-name', 'give it a shorter name');
  return safe;
}

/** The version of a migration made at `at`: its UTC time as YYYYMMDDHHMMSS, as `supabase migration new` names one. */
export function migrationVersion(at: Date): string {
  return at.toISOString().replace(/\D/g, '').slice(0, 14);
}

/** The migrations in `path` (absolute), in the order the Supabase CLI runs them; none when the folder is missing. */
export function listMigrations(path: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MigrationError(`cannot read the migrations folder ${path}: ${(e as Error).message}`, 'invalid', 'migrations-unreadable');
  }
  return names
    .flatMap((file) => {
      const m = MIGRATION_FILE.exec(file);
      return m ? [{ version: m[1] as string, file }] : [];
    })
    .sort((a, b) => compareVersions(a.version, b.version) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Versions compare as numbers: `9_x` runs before `10_x`. */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Refuses a new migration of version `version` in a folder that already has one of that version
 * (two made within a second), or a later one (a clock behind, or a file from the future): the
 * new one would not run last, and `supabase db push` refuses a file older than the last pushed.
 */
export function checkVersionIsNew(files: readonly MigrationFile[], version: string, dir: string): void {
  const same = files.find((f) => compareVersions(f.version, version) === 0);
  if (same)
    throw new MigrationError(
      `${dir}/${same.file} has this second's version ${version} already; nothing was written`,
      'invalid',
      'file-exists',
      'wait a second and make the migration again',
    );
  const later = files.filter((f) => compareVersions(f.version, version) > 0);
  if (later.length > 0)
    throw new MigrationError(
      `${dir} holds ${later.map((f) => f.file).join(', ')}, later than this migration's version ${version} (UTC now); nothing was written`,
      'invalid',
      'migration-out-of-order',
      "check the computer's clock, and the versions of those files",
    );
}

/**
 * Runs each migration of `files` on `db`, in order, each in a transaction of its own as `supabase db push`
 * runs it. A file that fails is reported by name, with what Postgres said.
 */
export async function replayMigrations(db: Database, path: string, dir: string, files: readonly MigrationFile[]): Promise<void> {
  for (const f of files) {
    const sql = readFileSync(join(path, f.file), 'utf8');
    try {
      await db.exec('BEGIN');
      await db.exec(sql);
      await db.exec('COMMIT');
    } catch (e) {
      await db.exec('ROLLBACK').catch(() => {});
      const why = e instanceof DatabaseError ? describeDatabaseError(e) : (e as Error).message;
      throw new MigrationError(
        `cannot replay ${dir}/${f.file} on an embedded database (the base of a migration made without a database URL): ${why}`,
        'database',
        'migration-replay-failed',
        'make the migration against the database itself: --database-url or DATABASE_URL',
      );
    }
  }
}
