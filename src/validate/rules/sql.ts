/**
 * The SQL an author writes is passed through as SQL, so Postgres's own parser
 * must find it to be exactly what its slot holds (`checkSqlFragment`): one
 * expression, one SELECT, or (a job) statements that parse.
 */
import type { Path } from '../../load/document.js';
import { isSqlDefault } from '../../model/resolve.js';
import { checkSqlFragment } from '../../sql/fragment.js';
import type { FragmentKind } from '../../sql/fragment.js';
import { eachField, entities, fieldKeyPath, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';
import type { RequirementsInput } from '../../model/input.js';
import { eachTerm, termLabel } from './terms.js';

const EXPECTED: Readonly<Record<FragmentKind, string>> = {
  expression: 'one SQL expression',
  query: 'a single SELECT query',
  statements: 'SQL statements',
};

function check(ctx: RuleContext, source: string, kind: FragmentKind, what: string, path: Path): void {
  // NUL is reported by its own rule; the parser would stop reading at it.
  if (source.includes('\u0000')) return;
  const r = checkSqlFragment(source, kind);
  if (!r.ok) {
    const expected = EXPECTED[kind];
    ctx.error('sql-fragment', `${what} must be ${expected}: ${r.message}`, path);
  }
}

/** A piece of SQL written by the author, where it sits in the file, and what it is. */
export interface AuthorSql {
  readonly source: string;
  readonly kind: FragmentKind;
  /** `check of field "notes.title"`. */
  readonly what: string;
  readonly path: Path;
}

/** Every piece of author SQL in the file: checks, SQL defaults, index conditions, access conditions, view queries, jobs. */
export function authorSql(input: RequirementsInput): AuthorSql[] {
  const out: AuthorSql[] = [];
  eachField(input, (field) => {
    const label = fieldLabel(field.entityName, field.fieldName);
    if (field.spec.check !== undefined) {
      out.push({ source: field.spec.check, kind: 'expression', what: `check of ${label}`, path: fieldKeyPath(field, 'check') });
    }
    const def = field.spec.default;
    if (isSqlDefault(def)) {
      out.push({ source: def.sql, kind: 'expression', what: `SQL default of ${label}`, path: [...fieldKeyPath(field, 'default'), 'sql'] });
    }
  });
  for (const [name, entity] of entities(input)) {
    (entity.indexes ?? []).forEach((index, i) => {
      if (Array.isArray(index) || index.where === undefined) return;
      out.push({
        source: index.where,
        kind: 'expression',
        what: `where of index ${i + 1} of entity "${name}"`,
        path: ['entities', name, 'indexes', i, 'where'],
      });
    });
  }
  eachTerm(input, (t) => {
    if (t.term?.where === undefined || typeof t.written !== 'object') return;
    // The text as written (resolveTerm trims it), so that a place inside it counts from its start.
    const source = (t.written as { where?: string }).where ?? t.term.where;
    out.push({ source, kind: 'expression', what: `where of ${termLabel(t)}`, path: [...t.path, 'where'] });
  });
  for (const [name, view] of Object.entries(input.materialized_views ?? {})) {
    out.push({ source: view.query, kind: 'query', what: `query of materialized view "${name}"`, path: ['materialized_views', name, 'query'] });
  }
  for (const [name, job] of Object.entries(input.jobs ?? {})) {
    if (typeof job.sql !== 'string') continue;
    out.push({ source: job.sql, kind: 'statements', what: `sql of job "${name}"`, path: ['jobs', name, 'sql'] });
  }
  return out;
}

export function sqlFragment(ctx: RuleContext): void {
  for (const sql of authorSql(ctx.input)) check(ctx, sql.source, sql.kind, sql.what, sql.path);
}
