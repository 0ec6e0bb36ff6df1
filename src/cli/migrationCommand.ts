/**
 * `altan-cloud migration new NAME [file]`: writes the Supabase migration that
 * brings a database to the file (src/migration/migration.ts). Against
 * --database-url, else DATABASE_URL (in the environment or ./.env, as the
 * other database commands choose it; opened, timed and interrupted as they
 * do), else the folder's own migrations replayed on an embedded database —
 * also with CI set, as nothing is written to a database; stderr says which.
 */
import type { Database } from '../db/database.js';
import { describeBase, migrationName, newMigration } from '../migration/migration.js';
import type { MigrationReport } from '../migration/migration.js';
import { describeChange } from '../plan/format.js';
import type { Target } from '../target.js';
import { compileFile } from './commands.js';
import { givenServer } from './databaseChoice.js';
import { withDatabase } from './databaseCommands.js';
import type { DatabaseOptions } from './databaseCommands.js';
import { displayName } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';
import { progressFor } from './progress.js';

export interface MigrationNewOptions extends DatabaseOptions {
  readonly dir: string;
  readonly target: Target;
  readonly allowDestructive?: boolean;
  readonly json?: boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function reportText(file: string, r: MigrationReport): string {
  if (r.status === 'up-to-date') return `${file} is up to date on ${describeBase(r.base)}: nothing to migrate, no file written\n`;
  const lines = [
    `wrote ${r.file}: ${plural(r.changes.length, 'change', 'changes')} from ${describeBase(r.base)}`,
    ...r.changes.map((c) => `  ${describeChange(c)}${c.destructive ? `  [destructive: ${c.destructive}]` : ''}`),
    'next: supabase db push; then `altan-cloud plan --exit-code` finds the database up to date',
  ];
  return `${lines.join('\n')}\n`;
}

export async function migrationNewCommand(cliIo: CliIo, name: string, file: string, options: MigrationNewOptions): Promise<Outcome> {
  // A name that cannot be one is refused before the file is read or a database contacted.
  migrationName(name);
  const progress = progressFor(cliIo, options.json);
  const io = progress.io;
  const compiled = await compileFile(io, file, options.target, options.json);
  if (!compiled) return 'invalid';
  const make = (database?: Database) =>
    newMigration(compiled, {
      name,
      dir: options.dir,
      cwd: io.cwd,
      allowDestructive: options.allowDestructive === true,
      step: progress.step,
      ...(database ? { database } : {}),
    });
  let report: MigrationReport | undefined;
  const server = givenServer(io, options);
  if (server) {
    await withDatabase(progress, server, options, false, 'nothing was written', async (db) => {
      report = await make(db);
      return 'ok';
    });
  } else {
    io.stderr.write(
      `base: the migrations of ${options.dir}, replayed on an embedded database; use --database-url or DATABASE_URL to plan against a database\n`,
    );
    report = await make();
  }
  if (!report) throw new Error('internal: no migration report');
  if (options.json) {
    const { sql: _sql, ...document } = report;
    writeJson(io, { ...document, file: report.file ?? null });
  } else io.stdout.write(reportText(displayName(file), report));
  return 'ok';
}
