/**
 * Rules about the columns that name a user: a `{ user: FIELD }` term compares
 * FIELD with `auth.uid()`, so it must be a user id (a declared field that
 * references auth.users); a per-user materialized view filters on a column its
 * query must give, and so does one filtered through an entity's rows.
 */
import { AUTH_USERS, ORGANIZATIONS, columnNames, fieldSpec, ownerField, referencedKey } from '../../model/resolve.js';
import { checkSqlFragment } from '../../sql/fragment.js';
import { isSqlObject } from '../../sql/parser.js';
import type { SqlNode, SqlObject } from '../../sql/parser.js';
import { didYouMean, fieldLabel, unknownEntityHint } from './context.js';
import type { RuleContext } from './context.js';
import { eachTerm, termLabel } from './terms.js';

export function userField(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (t.term?.kind !== 'user') return;
    const field = t.term.column;
    const { entityName: name, entity } = t;
    const path = [...t.path, 'user'];
    const subject = `${termLabel(t)} names "${field}"`;
    const fields = entity.fields ?? {};
    const raw = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (field === ownerField(entity)) {
      ctx.error(
        'user-field',
        `${subject}, the owner field of entity "${name}": write owner for its owner; a user term names another user column (a seller, an assignee)`,
        path,
      );
      return;
    }
    if (raw === undefined) {
      const implicit = columnNames(entity).includes(field);
      const users = Object.entries(fields).flatMap(([f, spec]) => (fieldSpec(spec).references === AUTH_USERS ? [f] : []));
      ctx.error(
        'user-field',
        implicit
          ? `${subject}, a column the tool adds itself, which holds no user id; name a declared field with references: auth.users`
          : `${subject}, which is not a field of entity "${name}"; declare it with references: auth.users${didYouMean(field, users.length > 0 ? users : Object.keys(fields))}`,
        path,
      );
      return;
    }
    // A declared type that is not uuid is reference-type's to report.
    if (fieldSpec(raw).references !== AUTH_USERS) {
      ctx.error(
        'user-field',
        `${subject}, but ${fieldLabel(name, field)} does not reference auth.users: a user term compares it with the caller's id; give it references: auth.users`,
        path,
      );
    }
  });
}

/**
 * The output column names of a view query, when its parse tree says them all
 * (an alias, a column, a cast column or a function call, as Postgres names
 * them); undefined when one is not certain (`*`, an unnamed expression, VALUES).
 */
function outputColumns(query: string): Set<string> | undefined {
  const parsed = checkSqlFragment(query, 'query');
  if (!parsed.ok) return undefined;
  let select: SqlNode | undefined = parsed.statements[0]?.stmt.SelectStmt;
  // A UNION takes its column names from its first SELECT.
  while (isSqlObject(select) && select.op !== undefined && select.op !== 'SETOP_NONE') select = select.larg;
  if (!isSqlObject(select) || !Array.isArray(select.targetList)) return undefined;
  const names = new Set<string>();
  for (const item of select.targetList) {
    const target = isSqlObject(item) ? item.ResTarget : undefined;
    if (!isSqlObject(target)) return undefined;
    const name = typeof target.name === 'string' ? target.name : derivedName(target.val);
    if (name === undefined) return undefined;
    names.add(name);
  }
  return names;
}

const lastName = (list: SqlNode | undefined): string | undefined => {
  const last = Array.isArray(list) ? list[list.length - 1] : undefined;
  const value = isSqlObject(last) && isSqlObject(last.String) ? last.String.sval : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** The name Postgres gives an unaliased output column, in the cases it is plain. */
function derivedName(val: SqlNode | undefined): string | undefined {
  if (!isSqlObject(val)) return undefined;
  const node = val as SqlObject;
  if (isSqlObject(node.ColumnRef)) return lastName(node.ColumnRef.fields);
  if (isSqlObject(node.TypeCast)) return derivedName(node.TypeCast.arg);
  if (isSqlObject(node.FuncCall)) return lastName(node.FuncCall.funcname);
  return undefined;
}

export function viewUserColumn(ctx: RuleContext): void {
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if (typeof view.access !== 'object' || !('user' in view.access) || view.query.includes('\u0000')) continue;
    const column = view.access.user;
    const columns = outputColumns(view.query);
    if (columns === undefined || columns.has(column)) continue;
    ctx.error(
      'view-user-column',
      `access of materialized view "${name}" filters on "${column}", which is not a column of its query (${[...columns].join(', ')}); name the column that holds the user id${didYouMean(column, [...columns])}`,
      ['materialized_views', name, 'access', 'user'],
    );
  }
}

/**
 * `{ via: COLUMN, references: ENTITY }` of a materialized view: the API view
 * keeps the rows whose COLUMN is the id of an ENTITY row the caller may read,
 * so COLUMN must be a column of the query and ENTITY an entity (or the
 * generated organizations, when some entity uses org access).
 */
export function viewVia(ctx: RuleContext): void {
  const entityNames = Object.keys(ctx.input.entities ?? {});
  const candidates = [...entityNames, ...(ctx.usesOrg ? [ORGANIZATIONS] : [])];
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if (typeof view.access !== 'object' || !('via' in view.access)) continue;
    const { via: column, references } = view.access;
    const path = ['materialized_views', name, 'access'];
    const columns = view.query.includes('\u0000') ? undefined : outputColumns(view.query);
    if (columns !== undefined && !columns.has(column)) {
      ctx.error(
        'view-via',
        `access of materialized view "${name}" goes through "${column}", which is not a column of its query (${[...columns].join(', ')}); name the column that holds the ${references} id${didYouMean(column, [...columns])}`,
        [...path, 'via'],
      );
    }
    if (candidates.includes(references)) {
      if (referencedKey(ctx.input, references) === undefined) {
        ctx.error(
          'view-via',
          `access of materialized view "${name}" references entity "${references}", whose primary key has several fields: a column names one row by its id; give that entity a single-field key`,
          [...path, 'references'],
        );
      }
      continue;
    }
    const hint = unknownEntityHint(references, candidates);
    ctx.error('view-via', `access of materialized view "${name}" references "${references}", which is not an entity of this file${hint}`, [
      ...path,
      'references',
    ]);
  }
}
