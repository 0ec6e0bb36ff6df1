/**
 * What a piece of author SQL means, as Postgres's parser reads it: its tree
 * without positions (so spacing, line breaks, comments and redundant
 * parentheses do not count), and which relations and columns it reads.
 * Needs `loadSqlParser()` to have resolved.
 */
import { isSqlObject, parseSql, walkSql } from './parser.js';
import type { SqlNode } from './parser.js';

export type AuthorSqlKind = 'expression' | 'query';

/** The text Postgres parses for a fragment of this kind: an expression is read as the one target of a SELECT. */
const parsable = (sql: string, kind: AuthorSqlKind) => (kind === 'expression' ? `SELECT (${sql}\n)` : sql);

function withoutPositions(node: SqlNode): SqlNode {
  if (Array.isArray(node)) return node.map(withoutPositions);
  if (!isSqlObject(node)) return node;
  const out: { [key: string]: SqlNode } = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'location' && k !== 'stmt_location' && k !== 'stmt_len') out[k] = withoutPositions(v);
  return out;
}

/** The parse tree of a fragment without positions, as JSON; the text itself trimmed when it does not parse. */
export function sqlMeaning(sql: string, kind: AuthorSqlKind): string {
  const r = parseSql(parsable(sql, kind));
  if (!r.ok) return JSON.stringify(sql.trim());
  return JSON.stringify(r.statements.map((s) => withoutPositions(s.stmt)));
}

export interface SqlReads {
  /** Relations named (without schema), as Postgres folds them. */
  readonly relations: ReadonlySet<string>;
  /** Column names referenced anywhere (the last part of each reference). */
  readonly columns: ReadonlySet<string>;
  /** Some reference is `*` or `t.*`: it stands for every column the relation has when the SQL is run. */
  readonly star: boolean;
}

/** Relations and columns a fragment reads; undefined when it does not parse. */
export function sqlReads(sql: string, kind: AuthorSqlKind): SqlReads | undefined {
  const r = parseSql(parsable(sql, kind));
  if (!r.ok) return undefined;
  const relations = new Set<string>();
  const columns = new Set<string>();
  let star = false;
  for (const node of walkSql(r.statements.map((s) => s.stmt))) {
    const rv = node.RangeVar;
    if (isSqlObject(rv) && typeof rv.relname === 'string') relations.add(rv.relname);
    const ref = node.ColumnRef;
    if (!isSqlObject(ref) || !Array.isArray(ref.fields)) continue;
    const last = ref.fields[ref.fields.length - 1];
    if (isSqlObject(last) && 'A_Star' in last) star = true;
    else if (isSqlObject(last) && isSqlObject(last.String) && typeof last.String.sval === 'string') columns.add(last.String.sval);
  }
  return { relations, columns, star };
}
