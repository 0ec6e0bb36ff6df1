/**
 * Materialized views have no RLS: whoever can select one sees every row. The
 * promise is that a view is readable through the API only when its `access`
 * says so. (The materialized view itself sits in a schema PostgREST does not
 * expose; readers of its exposed view need SELECT on it, so it is not probed.)
 */
import type { MaterializedView } from '../model/model.js';
import { qualified } from '../sql/quote.js';
import { DatabaseError } from '../db/errors.js';
import { expectIf } from './probe.js';
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
