/**
 * The schema-level nodes of the model (buckets, read checks, views, jobs, the
 * header and the private schema's usage) → SQL text, one node at a time.
 * Nothing in it is raw user text: names are quoted, values are literals,
 * author SQL sits where validation checked it can only be one expression or query.
 */
import type { Bucket, Condition, CronJob, MaterializedView, Model, ReadCheck } from '../../model/model.js';
import { renderBlueprint } from '../blueprints.js';
import { conditionSql } from '../conditions.js';
import { dollarQuote, ident, literal, qualified, textArray } from '../../sql/quote.js';
import { indexSql } from './tables.js';

export interface CronEntry {
  readonly name: string;
  readonly schedule: string;
  readonly command: string;
}

/** Control characters in a file name must not end the header comment. */
export function commentSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?');
}

/** The upsert of a bucket's row in storage.buckets: limits and allowed types change in place. */
export function bucketSql(b: Bucket): string {
  const columns = ['id', 'name', 'public', 'file_size_limit', 'allowed_mime_types'];
  const values = [
    literal(b.id),
    literal(b.id),
    b.public ? 'true' : 'false',
    b.fileSizeLimit === undefined ? 'NULL' : String(b.fileSizeLimit),
    b.allowedMimeTypes === undefined ? 'NULL' : textArray(b.allowedMimeTypes),
  ];
  return [
    `INSERT INTO storage.buckets (${columns.join(', ')})`,
    `VALUES (${values.join(', ')})`,
    `ON CONFLICT (id) DO UPDATE SET ${columns
      .slice(1)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ')};`,
  ].join('\n');
}

/** A read-check helper's pieces: the function, its argument's type, the row it looks up and the rule it applies. */
export function prepareReadCheck(c: ReadCheck, schema: string, privateSchema: string) {
  return {
    keyType: c.keyType.sql,
    table: qualified(schema, c.table),
    column: ident(c.column),
    // ANDed with the key: a rule of several terms (an OR) needs its parentheses, or `id = $1 AND a OR b` holds for any key.
    condition: c.condition.kind === 'any' ? `(${conditionSql(c.condition, privateSchema)})` : conditionSql(c.condition, privateSchema),
  };
}

function cronCommand(job: CronJob, schema: string, privateSchema: string): string {
  // A job's own SQL runs as written: a prefix would put VACUUM and the like inside a transaction block.
  if (job.action.kind === 'sql') return job.action.sql;
  const prefix = `SET search_path = ${ident(schema)};`;
  const concurrently = job.action.concurrently ? 'CONCURRENTLY ' : '';
  return `${prefix} REFRESH MATERIALIZED VIEW ${concurrently}${qualified(privateSchema, job.action.view)};`;
}

/** A materialized view's statements: the view, its indexes and grants, and the exposed view PostgREST serves. */
export function viewSql(v: MaterializedView, schema: string, privateSchema: string) {
  const qname = qualified(privateSchema, v.name);
  const readers = v.access === 'public' ? 'anon, authenticated, ' : v.access === 'authenticated' ? 'authenticated, ' : '';
  const exposed = v.access === 'none' ? undefined : qualified(schema, v.name);
  return {
    qname,
    exposed,
    statements: [
      renderBlueprint('view', { qname, query: v.query }).trimEnd(),
      ...[...(v.uniqueIndex ? [v.uniqueIndex] : []), ...v.indexes].map((i) => indexSql(i, qname)),
      `GRANT SELECT ON TABLE ${qname} TO ${readers}service_role;`,
      ...(exposed === undefined
        ? []
        : [
            // Per user: the caller's rows only, compared the way policies compare (auth.uid() once per statement);
            // a security barrier, so that a request's own filters never run on another user's rows first.
            apiViewSql(v, exposed, qname, privateSchema),
            `REVOKE ALL ON TABLE ${exposed} FROM anon, authenticated;`,
            `GRANT SELECT ON TABLE ${exposed} TO ${readers}service_role;`,
          ]),
    ],
  };
}

/**
 * The exposed view. Per user or per row (`via`), a security barrier: a request's own filters never
 * run on another caller's rows first. Through `via` it compares the column with the keys of the
 * rows the caller may read, computed once per statement; when anon reads through other helpers than
 * signed-in users, a CASE gives each role its own. Postgres checks EXECUTE on the helpers of both
 * branches, so each role is granted both (views.ts).
 */
function apiViewSql(v: MaterializedView, exposed: string, qname: string, privateSchema: string): string {
  const barrier = `CREATE VIEW ${exposed} WITH (security_invoker = true, security_barrier = true) AS SELECT * FROM ${qname} WHERE`;
  if (v.userColumn !== undefined) return `${barrier} ${ident(v.userColumn)} = (select auth.uid());`;
  if (v.via === undefined) return `CREATE VIEW ${exposed} WITH (security_invoker = true) AS SELECT * FROM ${qname};`;
  const { anon, authenticated } = v.via.filter;
  const sql = (c: Condition | undefined) => (c === undefined ? 'false' : conditionSql(c, privateSchema));
  if (anon === undefined || JSON.stringify(anon) === JSON.stringify(authenticated)) return `${barrier} ${sql(authenticated)};`;
  return `${barrier} CASE WHEN current_user = 'anon' THEN ${sql(anon)} ELSE ${sql(authenticated)} END;`;
}

export function cronEntry(job: CronJob, schema: string, privateSchema: string): CronEntry {
  return { name: job.name, schedule: job.schedule, command: cronCommand(job, schema, privateSchema) };
}

/** `cron.schedule(…)`: scheduling a name again replaces its job. */
export function scheduleSql(job: CronJob, c: CronEntry): string {
  const command = job.action.kind === 'sql' ? dollarQuote(c.command, 'job') : literal(c.command);
  return `SELECT cron.schedule(${literal(c.name)}, ${literal(c.schedule)}, ${command});`;
}

/** The comment lines a script starts with. */
export function headerLines(model: Model): string[] {
  return [
    `-- Generated by altan-cloud from ${commentSafe(model.source.fileName)}`,
    `-- Source sha256: ${model.source.sha256}`,
    '-- Do not edit by hand: change the requirements file and generate again.',
  ];
}

/** The roles that use the private schema: those whose views and policies reach into it. */
export function privateSchemaUsers(model: Model): string {
  const u = model.privateSchemaUsage;
  return [...(u.anon ? ['anon'] : []), ...(u.authenticated ? ['authenticated'] : []), 'service_role'].join(', ');
}
