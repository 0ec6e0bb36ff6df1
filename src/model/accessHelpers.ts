/**
 * The helpers `member` and `via` terms compile to (docs/design/access-rules-2.md §1):
 * `<schema>_<entity>_member_ids(roles text[])` and `<schema>_<entity>_ids_<op>()`,
 * STABLE SECURITY DEFINER functions in the private schema that return keys, so
 * that a policy compares its column with `= ANY (ARRAY(SELECT helper()))` (an
 * index condition, §7) and never queries a table with RLS (no 42P17, whatever
 * the file says). An ids helper is written from the entity's own rule, calling
 * its parents' helpers for its own `via` terms: children inherit, never copy.
 * Each helper is made when first asked for, after the helpers it calls.
 */
import type { EntityInput, RequirementsInput } from './input.js';
import type { ApiRole, Condition, HelperFunction, IdsHelper, MemberIds } from './model.js';
import { HELPER } from './model.js';
import { membersOf, readRuleOf, viaTarget } from './members.js';
import type { NameRegistry } from './names.js';
import { FUNCTION_SPACE } from './names.js';
import { orgRoleCondition, ruleCondition } from './policies.js';
import type { Columns } from './policies.js';
import type { AccessRule, AccessTerm, Operation } from './resolve.js';
import {
  ORG_FIELD,
  ORG_ROLES,
  ORGANIZATIONS,
  declaredPrimaryKey,
  effectiveAccess,
  involvesOrg,
  ownerField,
  referencedKey,
  resolveFieldType,
} from './resolve.js';
import { UUID } from './sqlTypes.js';
import type { OrgRole } from './input.js';

type ViaTerm = Extract<AccessTerm, { kind: 'via' }>;
type Can = ViaTerm['can'];

/**
 * Where the keys of the rows a caller may reach come from: every row (a NULL
 * reference still reaches none; `signedIn`: for a signed-in user only), no row,
 * or a helper — `roles` is the member_ids argument (null: any role; absent: the
 * helper takes none), `except` a helper whose keys are taken out (organizations'
 * plain members: member_org_ids() EXCEPT admin_org_ids()).
 */
export type KeySource =
  | { readonly kind: 'every-row'; readonly signedIn: boolean }
  | { readonly kind: 'no-row' }
  | { readonly kind: 'helper'; readonly name: string; readonly roles?: readonly string[] | null; readonly except?: string };

interface Made {
  readonly body: MemberIds | IdsHelper;
  readonly args: HelperFunction['args'];
  readonly callers: Set<ApiRole>;
}

const TEXT_ARRAY = { base: 'text', array: true, sql: 'text[]' } as const;

export class AccessHelpers {
  private readonly made = new Map<string, Made>();
  /** In the order made: each after the helpers it calls. */
  private readonly order: Made[] = [];
  /** (entity, op, variant) whose ids helper is being written: a `via` cycle (validation refuses them) must not loop. */
  private readonly building = new Set<string>();

  constructor(
    private readonly input: RequirementsInput,
    private readonly schema: string,
    private readonly names: NameRegistry,
  ) {}

  /** The helpers made, in the order the transaction creates them; EXECUTE to the roles whose policies call each. */
  functions(): HelperFunction[] {
    return this.order.map((m) => ({
      kind: 'helper-function',
      name: m.body.name,
      args: m.args,
      body: m.body,
      executableBy: (['anon', 'authenticated'] as const).filter((r) => m.callers.has(r)),
    }));
  }

  private entity(name: string): EntityInput {
    const e = this.input.entities?.[name];
    if (e === undefined) throw new Error(`internal: no entity ${name}`);
    return e;
  }

  private key(name: string): { column: string; type: IdsHelper['keyType'] } {
    const column = (declaredPrimaryKey(this.entity(name)) ?? ['id'])[0] as string;
    return { column, type: resolveFieldType(this.input, name, column) ?? UUID };
  }

  private call(m: Made, caller: ApiRole | undefined): string {
    if (caller !== undefined) m.callers.add(caller);
    return m.body.name;
  }

  /**
   * The name of `<schema>_<entity>_member_ids(roles text[])`, made on first use.
   * `caller`: the API role whose policy calls it (undefined: another helper does, which needs no grant).
   */
  memberIds(entity: string, caller: ApiRole | undefined): string {
    const id = `member\u0000${entity}`;
    let m = this.made.get(id);
    if (m === undefined) {
      const members = membersOf(entity, this.entity(entity));
      if (members === undefined) throw new Error(`internal: ${entity} has no members`);
      const name = this.names.derive(FUNCTION_SPACE, [this.schema, entity], 'member_ids');
      const body: MemberIds = { kind: 'member-ids', name, entity, table: members.table, column: members.column, keyType: this.key(entity).type };
      m = { body, args: [TEXT_ARRAY], callers: new Set() };
      this.made.set(id, m);
      this.order.push(m);
    }
    return this.call(m, caller);
  }

  /** Does the term grant anything to `role`? Signed-in users get a policy for every term; anon for public ones and `via`s to what anon may do. */
  reaches(entity: string, term: AccessTerm, role: ApiRole, seen: ReadonlySet<string> = new Set()): boolean {
    if (role === 'authenticated') return true;
    if (term.kind === 'level') return term.level === 'public';
    if (term.kind !== 'via' || term.roles !== undefined) return false;
    const parent = this.parentOf(entity, term.column);
    const at = `${parent}\u0000${term.can}`;
    if (parent === undefined || seen.has(at)) return false;
    const next = new Set([...seen, at]);
    return effectiveAccess(this.entity(parent))[term.can].some((t) => this.reaches(parent, t, 'anon', next));
  }

  /** The terms of an entity's rule for `op` that grant something to `role` (anon: as its policies have them). */
  ruleFor(entity: string, op: Operation, role: ApiRole): AccessRule {
    const input = this.entity(entity);
    // read as the read policy has it: the owner of a row with members reads it too
    const rule = op === 'read' ? readRuleOf(input) : effectiveAccess(input)[op];
    return role === 'authenticated' ? rule : rule.filter((t) => this.reaches(entity, t, 'anon'));
  }

  /** The entity a reference field points at; undefined for the generated organizations (and anything not an entity). */
  // viaTarget, as validation reads it: the org_id an org entity gets references the organizations too.
  private parentOf(entity: string, column: string): string | undefined {
    const references = viaTarget(this.entity(entity), column);
    return references === undefined ? undefined : referencedKey(this.input, references)?.entity;
  }

  private isOrganizations(entity: string, column: string): boolean {
    const references = viaTarget(this.entity(entity), column);
    return references !== undefined && referencedKey(this.input, references)?.builtin === ORGANIZATIONS;
  }

  /**
   * THE on-demand question (buckets' and views' `via` ask it too): where do the keys of the rows of
   * `entity` come from that a caller with `role` may `can` (with `roles`: is a member of with one of
   * them)? `entity` may be `organizations` (the generated one): membership, never "may read the row".
   * `caller`: the API role whose policy will call the helper named (granted EXECUTE), undefined from a helper.
   */
  keySource(entity: string, can: Can, roles: readonly string[] | undefined, role: ApiRole, caller: ApiRole | undefined): KeySource {
    if (entity === ORGANIZATIONS && this.input.entities?.[ORGANIZATIONS] === undefined) {
      if (role === 'anon') return { kind: 'no-row' };
      const wanted = ORG_ROLES.filter((r) => roles === undefined || roles.includes(r));
      if (wanted.length === 0) return { kind: 'no-row' };
      if (wanted.length === 2) return { kind: 'helper', name: HELPER.memberOrgIds };
      return wanted[0] === 'admin' ? { kind: 'helper', name: HELPER.adminOrgIds } : { kind: 'helper', name: HELPER.memberOrgIds, except: HELPER.adminOrgIds };
    }
    if (roles !== undefined) return role === 'anon' ? { kind: 'no-row' } : { kind: 'helper', name: this.memberIds(entity, caller), roles };
    const rule = this.ruleFor(entity, can, role);
    if (rule.length === 0) return { kind: 'no-row' };
    const plain = (t: AccessTerm, level: string) => t.kind === 'level' && t.level === level && t.where === undefined;
    if (rule.some((t) => plain(t, 'public'))) return { kind: 'every-row', signedIn: false };
    if (role === 'authenticated' && rule.some((t) => plain(t, 'authenticated'))) return { kind: 'every-row', signedIn: can !== 'read' };
    // Direct comparison: a rule that is one membership term needs no helper of its own (design §1).
    const [only] = rule;
    if (rule.length === 1 && only?.kind === 'member' && only.where === undefined) {
      return { kind: 'helper', name: this.memberIds(entity, caller), roles: only.roles ?? null };
    }
    return { kind: 'helper', name: this.ids(entity, can, role, caller) };
  }

  /** `column`'s value is the key of a row reached by `source` (for a policy on a table with that column). */
  static keyCondition(column: string, source: KeySource): Condition {
    switch (source.kind) {
      case 'no-row':
        return { kind: 'never' };
      case 'every-row':
        return source.signedIn ? { kind: 'all', of: [{ kind: 'not-null', column }, { kind: 'signed-in' }] } : { kind: 'not-null', column };
      case 'helper':
        if (source.name === HELPER.memberOrgIds) return { kind: source.except ? 'org-plain-member' : 'org-member', column };
        if (source.name === HELPER.adminOrgIds) return { kind: 'org-admin', column };
        if (source.roles === undefined) return { kind: 'ids', column, helper: source.name };
        return { kind: 'member-ids', column, helper: source.name, ...(source.roles === null ? {} : { roles: source.roles }) };
    }
  }

  /** A `via` term of `entity` for a policy (or helper) of `role`: its column holds a key of a parent row it reaches. */
  via(entity: string, term: ViaTerm, role: ApiRole, caller: ApiRole | undefined): Condition {
    if (this.isOrganizations(entity, term.column)) {
      // Membership of the generated organizations, exactly as `{ org: ROLES }` compares it.
      if (role === 'anon') return { kind: 'never' };
      return orgRoleCondition(ORG_ROLES.filter((r) => term.roles === undefined || term.roles.includes(r)) as OrgRole[], term.column);
    }
    const parent = this.parentOf(entity, term.column);
    if (parent === undefined) throw new Error(`internal: ${entity}.${term.column} references no entity`);
    return AccessHelpers.keyCondition(term.column, this.keySource(parent, term.can, term.roles, role, caller));
  }

  /** Every API role sees the same rule (every term reaches anon, through every level of `via`): one helper serves both. */
  private sameForRoles(entity: string, op: Can, seen: ReadonlySet<string> = new Set()): boolean {
    const at = `${entity}\u0000${op}`;
    if (seen.has(at)) return false;
    const next = new Set([...seen, at]);
    return effectiveAccess(this.entity(entity))[op].every((t) => {
      if (!this.reaches(entity, t, 'anon')) return false;
      if (t.kind !== 'via') return true;
      const parent = this.parentOf(entity, t.column);
      return parent !== undefined && this.sameForRoles(parent, t.can, next);
    });
  }

  /** The name of `<schema>_<entity>_ids_<op>()` (`…_anon` when anon's rule differs), made on first use. */
  ids(entity: string, op: Can, role: ApiRole, caller: ApiRole | undefined): string {
    const variant: ApiRole = role === 'anon' && !this.sameForRoles(entity, op) ? 'anon' : 'authenticated';
    const id = `ids\u0000${entity}\u0000${op}\u0000${variant}`;
    let m = this.made.get(id);
    if (m === undefined) {
      if (this.building.has(id)) throw new Error(`internal: a via cycle through ${entity}.${op} (validation refuses them)`);
      this.building.add(id);
      const input = this.entity(entity);
      const scope: Columns = {
        ...(ownerField(input) !== undefined ? { owner: ownerField(input) } : {}),
        ...(involvesOrg(effectiveAccess(input)) ? { org: ORG_FIELD } : {}),
        terms: { entity, key: this.key(entity).column, role: variant, helpers: this },
      };
      const condition = ruleCondition(this.ruleFor(entity, op, variant), op, scope);
      this.building.delete(id);
      const name = this.names.derive(FUNCTION_SPACE, [this.schema, entity], variant === 'anon' ? `ids_${op}_anon` : `ids_${op}`);
      const key = this.key(entity);
      const body: IdsHelper = { kind: 'ids', name, entity, op, role: variant, key: key.column, keyType: key.type, condition };
      m = { body, args: [], callers: new Set() };
      this.made.set(id, m);
      this.order.push(m);
    }
    return this.call(m, caller);
  }

  /** A `member` term of `entity`: the row's key is one the caller is a member of, with one of the roles. */
  member(entity: string, key: string, roles: readonly string[] | undefined, caller: ApiRole | undefined): Condition {
    return { kind: 'member-ids', column: key, helper: this.memberIds(entity, caller), ...(roles === undefined ? {} : { roles }) };
  }
}
