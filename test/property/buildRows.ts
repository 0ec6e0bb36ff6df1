/**
 * Seed rows of a generated entity, made to insert: every primary-key column
 * given and distinct, every column a CHECK or NOT NULL needs given, and each
 * column of a unique constraint or unique index (`distinct`) given a value of
 * its own in every row — distinct as Postgres compares them (pgValues.ts), not
 * only as written. Owners are users the test creates before applying; the
 * implicit id comes from the spec's uuids.
 */
import { put } from './documents.js';
import type { EntitySpec } from './entitySpecs.js';
import { expectedConstant } from './expected.js';
import type { LiteralCheck } from './expected.js';
import type { Json, TypeSpec } from './values.js';

/** Types whose equality the generator knows (pgValues.ts `dbKey`; for arrays, of their items): a unique column of seeded rows needs it. */
export const seedable = (t: TypeSpec): boolean => !['interval', 'inet', 'json'].includes(t.base);

export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined);
}

export interface RowPlan {
  readonly table: string;
  readonly spec: EntitySpec;
  /** Declared primary key; undefined: the implicit id. */
  readonly pk?: readonly string[];
  /** The key is the owner, a user id (given from the spec's uuids, as the implicit id is). */
  readonly profile: boolean;
  readonly owner?: string;
  /** Values a row may take, per plain field (distinct by pgValues.ts `dbKey` where it is known). */
  readonly samples: ReadonlyMap<string, readonly Json[]>;
  readonly types: ReadonlyMap<string, TypeSpec>;
  /** Columns every row must give: required without a default, or under CHECK (… IS NOT NULL). */
  readonly needed: ReadonlySet<string>;
  /** Columns every row gives a value of its own (unique ones). */
  readonly distinct: ReadonlySet<string>;
}

/** The rows (none when the samples cannot make one), and a check for each value the SQL must hold. */
export function buildRows(plan: RowPlan, checks: LiteralCheck[]): Record<string, unknown>[] {
  const { spec: es, samples, distinct } = plan;
  const pk = plan.pk ?? ['id'];
  const implicitKey = plan.pk === undefined || plan.profile;
  const keySamples = implicitKey ? es.rowIds : (samples.get(pk[0] as string) ?? []);
  const possible = [...plan.needed, ...distinct, ...(implicitKey ? [] : pk)].every((c) => (samples.get(c) ?? []).length > 0) && keySamples.length > 0;
  const count = possible ? Math.min(es.rows, keySamples.length, ...[...distinct].map((c) => (samples.get(c) as Json[]).length)) : 0;
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < count; r++) {
    const row: Record<string, unknown> = {};
    const mask = es.rowMasks[r] as number;
    for (const [c, values] of samples) {
      const isKey = pk.includes(c);
      const take = isKey || plan.needed.has(c) || distinct.has(c) || ((mask >> [...samples.keys()].indexOf(c)) & 1) === 1;
      if (!take || values.length === 0) continue;
      // Row r takes sample r where values must differ between rows; any sample elsewhere.
      const value = ((isKey && c === pk[0]) || distinct.has(c) ? values[r] : values[(r + mask) % values.length]) as Json;
      put(row, c, value);
      const expected = expectedConstant(plan.types.get(c) as TypeSpec, value);
      if (expected) checks.push({ kind: 'row', table: plan.table, row: r, column: c, expected });
    }
    if (implicitKey) row.id = es.rowIds[r];
    if (plan.owner !== undefined && !plan.profile) put(row, plan.owner, es.rowUsers[r]);
    if (mask % 5 === 0 && es.timestamps !== false) row.created_at = '2024-01-31 10:00:00+00:00';
    rows.push(row);
  }
  return rows;
}
