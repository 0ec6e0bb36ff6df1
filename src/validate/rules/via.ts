/**
 * Rules about `{ via: FIELD }`: the field must be a reference to another
 * entity (whose own rule then decides), and following `via` from rule to rule
 * must end somewhere: a rule that asks its parent, which asks back, decides
 * nothing (and the model must never loop on it).
 */
import type { Path } from '../../load/document.js';
import { viaTarget } from '../../model/members.js';
import { AUTH_USERS, columnNames, fieldSpec, ownerField } from '../../model/resolve.js';
import { didYouMean, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';
import { eachTerm, termLabel } from './terms.js';
import type { TermVisit } from './terms.js';

export function viaField(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (t.term?.kind !== 'via') return;
    const field = t.term.column;
    const target = viaTarget(t.entity, field);
    // A reference to an unknown entity, or to one with a composite key, is reported by the reference rules.
    if (target !== undefined && target !== AUTH_USERS) return;
    const { entityName: name, entity } = t;
    const fields = entity.fields ?? {};
    const references = Object.entries(fields).flatMap(([f, raw]) => {
      const to = fieldSpec(raw).references;
      return to !== undefined && to !== AUTH_USERS ? [f] : [];
    });
    const subject = `${termLabel(t)} goes through "${field}"`;
    const mean = didYouMean(field, references.length > 0 ? references : Object.keys(fields));
    let message: string;
    if (field === ownerField(entity)) {
      message = `${subject}, the owner field of entity "${name}", which references auth.users: via goes through a reference to another entity; write owner for the row's owner`;
    } else if (target === AUTH_USERS) {
      message = `${subject}, but ${fieldLabel(name, field)} references auth.users, not an entity: via goes through a reference to another entity; write { user: ${field} } for the user it names`;
    } else if (Object.hasOwn(fields, field)) {
      message = `${subject}, but ${fieldLabel(name, field)} references no entity: give it references: ENTITY, or name a reference field${mean}`;
    } else if (columnNames(entity).includes(field)) {
      message = `${subject}, a column the tool adds itself, which references no entity; name a field with references to another entity${mean}`;
    } else {
      message = `${subject}, which is not a field of entity "${name}"; name a field with references to another entity${mean}`;
    }
    ctx.error('via-field', message, [...t.path, 'via']);
  });
}

/** One step of `via`: from an entity's rule for an operation to the parent's rule it asks. */
interface Step {
  readonly to: string;
  readonly term: TermVisit;
}

/**
 * A cycle of via across entities and operations: the graph (entity, op) →
 * (parent, can); `{ via: F, member: ROLES }` reads the parent's members, not
 * its rule, and the generated organizations have no via of their own, so
 * neither is a step. Each cycle is reported once, at the term that closes it.
 */
export function viaCycle(ctx: RuleContext): void {
  const steps = new Map<string, Step[]>();
  const entities = ctx.input.entities ?? {};
  eachTerm(ctx.input, (t) => {
    if (t.term?.kind !== 'via' || t.term.roles !== undefined) return;
    const target = viaTarget(t.entity, t.term.column);
    if (target === undefined || !Object.hasOwn(entities, target)) return;
    const from = `${t.entityName}.${t.op}`;
    steps.set(from, [...(steps.get(from) ?? []), { to: `${target}.${t.term.can}`, term: t }]);
  });
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): void => {
    onPath.push(node);
    for (const step of steps.get(node) ?? []) {
      const back = onPath.indexOf(step.to);
      if (back >= 0) {
        const cycle = [...onPath.slice(back), step.to].join(' → ');
        const path: Path = [...step.term.path, 'via'];
        ctx.error(
          'via-cycle',
          `${termLabel(step.term)} closes a cycle of via (${cycle}): each rule asks the next and none decides by itself; give one of them a term that is not via (owner, member, { user: FIELD }, …) instead`,
          path,
        );
      } else if (!done.has(step.to)) {
        visit(step.to);
      }
    }
    onPath.pop();
    done.add(node);
  };
  for (const node of steps.keys()) if (!done.has(node)) visit(node);
}
