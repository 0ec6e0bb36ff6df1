/**
 * The output columns of a SELECT (a materialized view's query), from its
 * parse tree alone: their names as Postgres gives them (an alias, else the
 * column's or function's name, …) and their types (expressionTypes.ts). The
 * relations the query reads come from `RelationLookup`: the model's tables
 * and views. Columns are undefined when a `*` covers a relation the tool does
 * not know, since then it cannot even name them.
 */
import { isSqlObject, nodeKind } from '../../sql/parser.js';
import type { SqlNode, SqlObject } from '../../sql/parser.js';
import { expressionType, names } from './expressionTypes.js';
import type { ExpressionScope } from './expressionTypes.js';
import type { PgTypeName } from './pgTypes.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: PgTypeName;
}

/** A relation's columns; undefined when unknown. */
export type Columns = readonly OutputColumn[] | undefined;

/** The columns of a relation a query names (`schema` undefined when unqualified). */
export type RelationLookup = (schema: string | undefined, name: string) => Columns;

/** A relation of a FROM clause, under the name the query refers to it by. */
interface FromItem {
  readonly alias: string;
  readonly columns: Columns;
  /** Columns a `*` leaves out: the right side's USING columns, which the join shows once. */
  readonly hidden?: ReadonlySet<string>;
}

interface Scope {
  readonly from: readonly FromItem[];
  readonly ctes: ReadonlyMap<string, Columns>;
  readonly outer?: Scope;
}

const list = (node: SqlNode | undefined): SqlNode[] => (Array.isArray(node) ? node : []);
const selectOf = (node: SqlNode | undefined): SqlObject | undefined =>
  isSqlObject(node) && isSqlObject(node.SelectStmt) ? node.SelectStmt : isSqlObject(node) && node.targetList !== undefined ? node : undefined;

/** `AS alias(a, b)` renames the first columns. */
function renamed(columns: Columns, alias: SqlNode | undefined): Columns {
  const colnames = isSqlObject(alias) ? names(alias.colnames) : [];
  if (columns === undefined || colnames.length === 0) return columns;
  return columns.map((c, i) => ({ ...c, name: colnames[i] ?? c.name }));
}

function columnType(scope: Scope | undefined, fields: readonly string[]): PgTypeName {
  for (let s = scope; s !== undefined; s = s.outer) {
    const column = fields[fields.length - 1];
    const qualifier = fields.length > 1 ? fields[fields.length - 2] : undefined;
    const items = qualifier === undefined ? s.from : s.from.filter((f) => f.alias === qualifier);
    for (const item of items) {
      // A column of a relation the tool does not know may be any of them: unknown, not another scope's.
      if (item.columns === undefined) return undefined;
      const found = item.columns.find((c) => c.name === column);
      if (found !== undefined) return found.type;
    }
    if (qualifier !== undefined && items.length > 0) return undefined;
  }
  return undefined;
}

function expressionScope(scope: Scope, lookup: RelationLookup): ExpressionScope {
  return {
    column: (fields) => columnType(scope, fields),
    subquery: (select) => selectColumns(select, lookup, scope)?.map((c) => c.type),
  };
}

function fromItems(node: SqlNode | undefined, lookup: RelationLookup, scope: Scope): FromItem[] {
  if (!isSqlObject(node)) return [];
  const kind = nodeKind(node);
  const inner = node[kind];
  if (!isSqlObject(inner)) return [];
  const aliasName = isSqlObject(inner.alias) && typeof inner.alias.aliasname === 'string' ? inner.alias.aliasname : undefined;
  if (kind === 'RangeVar') {
    const relname = String(inner.relname);
    const schema = typeof inner.schemaname === 'string' ? inner.schemaname : undefined;
    const cte = schema === undefined && scope.ctes.has(relname);
    const columns = cte ? scope.ctes.get(relname) : lookup(schema, relname);
    return [{ alias: aliasName ?? relname, columns: renamed(columns, inner.alias) }];
  }
  if (kind === 'RangeSubselect') {
    const select = selectOf(inner.subquery);
    const columns = select === undefined ? undefined : selectColumns(select, lookup, { from: [], ctes: scope.ctes, outer: scope.outer });
    return [{ alias: aliasName ?? '', columns: renamed(columns, inner.alias) }];
  }
  if (kind === 'JoinExpr') {
    const using = new Set(names(inner.usingClause));
    const right = fromItems(inner.rarg, lookup, scope).map((item) => (using.size > 0 ? { ...item, hidden: using } : item));
    return [...fromItems(inner.larg, lookup, scope), ...right];
  }
  // A function in FROM (generate_series, …): its columns are unknown.
  return [{ alias: aliasName ?? '', columns: undefined }];
}

/** What `*` or `alias.*` stands for. */
function star(scope: Scope, qualifier: string | undefined): Columns {
  const items = qualifier === undefined ? scope.from : scope.from.filter((f) => f.alias === qualifier);
  const out: OutputColumn[] = [];
  for (const item of items) {
    if (item.columns === undefined) return undefined;
    out.push(...item.columns.filter((c) => !item.hidden?.has(c.name)));
  }
  return out;
}

/** The columns a SELECT returns; undefined when the tool cannot name them all. */
export function selectColumns(select: SqlObject, lookup: RelationLookup, outer?: Scope): Columns {
  // UNION, INTERSECT, EXCEPT: named and typed by their first branch.
  if (select.op !== undefined && select.op !== 'SETOP_NONE') {
    const first = selectOf(select.larg);
    return first === undefined ? undefined : selectColumns(first, lookup, outer);
  }
  const ctes = new Map(outer?.ctes ?? []);
  const withClause = isSqlObject(select.withClause) ? select.withClause : undefined;
  for (const item of list(withClause?.ctes)) {
    const cte = isSqlObject(item) && isSqlObject(item.CommonTableExpr) ? item.CommonTableExpr : undefined;
    if (cte === undefined) continue;
    const query = selectOf(cte.ctequery);
    const columns = query === undefined ? undefined : selectColumns(query, lookup, { from: [], ctes, ...(outer ? { outer } : {}) });
    const aliases = names(cte.aliascolnames);
    ctes.set(
      String(cte.ctename),
      columns?.map((c, i) => ({ ...c, name: aliases[i] ?? c.name })),
    );
  }
  const empty: Scope = { from: [], ctes, ...(outer ? { outer } : {}) };
  const values = list(select.valuesLists)[0];
  if (values !== undefined) {
    const row = isSqlObject(values) && isSqlObject(values.List) ? list(values.List.items) : [];
    return row.map((v, i) => ({ name: `column${i + 1}`, type: expressionType(v, expressionScope(empty, lookup)) }));
  }
  const scope: Scope = { ...empty, from: list(select.fromClause).flatMap((f) => fromItems(f, lookup, empty)) };
  const out: OutputColumn[] = [];
  for (const item of list(select.targetList)) {
    const target = isSqlObject(item) && isSqlObject(item.ResTarget) ? item.ResTarget : undefined;
    if (target === undefined) return undefined;
    const ref = isSqlObject(target.val) && isSqlObject(target.val.ColumnRef) ? list(target.val.ColumnRef.fields) : [];
    const last = ref[ref.length - 1];
    if (isSqlObject(last) && last.A_Star !== undefined) {
      const expanded = star(scope, names(ref).at(-1));
      if (expanded === undefined) return undefined;
      out.push(...expanded);
      continue;
    }
    const name = typeof target.name === 'string' ? target.name : (columnName(target.val)?.name ?? '?column?');
    // An untyped NULL becomes a text column.
    const isNull = isSqlObject(target.val) && isSqlObject(target.val.A_Const) && target.val.A_Const.isnull === true;
    out.push({ name, type: isNull ? 'text' : expressionType(target.val, expressionScope(scope, lookup)) });
  }
  return out;
}

const SQL_VALUE_NAMES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/**
 * The name Postgres gives an output column without an alias, and how sure
 * that name is (a cast's type name gives way to its argument's own name).
 */
function columnName(node: SqlNode | undefined): { name: string; strength: 1 | 2 } | undefined {
  if (!isSqlObject(node)) return undefined;
  const kind = nodeKind(node);
  const inner = node[kind];
  if (!isSqlObject(inner)) return undefined;
  const named = (name: string | undefined) => (name === undefined ? undefined : { name, strength: 2 as const });
  switch (kind) {
    case 'ColumnRef': {
      const fields = list(inner.fields);
      const last = fields[fields.length - 1];
      return isSqlObject(last) && isSqlObject(last.String) ? named(String(last.String.sval)) : undefined;
    }
    case 'A_Indirection': {
      const last = list(inner.indirection).at(-1);
      return isSqlObject(last) && isSqlObject(last.String) ? named(String(last.String.sval)) : columnName(inner.arg);
    }
    case 'FuncCall':
      return named(names(inner.funcname).at(-1));
    case 'TypeCast': {
      const argument = columnName(inner.arg);
      if (argument !== undefined && argument.strength > 1) return argument;
      const type = isSqlObject(inner.typeName) ? names(inner.typeName.names).at(-1) : undefined;
      return type === undefined ? argument : { name: type, strength: 1 };
    }
    case 'CollateClause':
      return columnName(inner.arg);
    case 'CaseExpr':
      return { name: 'case', strength: 1 };
    case 'CoalesceExpr':
      return named('coalesce');
    case 'MinMaxExpr':
      return named(inner.op === 'IS_GREATEST' ? 'greatest' : 'least');
    case 'A_Expr':
      return inner.kind === 'AEXPR_NULLIF' ? named('nullif') : undefined;
    case 'A_ArrayExpr':
      return named('array');
    case 'RowExpr':
      return named('row');
    case 'GroupingFunc':
      return named('grouping');
    case 'SQLValueFunction':
      return named(SQL_VALUE_NAMES[String(inner.op)]);
    case 'SubLink': {
      if (inner.subLinkType === 'EXISTS_SUBLINK') return named('exists');
      if (inner.subLinkType === 'ARRAY_SUBLINK') return named('array');
      const first = list(selectOf(inner.subselect)?.targetList)[0];
      const target = isSqlObject(first) && isSqlObject(first.ResTarget) ? first.ResTarget : undefined;
      if (inner.subLinkType !== 'EXPR_SUBLINK' || target === undefined) return undefined;
      // The subquery's own column name, "?column?" included.
      return named(typeof target.name === 'string' ? target.name : (columnName(target.val)?.name ?? '?column?'));
    }
    default:
      return undefined;
  }
}
