/**
 * `altan-cloud types` against Supabase's own generator: each example (and
 * golden cases chosen for their types, views and keys) is applied to a
 * database, PostgreSQL and PGlite, and the generator that `supabase gen types
 * typescript` runs reads it back; both files are read by the TypeScript
 * compiler (test/typesFile.ts) and must say the same thing, in the same
 * order, but for the differences listed below, each with its reason.
 *
 * The generator: @supabase/postgres-meta 0.99.0, which the Supabase CLI runs
 * with PG_META_GENERATE_TYPES=typescript and one-to-one detection on, hands
 * the work to @supabase/postgrest-typegen (introspect, sort, generate); the
 * test calls that package as postgres-meta does, over the test's own
 * connection (postgres-meta itself installs some 200 MB more, to run a server).
 */
import { generateTypescript, introspect, sortGeneratorMetadata } from '@supabase/postgrest-typegen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { apply } from '../../src/execute/apply.js';
import { CREATE_CRON_STAND_IN } from '../../src/execute/bootstrapSql.js';
import { generateTypes } from '../../src/render/typescript/index.js';
import { compileItem, corpus } from './apply-corpus-checks.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, resetDatabase } from './harness.js';
import { readTypesFile } from '../typesFile.js';

/** Golden cases whose types say something the examples do not: every field type, arrays, enums, keys, views, a schema of its own. */
const CASES = [
  'types',
  'array-types',
  'enums',
  'custom-schema',
  'composite-primary-key',
  'fk-self-reference',
  'fk-cycle',
  'unique-fields',
  'sql-defaults',
  'literal-defaults',
  'timestamps-false',
  'org-access',
  'view-access',
  'view-per-user',
  'relation-name-collision',
  'reserved-words',
];
const items = corpus().filter((i) => i.label.startsWith('example ') || CASES.includes(i.entry.name));

/** A view per kind of expression the types read from a query, over one table of every type. */
const VIEW_EXPRESSIONS = `
version: 1
entities:
  facts:
    fields:
      n_int: { type: integer, required: true }
      n_big: bigint
      n_real: real
      n_num: numeric(10,2)
      label: varchar(20)
      flag: boolean
      doc: jsonb
      day: date
      at: timestamptz
      tags: text[]
      kind: { type: text, enum: [a, b] }
materialized_views:
  fact_sums:
    query: |
      WITH recent AS (SELECT * FROM public.facts WHERE at > now() - interval '30 days')
      SELECT f.user_id, count(*) AS n, sum(f.n_int) AS s_int, sum(f.n_big) AS s_big, avg(f.n_int) AS a_int, avg(f.n_real) AS a_real,
             max(f.label) AS top_label, min(f.day) AS first_day, bool_or(f.flag) AS any_flag, array_agg(f.kind) AS kinds,
             jsonb_agg(f.doc) AS docs, string_agg(f.label, ',') AS labels, round(avg(f.n_num), 1), coalesce(sum(f.n_num), 0) AS total
      FROM recent f GROUP BY f.user_id
    unique_key: [user_id]
    access: { user: user_id }
  fact_rows:
    query: |
      SELECT f.id, f.n_int + 1 AS plus, f.n_int * 2.5 AS times, -f.n_big AS minus, f.n_int / 2 AS half, f.day - 1 AS day_before,
             f.day + interval '1 day' AS next_day, f.at - f.created_at AS age, f.day - f.day AS days, f.at::date AS on_day,
             f.label || '!' AS shout, lower(f.label), length(f.label) AS len, upper(f.label)::varchar(5) AS short, f.n_int > 3 AS big,
             f.label IS NULL AS unlabelled, f.kind IN ('a', 'b') AS known, f.doc -> 'k' AS k, f.doc ->> 'k' AS k_text, f.tags[1] AS first_tag,
             CASE WHEN f.flag THEN 'yes' ELSE 'no' END AS answer, CASE WHEN f.flag THEN f.n_int END AS maybe,
             extract(year FROM f.at) AS year, date_trunc('month', f.at) AS month, f.at AT TIME ZONE 'UTC' AS utc, greatest(f.n_int, f.n_big),
             nullif(f.n_big, 0), (SELECT count(*) FROM public.facts g WHERE g.user_id = f.user_id) AS siblings,
             EXISTS (SELECT 1 FROM public.facts g WHERE g.n_int > f.n_int) AS beaten, ARRAY[f.n_int, 2] AS pair, 'x' AS literal, 1, 2.5 AS fraction,
             true AS yes, NULL AS nothing, CURRENT_DATE, f.label::text, to_jsonb(f.tags) AS tags_json, jsonb_build_object('a', f.n_int) AS obj,
             row_number() OVER (ORDER BY f.at) AS position, s.n AS user_count, u.k2
      FROM public.facts f
      JOIN (SELECT user_id, count(*) AS n FROM public.facts GROUP BY user_id) s ON s.user_id = f.user_id
      LEFT JOIN (SELECT id, label AS k2 FROM public.facts) u USING (id)
    unique_key: [id]
    access: authenticated
  fact_union:
    query: SELECT id, label FROM public.facts UNION ALL SELECT id, label FROM public.facts
    access: public
`;

/** A difference from the generator that the types choose, why, and how a line of ours becomes the generator's. */
interface AcceptedDifference {
  readonly what: string;
  readonly why: string;
}

const ENUM_UNIONS: AcceptedDifference = {
  what: "a field with `enum:` is typed as the union of its values (not char(N) fields); the generator's type is string (number)",
  why: 'altan-cloud enums are CHECK constraints, which the generator does not read; the union is what the database accepts (README, "TypeScript types")',
};
const PLATFORM_FUNCTION: AcceptedDifference = {
  what: 'Functions lacks public.apply_postgrest_permissions()',
  why: 'the bootstrap (the platform) makes it, not the file; no API role may execute it, so it is no RPC of the client',
};

/** Each enum field's lines of ours, rewritten as the generator types the column; throws when the union is not the one expected. */
function withoutEnumUnions(lines: readonly string[], compiled: CompileResult): { lines: string[]; found: number } {
  const { model } = compiled;
  let found = 0;
  const out = lines.map((line) => {
    for (const table of model.tables) {
      for (const check of table.constraints) {
        if (check.kind !== 'enum' || check.type.base === 'char') continue;
        const match = new RegExp(`^${model.schema}\\.Tables\\.${table.name}\\.(Row|Insert|Update)\\.${check.column}(\\??): (.*)$`).exec(line);
        if (!match) continue;
        const nullable = table.columns.find((c) => c.name === check.column)?.notNull !== true;
        const union = check.values.map((v) => JSON.stringify(v)).join(' | ');
        const type = check.type.array ? `(${union})[]` : union;
        expect(match[3], line).toBe(nullable ? `${type} | null` : type);
        const plain = `${['smallint', 'integer', 'bigint', 'numeric'].includes(check.type.base) ? 'number' : 'string'}${check.type.array ? '[]' : ''}`;
        found++;
        return `${model.schema}.Tables.${table.name}.${match[1]}.${check.column}${match[2]}: ${nullable ? `${plain} | null` : plain}`;
      }
    }
    return line;
  });
  return { lines: out, found };
}

/** The generator's lines without the platform's function (and an empty Functions as the generator writes one). */
function withoutPlatformFunction(lines: readonly string[]): { lines: string[]; found: boolean } {
  const prefix = 'public.Functions.apply_postgrest_permissions.';
  const at = lines.findIndex((l) => l.startsWith(prefix));
  if (at < 0) return { lines: [...lines], found: false };
  const rest = lines.filter((l) => !l.startsWith(prefix));
  if (!rest.some((l) => l.startsWith('public.Functions'))) rest.splice(at, 0, 'public.Functions: { [_ in never]: never; }');
  return { lines: rest, found: true };
}

/** Supabase's generator on `db`, as postgres-meta runs it for the CLI (one query at a time on the test's connection). */
async function generatorTypes(db: Database, schema: string, postgrestVersion?: string): Promise<string> {
  let queue: Promise<unknown> = Promise.resolve();
  const queryable = {
    query: (sql: string) => {
      const run = queue.then(() => db.query(sql));
      queue = run.catch(() => {});
      return run.then((rows) => ({ rows }));
    },
  };
  const metadata = sortGeneratorMetadata(await introspect(queryable, { includedSchemas: [schema] }));
  return generateTypescript(metadata, { detectOneToOneRelationships: true, defaultSchema: schema, ...(postgrestVersion ? { postgrestVersion } : {}) });
}

/** Applies `compiled` to the (reset) database and compares the two files; returns which accepted differences it met. */
async function compareWithGenerator(db: Database, compiled: CompileResult, postgrestVersion?: string): Promise<Set<AcceptedDifference>> {
  await resetDatabase(db);
  expect((await apply(db, compiled)).status).toBe('applied');
  const options = postgrestVersion ? { postgrestVersion } : {};
  const ours = readTypesFile(generateTypes(compiled, options));
  const theirs = readTypesFile(await generatorTypes(db, compiled.model.schema, postgrestVersion));
  expect(ours.syntaxErrors).toEqual([]);
  expect(theirs.syntaxErrors).toEqual([]);
  const met = new Set<AcceptedDifference>();
  const enums = withoutEnumUnions(ours.database, compiled);
  if (enums.found > 0) met.add(ENUM_UNIONS);
  const functions = withoutPlatformFunction(theirs.database);
  if (functions.found) met.add(PLATFORM_FUNCTION);
  expect(enums.lines).toEqual(functions.lines);
  expect(ours.declarations).toEqual(theirs.declarations);
  expect(Object.fromEntries(ours.printed)).toEqual(Object.fromEntries(theirs.printed));
  return met;
}

/** Whether each accepted difference was met where the file says it must be. */
function expectDifferences(met: ReadonlySet<AcceptedDifference>, compiled: CompileResult): void {
  const enums = compiled.model.tables.some((t) => t.constraints.some((c) => c.kind === 'enum' && c.type.base !== 'char'));
  expect(met.has(ENUM_UNIONS)).toBe(enums);
  // The platform's function lives in public: a file of another schema does not see it.
  expect(met.has(PLATFORM_FUNCTION)).toBe(compiled.model.schema === 'public');
}

describe('types on PostgreSQL, compared with Supabase generator', () => {
  let url: string;
  let db: Database;
  beforeAll(async () => {
    url = await freshDatabase('types');
    db = await connect(url);
    await db.exec(CREATE_CRON_STAND_IN);
  });
  afterAll(async () => {
    await db?.close();
    if (url) await dropDatabase(url);
  });

  for (const item of items) {
    it(`${item.label}: the same Database, helper types and Constants, but for the accepted differences`, async () => {
      const compiled = await compileItem(item);
      expectDifferences(await compareWithGenerator(db, compiled), compiled);
    });
  }

  it("views of every kind of expression: each column's name and type as Postgres resolves them", async () => {
    const compiled = await compile(VIEW_EXPRESSIONS);
    expect(compiled.model.views.map((v) => v.name)).toEqual(['fact_rows', 'fact_sums', 'fact_union']);
    expectDifferences(await compareWithGenerator(db, compiled), compiled);
  });

  it('--postgrest-version: __InternalSupabase as the generator writes it when told the version', async () => {
    const compiled = await compileItem(items[0] as (typeof items)[number]);
    await compareWithGenerator(db, compiled, '13.0.5');
    expect(generateTypes(compiled, { postgrestVersion: '13.0.5' })).toContain('__InternalSupabase: {\n    PostgrestVersion: "13.0.5"\n  }');
  });
});

describe('types on PGlite, compared with Supabase generator', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDatabase();
  }, 60_000);

  for (const item of items.filter((i) => i.label.startsWith('example '))) {
    it(`${item.label}: the same Database, helper types and Constants, but for the accepted differences`, async () => {
      const compiled = await compileItem(item);
      expectDifferences(await compareWithGenerator(db, compiled), compiled);
    });
  }
});
