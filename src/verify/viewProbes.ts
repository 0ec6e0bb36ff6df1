/**
 * Materialized views have no RLS: whoever can select one sees every row. The
 * promise is that a view is readable through the API only when its `access`
 * says so. (The materialized view itself sits in a schema PostgREST does not
 * expose; readers of its exposed view need SELECT on it, so it is not probed.)
 *
 * A view readable per user (`access: { user: COLUMN }`) must serve each user
 * only the rows whose column is their id: user A is served their own rows and
 * none of others' (see rowsOfA for when the view is refreshed).
 */
import type { Database } from '../db/database.js';
import type { MaterializedView } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';
import { DatabaseError } from '../db/errors.js';
import { isRefusal } from '../db/sessionTimeouts.js';
import { expectIf, rowsOf, untested } from './probe.js';
import type { Actual, Probe, Query } from './probe.js';
import type { Actor } from './world.js';

/**
 * Nothing readable by that name is as closed as a refusal: no relation (42P01), or one that is
 * not a table or view (42809: an index of the exposed schema may bear a private view's name).
 */
async function readable(query: Query, relation: string): Promise<Actual> {
  try {
    await query(`SELECT 1 FROM ${relation} LIMIT 1`);
    return { kind: 'allowed' };
  } catch (e) {
    if (e instanceof DatabaseError && (e.code === '42P01' || e.code === '42809')) return { kind: 'denied', detail: 'not exposed' };
    throw e;
  }
}

export function viewProbes(schema: string, view: MaterializedView): Probe[] {
  const subject = `view ${view.name}`;
  return (['anon', 'a'] as const satisfies readonly Actor[]).map(
    (actor): Probe => ({
      subject,
      actor,
      operation: 'read',
      expected: expectIf(view.access === 'public' || (view.access === 'authenticated' && actor !== 'anon')),
      run: (q) => readable(q, qualified(schema, view.name)),
    }),
  );
}

/**
 * The view's rows of user A, as the connection's own user counts them; undefined (with why) when the view
 * holds no row at all. An empty view is refreshed first, inside verify's transaction (rolled back with it):
 * its rows are then made of the test world's, so that A's own rows can be shown served. Its ACCESS EXCLUSIVE
 * lock holds until verify ends, but on a view with no rows, which has nothing to serve meanwhile; a view
 * with rows is never refreshed (its readers are not kept waiting).
 */
async function rowsOfA(db: Database, privateSchema: string, view: MaterializedView, userA: string): Promise<{ mine: number } | { why: string }> {
  const q = qualified(privateSchema, view.name);
  const count = `SELECT count(*) FILTER (WHERE ${ident(view.userColumn ?? '')} = ${literal(userA)}::uuid)::int AS mine, count(*)::int AS n FROM ${q}`;
  await db.exec('SAVEPOINT altan_verify_view');
  try {
    let [row] = await db.query<{ mine: number; n: number }>(count);
    if (Number(row?.n ?? 0) === 0) {
      await db.exec(`REFRESH MATERIALIZED VIEW ${q}`);
      [row] = await db.query<{ mine: number; n: number }>(count);
    }
    await db.exec('RELEASE SAVEPOINT altan_verify_view');
    return Number(row?.n ?? 0) === 0 ? { why: 'the materialized view holds no rows, even refreshed with the test rows' } : { mine: Number(row?.mine ?? 0) };
  } catch (e) {
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_view; RELEASE SAVEPOINT altan_verify_view');
    if (!isRefusal(e)) throw e;
    return { why: `its materialized view cannot be read or refreshed: ${e.message}` };
  }
}

/** For a per-user view: user A is served their own rows of it, and none of anyone else's. */
export async function viewUserProbes(db: Database, schema: string, privateSchema: string, view: MaterializedView, userA: string): Promise<Probe[]> {
  if (view.userColumn === undefined) return [];
  const subject = `view ${view.name}`;
  const operation = `read: own rows only (${view.userColumn})`;
  const found = await rowsOfA(db, privateSchema, view, userA);
  if ('why' in found) return [untested(subject, 'a', operation, found.why)];
  const column = ident(view.userColumn);
  return [
    {
      subject,
      actor: 'a',
      operation,
      expected: rowsOf(found.mine > 0 ? [`${found.mine} own`] : []),
      run: async (q) => {
        const [row] = await q(
          `SELECT count(*) FILTER (WHERE ${column} = (select auth.uid()))::int AS mine, count(*) FILTER (WHERE ${column} IS DISTINCT FROM (select auth.uid()))::int AS others FROM ${qualified(schema, view.name)}`,
        );
        const mine = Number(row?.mine ?? 0);
        const others = Number(row?.others ?? 0);
        return rowsOf([...(mine > 0 ? [`${mine} own`] : []), ...(others > 0 ? [`${others} of others`] : [])]);
      },
    },
  ];
}
