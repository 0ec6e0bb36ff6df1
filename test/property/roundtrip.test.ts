/**
 * Every literal round-trips: files dense in values — a column of every type
 * and every array type, spelled any way the format allows, each with a
 * literal default, and seed rows holding random values of each (quotes,
 * backslashes, `$$`, newlines, unicode, emoji, NaN, -0, leap days, IPv6, …) —
 * applied to PostgreSQL (a database of its own) and to PGlite, then read back
 * (roundtrip.ts says how each type is compared):
 *
 * - each seed value is the file's value;
 * - each default is the file's value, read twice: from a temporary copy of
 *   the table (roundtrip.ts), and from a row inserted into the table itself
 *   as its owner with only the key given;
 * - and the comparison is strict: for a fixed file, values written another
 *   way but equal in Postgres pass, and near misses (a lost byte-order mark,
 *   a rounding step, -0 for 0, an hour of time zone) are each reported.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, resetDatabase } from '../db/harness.js';
import { numRuns, timeoutFor } from './arbitraries.js';
import { put, toYaml } from './documents.js';
import { nastyString } from './names.js';
import { READ_SETTINGS, fileLiterals, literalMismatches } from './roundtrip.js';
import type { Literal } from './roundtrip.js';
import { BASES, typeArbOf, valueArb } from './values.js';
import type { ArbValue, Json } from './values.js';

const FILE = 'values.yaml';
const RUNS = 10;
const TABLE = 'vals';
/** The key of the row inserted with every other column left to its default. */
const PROBE = 'inserted with defaults';

let url: string;
let pg: Database;
let lite: Database;

beforeAll(async () => {
  await loadSqlParser();
  url = await freshDatabase('roundtrip');
  pg = await connect(url);
  lite = await memoryDatabase();
}, 60_000);

afterAll(async () => {
  await pg?.close();
  if (url) await dropDatabase(url);
});

/** A column of every base type, scalar and array, each with a default and values for three seed rows. */
const columnsArb = fc.tuple(
  ...BASES.flatMap((base) =>
    [false, true].map((array) =>
      typeArbOf(base, array).chain((type) =>
        fc.record({ type: fc.constant(type), dflt: valueArb(type), rows: fc.array(valueArb(type), { minLength: 3, maxLength: 3 }) }),
      ),
    ),
  ),
);
const valueFileArb = fc.record({
  columns: columnsArb,
  keys: fc.uniqueArray(
    nastyString(2).filter((k) => k !== PROBE),
    { minLength: 3, maxLength: 3 },
  ),
  style: fc.record({
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
  }),
});

function valueFile({ columns, keys, style }: ArbValue<typeof valueFileArb>): { doc: Record<string, unknown>; text: string } {
  const fields: Record<string, unknown> = { k: { type: 'text', required: true } };
  const rows: Record<string, unknown>[] = keys.map((k) => ({ k }));
  columns.forEach(({ type, dflt, rows: values }, i) => {
    const name = `c${i}_${type.base.replace(' ', '_')}${type.array ? '_array' : ''}`;
    // a json map with the one key `sql` would be an SQL default
    put(fields, name, { type: type.written, default: dflt });
    values.forEach((v, r) => put(rows[r] as Record<string, unknown>, name, v));
  });
  const doc = { version: 1, entities: { [TABLE]: { access: 'reference', primary_key: 'k', timestamps: false, fields, rows } } };
  return { doc, text: toYaml(doc, style as Parameters<typeof toYaml>[1]) };
}

/** Applies the file to a just-reset database; returns its literals plus each default as read from a row inserted with only the key. */
async function applyValues(db: Database, text: string, doc: Record<string, unknown>): Promise<{ literals: Literal[]; compiled: ReturnType<typeof compile> }> {
  await resetDatabase(db);
  await db.exec(READ_SETTINGS);
  const compiled = compile(text, { fileName: FILE });
  expect((await apply(db, compiled)).status).toBe('applied');
  // As the table's owner (the admin that applied it), which RLS does not restrict.
  await db.query(`INSERT INTO public.${TABLE} (k) VALUES ($1)`, [PROBE]);
  const literals = fileLiterals(doc, compiled.model);
  const table = compiled.model.tables[0];
  const key = [{ column: 'k', type: table?.columns.find((c) => c.name === 'k')?.type as Literal['type'], value: PROBE }];
  const inserted = literals.filter((l) => l.source.kind === 'default').map((l): Literal => ({ ...l, source: { kind: 'row', row: -1, key } }));
  return { literals: [...literals, ...inserted], compiled };
}

describe('literal round trip on PostgreSQL and PGlite', () => {
  it(
    'every type and array type: seed values and defaults read back exactly as the file has them',
    async () => {
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(valueFileArb, async (spec) => {
          const { doc, text } = valueFile(spec);
          expect(validate(text, { fileName: FILE }).errors, text).toEqual([]);
          for (const [label, db] of [
            ['PostgreSQL', pg],
            ['PGlite', lite],
          ] as const) {
            const { literals, compiled } = await applyValues(db, text, doc);
            expect(await literalMismatches(db, compiled.model, literals), label).toEqual([]);
            checked += literals.length;
          }
        }),
        { numRuns: numRuns(RUNS), endOnFailure: true },
      );
      // 40 columns: 3 seed values, a default read twice; and the key of 3 rows; on two backends.
      expect(checked).toBe(numRuns(RUNS) * 2 * (40 * 5 + 3));
    },
    timeoutFor(RUNS, 120_000),
  );
});

/** Column → [stored value, the same value written otherwise, near misses that must be reported]. */
const STRICT: readonly [string, Json, readonly Json[], readonly Json[]][] = [
  ['text', '\ufeffa\r\n', [], ['a\r\n', '\ufeffa\n', '\ufeffa\r\n ']],
  ['char(4)', 'ab', ['ab ', 'ab  '], ['abc', ' ab']],
  ['varchar(3)', '😀é', [], ['😀e\u0301']],
  ['numeric(5,2)', '1.005', ['1.01', 1.01, '001.010', '1.0050'], ['1.00', '1.02']],
  ['numeric', '1.50', [1.5, '15e-1'], ['1.5000001', '-1.5']],
  ['real', 0.1, [0.10000000149011612], [0.1000001, -0.1]],
  ['double precision', -0, [], [0]],
  ['double precision', Number.NaN, [], [0, Number.POSITIVE_INFINITY]],
  ['bigint', '9223372036854775807', [], ['9223372036854775806']],
  ['boolean', false, [], [true]],
  ['uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12']],
  ['date', '2024-02-29', [], ['2024-03-01']],
  ['time', '23:59:59.999999', ['23:59:59.9999990'], ['23:59:59.99999']],
  ['timestamp', '2024-01-31T10:00:00.000001+05', ['2024-01-31 10:00:00.000001'], ['2024-01-31 10:00:00', '2024-01-31 05:00:00.000001']],
  ['timestamptz', '2024-01-31 10:00:00+01', ['2024-01-31T09:00:00Z', '2024-01-31 04:30-04:30'], ['2024-01-31 10:00:00Z', '2024-01-31 09:00:00.000001Z']],
  ['interval', '1 day', ['P1D'], ['24 hours', '1 day 1 microseconds']],
  ['inet', '0:0::1', ['::1', '::1/128'], ['::2', '::1/127']],
  [
    'json',
    { b: 1, a: [1, 2] },
    [{ a: [1, 2], b: 1 }],
    [
      { b: '1', a: [1, 2] },
      { b: 1, a: [2, 1] },
    ],
  ],
  ['jsonb', -0, [0], [null, '0']],
  ['bytea', 'é\\x00', [], ['e\\x00', 'é\\x000']],
  [
    'text[]',
    ['a', null, ''],
    [],
    [
      ['a', '', ''],
      ['a', null],
      ['a', null, '', null],
    ],
  ],
  ['integer[]', [], [], [[null]]],
];

describe('the round-trip comparison is strict', () => {
  it('a fixed file on PGlite: equal values written otherwise pass; each near miss is reported, for the default and the seed row', async () => {
    const fields: Record<string, unknown> = { k: { type: 'text', required: true } };
    const row: Record<string, unknown> = { k: 'r' };
    STRICT.forEach(([type, stored], i) => {
      fields[`c${i}`] = { type, default: stored };
      row[`c${i}`] = stored;
    });
    const doc = { version: 1, entities: { [TABLE]: { access: 'reference', primary_key: 'k', timestamps: false, fields, rows: [row] } } };
    const text = toYaml(doc);
    expect(validate(text, { fileName: FILE }).errors).toEqual([]);
    const { literals, compiled } = await applyValues(lite, text, doc);
    expect(await literalMismatches(lite, compiled.model, literals)).toEqual([]);

    const withValue = (column: string, value: Json) => literals.filter((l) => l.column === column).map((l) => ({ ...l, value }));
    for (const [i, [type, , same, near]] of STRICT.entries()) {
      for (const value of same) {
        expect(await literalMismatches(lite, compiled.model, withValue(`c${i}`, value)), `${type}: ${JSON.stringify(value)} is the same`).toEqual([]);
      }
      for (const value of near) {
        // the default (read twice) and the seed row
        expect(await literalMismatches(lite, compiled.model, withValue(`c${i}`, value)), `${type}: ${JSON.stringify(value)} differs`).toHaveLength(3);
      }
    }
  });
});
