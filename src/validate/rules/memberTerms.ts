/**
 * Rules about the terms that ask for members: `member` and `{ member: ROLES }`
 * (members of this row) need `members` on the entity; `{ via: F, member:
 * ROLES }` needs them on the referenced entity (the generated organizations
 * have them: admin, member); every role named must be one of those roles.
 */
import type { Path } from '../../load/document.js';
import type { RequirementsInput } from '../../model/input.js';
import { memberRolesOf, viaTarget } from '../../model/members.js';
import { AUTH_USERS, ORGANIZATIONS, hasMembers } from '../../model/resolve.js';
import { didYouMean } from './context.js';
import type { RuleContext } from './context.js';
import { eachTerm, termLabel, termWords } from './terms.js';
import type { TermVisit } from './terms.js';

/** Whose members a member term asks for: this entity's, or its parent's through the via field; undefined when another rule reports why there is none. */
function membersOwner(input: RequirementsInput, t: TermVisit): string | undefined {
  if (t.term?.kind === 'member') return t.entityName;
  if (t.term?.kind !== 'via' || t.term.roles === undefined) return undefined;
  const target = viaTarget(t.entity, t.term.column);
  const known = target === ORGANIZATIONS || Object.hasOwn(input.entities ?? {}, target ?? '');
  return target !== undefined && target !== AUTH_USERS && known ? target : undefined;
}

const memberPath = (t: TermVisit): Path => (typeof t.written === 'string' ? t.path : [...t.path, 'member']);

export function memberWithoutMembers(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    const owner = membersOwner(ctx.input, t);
    if (owner === undefined || t.term === undefined || memberRolesOf(ctx.input, owner) !== undefined) return;
    if (t.term.kind === 'member') {
      ctx.error(
        'member-without-members',
        `${termLabel(t)} is ${termWords(t.term)}, but entity "${t.entityName}" has no members: declare them (members: true, or a map with roles), or use another term`,
        memberPath(t),
      );
    } else if (t.term.kind === 'via') {
      ctx.error(
        'member-without-members',
        `${termLabel(t)} asks for members of the "${owner}" row that "${t.term.column}" references, but entity "${owner}" has no members: declare them on "${owner}", or write { via: ${t.term.column} } for whoever may read it`,
        memberPath(t),
      );
    }
  });
}

/**
 * Each role of `member` (a role or a list, as written at `path`) must be one of `roles`,
 * the roles of `whose` (`entity "projects"`, `the organizations`).
 */
export function checkRoles(ctx: RuleContext, written: unknown, path: Path, roles: readonly string[], whose: string, subject: string): void {
  const list = typeof written === 'string' ? [written] : Array.isArray(written) ? written : [];
  list.forEach((role, i) => {
    if (typeof role !== 'string' || roles.includes(role)) return;
    ctx.error(
      'member-role',
      `${subject} names role "${role}", which is not a role of the members of ${whose} (${roles.join(', ')})${didYouMean(role, roles)}`,
      Array.isArray(written) ? [...path, i] : path,
    );
  });
}

/** The words for whose members these are. */
export const whoseMembers = (owner: string, input: RequirementsInput): string =>
  owner === ORGANIZATIONS && !Object.hasOwn(input.entities ?? {}, owner) ? 'the organizations' : `entity "${owner}"`;

export function memberRole(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (typeof t.written !== 'object' || !('member' in t.written)) return;
    const owner = membersOwner(ctx.input, t);
    const roles = owner === undefined ? undefined : memberRolesOf(ctx.input, owner);
    if (owner === undefined || roles === undefined) return;
    checkRoles(ctx, t.written.member, [...t.path, 'member'], roles, whoseMembers(owner, ctx.input), termLabel(t));
  });
}

/** A row has no members before it exists: `member` on create of the row itself grants nobody. */
export function memberCreate(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (t.op !== 'create' || t.term?.kind !== 'member' || !hasMembers(t.entity)) return;
    ctx.error(
      'member-create',
      `${termLabel(t)} is ${termWords(t.term)}, which grants nobody on create: a new row has no members yet (its creator becomes the first one); use authenticated, or { via: FIELD, member: ROLES } for members of a parent`,
      memberPath(t),
    );
  });
}

/**
 * `can` chooses the parent's rule; with `member`, the roles decide instead:
 * both at once means one of them is not what was meant. Through the generated
 * organizations, via means membership, never their rules: `can` has no rule to choose.
 */
export function viaCan(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    if (typeof t.written !== 'object' || !('via' in t.written) || t.written.can === undefined) return;
    const message = canProblem(
      t.written.member !== undefined,
      viaTarget(t.entity, t.written.via) === ORGANIZATIONS && !Object.hasOwn(ctx.input.entities ?? {}, ORGANIZATIONS),
    );
    if (message !== undefined) ctx.error('via-can', `${termLabel(t)} ${message}`, [...t.path, 'can']);
  });
}

/** What is wrong with `can` in a via term (entity's or bucket's), if anything. */
export function canProblem(withMember: boolean, organizations: boolean): string | undefined {
  if (organizations)
    return 'has can, but through the organizations via means membership, not their rules: write member: admin for their admins, or leave can out for any member';
  if (withMember)
    return "has both can and member: with member, the parent's members with those roles pass whatever its rules say, so can would be ignored; remove one";
  return undefined;
}
