/**
 * What apply-corpus*.test.ts assert after applying a corpus file: the
 * corpus itself (every example, every valid golden case) and catalog checks
 * that return the problems they find (an empty list when all is well), so
 * that a failure names every offending table, policy, index or function.
 */
import { readFileSync } from 'node:fs';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import type { Command } from '../../src/model/model.js';
import { readChecksOf } from '../../src/model/model.js';
import type { Target } from '../../src/target.js';
import { qualified } from '../../src/sql/quote.js';
import { EXAMPLES_DIR, entriesWithExpectedSql, listExamples } from '../helpers.js';
import type { CorpusEntry } from '../helpers.js';

export interface CorpusItem {
  /** `example todo`, `case fk-cycle`: in every test name. */
  readonly label: string;
  readonly entry: CorpusEntry;
  readonly bytes: Buffer;
}

/** Every example (with or without a golden) and every case with an expected.sql, examples first. */
export function corpus(): CorpusItem[] {
  const entries = new Map<string, CorpusEntry>();
  for (const entry of listExamples()) entries.set(entry.dir, entry);
  for (const { entry } of entriesWithExpectedSql()) entries.set(entry.dir, entry);
  return [...entries.values()].map((entry) => ({
    label: `${entry.dir.startsWith(EXAMPLES_DIR) ? 'example' : 'case'} ${entry.name}`,
    entry,
    bytes: readFileSync(entry.path),
  }));
}

export const compileItem = async (item: CorpusItem, target?: Target): Promise<CompileResult> =>
  await compile(item.bytes, { fileName: item.entry.file, ...(target ? { target } : {}) });

const sorted = (values: Iterable<string>) => [...values].sort();

/** Every table, policy, foreign-key index, function, materialized view and realtime rule; [] when all hold. */
export async function catalogProblems(db: Database, compiled: CompileResult): Promise<string[]> {
  const { model } = compiled;
  const schema = model.schema;
  const problems: string[] = [];

  // Tables: every one of the model exists; every table of the exposed schema has RLS.
  const tables = await db.query<{ name: string; rls: boolean }>(
    `SELECT c.relname::text AS name, c.relrowsecurity AS rls FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  const tableNames = new Set(tables.map((t) => t.name));
  for (const t of model.tables) if (!tableNames.has(t.name)) problems.push(`table ${schema}.${t.name} does not exist`);
  for (const t of tables) if (!t.rls) problems.push(`table ${schema}.${t.name} has no row level security`);

  // Policies: on each table exactly the model's, with its command and roles, all permissive.
  const policies = await db.query<{ schema: string; table: string; name: string; cmd: string; roles: string; permissive: string }>(
    `SELECT schemaname::text AS schema, tablename::text AS table, policyname::text AS name, cmd, permissive,
            array_to_string(ARRAY(SELECT r::text FROM unnest(roles) AS r ORDER BY 1), ',') AS roles
     FROM pg_policies WHERE (schemaname = $1) OR (schemaname = 'storage' AND tablename = 'objects')`,
    [schema],
  );
  const expectPolicies = (on: string, table: string, wanted: readonly { name: string; command: Command; roles: readonly string[] }[]) => {
    const label = `${on}.${table}`;
    const found = policies.filter((p) => p.schema === on && p.table === table);
    for (const w of wanted) {
      const p = found.find((f) => f.name === w.name);
      if (p === undefined) problems.push(`policy ${w.name} on ${label} does not exist`);
      else if (p.cmd !== w.command || p.roles !== sorted(w.roles).join(',') || p.permissive !== 'PERMISSIVE')
        problems.push(`policy ${w.name} on ${label} is ${p.permissive} FOR ${p.cmd} TO ${p.roles}, not FOR ${w.command} TO ${sorted(w.roles).join(',')}`);
    }
    return found;
  };
  for (const t of model.tables) {
    const found = expectPolicies(schema, t.name, t.policies);
    for (const p of found) if (!t.policies.some((w) => w.name === p.name)) problems.push(`unexpected policy ${p.name} on ${schema}.${t.name}`);
  }
  expectPolicies(
    'storage',
    'objects',
    model.buckets.flatMap((b) => b.policies),
  );

  // Foreign keys: the model's exist; each column of one starts a (non-partial) index.
  const foreignKeys = await db.query<{ table: string; name: string; column: string; indexed: boolean }>(
    `SELECT cl.relname::text AS table, con.conname::text AS name, a.attname::text AS column,
            EXISTS (SELECT FROM pg_index i WHERE i.indrelid = con.conrelid AND i.indkey[0] = con.conkey[1] AND i.indpred IS NULL) AS indexed
     FROM pg_constraint con
     JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
     WHERE con.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  for (const fk of [...model.tables.flatMap((t) => t.foreignKeys), ...model.deferredForeignKeys]) {
    if (!foreignKeys.some((f) => f.table === fk.table && f.name === fk.name && f.column === fk.column))
      problems.push(`foreign key ${fk.name} on ${schema}.${fk.table} (${fk.column}) does not exist`);
  }
  for (const f of foreignKeys) if (!f.indexed) problems.push(`foreign key column ${schema}.${f.table}.${f.column} (${f.name}) starts no index`);

  // Functions: private ones pin search_path; none in the exposed schema is SECURITY DEFINER.
  const functions = await db.query<{ schema: string; fn: string; config: string | null; definer: boolean }>(
    `SELECT n.nspname::text AS schema, n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS fn, array_to_string(p.proconfig, ' ') AS config, p.prosecdef AS definer
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ($1, $2)`,
    [schema, model.privateSchema],
  );
  for (const f of functions) {
    if (f.schema === model.privateSchema && !/(^| )search_path=/.test(f.config ?? ''))
      problems.push(`function ${f.fn} has no search_path setting (proconfig: ${f.config ?? 'null'})`);
    if (f.schema === schema && f.definer) problems.push(`function ${f.fn} in the exposed schema is SECURITY DEFINER`);
  }
  if (model.functions.some((f) => f.name === 'set_updated_at') && !functions.some((f) => f.fn === `${model.privateSchema}.set_updated_at()`))
    problems.push(`${model.privateSchema}.set_updated_at() does not exist`);
  // Read-check helpers: each exists, executable by exactly the roles the model says (their policies' roles).
  for (const c of readChecksOf(model)) {
    const signature = `${qualified(model.privateSchema, c.name)}(${c.keyType.sql})`;
    const [row] = await db.query<{ present: boolean; anon: boolean | null; authenticated: boolean | null }>(
      `SELECT to_regprocedure($1) IS NOT NULL AS present, has_function_privilege('anon', to_regprocedure($1), 'EXECUTE') AS anon,
              has_function_privilege('authenticated', to_regprocedure($1), 'EXECUTE') AS authenticated`,
      [signature],
    );
    if (!row?.present) problems.push(`read-check helper ${signature} does not exist`);
    else
      for (const role of ['anon', 'authenticated'] as const) {
        if (row[role] !== c.executableBy.includes(role)) problems.push(`read-check helper ${signature}: EXECUTE for ${role} is ${String(row[role])}`);
      }
  }

  // Materialized views: exactly the model's, all in the private schema.
  const views = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname::text AS schema, c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'm' AND n.nspname NOT LIKE 'pg\\_%'`,
  );
  for (const v of views) if (v.schema !== model.privateSchema) problems.push(`materialized view ${v.schema}.${v.name} is outside ${model.privateSchema}`);
  for (const v of model.views)
    if (!views.some((f) => f.schema === model.privateSchema && f.name === v.name))
      problems.push(`materialized view ${model.privateSchema}.${v.name} does not exist`);

  // Realtime: the publication Supabase Realtime reads lists exactly the schema's realtime tables.
  const published = await db.query<{ name: string }>(
    "SELECT tablename::text AS name FROM pg_publication_tables WHERE pubname = 'supabase_realtime' AND schemaname = $1",
    [schema],
  );
  const realtime = model.tables.filter((t) => t.realtime).map((t) => t.name);
  for (const name of realtime) if (!published.some((p) => p.name === name)) problems.push(`table ${schema}.${name} is not in publication supabase_realtime`);
  for (const p of published) if (!realtime.includes(p.name)) problems.push(`table ${schema}.${p.name} is in publication supabase_realtime, not asked for`);

  return problems;
}

export interface AppliedRecord {
  schema_name: string;
  file_name: string;
  file_sha256: string;
  target: string;
  sql: string;
}

/** The rows of altan_meta.applied_files, oldest first; none when the table does not exist. */
export async function appliedRecords(db: Database): Promise<AppliedRecord[]> {
  const [table] = await db.query<{ present: boolean }>(`SELECT to_regclass('altan_meta.applied_files') IS NOT NULL AS present`);
  if (table?.present !== true) return [];
  return db.query<AppliedRecord>('SELECT schema_name, file_name, file_sha256, target, sql FROM altan_meta.applied_files ORDER BY id');
}

/** What the one record of `compiled` must hold. */
export const expectedRecord = (compiled: CompileResult): AppliedRecord => ({
  schema_name: compiled.model.schema,
  file_name: compiled.model.source.fileName,
  file_sha256: compiled.model.source.sha256,
  target: compiled.target,
  sql: compiled.sql,
});

/** Whether the API roles may use altan_meta (they must not). */
export async function recordSchemaUsage(db: Database): Promise<{ anon: boolean; authenticated: boolean }> {
  const [row] = await db.query<{ anon: boolean; authenticated: boolean }>(
    `SELECT has_schema_privilege('anon', 'altan_meta', 'USAGE') AS anon, has_schema_privilege('authenticated', 'altan_meta', 'USAGE') AS authenticated`,
  );
  if (row === undefined) throw new Error('recordSchemaUsage: no row');
  return row;
}

/** The model's tables and materialized views that exist: after a dry run, none may. */
export async function leftovers(db: Database, compiled: CompileResult): Promise<string[]> {
  const { model } = compiled;
  const relations = [...model.tables.map((t) => [model.schema, t.name]), ...model.views.map((v) => [model.privateSchema, v.name])];
  const rows = await db.query<{ name: string }>(
    `SELECT s || '.' || n AS name FROM unnest($1::text[], $2::text[]) AS r (s, n) WHERE to_regclass(format('%I.%I', s, n)) IS NOT NULL`,
    [relations.map((r) => r[0]), relations.map((r) => r[1])],
  );
  return rows.map((r) => r.name);
}

/** The cron.job rows (real or stand-in), by name. */
export const cronJobs = (db: Database) =>
  db.query<{ name: string; schedule: string; command: string }>('SELECT jobname::text AS name, schedule, command FROM cron.job ORDER BY jobname');

export const expectedCron = (compiled: CompileResult) =>
  [...compiled.cron].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => ({ name: c.name, schedule: c.schedule, command: c.command }));

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;

/**
 * Table privileges of anon and authenticated that differ from what the file
 * grants (tables: their grants; views of materialized views: SELECT by access).
 * On a table with read-only or immutable columns, INSERT and UPDATE are
 * granted on columns, not on the table: each column holds exactly the
 * privileges the file grants on it.
 */
export async function grantProblems(db: Database, compiled: CompileResult): Promise<string[]> {
  const { model } = compiled;
  const wanted: { relation: string; role: 'anon' | 'authenticated'; privileges: readonly string[] }[] = [];
  const problems: string[] = [];
  for (const t of model.tables) {
    const columns = t.grants.columns;
    // Privileges granted on some columns only are not the table's.
    const tableWide = (commands: readonly string[]) => (columns ? commands.filter((c) => c !== 'INSERT' && c !== 'UPDATE') : commands);
    wanted.push(
      { relation: t.name, role: 'anon', privileges: tableWide(t.grants.anon) },
      { relation: t.name, role: 'authenticated', privileges: tableWide(t.grants.authenticated) },
    );
    if (columns === undefined) continue;
    for (const role of ['anon', 'authenticated'] as const) {
      for (const c of t.columns) {
        const expected = (['INSERT', 'UPDATE'] as const).filter(
          (p) => t.grants[role].includes(p) && columns[p === 'INSERT' ? 'insert' : 'update'].includes(c.name),
        );
        const [row] = await db.query<{ insert: boolean; update: boolean }>(
          `SELECT has_column_privilege($1, format('%I.%I', $2::text, $3::text), $4, 'INSERT') AS insert,
                  has_column_privilege($1, format('%I.%I', $2::text, $3::text), $4, 'UPDATE') AS update`,
          [role, model.schema, t.name, c.name],
        );
        const has = (['INSERT', 'UPDATE'] as const).filter((p) => row?.[p === 'INSERT' ? 'insert' : 'update'] === true);
        if (has.join() !== expected.join())
          problems.push(`${role} on column ${model.schema}.${t.name}.${c.name} has {${has.join(',')}}, the file grants {${expected.join(',')}}`);
      }
    }
  }
  for (const v of model.views.filter((v) => v.access !== 'none')) {
    wanted.push(
      { relation: v.name, role: 'anon', privileges: v.access === 'public' ? ['SELECT'] : [] },
      { relation: v.name, role: 'authenticated', privileges: ['SELECT'] },
    );
  }
  for (const w of wanted) {
    const [row] = await db.query<{ has: string }>(
      `SELECT array_to_string(ARRAY(SELECT p FROM unnest($4::text[]) AS p WHERE has_table_privilege($1, format('%I.%I', $2::text, $3::text), p)), ',') AS has`,
      [w.role, model.schema, w.relation, PRIVILEGES],
    );
    const expected = PRIVILEGES.filter((p) => w.privileges.includes(p)).join(',');
    if (row?.has !== expected) problems.push(`${w.role} on ${model.schema}.${w.relation} has {${row?.has ?? '?'}}, the file grants {${expected}}`);
  }
  return problems;
}
