/**
 * Seed rows are inserted by the migration itself, where no user is signed in
 * (`auth.uid()` is NULL) and each row is upserted by its primary key. Every
 * value is checked with `sqlLiteral`, as the renderer will write it.
 */
import type { Path } from '../../load/document.js';
import type { EntityInput, JsonValue } from '../../model/input.js';
import { ORG_FIELD, columnNames, declaredPrimaryKey, effectiveAccess, fieldSpec, involvesOrg, ownerField, resolveFieldType } from '../../model/resolve.js';
import { elementType } from '../../model/sqlTypes.js';
import { didYouMean, entities, literalFor } from './context.js';
import type { RuleContext } from './context.js';
import { enumLiterals } from './values.js';

/** Columns a row must give because NOT NULL would otherwise fail, with the reason. */
function requiredColumns(entity: EntityInput): Map<string, string> {
  const needed = new Map<string, string>();
  for (const [name, raw] of Object.entries(entity.fields ?? {})) {
    const spec = fieldSpec(raw);
    if (spec.required === true && (spec.default === undefined || spec.default === null)) {
      needed.set(name, 'it is required and has no default');
    }
  }
  const owner = ownerField(entity);
  if (owner !== undefined && !Object.hasOwn(entity.fields ?? {}, owner)) {
    needed.set(owner, 'the owner column defaults to auth.uid(), which is null while the migration runs');
  }
  if (involvesOrg(effectiveAccess(entity)) && !Object.hasOwn(entity.fields ?? {}, ORG_FIELD)) {
    needed.set(ORG_FIELD, 'every row of an org entity belongs to an organization');
  }
  return needed;
}

export function seedRows(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const rows = entity.rows ?? [];
    if (rows.length === 0) continue;
    if (involvesOrg(effectiveAccess(entity))) {
      // org_id must name an organization, and the organizations table is created empty by this same file.
      ctx.error(
        'seed-rows',
        `entity "${name}" has org access: each of its rows belongs to an organization, and there are none while the file is applied (organizations are created by users); remove its rows, or give the entity another access`,
        ['entities', name, 'rows'],
        'key',
      );
      continue;
    }
    const columns = columnNames(entity);
    const declaredPk = declaredPrimaryKey(entity);
    const pk = declaredPk ?? ['id'];
    const needed = requiredColumns(entity);
    const keys = new Map<string, number>();
    rows.forEach((row, i) => {
      const rowPath = ['entities', name, 'rows', i];
      const label = `row ${i + 1} of entity "${name}"`;
      let keyComplete = true;
      const keyParts: string[] = [];
      for (const [column, value] of Object.entries(row)) {
        if (!columns.includes(column)) {
          ctx.error('seed-rows', `${label} sets "${column}", which is not a column of "${name}"${didYouMean(column, columns)}`, [...rowPath, column], 'key');
          continue;
        }
        checkValue(ctx, name, column, value, `${label}, column "${column}"`, [...rowPath, column]);
        if (column === 'updated_at' && entity.timestamps !== false) {
          // The server sets it on every insert and update, the migration's own upserts included.
          ctx.warn(
            'seed-rows',
            `${label} sets "updated_at", which the server sets to the time of each insert and update: the value given is not kept; leave it out`,
            [...rowPath, column],
            'key',
          );
        }
      }
      // Own keys only: a row's `constructor` is Object's unless the file gives one.
      const ownValue = (column: string) => (Object.hasOwn(row, column) ? row[column] : undefined);
      for (const column of pk) {
        const value = ownValue(column);
        if (value === undefined || value === null) {
          keyComplete = false;
          const why = declaredPk === undefined ? 'give each row a fixed id uuid (the generated one would differ on every run)' : 'give it a value in every row';
          ctx.error('seed-rows', `${label} has no "${column}": rows are upserted by primary key, so ${why}`, rowPath);
          continue;
        }
        const type = resolveFieldType(ctx.input, name, column);
        const r = type === undefined ? undefined : literalFor(type, value);
        if (r?.ok) keyParts.push(r.sql);
        else keyComplete = false;
      }
      for (const [column, why] of needed) {
        if (pk.includes(column) || (ownValue(column) !== undefined && ownValue(column) !== null)) continue;
        ctx.error('seed-rows', `${label} has no value for "${column}", but ${why}; add "${column}" to the row`, rowPath);
      }
      if (!keyComplete) return;
      const key = keyParts.join(', ');
      const first = keys.get(key);
      if (first !== undefined) {
        ctx.error(
          'seed-rows',
          `rows ${first + 1} and ${i + 1} of entity "${name}" have the same primary key (${pk.join(', ')} = ${key}); remove or change one`,
          rowPath,
        );
      } else {
        keys.set(key, i);
      }
    });
  }
}

/** A row value must fit its column and, when the column has an enum, be one of its values. */
function checkValue(ctx: RuleContext, entityName: string, column: string, value: JsonValue, what: string, path: Path): void {
  const type = resolveFieldType(ctx.input, entityName, column);
  const r = type === undefined ? undefined : literalFor(type, value);
  if (type === undefined || r === undefined) return;
  if (!r.ok) {
    ctx.error('seed-rows', `${what} does not fit ${type.sql}: ${r.message}`, path);
    return;
  }
  const raw = ctx.input.entities?.[entityName]?.fields?.[column];
  const allowed = raw === undefined ? undefined : fieldSpec(raw).enum;
  if (allowed === undefined || value === null) return;
  const element = elementType(type);
  const literals = enumLiterals(element, allowed);
  const items = type.array && Array.isArray(value) ? value : [value];
  const outside = items.find((item) => {
    const l = item === null ? undefined : literalFor(element, item);
    return l?.ok === true && !literals.has(l.sql);
  });
  if (outside !== undefined) {
    ctx.error('seed-rows', `${what}: ${JSON.stringify(outside)} is not one of the enum values (${allowed.map((v) => JSON.stringify(v)).join(', ')})`, path);
  }
}
