/**
 * Checks the SQL that authors write into a file with Postgres's own parser,
 * each piece in the context it is embedded in:
 *
 * - an expression (`check`, index `where`, `{ sql: }` default) is parsed as
 *   `SELECT (<expression>)` and must be exactly that: one statement, one
 *   target, no other clause, parentheses that balance within the expression,
 *   no `--` comment (it would swallow the rest of the line it is written
 *   into), no subquery (Postgres refuses one in CHECK, DEFAULT and an index
 *   predicate);
 * - a view query must be exactly one SELECT statement (WITH, VALUES and TABLE
 *   are SELECTs) that changes no data;
 * - job SQL must be one or more statements that parse.
 *
 * The parser reads strings as standard_conforming_strings = on does, which
 * the tool pins wherever its SQL runs. A backslash before a quote in a '...'
 * string is still refused: it is the one spelling whose string would end
 * elsewhere for a server left with that setting off (psql, another tool).
 *
 * `loadSqlParser()` must have resolved before these run (validation does it).
 */
import { isSqlObject, nodeKind, parseSql, scanSql, walkSql } from './parser.js';
import type { ParsedStatement, SqlNode, SqlToken } from './parser.js';

export type FragmentKind = 'expression' | 'query' | 'statements';
export type FragmentCheck =
  | { ok: true; sql: string; statements: readonly ParsedStatement[] }
  | { ok: false; message: string /** JavaScript index into the source as written. */; offset: number };

/** What the wrapper an expression is parsed in adds before it. */
const EXPRESSION_PREFIX = 'SELECT (';
/** The only keys of the SELECT wrapping an expression when nothing leaked out of its parentheses. */
const BARE_SELECT_KEYS = new Set(['targetList', 'limitOption', 'op']);

const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};
const EMPTY: Readonly<Record<FragmentKind, string>> = {
  expression: 'the SQL expression is empty',
  query: 'the query is empty',
  statements: 'the SQL is empty',
};
const NOUN: Readonly<Record<FragmentKind, string>> = { expression: 'expression', query: 'query', statements: 'SQL' };

/** ` (line 2, column 5)` or ` (column 5)`: a place inside the fragment as the author wrote it. */
function placeIn(source: string, offset: number): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return source.includes('\n') ? ` (line ${line}, column ${column})` : ` (column ${column})`;
}

export function checkSqlFragment(source: string, kind: FragmentKind): FragmentCheck {
  const text = source.trim();
  const lead = source.indexOf(text);
  const bad = (message: string, index: number, withPlace = true): FragmentCheck => {
    const offset = lead + Math.max(0, Math.min(index, text.length));
    return { ok: false, message: withPlace ? `${message}${placeIn(source, offset)}` : message, offset };
  };
  if (text === '') return bad(EMPTY[kind], 0, false);

  // Tokens first, when Postgres's scanner can read the text alone: their problems have the
  // clearest messages. A text it cannot scan is left to the parser, which says why.
  let tokens: ReturnType<typeof scanSql> | undefined;
  try {
    tokens = kind === 'statements' ? undefined : scanSql(text);
  } catch {
    tokens = undefined;
  }
  const tokenProblem = tokens && checkTokens(tokens, kind, text.length);
  if (tokenProblem) return bad(tokenProblem.message, tokenProblem.index);

  const prefix = kind === 'expression' ? EXPRESSION_PREFIX : '';
  // The newline keeps a trailing -- comment from hiding the ")" (such comments are refused above).
  const wrapped = kind === 'expression' ? `${prefix}${text}\n)` : text;
  const parsed = parseSql(wrapped);
  if (!parsed.ok) {
    const index = (parsed.index ?? wrapped.length) - prefix.length;
    // Postgres quotes the text at the error, which may run into the wrapper's ")": quote only the fragment's part.
    const message = parsed.message
      .replace(/ at end of input$/, ` at the end of the ${NOUN[kind]}`)
      .replace(/ at or near "([\s\S]*)"$/, (_all, near: string) => {
        const own = near.slice(0, Math.max(0, text.length - index));
        return own === '' ? ` at the end of the ${NOUN[kind]}` : ` at or near "${own}"`;
      });
    return bad(message, index);
  }
  const statements = parsed.statements;
  if (statements.length === 0) return bad(EMPTY[kind], 0, false);
  if (kind === 'statements') return { ok: true, sql: text, statements };
  // What parses also scans, so the token checks above ran; never pass a text they did not see.
  if (!tokens) return bad(`Postgres cannot read it as one ${NOUN[kind]}`, 0, false);
  if (statements.length > 1) {
    const second = (statements[1] as ParsedStatement).start - prefix.length;
    return bad(kind === 'query' ? `a view query must be a single statement (found ${statements.length})` : '";" is not allowed in an SQL expression', second);
  }
  const stmt = (statements[0] as ParsedStatement).stmt;
  return kind === 'expression' ? checkExpression(text, stmt, bad) : checkQuery(text, statements[0] as ParsedStatement, bad);
}

/** Parentheses that balance, no `--` comment in an expression, no `\'` in a '...' string. */
function checkTokens(tokens: readonly SqlToken[], kind: FragmentKind, end: number): { message: string; index: number } | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'ASCII_40') depth++;
    if (t.kind === 'ASCII_41' && --depth < 0) return { message: 'unbalanced ")"', index: t.start };
    if (kind === 'expression' && t.kind === 'ASCII_59') return { message: '";" is not allowed in an SQL expression', index: t.start };
    if (kind === 'expression' && t.kind === 'SQL_COMMENT') {
      return { message: 'line comments (--) are not allowed in an SQL expression; use /* */', index: t.start };
    }
    if (/^[nN]?'/.test(t.text) && t.text.includes("\\'")) {
      return {
        message:
          "a backslash before a quote in a '...' string ends the string elsewhere when standard_conforming_strings is off; double the quote ('') or write an E'...' string",
        index: t.start,
      };
    }
  }
  return depth > 0 ? { message: 'unbalanced "(": missing ")"', index: end } : undefined;
}

type Bad = (message: string, index: number, withPlace?: boolean) => FragmentCheck;

function checkExpression(text: string, stmt: Record<string, SqlNode>, bad: Bad): FragmentCheck {
  const select = stmt.SelectStmt;
  const targets = isSqlObject(select) ? select.targetList : undefined;
  const target = Array.isArray(targets) && targets.length === 1 && isSqlObject(targets[0]) ? targets[0].ResTarget : undefined;
  const bare =
    isSqlObject(select) &&
    select.op === 'SETOP_NONE' &&
    Object.keys(select).every((k) => BARE_SELECT_KEYS.has(k)) &&
    isSqlObject(target) &&
    target.name === undefined &&
    target.indirection === undefined;
  if (!bare) return bad('it is more than one expression', 0, false);
  for (const node of walkSql(target.val)) {
    if (isSqlObject(node.SubLink)) {
      // Tree locations count bytes of the wrapped text.
      const bytes = typeof node.SubLink.location === 'number' ? node.SubLink.location - EXPRESSION_PREFIX.length : 0;
      const at = Buffer.from(text, 'utf8').subarray(0, Math.max(0, bytes)).toString('utf8').length;
      return bad('a subquery is not allowed here (Postgres refuses one in a CHECK, a DEFAULT and an index condition)', at);
    }
  }
  return { ok: true, sql: text, statements: [] };
}

function checkQuery(text: string, statement: ParsedStatement, bad: Bad): FragmentCheck {
  const select = statement.stmt.SelectStmt;
  if (!isSqlObject(select)) {
    const found = STATEMENT_NAMES[nodeKind(statement.stmt)];
    return bad(`a view query must start with SELECT, WITH, VALUES or TABLE${found ? ` (it is a ${found})` : ''}`, 0, false);
  }
  if (select.intoClause !== undefined) return bad('SELECT ... INTO creates a table; a view query cannot hold it', 0, false);
  for (const node of walkSql(select)) {
    const cte = isSqlObject(node.CommonTableExpr) ? node.CommonTableExpr.ctequery : undefined;
    const changes = isSqlObject(cte) ? STATEMENT_NAMES[nodeKind(cte)] : undefined;
    if (changes) return bad(`a view query must not change data (${changes} in WITH)`, 0, false);
  }
  // The statement without a trailing ";" and what follows it.
  return { ok: true, sql: text.slice(0, statement.end).trimEnd(), statements: [statement] };
}

/**
 * Whether parsed SQL reads the relation `schema.name` anywhere (joins,
 * subqueries, CTEs), by the names Postgres resolved from any quoting or
 * escapes; an unqualified name counts when `schema` is on the search path.
 */
export function readsRelation(statements: readonly ParsedStatement[], schema: string, name: string, searchPath: readonly string[]): boolean {
  for (const { stmt } of statements) {
    for (const node of walkSql(stmt)) {
      const rv = node.RangeVar;
      if (!isSqlObject(rv) || rv.relname !== name) continue;
      if (rv.schemaname === schema || (rv.schemaname === undefined && searchPath.includes(schema))) return true;
    }
  }
  return false;
}
