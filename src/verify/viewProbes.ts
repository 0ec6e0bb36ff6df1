/**
 * Materialized views have no RLS: whoever can select one sees every row. The
 * promise is that a view is readable through the API only when its `access`
 * says so. (The materialized view itself sits in a schema PostgREST does not
 * expose; readers of its exposed view need SELECT on it, so it is not probed.)
 *
 * A view readable per user (`access: { user: COLUMN }`) must serve each user
 * only the rows whose column is their id. verify does not REFRESH it: the
 * refresh would recompute the whole query and hold an ACCESS EXCLUSIVE lock
 * on the view, blocking the API's reads of it until verify's transaction
 * ends. So the test users, who are new, own none of its rows; what verify
 * shows is that user A is served none of the rows it holds for others —
 * when it holds any (refreshed by its job since rows exist), else the
 * request is not tested, saying so.
 */
import type { Database } from '../db/database.js';
import type { MaterializedView } from '../model/model.js';
import { qualified } from '../sql/quote.js';
import { DatabaseError } from '../db/errors.js';
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

/** Why the rows of others cannot be shown hidden from user A, or undefined when the view holds some. */
async function nothingToHide(db: Database, privateSchema: string, view: MaterializedView): Promise<string | undefined> {
  await db.exec('SAVEPOINT altan_verify_view');
  try {
    const [row] = await db.query<{ some: boolean }>(`SELECT EXISTS (SELECT FROM ${qualified(privateSchema, view.name)}) AS some`);
    return row?.some
      ? undefined
      : 'the materialized view holds no rows yet (verify does not refresh it: a refresh would lock it against the API until verify ends)';
  } catch (e) {
    if (!(e instanceof DatabaseError)) throw e;
    return `its materialized view cannot be read: ${e.message}`;
  } finally {
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_view; RELEASE SAVEPOINT altan_verify_view');
  }
}

/** For a per-user view: user A, a new user, is served none of its rows (all of them someone else's). */
export async function viewUserProbes(db: Database, schema: string, privateSchema: string, view: MaterializedView): Promise<Probe[]> {
  if (view.userColumn === undefined) return [];
  const subject = `view ${view.name}`;
  const operation = `read rows whose ${view.userColumn} is another user`;
  const why = await nothingToHide(db, privateSchema, view);
  if (why !== undefined) return [untested(subject, 'a', operation, why)];
  return [
    {
      subject,
      actor: 'a',
      operation,
      expected: rowsOf([]),
      run: async (q) => {
        const [row] = await q(`SELECT count(*)::int AS n FROM ${qualified(schema, view.name)}`);
        const n = Number(row?.n ?? 0);
        return rowsOf(n === 0 ? [] : [`${n} of others`]);
      },
    },
  ];
}
