/**
 * The requests that exercise the terms beyond plain levels (access-rules.md
 * §1): inserts naming someone else (or oneself) in a `user` field, or setting
 * a column a create term's `where` reads to each of its values; updates that
 * hand a row's `user` field to someone else, or set a column a `where` reads
 * to each value — refused when the row would pass no update term afterwards
 * (an assignee handing a task on, a seller moving an order to a status the
 * `where` forbids) or could no longer be read. And the `where`s no fixture
 * row lets hold, or fail: said so, as not tested.
 */
import type { Table } from '../model/model.js';
import { ident, literal } from '../sql/quote.js';
import type { EntityKit } from './entityProbes.js';
import type { FixtureRow } from './fixtures.js';
import { untested } from './probe.js';
import type { Probe } from './probe.js';
import { candidates, whereColumns } from './termFixtures.js';
import { uncovered } from './whereFacts.js';
import type { Person } from './world.js';
import { otherPerson } from './world.js';

/** The `user` fields a request may set (not the owner field, not read-only ones). */
const userFields = (table: Table, never: readonly string[]): string[] => (table.userColumns ?? []).filter((c) => c !== table.owner && !never.includes(c));

export function termInserts(kit: EntityKit): void {
  const { table, facts } = kit.fixture;
  const users = userFields(table, facts.readonly);
  const columns = whereColumns(table, ['create'], kit.ctx.deferredForeignKeys).filter((c) => !facts.readonly.includes(c.name));
  if (users.length === 0 && columns.length === 0) return;
  for (const actor of kit.actors) {
    if (!kit.mayInsert(actor)) continue;
    const own = kit.ownPlan(actor);
    const person = actor === 'anon' ? undefined : actor;
    for (const field of person === undefined ? [] : users) {
      const named = own.users?.[field] ?? person;
      const other = named === person ? otherPerson(person as Person, table.org === undefined) : (person as Person);
      kit.insert(actor, `insert own row with ${field} = ${kit.ctx.world.labels[other]}`, { ...own, users: { ...own.users, [field]: other } }, person);
    }
    for (const column of columns) {
      for (const value of candidates(table, column, true)) {
        kit.insert(actor, `insert own row with ${column.name} = ${value.text}`, { ...own, columns: { ...own.columns, [column.name]: value.sql } }, person);
      }
    }
  }
}

export function termUpdates(kit: EntityKit): void {
  const { table, facts, rows } = kit.fixture;
  const users = userFields(table, facts.fixed);
  // an updated row must pass an update term, and stay readable: the `where`s of those
  const columns = whereColumns(table, ['read', 'update'], kit.ctx.deferredForeignKeys).filter((c) => !facts.fixed.includes(c.name));
  if (users.length === 0 && columns.length === 0) return;
  const persons = kit.actors.filter((a): a is Person => a !== 'anon');
  for (const actor of kit.actors) {
    for (const row of rows.filter((r: FixtureRow) => kit.mayUpdate(actor, r))) {
      for (const field of users) {
        const current = row.facts.users?.[field];
        const to = persons.find((p) => p !== current && p !== actor) ?? otherPerson(current ?? 'a', table.org === undefined);
        const change = { users: { ...row.facts.users, [field]: to } };
        kit.update(actor, `hand ${row.label} ${field} to ${kit.ctx.world.labels[to]}`, row, change, `${ident(field)} = ${literal(kit.ctx.world.users[to])}`, [
          field,
        ]);
      }
      for (const column of columns) {
        for (const value of candidates(table, column, true)) {
          kit.update(actor, `set ${column.name} of ${row.label} to ${value.text}`, row, {}, `${ident(column.name)} = ${value.sql}`, [column.name]);
        }
      }
    }
  }
}

/** A `where` of read, update or delete that no fixture row lets hold (or fail): its requests cannot show it applies. */
export function whereCoverage(table: Table, rows: readonly FixtureRow[]): Probe[] {
  return uncovered(table, rows).map(({ where, reason }) => untested(table.name, undefined, `requests on rows where ${where}`, reason));
}
