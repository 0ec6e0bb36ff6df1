/**
 * The text of a migration file: the plan's SQL as `supabase db push` runs it.
 *
 * The Supabase CLI splits a migration file into statements and runs them in
 * one transaction of its own, then records the file in its history table in
 * that same transaction (checked with supabase 2.117.0: a failing statement
 * leaves nothing behind). So the file has no BEGIN or COMMIT: a COMMIT inside
 * would end the CLI's transaction early, and its history row would be written
 * outside it. The plan's `SET LOCAL`s hold for the whole file, as in apply.
 *
 * Around the plan's statements: the lock every altan-cloud transaction takes,
 * the record table (made when missing), a check that the database is where the
 * migration starts from, and at the end the record of the apply itself, as
 * `altan-cloud apply` writes it, so that `plan` afterwards finds the database
 * up to date and plans the next change from it.
 */
import type { CompileResult } from '../compile.js';
import { recordOf } from '../execute/apply.js';
import { VERSION } from '../version.js';
import { LOCK_SQL } from '../db/lock.js';
import { RECORD_SQL, RECORD_TABLE, recordInsertSql } from '../db/record.js';
import { describeChange } from '../plan/format.js';
import type { Inventory } from '../plan/inventory.js';
import type { Change } from '../plan/plan.js';
import { commentSafe } from '../render/prepare/transaction.js';
import type { PlacedStatement } from '../render/script.js';
import { dollarQuote, literal } from '../sql/quote.js';

export interface MigrationSqlInput {
  readonly compiled: CompileResult;
  /** The plan's transaction (`BEGIN;` … `COMMIT;`) and its statements. */
  readonly sql: string;
  readonly statements: readonly PlacedStatement[];
  readonly changes: readonly Change[];
  readonly destructive: readonly Change[];
  /** The inventory the record keeps: what the file has made once the migration ran. */
  readonly inventory: Inventory;
  /** The sql_sha256 of the schema's last record where the migration was planned; undefined: none. */
  readonly startsFrom: string | undefined;
  /** The file's name, and what the plan was made against (for its header). */
  readonly fileName: string;
  readonly base: string;
}

export interface MigrationSql {
  readonly text: string;
  /** Its statements, in the order they run. */
  readonly statements: readonly string[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The statements of a transaction script between its `BEGIN;` and its `COMMIT;`, with the text (comments) around them. */
function body(sql: string, all: readonly PlacedStatement[]): { readonly text: string; readonly statements: readonly string[] } {
  const first = all[1];
  const commit = all[all.length - 1];
  if (!first || !commit || all[0]?.sql !== 'BEGIN;' || commit.sql !== 'COMMIT;') throw new Error('internal: the SQL is not one BEGIN … COMMIT transaction');
  // From the line after BEGIN; (the comments above the first statement included) to the line of COMMIT;.
  const start = sql.indexOf('\n', (all[0] as PlacedStatement).end) + 1;
  return { text: sql.slice(start, commit.start).trim(), statements: all.slice(1, -1).map((s) => s.sql) };
}

/**
 * Stops the migration (and so the whole `db push` transaction) when the schema's last record is not the one
 * it was planned from: a migration of the folder not pushed yet, or an `altan-cloud apply` made meanwhile,
 * would make this one's changes wrong.
 */
function startsFromSql(schema: string, expected: string | undefined): string {
  const planned = expected === undefined ? 'nothing applied to it yet' : `the SQL of sha256 ${expected} applied last`;
  const found =
    "coalesce(pg_catalog.format('%s was applied there last, at %s (SQL sha256 %s)', last_file, last_at, last_sha), 'nothing was applied there yet')";
  const block = [
    '',
    'DECLARE',
    '  last_file text;',
    '  last_sha text;',
    '  last_at timestamptz;',
    'BEGIN',
    `  SELECT file_name, sql_sha256, applied_at INTO last_file, last_sha, last_at FROM ${RECORD_TABLE}`,
    `    WHERE schema_name = ${literal(schema)} ORDER BY id DESC LIMIT 1;`,
    `  IF last_sha IS DISTINCT FROM ${expected === undefined ? 'NULL' : literal(expected)} THEN`,
    `    RAISE EXCEPTION USING MESSAGE = ${literal(`altan-cloud: this migration was made for schema ${schema} with ${planned}, but `)} || ${found} ||`,
    `      ${literal('; push the migrations before it first, or make it again from the database as it is (altan-cloud migration new --database-url)')};`,
    '  END IF;',
    'END',
    '',
  ].join('\n');
  return `DO ${dollarQuote(block, 'starts_from')};`;
}

function header(input: MigrationSqlInput): string[] {
  const { compiled, changes, destructive } = input;
  const lines = [
    `-- Made by altan-cloud ${VERSION} (migration new) from ${input.fileName}`,
    `-- Source sha256: ${compiled.model.source.sha256}`,
    `-- Planned against ${input.base}: ${plural(changes.length, 'change', 'changes')}, as \`altan-cloud plan\` lists them:`,
    ...changes.map((c) => `--   ${describeChange(c)}`),
  ];
  if (destructive.length > 0)
    lines.push(
      '--',
      `-- DESTRUCTIVE: ${destructive.length === 1 ? 'this change may lose' : `these ${destructive.length} changes may lose`} data (made with --allow-destructive):`,
      ...destructive.map((c) => `--   ${describeChange(c)}: ${c.destructive}`),
    );
  lines.push(
    '--',
    '-- Do not edit by hand: change the requirements file and make a new migration.',
    '-- supabase db push runs this file in one transaction of its own: it has no BEGIN or COMMIT.',
  );
  return lines.map(commentSafe);
}

/** The migration file for a plan; `input.sql` is the plan's transaction. */
export function migrationSql(input: MigrationSqlInput): MigrationSql {
  const { compiled } = input;
  const { model } = compiled;
  const plan = body(input.sql, input.statements);
  const frame = [`${LOCK_SQL};`, `${RECORD_SQL};`, startsFromSql(model.schema, input.startsFrom)];
  // What `apply` would have run (and recorded) for the same change.
  const recordSql = recordInsertSql(recordOf(compiled, input.sql, input.inventory, 0));
  const text = [
    ...header(input),
    '',
    "-- One change to the schema at a time (altan-cloud's lock); its record of what was applied (made when missing);",
    '-- and a check that the database is where this migration starts from.',
    ...frame,
    '',
    plan.text,
    '',
    '-- The record of this apply, as `altan-cloud apply` keeps it: `altan-cloud plan` reads it next.',
    recordSql,
  ].join('\n');
  return { text: `${text}\n`, statements: [...frame, ...plan.statements, recordSql] };
}
