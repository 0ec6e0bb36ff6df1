/**
 * Pairs of files found by the random evolution test (test/property/
 * evolve-random.test.ts), each reduced to what it needs, on real PostgreSQL:
 * A is applied, rows go in, then B; the database must end as a fresh apply of
 * B would make it, with nothing left to plan — or, when the rows cannot take
 * B, be refused before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import { applyAndSettle, comparableSnapshot, expectRefused } from './evolve.js';
import { withCronDatabase } from './harness.js';

const cron = withCronDatabase();

const file = (entities: string, rest = '') => `version: 1\nentities:\n${entities}${rest}`;

/** A applied, `rows` run, then B: ends as a fresh apply of B, plans nothing more; returns B's plan over A. */
async function evolves(a: string, b: string, rows: string) {
  const db = cron.db;
  const before = await compile(a, { fileName: 'a.yaml' });
  const after = await compile(b, { fileName: 'b.yaml' });
  await cron.reset();
  await applyAndSettle(db, after);
  const fresh = await comparableSnapshot(db);
  await cron.reset();
  await applyAndSettle(db, before);
  await db.exec(rows);
  const planned = await plan(db, after);
  await applyAndSettle(db, after, { allowDestructive: true });
  expect(await comparableSnapshot(db)).toEqual(fresh);
  return planned;
}

describe('evolution cases found by the random files', () => {
  it('a type change between types Postgres has no cast for (time → numeric, uuid → integer) goes through the text of the values', async () => {
    const planned = await evolves(
      file('  items:\n    access: private\n    fields:\n      at: time\n      ref: uuid\n'),
      file('  items:\n    access: private\n    fields:\n      at: "numeric(4,1)"\n      ref: integer\n'),
      'INSERT INTO public.items (at, ref) VALUES (NULL, NULL), (NULL, NULL)',
    );
    expect(planned.sql).toContain('USING at::text::numeric(4,1);');
    expect(planned.sql).toContain('USING ref::text::integer;');
    // a value whose text the new type cannot read is Postgres's refusal, and nothing is applied
    const db = cron.db;
    await applyAndSettle(db, await compile(file('  items:\n    access: private\n    fields:\n      at: time\n'), { fileName: 'c.yaml' }), {
      allowDestructive: true,
    });
    await db.exec("INSERT INTO public.items (at) VALUES ('10:00')");
    const refused = await expectRefused(db, async () =>
      apply(db, await compile(file('  items:\n    access: private\n    fields:\n      at: "numeric(4,1)"\n'), { fileName: 'd.yaml' }), {
        allowDestructive: true,
      }),
    );
    expect(refused.reason).toBe('database');
    expect(refused.message).toContain('invalid input syntax for type numeric: "10:00:00"');
  });

  it('owner access on a table with rows: the new owner column would be NULL in them (auth.uid() outside a request), so the plan is blocked', async () => {
    const db = cron.db;
    await cron.reset();
    await applyAndSettle(db, await compile(file('  notes:\n    access: private\n    fields:\n      title: text\n'), { fileName: 'a.yaml' }));
    await db.exec("INSERT INTO public.notes (title) VALUES ('a'), ('b')");
    const owned = await compile(file('  notes:\n    access: owner\n    fields:\n      title: text\n'), { fileName: 'b.yaml' });
    const planned = await plan(db, owned);
    expect(planned.blockers).toEqual([
      'column notes.user_id is required, but notes holds 2 rows and its default auth.uid() gives them no value (it is NULL outside a request); add the field as optional and fill it (or empty the table) first',
    ]);
    const refused = await expectRefused(db, () => apply(db, owned, { allowDestructive: true }));
    expect(refused.reason).toBe('blocked');
    // the way the message says: the field first, filled, then the owner access
    const declared = await compile(file('  notes:\n    access: private\n    fields:\n      title: text\n      user_id: uuid\n'), { fileName: 'c.yaml' });
    await applyAndSettle(db, declared);
    await db.exec(
      "INSERT INTO auth.users (id) VALUES ('00000000-0000-4000-8000-000000000001'); UPDATE public.notes SET user_id = '00000000-0000-4000-8000-000000000001'",
    );
    await applyAndSettle(db, await compile(file('  notes:\n    access: owner\n    fields:\n      title: text\n      user_id: uuid\n'), { fileName: 'd.yaml' }));
  });

  it('a view reading `TABLE t` is made again when t gains columns (its * stood for the columns t had)', async () => {
    const view = '\nmaterialized_views:\n  all_notes:\n    query: TABLE public.notes\n';
    const planned = await evolves(
      file('  notes:\n    access: private\n    timestamps: false\n    fields:\n      title: text\n', view),
      file('  notes:\n    access: private\n    timestamps: false\n    fields:\n      title: text\n      body: text\n', view),
      "INSERT INTO public.notes (title) VALUES ('a')",
    );
    expect(planned.changes.map(describeChange)).toEqual([
      '~ materialized view all_notes: made again: it selects * from notes, which gains a column',
      '+ column notes.body',
    ]);
  });

  it('`unique: true` on a single-field primary key: Postgres makes no such constraint, and the plan does not miss it', async () => {
    const keyed = (extra: string) =>
      file(`  codes:\n    access: private\n    primary_key: code\n    fields:\n      code: { type: text, unique: true }\n${extra}`);
    const planned = await evolves(keyed(''), keyed('      label: text\n'), "INSERT INTO public.codes (code) VALUES ('a')");
    expect(planned.changes.map(describeChange)).toEqual(['+ column codes.label']);
  });

  it('a CHECK or enum on a column whose type changes is made again, as a fresh apply would write it', async () => {
    const planned = await evolves(
      file('  scores:\n    access: private\n    fields:\n      n: { type: smallint, enum: [-762, 1329], check: "n IS NULL OR n > -1000" }\n'),
      file('  scores:\n    access: private\n    fields:\n      n: { type: bigint, enum: [-762, 1329], check: "n IS NULL OR n > -1000" }\n'),
      'INSERT INTO public.scores (n) VALUES (-762), (NULL)',
    );
    expect(planned.changes.map(describeChange)).toEqual([
      '~ column scores.n: type smallint → bigint',
      '~ constraint scores_n_enum on scores: made again: it reads scores.n, whose type changes',
      '~ constraint scores_n_check on scores: made again: it reads scores.n, whose type changes',
    ]);
  });

  it('a field made unique takes the name of its unique index (renamed with a hash), and back: no conflict with the object the plan drops', async () => {
    const items = (unique: string) =>
      file(`  items:\n    access: private\n    fields:\n      code: { type: text${unique} }\n    indexes:\n      - { fields: [code], unique: true }\n`);
    const rows = "INSERT INTO public.items (code) VALUES ('a'), ('b')";
    const forth = await evolves(items(''), items(', unique: true'), rows);
    expect(forth.changes.map(describeChange)).toContain('- index items_code_key on items');
    const back = await evolves(items(', unique: true'), items(''), rows);
    expect(back.blockers).toEqual([]);
    expect(back.changes.map(describeChange)).toContain('- constraint items_code_key on items');
  });
});
