/**
 * The `where` of an access term becomes part of a row-level-security policy:
 * one boolean expression over the entity's own columns (docs/format.md,
 * "Access rules"). That it is one expression without `;`, `--` or a subquery
 * is the sql-fragment rule's to report (where is author SQL like a check);
 * this rule reads the parse tree for the rest: every column it names is one of
 * the entity's, unqualified, and what it computes is a condition wherever the
 * tree makes that certain.
 */
import type { EntityInput, RequirementsInput } from '../../model/input.js';
import { columnNames, resolveFieldType } from '../../model/resolve.js';
import { checkSqlFragment } from '../../sql/fragment.js';
import { isSqlObject, parseSql, walkSql } from '../../sql/parser.js';
import type { SqlNode, SqlObject } from '../../sql/parser.js';
import { didYouMean } from './context.js';
import type { RuleContext } from './context.js';
import { eachTerm, termLabel } from './terms.js';

const PREFIX = 'SELECT (';
/** Operators whose result is a number or a string whatever their operands: never a condition. */
const ARITHMETIC: Readonly<Record<string, string>> = {
  '+': 'arithmetic',
  '-': 'arithmetic',
  '*': 'arithmetic',
  '/': 'arithmetic',
  '%': 'arithmetic',
  '^': 'arithmetic',
  '||': 'a concatenation',
};

/** A problem inside the expression: what, and where in the text as the author wrote it. */
interface Finding {
  readonly message: string;
  /** Byte offset in the wrapped text, as the parse tree gives it. */
  readonly location?: number;
}

export function accessWhere(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (t.term?.where === undefined || typeof t.written !== 'object') return;
    // As written (resolveTerm trims it), so that places count from its first character.
    const where = (t.written as { where?: string }).where ?? t.term.where;
    if (where.includes('\u0000')) return;
    // What does not parse as one expression is reported (with its place) by sql-fragment.
    const fragment = checkSqlFragment(where, 'expression');
    if (!fragment.ok) return;
    const parsed = parseSql(`${PREFIX}${fragment.sql}\n)`);
    const select = parsed.ok ? parsed.statements[0]?.stmt.SelectStmt : undefined;
    const target = isSqlObject(select) && Array.isArray(select.targetList) ? select.targetList[0] : undefined;
    const expression = isSqlObject(target) && isSqlObject(target.ResTarget) ? target.ResTarget.val : undefined;
    if (expression === undefined) return;
    const findings = [...columnFindings(expression, t.entityName, t.entity), ...conditionFindings(expression, ctx.input, t.entityName)];
    for (const f of findings) {
      ctx.error('access-where', `where of ${termLabel(t)} ${f.message}${placeOf(where, fragment.sql, f.location)}`, [...t.path, 'where']);
    }
  });
}

/** ` (column 7)`, or ` (line 2, column 3)` in a text of several lines; `parsed` is `text` trimmed, as it was parsed. */
function placeOf(text: string, parsed: string, location: number | undefined): string {
  if (location === undefined) return '';
  const lead = text.slice(0, text.indexOf(parsed));
  const before = `${lead}${Buffer.from(parsed, 'utf8')
    .subarray(0, Math.max(0, location - PREFIX.length))
    .toString('utf8')}`;
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return text.includes('\n') ? ` (line ${line}, column ${column})` : ` (column ${column})`;
}

const locationOf = (node: SqlObject): number | undefined => (typeof node.location === 'number' ? node.location : undefined);

/** Every column reference names a column of the entity, by itself. */
function columnFindings(expression: SqlNode, entityName: string, entity: EntityInput): Finding[] {
  const columns = columnNames(entity);
  const found: Finding[] = [];
  const seen = new Set<string>();
  for (const node of walkSql(expression)) {
    if (isSqlObject(node.ParamRef)) {
      found.push({ message: 'has a parameter, which has no value in a policy', location: locationOf(node.ParamRef) });
    }
    const call = callerFinding(node);
    if (call) found.push(call);
    const ref = node.ColumnRef;
    if (!isSqlObject(ref) || !Array.isArray(ref.fields)) continue;
    const parts = ref.fields.map((f) => (isSqlObject(f) && isSqlObject(f.String) && typeof f.String.sval === 'string' ? f.String.sval : '*'));
    const written = parts.join('.');
    if (seen.has(written)) continue;
    seen.add(written);
    const at = locationOf(ref);
    const column = parts[parts.length - 1] as string;
    if (column === '*') {
      found.push({ message: `reads "${written}": name the columns it compares`, location: at });
    } else if (parts.length > 1) {
      const own = parts.length === 2 && parts[0] === entityName;
      const why = own ? `write "${column}" alone` : `it reads only the columns of entity "${entityName}"`;
      found.push({ message: `reads "${written}", a qualified name: ${why}`, location: at });
    } else if (!columns.includes(column)) {
      found.push({ message: `reads "${column}", which is not a column of entity "${entityName}"${didYouMean(column, columns)}`, location: at });
    }
  }
  return found;
}

/** Functions that tell who is calling: the terms say that, never a where (nor a JWT claim, which policies never read). */
const CALLER_FUNCTIONS = new Set(['current_setting', 'set_config']);

/**
 * A call that asks who the caller is: `auth.uid()`, `auth.jwt()`, `current_setting('request.jwt.claims')`.
 * Who may pass is the term's (owner, { user }, { org }); a where only chooses rows by their own values.
 * (A bare auth.uid() in a policy would also run once per row: Supabase's advisors warn of it.)
 */
function callerFinding(node: SqlObject): Finding | undefined {
  const value = node.SQLValueFunction;
  if (isSqlObject(value) && typeof value.op === 'string' && /USER|ROLE/.test(value.op)) {
    return {
      message: 'asks who the caller is (current_user and the like): the term says who may pass; a where only chooses rows by their own columns',
      location: locationOf(value),
    };
  }
  const call = node.FuncCall;
  if (!isSqlObject(call) || !Array.isArray(call.funcname)) return undefined;
  const parts = call.funcname.map((f) => (isSqlObject(f) && isSqlObject(f.String) && typeof f.String.sval === 'string' ? f.String.sval : ''));
  const name = parts[parts.length - 1] ?? '';
  if (parts[0] !== 'auth' && !CALLER_FUNCTIONS.has(name)) return undefined;
  return {
    message: `calls ${parts.join('.')}(), which asks who the caller is: the term says who may pass (owner, { user: FIELD }, { org: ROLES }); a where only chooses rows by their own columns`,
    location: locationOf(call),
  };
}

/** The expression, and each operand of AND, OR and NOT, must be able to be true or false. */
function conditionFindings(expression: SqlNode, input: RequirementsInput, entityName: string): Finding[] {
  if (!isSqlObject(expression)) return [];
  const bool = expression.BoolExpr;
  if (isSqlObject(bool) && Array.isArray(bool.args)) return bool.args.flatMap((arg) => conditionFindings(arg, input, entityName));
  const what = notCondition(expression, input, entityName);
  if (what === undefined) return [];
  const node = Object.values(expression)[0];
  return [{ message: `must be a condition (true or false for each row), but ${what}`, location: isSqlObject(node) ? locationOf(node) : undefined }];
}

/** Why a node certainly is not boolean, or undefined when it may be. */
function notCondition(node: SqlObject, input: RequirementsInput, entityName: string): string | undefined {
  const constant = node.A_Const;
  if (isSqlObject(constant)) {
    if ('ival' in constant || 'fval' in constant) return 'it is a number';
    if ('sval' in constant || 'bsval' in constant) return 'it is a string';
    return undefined;
  }
  const op = node.A_Expr;
  if (isSqlObject(op) && op.kind === 'AEXPR_OP') {
    const name = Array.isArray(op.name) ? op.name[op.name.length - 1] : undefined;
    const symbol = isSqlObject(name) && isSqlObject(name.String) ? name.String.sval : undefined;
    const kind = typeof symbol === 'string' && Object.hasOwn(ARITHMETIC, symbol) ? ARITHMETIC[symbol] : undefined;
    return kind === undefined ? undefined : `it is ${kind} ("${symbol}")`;
  }
  const cast = node.TypeCast;
  if (isSqlObject(cast) && isSqlObject(cast.typeName) && Array.isArray(cast.typeName.names)) {
    const last = cast.typeName.names[cast.typeName.names.length - 1];
    const type = isSqlObject(last) && isSqlObject(last.String) ? last.String.sval : undefined;
    const array = Array.isArray(cast.typeName.arrayBounds);
    return typeof type === 'string' && (type !== 'bool' || array) ? `it is cast to ${type === 'bool' ? 'boolean' : type}${array ? '[]' : ''}` : undefined;
  }
  const ref = node.ColumnRef;
  if (isSqlObject(ref) && Array.isArray(ref.fields) && ref.fields.length === 1) {
    const only = ref.fields[0];
    const column = isSqlObject(only) && isSqlObject(only.String) ? only.String.sval : undefined;
    const type = typeof column === 'string' ? resolveFieldType(input, entityName, column) : undefined;
    if (type !== undefined && (type.base !== 'boolean' || type.array)) return `column "${String(column)}" is ${type.sql}`;
  }
  return undefined;
}
