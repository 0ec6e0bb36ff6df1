/**
 * Requests that point a row at another row, as an attacker would make them:
 * for every reference to an entity (its own table included), each actor who
 * may write a row of their own points it at each row of the parent, and at an
 * id that does not exist. A reference to a row the actor may not read must be
 * refused, and a missing id refused the same way: the foreign key's own error
 * would tell the caller which ids exist. And a client's updated_at is never
 * kept: the server sets it on insert as on update.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseError } from '../db/errors.js';
import type { Column, ForeignKey, Table } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';
import type { ParentFacts, RowFacts } from './expect.js';
import { canInsert, canUpdate, decide, readsEveryRow } from './expect.js';
import { REQUEST_SLOT, actorsOf, keyOf, ownerIsUnique } from './entityProbes.js';
import type { ProbeContext } from './entityProbes.js';
import type { FixtureRow, TableFixture } from './fixtures.js';
import { denied, rowsOf, updating } from './probe.js';
import type { Actual, Probe, Query } from './probe.js';
import { insertRow, parentFacts, typedText, viaColumns } from './rows.js';
import type { RowPlan } from './rows.js';
import type { Actor } from './world.js';
import { homeOrg } from './world.js';
import { userPlan } from './termFixtures.js';
import { afterFacts, judge, measured } from './whereFacts.js';

/** A write whose foreign key said the id does not exist: the caller learned something the policy should have hidden. */
async function probing(run: () => Promise<Actual>): Promise<Actual> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DatabaseError && e.code === '23503') return { kind: 'allowed', detail: 'the foreign key told the id does not exist' };
    throw e;
  }
}

/** Shortest varchar(N) key a random id is made for: 12 hex digits, which no fixture row holds by chance. */
const SHORTEST_RANDOM_KEY = 12;

/** An id of the key's type that no row has, or undefined for types (and lengths) it cannot make one of. */
function missingId(column: Column): string | undefined {
  if (column.type.sql === 'uuid') return `${literal(randomUUID())}::uuid`;
  if (!/^(text|varchar|character varying)/.test(column.type.sql)) return undefined;
  // A varchar(N) key takes at most N characters: a longer id is refused for its length (22001), not as missing.
  const max = column.type.base === 'varchar' ? column.type.length : undefined;
  if (max === undefined) return literal(`altan-verify-missing-${randomUUID()}`);
  return max >= SHORTEST_RANDOM_KEY ? literal(randomUUID().replaceAll('-', '').slice(0, max)) : undefined;
}

const without = (facts: RowFacts, column: string): RowFacts => ({ ...facts, parents: facts.parents.filter((p) => p.column !== column) });

/** The row's references once `column` points at `parent` (NULL when undefined). */
function pointedAt(facts: RowFacts, column: string, parent: ParentFacts | undefined): Record<string, ParentFacts> {
  const refs: Record<string, ParentFacts> = Object.create(null);
  for (const [c, p] of Object.entries(facts.refs ?? {})) if (c !== column) refs[c] = p;
  if (parent !== undefined) refs[column] = parent;
  return refs;
}

export function referenceProbes(ctx: ProbeContext, fixture: TableFixture): Probe[] {
  const { table, facts } = fixture;
  if (fixture.untested !== undefined || fixture.rows.length === 0) return [];
  const subject = table.name;
  const target = qualified(ctx.schema, table.name);
  const key = keyOf(table);
  const actors = actorsOf(table);
  const rowCtx = { schema: ctx.schema, world: ctx.world, fixtures: ctx.fixtures, families: fixture.families, readonly: fixture.facts.readonly };
  const probes: Probe[] = [];
  const foreignKeys: readonly ForeignKey[] = [...table.foreignKeys, ...(ctx.deferredForeignKeys ?? []).filter((fk) => fk.table === table.name)];

  for (const actor of actors) {
    const person = actor === 'anon' ? undefined : actor;
    const org = table.org !== undefined ? homeOrg(actor) : undefined;
    const users = userPlan(table, person);
    const own: RowPlan = {
      ...(person ? { person } : {}),
      owner: 'default',
      ...(org ? { org } : {}),
      slot: REQUEST_SLOT,
      viewer: actor,
      ...(users ? { users } : {}),
    };
    const base = insertRow(rowCtx, table, own);
    const old = person !== undefined && ownerIsUnique(table) ? fixture.rows.find((r) => r.facts.owner === person) : undefined;
    const mine = fixture.rows.find((r) => (table.owner === undefined ? true : r.facts.owner === person));
    for (const fk of foreignKeys) {
      if (fk.target.schema !== ctx.schema || fk.column === table.org) continue;
      const parent = fk.target.table === table.name ? fixture : ctx.fixtures.get(fk.target.table);
      // a public parent may be pointed at by anyone; an untested one has no rows to point at
      if (parent === undefined || !parent.visibilityChecked || parent.rows.length === 0) continue;
      const keyColumn = parent.table.columns.find((c) => c.name === fk.target.column);
      if (keyColumn === undefined) continue;
      // every row of it is readable by the actor (an `authenticated` parent, signed in): nothing to hide
      const readsAll = readsEveryRow(parent.facts.access.read, actor !== 'anon');
      const values: { label: string; sql: string; row?: FixtureRow; unset?: true }[] = parent.rows.map((row) => ({
        label: `${row.label} of ${parent.table.name}`,
        sql: typedText(row.keyValues[fk.target.column] ?? '', keyColumn),
        row,
      }));
      const missing = readsAll ? undefined : missingId(keyColumn);
      if (missing !== undefined) values.push({ label: `a missing ${parent.table.name} id`, sql: missing });
      // a `via` reference left NULL grants nothing through the term (and needs no parent)
      if (viaColumns(table).has(fk.column) && table.columns.find((c) => c.name === fk.column)?.notNull === false)
        values.push({ label: 'null', sql: 'NULL', unset: true });
      const pointed = (v: (typeof values)[number]) => (v.row ? parentFacts(parent, v.row, fk.column) : undefined);

      // A read-only or immutable reference is never written by a client: columnProbes.ts asks that, with a value
      // sure to differ (pointing a row at the parent it already has changes nothing, and passes the guard).
      const fixed = facts.fixed.includes(fk.column);
      // Inserts, when the actor may insert a row of their own at all.
      if (!facts.readonly.includes(fk.column) && base.ok && decide(() => canInsert(facts, actor, without(base.facts, fk.column))) !== false) {
        for (const v of values) {
          const p = pointed(v);
          const built = insertRow(rowCtx, table, { ...own, set: { column: fk.column, sql: v.sql, ...(p ? { parent: p } : {}) } });
          if (!built.ok) continue;
          probes.push({
            subject,
            actor,
            operation: `insert own row with ${fk.column} = ${v.label}`,
            // a missing id is a row nobody may be told about
            ...(v.row === undefined && v.unset === undefined
              ? { expected: denied }
              : judge(table, built.sql, (w) => canInsert(facts, actor, measured(built.facts, w)))),
            ...(old ? { prepare: `DELETE FROM ${target} WHERE ${key.match(old)}` } : {}),
            run: (query) =>
              probing(async () => {
                await query(built.sql);
                return { kind: 'allowed' };
              }),
          });
        }
      }
      // Updates of a row the actor may update as it is.
      if (!fixed && mine !== undefined && decide(() => canUpdate(facts, actor, mine.facts, mine.facts)) === true) {
        for (const v of values) {
          const p = pointed(v);
          const parents = [...without(mine.facts, fk.column).parents, ...(p ? [p] : [])];
          const after = afterFacts(table, mine.facts, { parents, refs: pointedAt(mine.facts, fk.column, p) }, [fk.column]);
          const statement = `UPDATE ${target} SET ${ident(fk.column)} = ${v.sql} WHERE ${key.match(mine)}`;
          probes.push({
            subject,
            actor,
            operation: `point ${mine.label} ${fk.column} at ${v.label}`,
            ...(v.row === undefined && v.unset === undefined
              ? { expected: denied }
              : judge(table, statement, (w) => canUpdate(facts, actor, mine.facts, measured(after, w), [fk.column]))),
            run: (query) => probing(() => updating(query, statement)),
          });
        }
      }
    }
  }
  probes.push(...updatedAtProbe(ctx, fixture, actors));
  return probes;
}

const CLIENT_TIME = "'2000-01-01 00:00:00+00'::timestamptz";

/** The first actor who may insert a row sends updated_at from the year 2000: the server's time must be kept instead. */
function updatedAtProbe(ctx: ProbeContext, fixture: TableFixture, actors: readonly Actor[]): Probe[] {
  const { table, facts } = fixture;
  if (!hasServerTimestamp(table)) return [];
  const rowCtx = { schema: ctx.schema, world: ctx.world, fixtures: ctx.fixtures, families: fixture.families, readonly: fixture.facts.readonly };
  for (const actor of actors) {
    const person = actor === 'anon' ? undefined : actor;
    const org = table.org !== undefined ? homeOrg(actor) : undefined;
    const own: RowPlan = { ...(person ? { person } : {}), owner: 'default', ...(org ? { org } : {}), slot: REQUEST_SLOT, viewer: actor };
    const users = userPlan(table, person);
    const built = insertRow(rowCtx, table, { ...own, ...(users ? { users } : {}), set: { column: 'updated_at', sql: CLIENT_TIME } });
    // a row whose where is not known yet: the first actor who may insert it as far as the rules tell
    if (!built.ok || decide(() => canInsert(facts, actor, built.facts)) === false) continue;
    const old = person !== undefined && ownerIsUnique(table) ? fixture.rows.find((r) => r.facts.owner === person) : undefined;
    const target = qualified(ctx.schema, table.name);
    const serverTime = rowsOf(["the server's time"]);
    const { oracle } = judge(table, built.sql, (w) => canInsert(facts, actor, measured(built.facts, w)));
    return [
      {
        subject: table.name,
        actor,
        operation: 'insert own row with updated_at of 2000',
        expected: serverTime,
        ...(oracle === undefined
          ? {}
          : {
              oracle: {
                sql: oracle.sql,
                expected: (rows) => {
                  const may = oracle.expected(rows);
                  return 'untested' in may || may.kind === 'allowed'
                    ? 'untested' in may
                      ? may
                      : serverTime
                    : { untested: 'the rules do not let this actor insert the row' };
                },
              },
            }),
        ...(old ? { prepare: `DELETE FROM ${target} WHERE ${keyOf(table).match(old)}` } : {}),
        run: async (query: Query): Promise<Actual> => {
          await query(built.sql);
          // read back as the tables' owner (the actor may not read rows back): the savepoint restores the role
          await query('RESET ROLE');
          const [row] = await query(`SELECT count(*)::int AS n FROM ${target} WHERE updated_at = ${CLIENT_TIME}`);
          return rowsOf([Number(row?.n ?? 0) > 0 ? "the client's time" : "the server's time"]);
        },
      },
    ];
  }
  return [];
}

const hasServerTimestamp = (table: Table): boolean =>
  table.triggers.some((t) => t.function === 'set_updated_at') && table.columns.some((c) => c.name === 'updated_at');
