/**
 * `via` outside the entities: a bucket's `{ via: ENTITY … }` (the object's first
 * folder) and a materialized view's `{ via: COLUMN, references: ENTITY }` (a
 * column of its rows). Both ask the same question the entities' `via` terms ask
 * (AccessHelpers.keySource), for each API role, and compare with the keys of
 * the helper it names, so the entity's rule is inherited, never copied.
 *
 * Unlike a foreign key, a folder or a view's column may name a row that does not
 * exist: where the entity's rule grants every row, the comparison still goes
 * through the ids helper (the keys of the rows there are), never "any value".
 */
import type { AccessHelpers } from './accessHelpers.js';
import { AccessHelpers as Helpers } from './accessHelpers.js';
import type { ApiRole, BucketVia, Condition } from './model.js';

type Can = BucketVia['can'];

/** The helper whose keys `role` reaches: `roles` its member_ids argument (null: any role; absent: none taken). */
export interface ReachedKeys {
  readonly helper: string;
  readonly roles?: readonly string[] | null;
  readonly except?: string;
}

/**
 * The keys of `entity` rows a caller with `role` may `can` (with `roles`: is a member of with one of them);
 * undefined: none. `caller`: the API role granted EXECUTE on the helper named (`role` unless said).
 */
export function reachedKeys(
  helpers: AccessHelpers,
  entity: string,
  can: Can,
  roles: readonly string[] | undefined,
  role: ApiRole,
  caller: ApiRole = role,
): ReachedKeys | undefined {
  const source = helpers.keySource(entity, can, roles, role, caller);
  if (source.kind === 'no-row') return undefined;
  if (source.kind === 'every-row') return { helper: helpers.ids(entity, can, role, caller) };
  return {
    helper: source.name,
    ...(source.roles !== undefined ? { roles: source.roles } : {}),
    ...(source.except !== undefined ? { except: source.except } : {}),
  };
}

/** storage.objects: the object's first folder is one of the keys, as text. */
export function folderKey(keys: ReachedKeys): Condition {
  return { kind: 'folder-key', ...keys };
}

/** A view's column is one of the keys (compared as the `via` terms of a table compare). */
export function columnKey(column: string, keys: ReachedKeys): Condition {
  const { helper, ...rest } = keys;
  return Helpers.keyCondition(column, { kind: 'helper', name: helper, ...rest });
}
