/**
 * Whether an object the database already holds is the one the file
 * describes, as Postgres itself renders both. The catalog's rendering of the
 * object (its column type and default, its constraint's or index's
 * definition, its policy's expressions, its ACL…) is read; then, inside a
 * savepoint that is always rolled back, the file's statements make the
 * file's object — on an empty copy of its table in a scratch schema for
 * columns, constraints and indexes (no rows to check or index), in place
 * for the rest (a policy dropped and created again, a function replaced,
 * grants given again) — and the same rendering is read again. Equal
 * renderings: the object is the file's. Nothing is decided here; adopt.ts
 * turns the answers into the inventory diff.ts plans from.
 *
 * Three round trips whatever the number of objects: read the renderings,
 * one DO block that runs every object's statements (each in its own
 * exception block: one that fails only marks its object as different),
 * read them again.
 */
import type { Database } from '../db/database.js';
import { HELPER } from '../model/model.js';
import type { Model, SeedRows } from '../model/model.js';
import { searchPathSchemas } from '../model/names.js';
import { valueSql } from '../render/prepare/tables.js';
import { dollarQuote, ident, literal, qualified } from '../sql/quote.js';
import type { Target } from '../target.js';
import type { Entry } from './inventory.js';

/** One object to compare: the statements that make the file's version, and how to read it before and after. */
export interface Probe {
  readonly entry: Entry;
  readonly statements: readonly string[];
  /** A scalar query (text): the database's object, read before anything runs. */
  readonly actual: string;
  /** The same reading of the file's object, once the statements ran. */
  readonly expected: string;
}

export interface ProbeResult {
  readonly entry: Entry;
  readonly actual: string | null;
  readonly expected: string | null;
  /** Its statements failed: it cannot be the file's object as it stands. */
  readonly failed: boolean;
}

/** Kinds compared on an empty copy of their table: made in place they would check or index every row. */
export const ON_COPY = new Set<Entry['kind']>(['column', 'constraint', 'foreign-key', 'index']);

const regclass = (qname: string) => `pg_catalog.to_regclass(${literal(qname)})`;

/** An ACL as sorted `grantee:PRIVILEGE` texts: the same privileges whatever order (or grantor) they were given in. */
const aclOf = (acl: string, owner: string, type: 'r' | 'n' | 'f') =>
  `ARRAY(SELECT DISTINCT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE x.grantee::pg_catalog.regrole::text END || ':' || x.privilege_type
    FROM pg_catalog.aclexplode(coalesce(${acl}, pg_catalog.acldefault('${type}', ${owner}))) AS x ORDER BY 1)`;

const policyReading = (rel: string, name: string) =>
  `SELECT pg_catalog.json_build_array(p.polcmd::text, p.polpermissive,
     ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::pg_catalog.regrole::text END FROM pg_catalog.unnest(p.polroles) AS r ORDER BY 1),
     pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))::text
   FROM pg_catalog.pg_policy p WHERE p.polrelid = ${rel} AND p.polname = ${literal(name)}`;

/** An index as its definition from USING on (the table's name left out), with whether it is unique, valid and a constraint's. */
const indexReading = (rel: string, name: string) =>
  `SELECT pg_catalog.json_build_array(x.indisunique, x.indisvalid,
     EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')),
     substring(pg_catalog.pg_get_indexdef(x.indexrelid) from ' USING .*$'))::text
   FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = ${rel} AND i.relname = ${literal(name)}`;

/** What a table's part is, read on `rel` (the table, or its copy). */
function partReading(e: Entry, rel: string): string | undefined {
  const name = literal(e.name);
  switch (e.kind) {
    case 'column':
      return `SELECT pg_catalog.json_build_array(pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid))::text
        FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ${rel} AND a.attname = ${name} AND a.attnum > 0 AND NOT a.attisdropped`;
    case 'constraint':
    case 'foreign-key':
      return `SELECT pg_catalog.json_build_array(c.contype::text, pg_catalog.pg_get_constraintdef(c.oid))::text
        FROM pg_catalog.pg_constraint c WHERE c.conrelid = ${rel} AND c.conname = ${name}`;
    case 'index':
      return indexReading(rel, e.name);
    case 'policy':
      return policyReading(rel, e.name);
    case 'trigger':
      return `SELECT pg_catalog.json_build_array(pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text)::text
        FROM pg_catalog.pg_trigger t WHERE t.tgrelid = ${rel} AND t.tgname = ${name} AND NOT t.tgisinternal`;
    case 'comment':
      return e.name === ''
        ? `SELECT pg_catalog.json_build_array(pg_catalog.obj_description(${rel}, 'pg_class'))::text`
        : `SELECT pg_catalog.json_build_array(pg_catalog.col_description(a.attrelid, a.attnum))::text
            FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${rel} AND a.attname = ${name}`;
    case 'grants':
      return `SELECT pg_catalog.json_build_array(${aclOf('c.relacl', 'c.relowner', 'r')},
          ARRAY(SELECT a.attname || '/' || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE x.grantee::pg_catalog.regrole::text END || ':' || x.privilege_type
            FROM pg_catalog.pg_attribute a, pg_catalog.aclexplode(a.attacl) AS x WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL ORDER BY 1))::text
        FROM pg_catalog.pg_class c WHERE c.oid = ${rel}`;
    default:
      return undefined;
  }
}

/**
 * Whether every seed row is in the table with the file's values: a column left to its default is not
 * compared, nor one a trigger sets whatever the row says (`forced`: updated_at).
 */
function seedReading(qtable: string, seed: SeedRows, forced: ReadonlySet<string>): string {
  const rows = seed.rows.map((row) => {
    const terms = row.flatMap((value, i) => {
      const column = seed.columns[i];
      if (value === undefined || column === undefined || forced.has(column.name)) return [];
      // json has no equality: its text is kept as written, so the texts are compared.
      const cast = column.type.base === 'json' ? '::text' : '';
      return [`t.${ident(column.name)}${cast} IS NOT DISTINCT FROM (${valueSql(column.type, value)})${cast}`];
    });
    return `EXISTS (SELECT FROM ${qtable} AS t WHERE ${terms.length > 0 ? terms.join(' AND ') : 'true'})`;
  });
  return `SELECT (${rows.length > 0 ? rows.join('\n AND ') : 'true'})::text`;
}

/** What a schema-level object is: helper functions, buckets, storage policies, views, jobs, the private schema's usage. */
function schemaReading(e: Entry, model: Model): string | undefined {
  const name = literal(e.name);
  const privateSchema = literal(model.privateSchema);
  switch (e.kind) {
    case 'function':
      return `SELECT pg_catalog.json_agg(pg_catalog.json_build_array(p.oid::pg_catalog.regprocedure::text, pg_catalog.pg_get_functiondef(p.oid),
          ${aclOf('p.proacl', 'p.proowner', 'f')}) ORDER BY p.oid::pg_catalog.regprocedure::text)::text
        FROM pg_catalog.pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${privateSchema}) AND p.proname = ${name}`;
    case 'bucket':
      return `SELECT pg_catalog.json_build_array(b.name, b.public, b.file_size_limit, b.allowed_mime_types)::text FROM storage.buckets b WHERE b.id = ${name}`;
    case 'storage-policy':
      return policyReading(regclass('storage.objects'), e.name);
    case 'job':
      return `SELECT pg_catalog.json_agg(pg_catalog.to_jsonb(j) - 'jobid' ORDER BY j.username)::text FROM cron.job j WHERE j.jobname = ${name}`;
    case 'schema-usage':
      return `SELECT pg_catalog.json_build_array(${aclOf('n.nspacl', 'n.nspowner', 'n')})::text FROM pg_catalog.pg_namespace n WHERE n.nspname = ${privateSchema}`;
    case 'view': {
      const view = (alias: string) => `pg_catalog.pg_get_viewdef(${alias}.oid), ${alias}.reloptions, ${aclOf(`${alias}.relacl`, `${alias}.relowner`, 'r')}`;
      return `SELECT pg_catalog.json_build_array(${view('c')},
          ARRAY(SELECT i.relname || ' ' || x.indisunique::text || substring(pg_catalog.pg_get_indexdef(x.indexrelid) from ' USING .*$')
            FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid ORDER BY 1),
          (SELECT pg_catalog.json_build_array(${view('v')}) FROM pg_catalog.pg_class v
            WHERE v.oid = ${regclass(qualified(model.schema, e.name))} AND v.relkind = 'v'))::text
        FROM pg_catalog.pg_class c WHERE c.oid = ${regclass(qualified(model.privateSchema, e.name))} AND c.relkind = 'm'`;
    }
    default:
      return undefined;
  }
}

/** A statement of the file's table `qtable` moved onto its copy `qcopy`; undefined when it does not start as expected. */
function onCopy(sql: string, qtable: string, qcopy: string): string | undefined {
  if (sql.startsWith(`ALTER TABLE ${qtable} `)) return `ALTER TABLE ${qcopy} ${sql.slice(`ALTER TABLE ${qtable} `.length)}`;
  const at = sql.indexOf(` ON ${qtable} (`);
  if (/^CREATE (UNIQUE )?INDEX /.test(sql) && at > 0) return `${sql.slice(0, at)} ON ${qcopy} (${sql.slice(at + ` ON ${qtable} (`.length)}`;
  return undefined;
}

/** The probe of `e` (a table's copy is in schema `scratch`); undefined for kinds that are the file's when present (tables, RLS). */
export function probeOf(e: Entry, model: Model, scratch: string): Probe | undefined {
  const o = e.object;
  if (o === undefined) return undefined;
  if (e.table === undefined) {
    const reading = schemaReading(e, model);
    if (reading === undefined) return undefined;
    // Replaced kinds are dropped first; the rest are upserts, CREATE OR REPLACE or grants.
    const replaced = e.kind === 'view' || e.kind === 'storage-policy';
    const usage = e.kind === 'schema-usage' ? [`REVOKE ALL ON SCHEMA ${ident(model.privateSchema)} FROM PUBLIC;`] : [];
    return { entry: e, statements: [...(replaced ? [e.drop] : []), ...usage, ...o.statements], actual: reading, expected: reading };
  }
  const qtable = qualified(model.schema, e.table);
  if (e.kind === 'seed') {
    const table = model.tables.find((t) => t.name === e.table);
    const forced = new Set(table?.triggers.some((t) => t.function === HELPER.setUpdatedAt) ? ['updated_at'] : []);
    return { entry: e, statements: [], actual: seedReading(qtable, o.meaning as SeedRows, forced), expected: "SELECT 'true'" };
  }
  const real = regclass(qtable);
  const reading = partReading(e, real);
  if (reading === undefined) return undefined;
  if (!ON_COPY.has(e.kind)) {
    const replaced = e.kind === 'policy' || e.kind === 'trigger';
    return { entry: e, statements: [...(replaced ? [e.drop] : []), ...o.statements], actual: reading, expected: reading };
  }
  const qcopy = qualified(scratch, e.table);
  // A column is added with the copy (copyStatements): every column of the table is there before its constraints.
  const statements = e.kind === 'column' ? [] : o.statements.map((s) => onCopy(s, qtable, qcopy));
  // A statement that cannot be moved onto the copy: nothing to compare with, so not the file's object.
  if (statements.includes(undefined)) return { entry: e, statements: [], actual: reading, expected: 'SELECT NULL::text' };
  return { entry: e, statements: statements as string[], actual: reading, expected: partReading(e, regclass(qcopy)) as string };
}

/** The empty copy of each table with every column of the file (each added on its own: one that fails leaves the others). */
export function copyStatements(model: Model, scratch: string, columns: readonly Entry[]): string[][] {
  const tables = [...new Set(columns.map((c) => c.table as string))];
  const groups: string[][] = tables.map((t) => [`CREATE TABLE ${qualified(scratch, t)} ();`]);
  for (const c of columns) {
    const add = c.object?.statements[0];
    const moved = add === undefined ? undefined : onCopy(add, qualified(model.schema, c.table as string), qualified(scratch, c.table as string));
    if (moved !== undefined) groups.push([moved]);
  }
  return groups;
}

/** The statements the end of every transaction runs that change what was read (Altan's grants on every table of public). */
const endStatements = (target: Target): string[] =>
  target === 'altan'
    ? [
        "DO $end$ BEGIN IF pg_catalog.to_regprocedure('public.apply_postgrest_permissions()') IS NOT NULL THEN PERFORM public.apply_postgrest_permissions(); END IF; END $end$;",
      ]
    : [];

/** Readings per statement: hundreds of subqueries in one round trip, not a statement each (nor one of tens of thousands). */
const READINGS_PER_STATEMENT = 500;

async function read(db: Database, queries: readonly string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < queries.length; i += READINGS_PER_STATEMENT) {
    const some = queries.slice(i, i + READINGS_PER_STATEMENT).map((q) => `(${q})::text`);
    const [row] = await db.query<{ v: string }>(`SELECT pg_catalog.array_to_json(ARRAY[${some.join(',\n')}]::text[])::text AS v`);
    out.push(...(JSON.parse(row?.v ?? '[]') as (string | null)[]));
  }
  return out;
}

/** A DO block running each group of statements in its own exception block; the failed groups' numbers go to a setting. */
function guardedBlock(scratch: string, groups: readonly (readonly string[])[]): string {
  const blocks = groups.map(
    (statements, i) =>
      `  BEGIN\n${statements.map((s) => `    EXECUTE ${literal(s)};`).join('\n')}\n` +
      `  EXCEPTION WHEN lock_not_available THEN RAISE; WHEN OTHERS THEN failed := failed || ',${i}';\n  END;`,
  );
  const body = [
    "DECLARE failed text := '';",
    'BEGIN',
    `  CREATE SCHEMA ${ident(scratch)};`,
    ...blocks,
    "  PERFORM pg_catalog.set_config('altan_cloud.adopt_failed', failed, true);",
    'END',
  ].join('\n');
  return `DO ${dollarQuote(body, 'adopt')};`;
}

/**
 * Runs the probes in a savepoint that is always rolled back; the caller is in a transaction.
 * The copies are made first (constraints and indexes go on them), the end of the transaction last.
 */
export async function runProbes(
  db: Database,
  model: Model,
  target: Target,
  scratch: string,
  copies: readonly (readonly string[])[],
  probes: readonly Probe[],
): Promise<ProbeResult[]> {
  const byKind = (onCopy: boolean) => [...probes.keys()].filter((i) => ON_COPY.has((probes[i] as Probe).entry.kind) === onCopy);
  const runs: { statements: readonly string[]; probe?: number }[] = [
    ...copies.map((statements) => ({ statements })),
    ...[...byKind(true), ...byKind(false)].map((i) => ({ statements: (probes[i] as Probe).statements, probe: i })),
    { statements: endStatements(target) },
  ].filter((r) => r.statements.length > 0);
  await db.exec(`SAVEPOINT altan_adopt;\nSET LOCAL search_path = ${searchPathSchemas(model.schema).map(ident).join(', ')};`);
  try {
    const actual = await read(
      db,
      probes.map((p) => p.actual),
    );
    await db.exec(
      guardedBlock(
        scratch,
        runs.map((r) => r.statements),
      ),
    );
    const [row] = await db.query<{ failed: string | null }>("SELECT pg_catalog.current_setting('altan_cloud.adopt_failed', true) AS failed");
    const failed = new Set(
      (row?.failed ?? '')
        .split(',')
        .filter((n) => n !== '')
        .map((n) => runs[Number(n)]?.probe),
    );
    const expected = await read(
      db,
      probes.map((p) => p.expected),
    );
    return probes.map((p, i) => ({ entry: p.entry, actual: actual[i] ?? null, expected: expected[i] ?? null, failed: failed.has(i) }));
  } finally {
    await db.exec('ROLLBACK TO SAVEPOINT altan_adopt; RELEASE SAVEPOINT altan_adopt;');
  }
}
