/**
 * The rows a `via` outside the entities can name — a bucket's folder, a
 * materialized view's column — in the test world: the fixture rows of the
 * entity, or the two generated organizations (whose `via` means membership),
 * each with its key as Postgres writes it as text and the facts the oracle
 * reads (`parentGrants`).
 */
import { ORGANIZATIONS } from '../model/resolve.js';
import type { ParentFacts } from './expect.js';
import type { TableFixture } from './fixtures.js';
import { primaryKey } from './fixtures.js';
import { organizationParent, parentFacts } from './rows.js';
import type { Person, World } from './world.js';
import { CREATOR } from './world.js';

export interface ViaRow {
  readonly label: string;
  /** The key as text: a uuid in lower case with its hyphens. */
  readonly key: string;
  readonly parent: ParentFacts;
  /** Whose row it is (an organization's creator): who puts files in its folder. */
  readonly person: Person;
}

/** The test rows of `entity`, and its key's SQL type; a string: why there are none. */
export function viaRows(entity: string, world: World, fixtures: ReadonlyMap<string, TableFixture>): { keyType: string; rows: ViaRow[] } | string {
  if (entity === ORGANIZATIONS) {
    const rows = (['X', 'Y'] as const).map((org) => ({
      label: `organization ${org}`,
      key: world.orgs[org],
      parent: organizationParent(org),
      person: CREATOR[org],
    }));
    return { keyType: 'uuid', rows };
  }
  const fixture = fixtures.get(entity);
  if (fixture === undefined) return `${entity} has no test rows`;
  if (fixture.untested !== undefined) return `${entity} has no test rows: ${fixture.untested}`;
  const [column] = primaryKey(fixture.table);
  const keyType = fixture.table.columns.find((c) => c.name === column)?.type.sql;
  if (column === undefined || keyType === undefined) return `${entity} has no primary key`;
  const rows = fixture.rows.map((row) => ({
    label: row.label,
    key: row.keyValues[column] ?? '',
    parent: parentFacts(fixture, row, column),
    person: row.person ?? 'a',
  }));
  return { keyType, rows };
}
