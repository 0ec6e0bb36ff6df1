/**
 * Rules about the columns an entity gets beyond its declared fields: the
 * primary key, the implicit `id`, timestamps, and the owner and org columns.
 * A declared field that the tool would also add is a conflict, not a merge.
 */
import { ORG_FIELD, effectiveAccess, fieldSpec, hasMembers, involvesOrg, involvesOwner, ownerField, resolveFieldType } from '../../model/resolve.js';
import { didYouMean, entities, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';

export function primaryKey(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const pk = entity.primary_key;
    if (pk === undefined) continue;
    const declared = Object.keys(entity.fields ?? {});
    const list = typeof pk === 'string' ? [pk] : pk;
    list.forEach((fieldName, i) => {
      const path = typeof pk === 'string' ? ['entities', name, 'primary_key'] : ['entities', name, 'primary_key', i];
      if (!declared.includes(fieldName)) {
        ctx.error(
          'primary-key',
          `primary_key of entity "${name}" names "${fieldName}", which is not a declared field; declare it under fields${didYouMean(fieldName, declared)}`,
          path,
        );
      }
    });
  }
}

export function implicitId(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    if (entity.primary_key === undefined && entity.fields?.id !== undefined) {
      ctx.error(
        'implicit-id',
        `entity "${name}" declares field "id" but no primary_key, and the tool adds its own id column; add primary_key: id to make this field the key`,
        ['entities', name, 'fields', 'id'],
        'key',
      );
    }
  }
}

export function implicitColumn(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const fields = entity.fields ?? {};
    if (entity.timestamps !== false) {
      for (const column of ['created_at', 'updated_at']) {
        if (fields[column] === undefined) continue;
        ctx.error(
          'implicit-column',
          `${fieldLabel(name, column)} is added by the tool because timestamps are on; remove it, or set timestamps: false to declare your own`,
          ['entities', name, 'fields', column],
          'key',
        );
      }
    }
    if (fields[ORG_FIELD] !== undefined && involvesOrg(effectiveAccess(entity))) {
      ctx.error(
        'implicit-column',
        `${fieldLabel(name, ORG_FIELD)} is added by the tool because entity "${name}" uses org access; remove it`,
        ['entities', name, 'fields', ORG_FIELD],
        'key',
      );
    }
  }
}

export function ownerWithoutOwnerAccess(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    // An entity with members has an owner (its first member) whatever its terms.
    if (entity.owner !== undefined && !involvesOwner(effectiveAccess(entity)) && !hasMembers(entity)) {
      ctx.error(
        'owner-without-owner-access',
        `entity "${name}" sets owner, but its access involves no owner (no operation is owner or org); remove owner or change access`,
        ['entities', name, 'owner'],
        'key',
      );
    }
  }
}

export function ownerType(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const owner = ownerField(entity);
    if (owner === undefined) continue;
    if (owner === ORG_FIELD && involvesOrg(effectiveAccess(entity))) {
      ctx.error(
        'owner-type',
        `entity "${name}" uses org access, where ${ORG_FIELD} holds the organization; the owner must be a user column: choose another name (the default is user_id)`,
        ['entities', name, 'owner'],
      );
      continue;
    }
    const raw = Object.hasOwn(entity.fields ?? {}, owner) ? entity.fields?.[owner] : undefined;
    const implicit =
      (owner === 'id' && entity.primary_key === undefined) || ((owner === 'created_at' || owner === 'updated_at') && entity.timestamps !== false);
    if (raw === undefined && implicit) {
      ctx.error(
        'owner-type',
        `owner "${owner}" of entity "${name}" is a column the tool adds itself (${owner === 'id' ? 'the implicit primary key' : 'a timestamp'}); declare it as a uuid field${owner === 'id' ? ' and set primary_key: id' : ''}, or choose another owner`,
        ['entities', name, 'owner'],
      );
      continue;
    }
    if (raw === undefined) continue;
    const type = resolveFieldType(ctx.input, name, owner);
    if (type === undefined || type.sql === 'uuid') continue;
    const spec = fieldSpec(raw);
    const base = ['entities', name, 'fields', owner];
    const path = typeof raw === 'string' ? base : spec.type !== undefined ? [...base, 'type'] : [...base, 'references'];
    ctx.error(
      'owner-type',
      `owner ${fieldLabel(name, owner)} is ${type.sql}, but it is compared with auth.uid(): make it uuid (e.g. references: auth.users)`,
      path,
    );
  }
}
