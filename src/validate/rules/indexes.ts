/**
 * Rules about index field lists, for entities and materialized views: each
 * lists real columns once, and no two indexes of an entity are the same index.
 */
import type { IndexInput } from '../../model/input.js';
import { columnNames, declaredPrimaryKey, fieldSpec } from '../../model/resolve.js';
import { didYouMean, entities } from './context.js';
import type { RuleContext } from './context.js';
import type { Path } from '../../load/document.js';

interface IndexShape {
  readonly fields: readonly string[];
  readonly unique: boolean;
  readonly where: string | undefined;
  /** Path of the field list (the entry itself for the list shorthand). */
  readonly fieldsPath: Path;
}

function indexShape(index: IndexInput, path: Path): IndexShape {
  if (Array.isArray(index)) return { fields: index, unique: false, where: undefined, fieldsPath: path };
  // Whitespace inside the predicate does not make it a different index.
  const where = index.where?.trim().replace(/\s+/g, ' ');
  return { fields: index.fields, unique: index.unique === true, where, fieldsPath: [...path, 'fields'] };
}

/**
 * Reports fields listed twice (useless in an index, an error in a unique
 * constraint). The schema's uniqueItems normally catches these first; the
 * rule keeps the guarantee for input that reaches the rules another way.
 */
function checkRepeats(ctx: RuleContext, what: string, fields: readonly string[], path: Path): void {
  fields.forEach((field, i) => {
    if (fields.indexOf(field) !== i) {
      ctx.error('index-field', `${what} names field "${field}" twice; list each field once`, [...path, i]);
    }
  });
}

export function indexField(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    // A set: a file that also declares an implicit column (reported elsewhere) would list it twice.
    const columns = [...new Set(columnNames(entity))];
    (entity.indexes ?? []).forEach((index, i) => {
      const shape = indexShape(index, ['entities', name, 'indexes', i]);
      const what = `index ${i + 1} of entity "${name}"`;
      checkRepeats(ctx, what, shape.fields, shape.fieldsPath);
      shape.fields.forEach((field, j) => {
        if (columns.includes(field)) return;
        ctx.error('index-field', `${what} names "${field}", which is not a column of "${name}" (columns: ${columns.join(', ')})${didYouMean(field, columns)}`, [
          ...shape.fieldsPath,
          j,
        ]);
      });
    });
  }
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if (view.unique_key !== undefined) {
      checkRepeats(ctx, `unique_key of materialized view "${name}"`, view.unique_key, ['materialized_views', name, 'unique_key']);
    }
    (view.indexes ?? []).forEach((fields, i) => {
      checkRepeats(ctx, `index ${i + 1} of materialized view "${name}"`, fields, ['materialized_views', name, 'indexes', i]);
    });
  }
}

export function duplicateIndex(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    // Keys Postgres already indexes: the primary key and each single-field unique constraint.
    const pk = declaredPrimaryKey(entity) ?? ['id'];
    const builtIn = new Map<string, string>([[pk.join(','), `the primary key (${pk.join(', ')})`]]);
    for (const [field, raw] of Object.entries(entity.fields ?? {})) {
      if (fieldSpec(raw).unique === true && !builtIn.has(field)) builtIn.set(field, `the unique constraint of field "${field}"`);
    }
    const seen = new Map<string, number>();
    (entity.indexes ?? []).forEach((index, i) => {
      const path = ['entities', name, 'indexes', i];
      const shape = indexShape(index, path);
      const signature = JSON.stringify([shape.fields, shape.unique, shape.where ?? null]);
      const first = seen.get(signature);
      if (first !== undefined) {
        ctx.error(
          'duplicate-index',
          `index ${i + 1} of entity "${name}" repeats index ${first + 1} (same fields, uniqueness and where); remove one of them`,
          path,
        );
        return;
      }
      seen.set(signature, i);
      const repeated = shape.where === undefined ? builtIn.get(shape.fields.join(',')) : undefined;
      if (repeated !== undefined) {
        ctx.warn('duplicate-index', `index ${i + 1} of entity "${name}" only repeats ${repeated}, which already has an index; remove it`, path);
      }
    });
  }
  // Materialized views: an index repeated (or repeating the unique key) is the same index twice.
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    const seen = new Map<string, number>();
    (view.indexes ?? []).forEach((fields, i) => {
      if (!Array.isArray(fields)) return;
      const path = ['materialized_views', name, 'indexes', i];
      const first = seen.get(fields.join(','));
      if (first !== undefined) {
        ctx.error('duplicate-index', `index ${i + 1} of materialized view "${name}" repeats index ${first + 1} (same columns); remove one of them`, path);
        return;
      }
      seen.set(fields.join(','), i);
      if (view.unique_key !== undefined && view.unique_key.join(',') === fields.join(',')) {
        ctx.warn('duplicate-index', `index ${i + 1} of materialized view "${name}" only repeats its unique_key, which already has an index; remove it`, path);
      }
    });
  }
}
