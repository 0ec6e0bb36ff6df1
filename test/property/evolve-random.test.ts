/**
 * Evolution on random files: a generated file A (arbitraries.ts) and a file B
 * derived from it by a few random valid edits (evolveEdits.ts), on
 * PostgreSQL with pg_cron and on PGlite. For each pair, on each backend:
 *
 * - B and A are applied fresh, for the catalogs an evolved database must end
 *   with (a B that does not apply fresh is not about evolution: skipped);
 * - A is applied, rows are written into every table (as the owner, with the
 *   values verify uses) and a file into every bucket; then B is applied over
 *   it with allowDestructive. It must succeed, unless the data cannot take
 *   B: the plan's blockers (NULLs under NOT NULL, a required field without
 *   default on a table with rows: ApplyError 'blocked') or a value Postgres
 *   refuses (a cast, a CHECK, a unique key: ApplyError 'database' with an
 *   SQLSTATE of class 22 or 23) — and then the catalog is exactly as before,
 *   and B applies once the tables are emptied;
 * - a plan with a destructive change (members removed from rows that have
 *   some: always one) is refused without allowDestructive, changing nothing;
 * - after it: no row lost, the catalog equals the fresh apply of B, planning
 *   again finds nothing, each row of an entity given members has its owner as
 *   a member with the first role, and verify finds every request as B's
 *   access rules promise;
 * - then back, B → A, with the same checks.
 *
 * FUZZ_RUNS=N evolves N pairs; a failure prints the two files and the edits.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { apply, ApplyError } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { DatabaseError } from '../../src/db/errors.js';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import type { CompileResult } from '../../src/index.js';
import type { Model, Table } from '../../src/model/model.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { ident, qualified } from '../../src/sql/quote.js';
import { createWorld, fixturePlans, keySql, primaryKey, tableFacts } from '../../src/verify/fixtures.js';
import type { FixtureRow, TableFixture } from '../../src/verify/fixtures.js';
import { insertRow } from '../../src/verify/rows.js';
import { verify } from '../../src/verify/run.js';
import { FAMILIES, constrainedColumn } from '../../src/verify/values.js';
import { newWorld } from '../../src/verify/world.js';
import { comparableSnapshot } from '../db/evolve.js';
import { memoryDatabase, resetDatabase, withCronDatabase } from '../db/harness.js';
import { catalogSnapshot } from '../db/snapshot.js';
import type { CatalogSnapshot } from '../db/snapshot.js';
import { fileArb, numRuns, replay, timeoutFor } from './arbitraries.js';
import { pairArb } from './evolveEdits.js';
import type { EvolvedPair } from './evolveEdits.js';
import { seedUsers } from './roundtrip.js';

/** Pairs per run (each evolved both ways on both backends). */
const RUNS = 20;
const cron = withCronDatabase();
let lite: Database;

beforeAll(async () => {
  await loadSqlParser();
  lite = await memoryDatabase();
}, 60_000);

/** What the run came to, so that a generator that stopped producing something is noticed. */
const seen = {
  pairs: 0,
  edits: 0,
  evolved: 0,
  blocked: 0,
  refusedByData: 0,
  rowsWritten: 0,
  verified: 0,
  /** Applies refused for a destructive change until allowed. */
  destructiveRefused: 0,
  /** Rows of entities given members whose owner was found their first member after the apply. */
  ownersMadeMembers: 0,
  skipped: [] as string[],
  refusals: [] as string[],
};

/** Slots far from verify's own (0–2, 7): its test rows never meet these on a unique key. */
const SLOT_OFFSET = 20;

/**
 * Rows in every entity (two, or three on org tables: owned by users and
 * organizations made for them), parents before children, as the connection's
 * user; a file in every bucket. Returns how many rows went in.
 */
async function writeRows(db: Database, model: Model): Promise<number> {
  const world = newWorld();
  let written = 0;
  await db.exec('BEGIN');
  try {
    await createWorld(db, model, world);
    const fixtures = new Map<string, TableFixture>();
    for (const table of model.tables) {
      if (table.role !== 'entity') continue;
      const families = new Map<string, number>();
      const rows: FixtureRow[] = [];
      for (const plan of fixturePlans(table)) {
        for (let attempt = 0; attempt < FAMILIES * 4; attempt++) {
          const built = insertRow({ schema: model.schema, world, fixtures, families }, table, { ...plan, slot: plan.slot + SLOT_OFFSET });
          if (!built.ok) break;
          await db.exec('SAVEPOINT evolve_row');
          try {
            const [returned] = await db.query<{ key: string }>(`${built.sql} RETURNING ${keySql(primaryKey(table))} AS key`);
            await db.exec('RELEASE SAVEPOINT evolve_row');
            const texts = JSON.parse(returned?.key ?? '[]') as string[];
            rows.push({
              label: plan.label,
              facts: built.facts,
              keyValues: Object.fromEntries(primaryKey(table).map((c, i) => [c, texts[i] ?? ''])),
              keyText: returned?.key ?? '[]',
            });
            written++;
            break;
          } catch (e) {
            await db.exec('ROLLBACK TO SAVEPOINT evolve_row; RELEASE SAVEPOINT evolve_row');
            if (!(e instanceof DatabaseError)) throw e;
            const column = e.code === '23514' ? constrainedColumn(table.constraints, e.constraint) : undefined;
            if (column === undefined) break;
            families.set(column, (families.get(column) ?? 0) + 1);
          }
        }
      }
      fixtures.set(table.name, { table, facts: tableFacts(table), rows, families, visibilityChecked: false });
    }
    for (const bucket of model.buckets) {
      await db.query('INSERT INTO storage.objects (bucket_id, name, owner) VALUES ($1, $2, $3)', [
        bucket.id,
        `${world.users.a}/evolve-${world.tag}.txt`,
        world.users.a,
      ]);
    }
    await db.exec('COMMIT');
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => {});
    throw e;
  }
  return written;
}

/** Rows per table of the schema. */
async function rowCounts(db: Database, schema: string): Promise<Map<string, number>> {
  const tables = await db.query<{ name: string }>(
    "SELECT c.relname::text AS name FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relkind = 'r'",
    [schema],
  );
  const counts = new Map<string, number>();
  for (const { name } of tables) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified(schema, name)}`);
    counts.set(name, row?.n ?? 0);
  }
  return counts;
}

async function emptyTables(db: Database, schema: string): Promise<void> {
  const counts = await rowCounts(db, schema);
  if (counts.size > 0) await db.exec(`TRUNCATE ${[...counts.keys()].map((t) => qualified(schema, t)).join(', ')} CASCADE`);
}

/**
 * The catalog, with view definitions read as sets of lines (SELECT apart from
 * the first column): a column added to
 * a table comes last (ADD COLUMN appends, where a fresh CREATE TABLE has it
 * among the others), so a view made again over `*` lists the same columns in
 * another order — by design, as the snapshot lists columns by name. And
 * without the NOT NULL constraints PGlite (Postgres 18) lists: their names
 * are Postgres's own (`<table>_<column>_not_null`, cut to 63 bytes, with a
 * number when taken — by a table of the same long prefix dropped since, say);
 * the columns' attnotnull says the same.
 */
async function evolvedSnapshot(db: Database, model: Model): Promise<CatalogSnapshot> {
  const snapshot = await comparableSnapshot(db, model);
  snapshot.constraints = (snapshot.constraints ?? []).filter((c) => !String((c as Record<string, unknown>).pg_get_constraintdef).startsWith('NOT NULL '));
  const lines = (definition: unknown) =>
    typeof definition === 'string'
      ? definition
          .split('\n')
          // The first column comes after SELECT: a column added first in a fresh table is not so in an evolved one.
          .flatMap((l) =>
            l
              .trim()
              .replace(/,$/, '')
              .split(/^SELECT /),
          )
          .filter((l) => l !== '')
          .sort()
      : definition;
  for (const key of ['matviews', 'views']) {
    snapshot[key] = (snapshot[key] ?? []).map((row) => ({
      ...(row as Record<string, unknown>),
      definition: lines((row as Record<string, unknown>).definition),
    }));
  }
  return snapshot;
}

/** A data refusal: Postgres's SQLSTATE class 22 (data exception) or 23 (integrity constraint violation). */
const refusedByData = (e: ApplyError) => e.reason === 'database' && /\(SQLSTATE 2[23][0-9A-Z]{3}\)/.test(e.message);

/** Entity tables of `to` with members that `from` has without them. */
const membersAdded = (from: Model, to: Model): Table[] =>
  to.tables.filter((t) => t.role === 'entity' && t.members !== undefined && from.tables.find((f) => f.name === t.name)?.members === undefined);

/** Rows of `table` whose owner is not a member of the row with the first role. */
async function ownersNotMembers(db: Database, schema: string, table: Table): Promise<{ rows: number; missing: number }> {
  const members = table.members as NonNullable<Table['members']>;
  const [key] = primaryKey(table);
  const [row] = await db.query<{ rows: number; missing: number }>(
    `SELECT count(*)::int AS rows, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ${qualified(schema, members.table)} m ` +
      `WHERE m.${ident(members.column)} = e.${ident(key as string)} AND m.user_id = e.${ident(table.owner as string)} AND m.role = $1))::int AS missing ` +
      `FROM ${qualified(schema, table.name)} e WHERE e.${ident(table.owner as string)} IS NOT NULL`,
    [members.roles[0]],
  );
  return row ?? { rows: 0, missing: 0 };
}

/** Applies `to` over what is there (`from`'s), and checks the outcome (see the head of the file). */
async function evolve(db: Database, label: string, from: CompileResult, to: CompileResult, expected: CatalogSnapshot): Promise<void> {
  const { schema } = to.model;
  const before = await catalogSnapshot(db);
  const counts = await rowCounts(db, schema);
  const planned = await plan(db, to);
  // Members removed from rows that have some: the members table goes, with its rows.
  const membersLost = from.model.tables.filter(
    (t) => t.role === 'members' && (counts.get(t.name) ?? 0) > 0 && !to.model.tables.some((n) => n.role === 'members' && n.name === t.name),
  );
  if (membersLost.length > 0)
    expect(planned.destructive.length, `${label}: dropping ${membersLost.map((t) => t.name).join(', ')} is destructive`).toBeGreaterThan(0);
  if (planned.destructive.length > 0 && planned.blockers.length === 0) {
    const refused = await apply(db, to).catch((e: unknown) => e);
    expect(refused instanceof ApplyError && refused.reason, `${label}: a destructive change without allowDestructive`).toBe('destructive');
    expect(await catalogSnapshot(db), `${label}: the catalog after refusing a destructive change`).toEqual(before);
    seen.destructiveRefused++;
  }
  let emptied = false;
  try {
    const report = await apply(db, to, { allowDestructive: true });
    expect(report.status, label).not.toBe('dry-run');
  } catch (e) {
    if (!(e instanceof ApplyError)) throw e;
    const blocked = e.reason === 'blocked';
    expect(blocked || refusedByData(e), `${label}: apply failed (${e.reason}): ${e.message}`).toBe(true);
    if (blocked) expect(planned.blockers.length, label).toBeGreaterThan(0);
    expect(await catalogSnapshot(db), `${label}: the catalog after the refusal`).toEqual(before);
    if (blocked) seen.blocked++;
    else {
      seen.refusedByData++;
      seen.refusals.push(e.message.split('\n').slice(0, 2).join(' '));
    }
    // Without the rows that could not take it, the file applies.
    await emptyTables(db, schema);
    emptied = true;
    const report = await apply(db, to, { allowDestructive: true });
    expect(report.status, label).toBe('applied');
  }
  seen.evolved++;
  expect(await evolvedSnapshot(db, to.model), `${label}: the catalog equals a fresh apply's`).toEqual(expected);
  const again = await plan(db, to);
  expect(again.changes.map(describeChange), `${label}: planned again`).toEqual([]);
  expect(again.status, label).toBe('up-to-date');
  if (!emptied) {
    const after = await rowCounts(db, schema);
    const lost = [...counts].filter(([t, n]) => after.has(t) && (after.get(t) as number) < n).map(([t, n]) => `${t}: ${n} → ${after.get(t)}`);
    expect(lost, `${label}: rows lost`).toEqual([]);
    // Members added to rows already there: each row's owner is its first member, with the first role.
    for (const table of membersAdded(from.model, to.model)) {
      const { rows, missing } = await ownersNotMembers(db, schema, table);
      expect(missing, `${label}: rows of ${table.name} whose owner is not their ${table.members?.roles[0]}`).toBe(0);
      seen.ownersMadeMembers += rows;
    }
  }
  const verified = await verify(db, to);
  expect(
    verified.results.filter((r) => r.status === 'fail'),
    `${label}: verify`,
  ).toEqual([]);
  seen.verified += verified.passed;
}

/** A → B → A on one backend; false when B does not apply even fresh (not about evolution). */
async function evolvePair(db: Database, backend: string, pair: EvolvedPair, a: CompileResult, b: CompileResult): Promise<boolean> {
  const users = [...new Set([...seedUsers(pair.a.doc, a.model), ...seedUsers(pair.b.doc, b.model)])];
  const fresh = async (compiled: CompileResult): Promise<CatalogSnapshot> => {
    await resetDatabase(db);
    if (users.length > 0) await db.query('INSERT INTO auth.users (id) SELECT unnest($1::uuid[])', [users]);
    expect((await apply(db, compiled)).status, `${backend}: fresh apply`).toBe('applied');
    expect((await plan(db, compiled)).changes.map(describeChange), `${backend}: planned again after a fresh apply`).toEqual([]);
    return evolvedSnapshot(db, compiled.model);
  };
  let freshB: CatalogSnapshot;
  try {
    freshB = await fresh(b);
  } catch (e) {
    if (!(e instanceof ApplyError)) throw e;
    seen.skipped.push(`${backend}: ${e.message.split('\n').slice(0, 2).join(' ')}`);
    return false;
  }
  const freshA = await fresh(a);
  seen.rowsWritten += await writeRows(db, a.model);
  await evolve(db, `${backend} A → B`, a, b, freshB);
  seen.rowsWritten += await writeRows(db, b.model);
  await evolve(db, `${backend} B → A`, b, a, freshA);
  return true;
}

describe('random files evolve on PostgreSQL (pg_cron) and PGlite', () => {
  it(
    'A → B → A with rows: applies (or is refused for the data alone, changing nothing), ends as a fresh apply, plans nothing more, keeps every access promise',
    async () => {
      await fc.assert(
        fc.asyncProperty(pairArb(fileArb), async (pair) => {
          fc.pre(pair.edits.length > 0 && validate(pair.a.text, { fileName: 'a.yaml' }).errors.length === 0);
          const a = compile(pair.a.text, { fileName: 'a.yaml' });
          const b = compile(pair.b.text, { fileName: 'b.yaml' });
          fc.pre(await evolvePair(cron.db, 'PostgreSQL', pair, a, b));
          await evolvePair(lite, 'PGlite', pair, a, b);
          seen.pairs++;
          seen.edits += pair.edits.length;
        }),
        // No shrinking: each step applies eight times; the failure prints both files and the edits.
        { numRuns: numRuns(RUNS), endOnFailure: true, ...replay() },
      );
      console.log(
        `evolve-random: ${seen.pairs} pairs, ${seen.edits} edits, ${seen.evolved} evolutions (${seen.blocked} blocked, ${seen.refusedByData} refused by the data first), ` +
          `${seen.rowsWritten} rows written, ${seen.verified} requests verified, ${seen.destructiveRefused} destructive applies refused until allowed, ` +
          `${seen.ownersMadeMembers} owners made members of their rows; ${seen.skipped.length} B files did not apply fresh` +
          [...seen.skipped.slice(0, 5), ...seen.refusals.slice(0, 10)].map((s) => `\n  ${s}`).join(''),
      );
      expect(seen.pairs).toBe(numRuns(RUNS));
      expect(seen.rowsWritten, 'rows written').toBeGreaterThan(numRuns(RUNS));
      expect(seen.verified, 'requests verified').toBeGreaterThan(numRuns(RUNS) * 10);
    },
    timeoutFor(RUNS, 180_000),
  );
});
