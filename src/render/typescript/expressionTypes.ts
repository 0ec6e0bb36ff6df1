/**
 * The type of an expression of a view's query, told from its parse tree the
 * way Postgres would resolve it, as far as the TypeScript type needs: a
 * column's type, a cast, a literal, an operator, an aggregate or a common
 * function. What it cannot tell is undefined (`unknown` in the types); a cast
 * in the query (`::numeric`) always tells.
 */
import { isSqlObject, nodeKind } from '../../sql/parser.js';
import type { SqlNode, SqlObject } from '../../sql/parser.js';
import { castTypeName, isArray, isDateTime, isNumeric } from './pgTypes.js';
import type { PgTypeName } from './pgTypes.js';
import { FIXED_RESULTS, SAME_AS_ARGUMENT, SAME_AS_ARRAY, SQL_VALUE_FUNCTIONS } from './functionTypes.js';

/** What an expression can refer to: the columns in scope and subqueries. */
export interface ExpressionScope {
  /** The type of a column reference (`[alias, column]` or `[column]`); undefined when unknown. */
  column(fields: readonly string[]): PgTypeName;
  /** The output columns' types of a subquery (undefined when unknown). */
  subquery(select: SqlObject): readonly PgTypeName[] | undefined;
}

/** The strings of a name list (`[{String: {sval}}]`). */
export function names(list: SqlNode | undefined): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => (isSqlObject(item) && isSqlObject(item.String) && typeof item.String.sval === 'string' ? [item.String.sval] : []));
}

const list = (node: SqlNode | undefined): SqlNode[] => (Array.isArray(node) ? node : []);

const BOOLEAN_OPERATORS = new Set('= <> != < > <= >= ~ ~* !~ !~* ~~ ~~* !~~ !~~* @> <@ && ? ?| ?& @@ @?'.split(' '));

/** The type Postgres resolves several values to (COALESCE, CASE, ARRAY[...]): the first one typed by more than a literal. */
function commonType(nodes: readonly SqlNode[], scope: ExpressionScope): PgTypeName {
  const typed = nodes.map((n) => ({ literal: isSqlObject(n) && nodeKind(n) === 'A_Const', type: expressionType(n, scope) }));
  return typed.find((t) => !t.literal && t.type !== undefined)?.type ?? typed.find((t) => t.type !== undefined)?.type;
}

/** int + numeric is numeric, any float makes float8, … (the TypeScript type is number whichever). */
function numericResult(left: string, right: string): string {
  for (const wider of ['numeric', 'float8', 'float4', 'int8', 'int4']) if (left === wider || right === wider) return wider;
  return left;
}

function arithmetic(operator: string, left: PgTypeName, right: PgTypeName): PgTypeName {
  if (left === undefined) return operator === '-' || operator === '+' ? right : undefined;
  if (right === undefined) return undefined;
  if (isNumeric(left) && isNumeric(right)) return numericResult(left, right);
  const additive = operator === '+' || operator === '-';
  if (left === 'date' && right === 'date' && operator === '-') return 'int4';
  if (left === 'date' && isNumeric(right) && additive) return 'date';
  if (isDateTime(left) && right === 'interval' && additive) return left === 'date' ? 'timestamp' : left;
  if (left === 'interval' && isDateTime(right) && operator === '+') return right === 'date' ? 'timestamp' : right;
  if ((left === 'timestamp' || left === 'timestamptz') && left === right && operator === '-') return 'interval';
  if (left === 'interval' && (right === 'interval' || isNumeric(right))) return 'interval';
  if (isNumeric(left) && right === 'interval' && operator === '*') return 'interval';
  return undefined;
}

function operatorType(node: SqlObject, scope: ExpressionScope): PgTypeName {
  const kind = node.kind;
  if (kind === 'AEXPR_NULLIF') return expressionType(node.lexpr, scope);
  if (kind !== 'AEXPR_OP') return 'bool'; // IN, LIKE, BETWEEN, IS DISTINCT FROM, = ANY (...): all tests
  const operator = names(node.name).at(-1) ?? '';
  if (BOOLEAN_OPERATORS.has(operator)) return 'bool';
  const left = node.lexpr === undefined ? undefined : expressionType(node.lexpr, scope);
  const right = expressionType(node.rexpr, scope);
  if (operator === '->>' || operator === '#>>') return 'text';
  if (operator === '->' || operator === '#>' || operator === '#-' || (operator === '-' && (left === 'jsonb' || left === 'json'))) return left;
  if (operator === '||') {
    if (isArray(left)) return left;
    if (isArray(right)) return right;
    return left === 'jsonb' || right === 'jsonb' ? 'jsonb' : 'text';
  }
  return ['+', '-', '*', '/', '%', '^'].includes(operator) ? arithmetic(operator, left, right) : undefined;
}

function functionType(node: SqlObject, scope: ExpressionScope): PgTypeName {
  const name = (names(node.funcname).at(-1) ?? '').toLowerCase();
  const args = list(node.args);
  const fixed = FIXED_RESULTS.get(name);
  if (fixed !== undefined) return fixed;
  const first = args.length > 0 ? expressionType(args[0], scope) : undefined;
  if (SAME_AS_ARGUMENT.has(name)) return first;
  if (name === 'sum') return first === 'int2' || first === 'int4' ? 'int8' : first === 'int8' ? 'numeric' : first;
  if (name === 'avg') return first === 'float4' || first === 'float8' ? 'float8' : first === 'interval' ? 'interval' : isNumeric(first) ? 'numeric' : undefined;
  if (name === 'round' || name === 'trunc') return first === 'float8' || first === 'float4' ? 'float8' : 'numeric';
  if (name === 'array_agg') return first === undefined ? undefined : isArray(first) ? first : `_${first}`;
  if (SAME_AS_ARRAY.has(name)) return isArray(first) ? first : commonType(args.slice(1), scope);
  const second = args.length > 1 ? expressionType(args[1], scope) : undefined;
  if (name === 'date_trunc' || name === 'date_bin') return second === 'date' ? 'timestamptz' : second;
  // timezone(zone, value): AT TIME ZONE turns a timestamp with time zone into one without, and back.
  if (name === 'timezone') return second === 'timestamptz' ? 'timestamp' : second === 'timestamp' ? 'timestamptz' : second === undefined ? undefined : 'timetz';
  return undefined;
}

function subLinkType(node: SqlObject, scope: ExpressionScope): PgTypeName {
  const kind = node.subLinkType;
  if (kind === 'EXISTS_SUBLINK' || kind === 'ANY_SUBLINK' || kind === 'ALL_SUBLINK') return 'bool';
  const select = isSqlObject(node.subselect) && isSqlObject(node.subselect.SelectStmt) ? node.subselect.SelectStmt : undefined;
  const first = select === undefined ? undefined : scope.subquery(select)?.[0];
  if (kind === 'EXPR_SUBLINK') return first;
  return kind === 'ARRAY_SUBLINK' && first !== undefined ? `_${first}` : undefined;
}

/** The catalog type of an expression; undefined when the tool cannot tell. */
export function expressionType(node: SqlNode | undefined, scope: ExpressionScope): PgTypeName {
  if (!isSqlObject(node)) return undefined;
  const kind = nodeKind(node);
  const inner = node[kind];
  if (!isSqlObject(inner)) return undefined;
  switch (kind) {
    case 'ColumnRef':
      return scope.column(names(inner.fields));
    case 'A_Const':
      if (inner.ival !== undefined) return 'int4';
      if (inner.fval !== undefined) return 'numeric';
      if (inner.sval !== undefined) return 'text'; // a view's column of an untyped literal is text
      if (inner.boolval !== undefined) return 'bool';
      return undefined;
    case 'TypeCast': {
      const type = isSqlObject(inner.typeName) ? inner.typeName : undefined;
      return type === undefined ? undefined : castTypeName(names(type.names), Array.isArray(type.arrayBounds));
    }
    case 'FuncCall':
      return functionType(inner, scope);
    case 'A_Expr':
      return operatorType(inner, scope);
    case 'BoolExpr':
    case 'NullTest':
    case 'BooleanTest':
      return 'bool';
    case 'CoalesceExpr':
    case 'MinMaxExpr':
      return commonType(list(inner.args), scope);
    case 'CaseExpr':
      return commonType(
        [...list(inner.args).map((w) => (isSqlObject(w) && isSqlObject(w.CaseWhen) ? (w.CaseWhen.result ?? null) : null)), inner.defresult ?? null],
        scope,
      );
    case 'A_ArrayExpr': {
      const element = commonType(list(inner.elements), scope);
      return element === undefined ? undefined : `_${element}`;
    }
    case 'SubLink':
      return subLinkType(inner, scope);
    case 'SQLValueFunction':
      return SQL_VALUE_FUNCTIONS[String(inner.op)];
    case 'CollateClause':
      return expressionType(inner.arg, scope);
    case 'GroupingFunc':
      return 'int4';
    case 'A_Indirection': {
      // v[1] is an element of the array v; a slice v[1:2] or a field is left unknown.
      const arg = expressionType(inner.arg, scope);
      const subscripts = list(inner.indirection);
      const single = subscripts.every((i) => isSqlObject(i) && isSqlObject(i.A_Indices) && i.A_Indices.is_slice !== true);
      return single && subscripts.length === 1 && isArray(arg) ? arg?.slice(1) : undefined;
    }
    default:
      return undefined;
  }
}
