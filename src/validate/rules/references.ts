/**
 * Rules about `references`: that it names something with a single-column key,
 * and that the column types on both ends of the foreign key agree.
 */
import type { RequirementsInput } from '../../model/input.js';
import { AUTH_USERS, ORGANIZATIONS, declaredPrimaryKey, fieldSpec, referencedKey, resolveFieldType } from '../../model/resolve.js';
import { UUID, parseType, sameType } from '../../model/sqlTypes.js';
import { eachField, fieldKeyPath, fieldLabel, unknownEntityHint } from './context.js';
import type { RuleContext } from './context.js';

export function unknownReference(ctx: RuleContext): void {
  const names = Object.keys(ctx.input.entities ?? {});
  const candidates = [...names, AUTH_USERS, ...(ctx.usesOrg ? [ORGANIZATIONS] : [])];
  const known = new Set(candidates);
  eachField(ctx.input, (field) => {
    const target = field.spec.references;
    if (target === undefined || known.has(target)) return;
    const hint = unknownEntityHint(target, candidates);
    ctx.error(
      'unknown-reference',
      `${fieldLabel(field.entityName, field.fieldName)} references "${target}", which is neither an entity of this file nor ${AUTH_USERS}${hint}`,
      fieldKeyPath(field, 'references'),
    );
  });
}

export function compositeReference(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const target = field.spec.references;
    const entity = target === undefined ? undefined : ctx.input.entities?.[target];
    const pk = entity === undefined ? undefined : declaredPrimaryKey(entity);
    if (pk === undefined || pk.length < 2 || referencedKey(ctx.input, target as string) !== undefined) return;
    ctx.error(
      'composite-reference',
      `${fieldLabel(field.entityName, field.fieldName)} references "${target}", whose primary key has ${pk.length} fields (${pk.join(', ')}); ` +
        'a reference needs a single-field primary key: give that entity one (or drop its primary_key to get an id)',
      fieldKeyPath(field, 'references'),
    );
  });
}

/**
 * For a field without a type, the chain of fields its type would come from,
 * stopping where a type is found; ends with a repeated field when it loops.
 */
function referenceChain(input: RequirementsInput, entityName: string, fieldName: string): string[] {
  const chain = [`${entityName}.${fieldName}`];
  let current = { entity: entityName, field: fieldName };
  for (;;) {
    const raw = input.entities?.[current.entity]?.fields?.[current.field];
    const spec = raw === undefined ? undefined : fieldSpec(raw);
    if (spec === undefined || spec.type !== undefined || spec.references === undefined) return chain;
    const target = referencedKey(input, spec.references);
    if (target === undefined || target.entity === undefined) return chain;
    const step = `${target.entity}.${target.field}`;
    const looped = chain.includes(step);
    chain.push(step);
    if (looped) return chain;
    current = { entity: target.entity, field: target.field };
  }
}

export function referenceType(ctx: RuleContext): void {
  eachField(ctx.input, (field) => {
    const { references, type } = field.spec;
    if (references === undefined) return;
    const label = fieldLabel(field.entityName, field.fieldName);
    if (type === undefined) {
      const chain = referenceChain(ctx.input, field.entityName, field.fieldName);
      const last = chain[chain.length - 1] as string;
      if (chain.indexOf(last) !== chain.length - 1) {
        ctx.error(
          'reference-type',
          `${label} has no type and its references go round in a loop (${chain.join(' → ')}), so no type can be found; give one of these fields a type`,
          fieldKeyPath(field, 'references'),
        );
      }
      return;
    }
    const declared = parseType(type);
    const target = referencedKey(ctx.input, references);
    if (!declared.ok || target === undefined) return;
    const targetType = target.entity === undefined ? UUID : resolveFieldType(ctx.input, target.entity, target.field);
    if (targetType === undefined || sameType(declared.type, targetType)) return;
    const keyName = target.entity === undefined ? `${target.builtin}.id` : `${target.entity}.${target.field}`;
    ctx.error(
      'reference-type',
      `${label} is declared ${declared.type.sql} but references ${keyName}, which is ${targetType.sql}; ` +
        `write type: ${targetType.sql} or leave type out (it is taken from the referenced key)`,
      fieldKeyPath(field, 'type'),
    );
  });
}
