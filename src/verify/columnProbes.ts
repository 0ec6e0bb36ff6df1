/**
 * Writes to the columns the API never writes (access-rules.md §3): an insert
 * that sets a `readonly` field to something else than its default, and, by
 * every actor who may otherwise update a row, an update that changes a
 * `readonly` or `immutable` field or — on an entity whose access uses terms —
 * the owner field. Each must be refused with a permission error (42501), by
 * the column privileges PostgREST respects or by the table's guard trigger,
 * whichever comes first; neither silently ignores the write.
 */
import type { Column } from '../model/model.js';
import { ident, literal } from '../sql/quote.js';
import type { EntityKit } from './entityProbes.js';
import { typedText } from './rows.js';
import { defaultSql } from '../render/prepare/tables.js';
import { candidates } from './termFixtures.js';

/**
 * A value for `column` other than the one it holds: `CASE WHEN col IS
 * DISTINCT FROM x THEN x ELSE y END` over two values that exist (two users,
 * two parent rows, two values of its type), so that a guard that lets the
 * write through is seen writing, not refused by a foreign key.
 */
function otherValue(kit: EntityKit, column: Column): string | undefined {
  const fk = kit.fixture.table.foreignKeys.find((f) => f.column === column.name);
  let pair: string[];
  if (fk?.target.schema === 'auth') {
    const { a, b } = kit.ctx.world.users;
    pair = [`${literal(a)}::uuid`, `${literal(b)}::uuid`];
  } else if (fk !== undefined) {
    const parent = kit.ctx.fixtures.get(fk.target.table);
    const keyColumn = parent?.table.columns.find((c) => c.name === fk.target.column);
    if (parent === undefined || keyColumn === undefined) return undefined;
    pair = parent.rows.slice(0, 2).map((r) => typedText(r.keyValues[fk.target.column] ?? '', keyColumn));
  } else {
    pair = candidates(kit.fixture.table, column, true)
      .filter((c) => c.sql !== 'NULL')
      .slice(0, 2)
      .map((c) => c.sql);
  }
  return differentFrom(column, ident(column.name), pair);
}

/**
 * `CASE WHEN from IS DISTINCT FROM x THEN x ELSE y END`, each value cast to the column's type (a CASE
 * over an untyped literal and an integer is an integer, which '-.3' is not); json compared as text,
 * as the guard compares it (json has no equality operator).
 */
function differentFrom(column: Column, from: string, [x, y]: readonly (string | undefined)[]): string | undefined {
  if (x === undefined) return undefined;
  const typed = (sql: string) => `(${sql})::${column.type.sql}`;
  const compared = (sql: string) => (column.type.base === 'json' ? `(${sql})::text` : sql);
  return `CASE WHEN ${compared(from)} IS DISTINCT FROM ${compared(typed(x))} THEN ${typed(x)} ELSE ${y === undefined ? 'NULL' : typed(y)} END`;
}

/**
 * One of the candidates that differs from the column's default, as the guard compares them
 * (json as text): a client that sends the default itself sends nothing the guard can tell.
 */
function notDefault(column: Column, values: readonly { readonly sql: string }[]): string | undefined {
  // Chosen by the database, not by the text: a default given as SQL (`NOT false`, `1 + 1`) or one the column
  // rounds (numeric(4)) may equal a candidate written otherwise. (A plain value was sent for a while, as a
  // CASE was blamed for a syntax error at '[' that was a column named __proto__: src/verify/records.ts.)
  const pair = values.filter((c) => c.sql !== 'NULL').map((c) => c.sql);
  if (column.default === undefined) return pair[0];
  return differentFrom(column, `(${defaultSql(column.type, column.default)})::${column.type.sql}`, pair);
}

/** Inserts that set a read-only field to a value other than its default: refused. */
export function readonlyInserts(kit: EntityKit): void {
  const { table, facts } = kit.fixture;
  for (const name of facts.readonly) {
    // a read-only owner column: "insert a row owned by …" sends it (the owner's own probes)
    if (name === table.owner) continue;
    const column = table.columns.find((c) => c.name === name);
    if (column === undefined) continue;
    const fk = table.foreignKeys.find((f) => f.column === name);
    // a value its default is not: a user, for a reference to auth.users; else one of its type
    const value = fk?.target.schema === 'auth' ? `${literal(kit.ctx.world.users.a)}::uuid` : notDefault(column, candidates(table, column));
    if (value === undefined) continue;
    for (const actor of kit.actors) {
      if (!kit.mayInsert(actor)) continue;
      const own = kit.ownPlan(actor);
      const person = actor === 'anon' ? undefined : actor;
      kit.insert(actor, `insert own row with read-only ${name} set`, { ...own, columns: { ...own.columns, [name]: value } }, person, [name]);
    }
  }
}

/** Updates that change a read-only or immutable field (the owner field too, on an entity using terms): refused. */
export function fixedColumnUpdates(kit: EntityKit): void {
  const { table, facts, rows } = kit.fixture;
  if (facts.fixed.length === 0) return;
  for (const actor of kit.actors) {
    const row = rows.find((r) => kit.mayUpdate(actor, r));
    if (row === undefined) continue;
    for (const name of facts.fixed) {
      // the actor's own row handed over is a request of its own ("hand own row to …")
      if (name === table.owner && row.facts.owner === actor) continue;
      const column = table.columns.find((c) => c.name === name);
      const value = column === undefined ? undefined : otherValue(kit, column);
      if (value === undefined) continue;
      const kind = facts.readonly.includes(name) ? 'read-only' : 'immutable';
      kit.update(actor, `change ${kind} ${name} of ${row.label}`, row, {}, `${ident(name)} = ${value}`, [name]);
    }
  }
}
