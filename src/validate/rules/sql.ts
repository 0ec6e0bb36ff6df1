/**
 * The SQL an author writes is passed through as SQL, so it must at least stay
 * inside its slot: `checkSqlFragment` refuses what would end the statement
 * early or leave a quote or comment open.
 */
import type { Path } from '../../load/document.js';
import { isSqlDefault } from '../../model/resolve.js';
import { checkSqlFragment } from '../sqlFragment.js';
import type { FragmentKind } from '../sqlFragment.js';
import { eachField, entities, fieldKeyPath, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';

function check(ctx: RuleContext, source: string, kind: FragmentKind, what: string, path: Path): void {
  // NUL is reported by its own rule; the lexer would treat it as an ordinary character.
  if (source.includes('\u0000')) return;
  const r = checkSqlFragment(source, kind);
  if (!r.ok) {
    const expected = kind === 'query' ? 'a single SELECT query' : 'one SQL expression';
    ctx.error('sql-fragment', `${what} must be ${expected}: ${r.message}`, path);
  }
}

export function sqlFragment(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const label = fieldLabel(field.entityName, field.fieldName);
    if (field.spec.check !== undefined) {
      check(ctx, field.spec.check, 'expression', `check of ${label}`, fieldKeyPath(field, 'check'));
    }
    const def = field.spec.default;
    if (isSqlDefault(def)) {
      check(ctx, def.sql, 'expression', `SQL default of ${label}`, [...fieldKeyPath(field, 'default'), 'sql']);
    }
  });
  for (const [name, entity] of entities(ctx.input)) {
    (entity.indexes ?? []).forEach((index, i) => {
      if (Array.isArray(index) || index.where === undefined) return;
      check(ctx, index.where, 'expression', `where of index ${i + 1} of entity "${name}"`, ['entities', name, 'indexes', i, 'where']);
    });
  }
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    check(ctx, view.query, 'query', `query of materialized view "${name}"`, ['materialized_views', name, 'query']);
  }
}
