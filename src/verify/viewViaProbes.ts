/**
 * A materialized view readable through a reference (`access: { via: COLUMN,
 * references: ENTITY }`) must serve each caller exactly the rows whose column
 * is the key of an ENTITY row they may read (../shared/access-rules.md §5):
 * every actor of the world, anon included, reads the API view and is served
 * the test rows' aggregates it may read, none of others', and never a row
 * whose column is NULL. Which test rows the view holds is measured as the
 * connection's own user (the view is refreshed first when it holds nothing,
 * as for per-user views: viewProbes.ts); rows of real data are not judged.
 */
import type { Database } from '../db/database.js';
import { isRefusal } from '../db/sessionTimeouts.js';
import type { MaterializedView } from '../model/model.js';
import { ident, literal, qualified } from '../sql/quote.js';
import { decide, parentGrants } from './expect.js';
import type { TableFixture } from './fixtures.js';
import { rowsOf, untested } from './probe.js';
import type { Probe } from './probe.js';
import { viaRows } from './viaRows.js';
import type { ViaRow } from './viaRows.js';
import type { World } from './world.js';
import { ALL_ACTORS } from './world.js';

/**
 * The keys among `rows` that the view holds a row for, as the connection's own user sees it, and
 * whether it holds rows whose column is NULL; a string: why it cannot be known.
 */
async function keysInView(db: Database, relation: string, column: string, keyIn: string): Promise<{ keys: Set<string>; nulls: boolean } | string> {
  const inView = `SELECT DISTINCT ${column}::text AS key FROM ${relation} WHERE ${keyIn} UNION ALL (SELECT NULL FROM ${relation} WHERE ${column} IS NULL LIMIT 1)`;
  await db.exec('SAVEPOINT altan_verify_view_via');
  try {
    const [row] = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT FROM ${relation}) AS any`);
    // An empty view is refreshed inside verify's transaction (rolled back with it): its rows are then the test world's.
    if (row?.any !== true) await db.exec(`REFRESH MATERIALIZED VIEW ${relation}`);
    const found = await db.query<{ key: string | null }>(inView);
    await db.exec('RELEASE SAVEPOINT altan_verify_view_via');
    return { keys: new Set(found.flatMap((r) => (r.key === null ? [] : [r.key]))), nulls: found.some((r) => r.key === null) };
  } catch (e) {
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_view_via; RELEASE SAVEPOINT altan_verify_view_via');
    if (!isRefusal(e)) throw e;
    return `its materialized view cannot be read or refreshed: ${e.message}`;
  }
}

export async function viewViaProbes(
  db: Database,
  schemas: { readonly schema: string; readonly privateSchema: string },
  view: MaterializedView,
  world: World,
  fixtures: ReadonlyMap<string, TableFixture>,
): Promise<Probe[]> {
  if (view.via === undefined) return [];
  const { column, entity } = view.via;
  const subject = `view ${view.name}`;
  const operation = `read: rows of ${entity} the caller may read (${column})`;
  const entityRows = viaRows(entity, world, fixtures);
  if (typeof entityRows === 'string') return [untested(subject, undefined, operation, entityRows)];
  const { rows, keyType } = entityRows;
  const col = ident(column);
  // Compared in the key's type, so that an index on the column serves it.
  const keyIn = (of: readonly ViaRow[]) => `${col} = ANY (ARRAY[${of.map((r) => literal(r.key)).join(', ')}]::${keyType}[])`;
  const found = await keysInView(db, qualified(schemas.privateSchema, view.name), col, keyIn(rows));
  if (typeof found === 'string') return [untested(subject, undefined, operation, found)];
  const held = rows.filter((r) => found.keys.has(r.key));
  // With no test row in it, the rows whose column is NULL are still never to be served.
  if (held.length === 0 && !found.nulls) return [untested(subject, undefined, operation, `the materialized view holds no row for a test row of ${entity}`)];
  const labels = new Map(held.map((r) => [r.key, r.label]));
  const named = held.length === 0 ? '' : `SELECT DISTINCT ${col}::text AS key FROM ${qualified(schemas.schema, view.name)} WHERE ${keyIn(held)} UNION ALL `;
  const served = `${named}SELECT NULL AS key FROM ${qualified(schemas.schema, view.name)} WHERE ${col} IS NULL`;
  return ALL_ACTORS.map((actor): Probe => {
    const readable = held.map((r) => decide(() => parentGrants(r.parent, actor, 'read')));
    if (readable.includes(undefined)) return untested(subject, actor, operation, `a row of ${entity} has a where not measured`);
    return {
      subject,
      actor,
      operation,
      expected: rowsOf(held.filter((_, i) => readable[i]).map((r) => r.label)),
      run: async (q) => {
        const keys = (await q(served)).map((r) => (r.key === null ? undefined : String(r.key)));
        const nulls = keys.filter((k) => k === undefined).length;
        const named = keys.flatMap((k) => (k === undefined ? [] : [labels.get(k) ?? `unexpected ${k}`]));
        return rowsOf([...new Set(named), ...(nulls > 0 ? [`${nulls} with ${column} NULL`] : [])]);
      },
    };
  });
}
