/**
 * What a table's access asks of its columns beyond policies: the columns a
 * term's `where` reads (indexed like the owner column), and the column guard
 * with its column grants for `readonly` and `immutable` fields (and, on a
 * table whose access uses terms, its owner column).
 */
import type { EntityInput } from './input.js';
import type { Column, ColumnGuard, Grants } from './model.js';
import { OPERATIONS, fieldSpec } from './resolve.js';
import type { EffectiveAccess } from './resolve.js';
import { sqlReads } from '../sql/meaning.js';
import type { TableContext } from './tables.js';
import { FUNCTION_SPACE } from './names.js';

/** Columns the terms' `where` conditions compare: indexed like the owner column. */
export function whereColumns(access: EffectiveAccess, columns: readonly Column[]): string[] {
  // json has no btree operator class: a where over a json column gets no index (nor could it use one).
  const names = new Set(columns.filter((c) => c.type.base !== 'json').map((c) => c.name));
  const out: string[] = [];
  for (const op of OPERATIONS) {
    for (const term of access[op]) {
      if (term.where === undefined) continue;
      for (const column of sqlReads(term.where, 'expression')?.columns ?? []) if (names.has(column)) out.push(column);
    }
  }
  return out;
}

/**
 * The table's column guard, when the API roles must not write some columns:
 * `readonly` fields, `immutable` ones, and the owner column of a table whose
 * access uses terms (a seller who may update an order must not hand it to
 * another buyer).
 */
export function columnGuard(
  ctx: TableContext,
  table: string,
  entity: EntityInput,
  columns: readonly Column[],
  owner: string | undefined,
  terms: boolean,
): ColumnGuard | undefined {
  const fields = entity.fields ?? {};
  const flag = (c: Column, key: 'readonly' | 'immutable') => {
    const raw = Object.hasOwn(fields, c.name) ? fields[c.name] : undefined;
    return raw !== undefined && fieldSpec(raw)[key] === true;
  };
  const readonly = columns.filter((c) => flag(c, 'readonly'));
  const immutable = columns.filter((c) => !flag(c, 'readonly') && (flag(c, 'immutable') || (terms && c.name === owner))).map((c) => c.name);
  if (readonly.length === 0 && immutable.length === 0) return undefined;
  const name = ctx.names.derive(FUNCTION_SPACE, [ctx.schema, table], 'guard');
  const guard: ColumnGuard = {
    kind: 'column-guard',
    name,
    table,
    readonly,
    immutable,
    columns: columns.filter((c) => readonly.includes(c) || immutable.includes(c.name)),
  };
  ctx.guards.push(guard);
  return guard;
}

/** INSERT and UPDATE granted on the columns the API roles may write, when a guard keeps them off some. */
export function withColumnGrants(grants: Grants, columns: readonly Column[], guard: ColumnGuard | undefined): Grants {
  if (!guard) return grants;
  const readonly = new Set(guard.readonly.map((c) => c.name));
  const all = columns.map((c) => c.name);
  const insert = all.filter((c) => !readonly.has(c));
  const update = insert.filter((c) => !guard.immutable.includes(c));
  // A privilege on no column cannot be written (`UPDATE ()`), and a request with no column to write is
  // then refused on one target and not the other: every column is fixed, so the guard alone keeps them.
  return { ...grants, columns: { insert: insert.length > 0 ? insert : all, update: update.length > 0 ? update : all } };
}
