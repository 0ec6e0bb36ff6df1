/**
 * The whole model → the object the transaction blueprint receives. Nothing
 * in it is raw user text: names are quoted, values are literals, author SQL
 * sits where validation checked it can only be one expression or query.
 */
import type { Target } from '../../target.js';
import type { Bucket, CronJob, MaterializedView, Model, ReadCheck } from '../../model/model.js';
import { searchPathSchemas } from '../../model/names.js';
import { conditionSql } from '../conditions.js';
import { READING_SETTINGS_SQL } from '../readingSettings.js';
import { dollarQuote, ident, literal, qualified, textArray } from '../../sql/quote.js';
import { foreignKeySql, indexSql, preparePolicy, prepareTable } from './tables.js';

export interface CronEntry {
  readonly name: string;
  readonly schedule: string;
  readonly command: string;
}

/** Control characters in a file name must not end the header comment. */
export function commentSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?');
}

function prepareBucket(b: Bucket, privateSchema: string) {
  const columns = ['id', 'name', 'public', 'file_size_limit', 'allowed_mime_types'];
  const values = [
    literal(b.id),
    literal(b.id),
    b.public ? 'true' : 'false',
    b.fileSizeLimit === undefined ? 'NULL' : String(b.fileSizeLimit),
    b.allowedMimeTypes === undefined ? 'NULL' : textArray(b.allowedMimeTypes),
  ];
  return {
    id: b.id,
    insert: `INSERT INTO storage.buckets (${columns.join(', ')})`,
    values: `VALUES (${values.join(', ')})`,
    update: `ON CONFLICT (id) DO UPDATE SET ${columns.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')};`,
    // Policies are replaced as a set, so a permission removed from the file does not linger.
    drops: b.policyNames.map((n) => `DROP POLICY IF EXISTS ${ident(n)} ON storage.objects;`),
    policies: b.policies.map((p) => preparePolicy(p, privateSchema)),
  };
}

/** A read-check helper's pieces: the function, its argument's type, the row it looks up and the rule it applies. */
function prepareReadCheck(c: ReadCheck, schema: string, privateSchema: string) {
  return {
    name: qualified(privateSchema, c.name),
    signature: `${qualified(privateSchema, c.name)}(${c.keyType.sql})`,
    keyType: c.keyType.sql,
    table: qualified(schema, c.table),
    column: ident(c.column),
    condition: conditionSql(c.condition, privateSchema),
    executableBy: c.executableBy.join(', '),
  };
}

export type PreparedReadCheck = ReturnType<typeof prepareReadCheck>;

function cronCommand(job: CronJob, schema: string, privateSchema: string): string {
  // A job's own SQL runs as written: a prefix would put VACUUM and the like inside a transaction block.
  if (job.action.kind === 'sql') return job.action.sql;
  const prefix = `SET search_path = ${ident(schema)};`;
  const concurrently = job.action.concurrently ? 'CONCURRENTLY ' : '';
  return `${prefix} REFRESH MATERIALIZED VIEW ${concurrently}${qualified(privateSchema, job.action.view)};`;
}

function prepareView(v: MaterializedView, schema: string, privateSchema: string) {
  const qname = qualified(privateSchema, v.name);
  const readers = v.access === 'public' ? 'anon, authenticated, ' : v.access === 'authenticated' ? 'authenticated, ' : '';
  return {
    qname,
    query: v.query,
    indexes: [...(v.uniqueIndex ? [v.uniqueIndex] : []), ...v.indexes].map((i) => indexSql(i, qname)),
    grant: `GRANT SELECT ON TABLE ${qname} TO ${readers}service_role;`,
    exposed: v.access === 'none' ? undefined : qualified(schema, v.name),
    exposedGrant: `GRANT SELECT ON TABLE ${qualified(schema, v.name)} TO ${readers}service_role;`,
  };
}

function cronEntry(job: CronJob, schema: string, privateSchema: string): CronEntry {
  return { name: job.name, schedule: job.schedule, command: cronCommand(job, schema, privateSchema) };
}

/** `cron.schedule(…)`: scheduling a name again replaces its job. */
function scheduleSql(job: CronJob, c: CronEntry): string {
  const command = job.action.kind === 'sql' ? dollarQuote(c.command, 'job') : literal(c.command);
  return `SELECT cron.schedule(${literal(c.name)}, ${literal(c.schedule)}, ${command});`;
}

/** The statements that end the transaction: how the API learns of the new objects. */
function finish(target: Target, schema: string): string[] {
  if (target === 'altan') return ['SELECT apply_postgrest_permissions();'];
  return [
    '-- Plain Supabase: the grants above are the API\'s permissions; PostgREST reloads its schema cache.',
    ...(schema === 'public' ? ['GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;'] : []),
    "NOTIFY pgrst, 'reload schema';",
  ];
}

export function prepareTransaction(model: Model, target: Target = 'altan') {
  const { schema, privateSchema } = model;
  const tables = model.tables.map((t) => prepareTable(schema, privateSchema, t));
  const cron: CronEntry[] = model.jobs.map((j) => cronEntry(j, schema, privateSchema));
  const usage = [...(model.privateSchemaUsage.anon ? ['anon'] : []), ...(model.privateSchemaUsage.authenticated ? ['authenticated'] : []), 'service_role'];
  const hasTable = (name: string) => model.tables.some((t) => t.name === name);
  return {
    header: [
      `-- Generated by altan-cloud from ${commentSafe(model.source.fileName)}`,
      `-- Source sha256: ${model.source.sha256}`,
      '-- Do not edit by hand: change the requirements file and generate again.',
    ],
    schema: ident(schema),
    createSchema: schema !== 'public',
    readingSettings: READING_SETTINGS_SQL,
    searchPath: searchPathSchemas(schema).map(ident).join(', '),
    private: { name: ident(privateSchema), usage: usage.join(', ') },
    fn: (name: string) => qualified(privateSchema, name),
    members: hasTable('organization_members') ? qualified(schema, 'organization_members') : '',
    functions: model.functions,
    readChecks: model.functions.readChecks.map((c) => prepareReadCheck(c, schema, privateSchema)),
    tables,
    deferred: model.deferredForeignKeys.map((fk) => `ALTER TABLE ${qualified(schema, fk.table)} ADD ${foreignKeySql(fk)};`),
    buckets: model.buckets.map((b) => prepareBucket(b, privateSchema)),
    views: model.views.map((v) => prepareView(v, schema, privateSchema)),
    jobs: cron.map((c, i) => scheduleSql(model.jobs[i] as CronJob, c)),
    cron,
    finish: finish(target, schema),
  };
}

export type PreparedTransaction = ReturnType<typeof prepareTransaction>;

/**
 * The prepared transaction of a model, made once per model and target: compile
 * renders it, and plan's inventory takes its pieces (a model is never changed).
 */
const preparedByModel = new WeakMap<Model, Map<Target, PreparedTransaction>>();
export function preparedFor(model: Model, target: Target): PreparedTransaction {
  let byTarget = preparedByModel.get(model);
  if (!byTarget) preparedByModel.set(model, (byTarget = new Map()));
  let prepared = byTarget.get(target);
  if (!prepared) byTarget.set(target, (prepared = prepareTransaction(model, target)));
  return prepared;
}
