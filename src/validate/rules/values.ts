/**
 * Rules about the values written into a field's declaration: enum lists and
 * literal defaults. Each value is checked with `sqlLiteral`, the same function
 * that renders it, so whatever passes here can be written as SQL.
 */
import type { JsonValue, Scalar } from '../../model/input.js';
import { isSqlDefault, resolveFieldType } from '../../model/resolve.js';
import { elementType } from '../../model/sqlTypes.js';
import type { BaseType, SqlType } from '../../model/sqlTypes.js';
import { eachField, fieldKeyPath, fieldLabel, literalFor } from './context.js';
import type { FieldVisit, RuleContext } from './context.js';

/** Types whose values compare reliably as a list of literals in a CHECK (… IN …). */
const ENUM_BASES: ReadonlySet<BaseType> = new Set(['text', 'varchar', 'char', 'smallint', 'integer', 'bigint', 'numeric']);

function typeOf(ctx: RuleContext, field: FieldVisit): SqlType | undefined {
  return resolveFieldType(ctx.input, field.entityName, field.fieldName);
}

/** Enum values as rendered SQL (the form the CHECK compares), skipping those other rules report. */
export function enumLiterals(element: SqlType, values: readonly Scalar[]): Set<string> {
  const set = new Set<string>();
  for (const v of values) {
    const r = v === null ? undefined : literalFor(element, v);
    if (r?.ok) set.add(r.sql);
  }
  return set;
}

export function enumType(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const values = field.spec.enum;
    const type = typeOf(ctx, field);
    if (values === undefined || type === undefined) return;
    const label = fieldLabel(field.entityName, field.fieldName);
    const element = elementType(type);
    const enumPath = fieldKeyPath(field, 'enum');
    if (!ENUM_BASES.has(element.base)) {
      ctx.error(
        'enum-type',
        `enum on ${label} needs a text or number type (text, varchar, char, smallint, integer, bigint, numeric, or arrays of these), not ${type.sql}`,
        enumPath,
        'key',
      );
      return;
    }
    const seen = new Map<string, number>();
    values.forEach((value, i) => {
      const at = [...enumPath, i];
      if (value === null) {
        // NULL inside IN (...) makes the CHECK pass for any value.
        ctx.error('enum-type', `enum of ${label} lists null; leave the field optional (no required: true) to allow null instead`, at);
        return;
      }
      const r = literalFor(element, value);
      if (r === undefined) return;
      if (!r.ok) {
        ctx.error('enum-type', `enum value ${JSON.stringify(value)} of ${label} does not fit ${element.sql}: ${r.message}`, at);
        return;
      }
      const first = seen.get(r.sql);
      if (first !== undefined) {
        ctx.error('enum-type', `enum of ${label} lists ${JSON.stringify(value)} twice (items ${first + 1} and ${i + 1}); remove the duplicate`, at);
      } else {
        seen.set(r.sql, i);
      }
    });
  });
}

export function enumDefault(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const { enum: values, default: def } = field.spec;
    const type = typeOf(ctx, field);
    if (values === undefined || def === undefined || def === null || isSqlDefault(def) || type === undefined) return;
    const element = elementType(type);
    if (!ENUM_BASES.has(element.base)) return;
    const allowed = enumLiterals(element, values);
    const items: JsonValue[] = type.array ? (Array.isArray(def) ? def : []) : [def];
    for (const item of items) {
      const r = item === null ? undefined : literalFor(element, item);
      if (r?.ok && !allowed.has(r.sql)) {
        const listed = values
          .filter((v) => v !== null)
          .map((v) => JSON.stringify(v))
          .join(', ');
        ctx.error(
          'enum-default',
          `default ${JSON.stringify(item)} of ${fieldLabel(field.entityName, field.fieldName)} is not one of its enum values (${listed}); use one of them`,
          fieldKeyPath(field, 'default'),
        );
        return;
      }
    }
  });
}

export function defaultType(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const def = field.spec.default;
    if (def === undefined || isSqlDefault(def)) return;
    const label = fieldLabel(field.entityName, field.fieldName);
    const path = fieldKeyPath(field, 'default');
    if (def === null) {
      if (field.spec.required === true) {
        ctx.error('default-type', `${label} is required but has default null, which it can never hold; remove the default`, path);
      }
      return;
    }
    const type = typeOf(ctx, field);
    const r = type === undefined ? undefined : literalFor(type, def);
    if (type === undefined || r === undefined || r.ok) return;
    const isMap = typeof def === 'object' && !Array.isArray(def);
    const hint = isMap ? '; for an SQL expression write { sql: "..." } with nothing else in the map' : '';
    ctx.error('default-type', `default of ${label} does not fit ${type.sql}: ${r.message}${hint}`, path);
  });
}
