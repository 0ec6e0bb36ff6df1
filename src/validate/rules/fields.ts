/**
 * Rules about one field's declaration: its type, and `on_delete`, which only
 * makes sense next to a `references` that can really be set to NULL.
 */
import { declaredPrimaryKey, ownerField } from '../../model/resolve.js';
import { parseType, unknownTypeMessage } from '../../model/sqlTypes.js';
import { unknownTypeHint } from '../typeHints.js';
import { eachField, fieldKeyPath, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';

export function unknownType(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    if (field.spec.type === undefined) return;
    const parsed = parseType(field.spec.type);
    if (!parsed.ok) {
      const message = parsed.unknown ? unknownTypeMessage(field.spec.type, unknownTypeHint(field.spec.type)) : parsed.message;
      ctx.error('unknown-type', `${fieldLabel(field.entityName, field.fieldName)}: ${message}`, fieldKeyPath(field, 'type'));
    }
  });
}

export function missingType(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    if (field.spec.type === undefined && field.spec.references === undefined) {
      ctx.error(
        'missing-type',
        `${fieldLabel(field.entityName, field.fieldName)} has neither type nor references; add a type, e.g. { type: text }`,
        field.path,
        'key',
      );
    }
  });
}

export function onDelete(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const { spec, entity, fieldName } = field;
    if (spec.on_delete === undefined) return;
    const label = fieldLabel(field.entityName, fieldName);
    const path = fieldKeyPath(field, 'on_delete');
    if (spec.references === undefined) {
      ctx.error(
        'on-delete',
        `${label} has on_delete but no references; on_delete only applies to a foreign key: add references or remove on_delete`,
        path,
        'key',
      );
      return;
    }
    if (spec.on_delete !== 'set null') return;
    // SET NULL on a NOT NULL column makes every delete of the referenced row fail.
    const reason =
      spec.required === true
        ? 'it is required (NOT NULL)'
        : declaredPrimaryKey(entity)?.includes(fieldName)
          ? 'it is part of the primary key, which cannot be null'
          : ownerField(entity) === fieldName
            ? 'it is the owner field, which must never be null (the row would belong to nobody)'
            : undefined;
    if (reason !== undefined) {
      ctx.error('on-delete', `${label} has on_delete: set null, but ${reason}; use cascade, restrict or no action`, path);
    }
  });
}
