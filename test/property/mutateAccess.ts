/**
 * Mutations of valid files that break one rule of members and via (issue 16),
 * for mutations-access.test.ts: a via cycle (two entities, or one through a
 * reference to itself), a role the members do not have, `member` on an entity
 * without members, `{ via: F }` on a field that is no reference to an entity,
 * `{ via: F, member }` whose parent has no members, a bucket or a view going
 * through what does not exist, a members table named like an entity.
 *
 * Each mutation says which rule must refuse it and where (the paths of the
 * nodes a problem may point at); what it needs and the file lacks (an entity
 * with members, a plain field) it adds, so that every kind always applies.
 */
import fc from 'fast-check';
import { fileArb } from './arbitraries.js';
import { put, toYaml } from './documents.js';
import { effective } from './entitySpecs.js';
import type { ArbValue } from './values.js';

type Doc = Record<string, unknown>;
type Op = 'read' | 'create' | 'update' | 'delete';
export type Path = (string | number)[];

export const ACCESS_MUTATIONS = [
  'via-cycle-two',
  'via-cycle-self',
  'member-role',
  'via-member-role',
  'member-without-members',
  'via-plain-field',
  'via-user-field',
  'via-member-without-members',
  'bucket-via',
  'view-via',
  'members-table-written',
  'members-table-taken',
] as const;
type Kind = (typeof ACCESS_MUTATIONS)[number];

/** The rule each kind of mutation breaks. */
const RULE: Record<Kind, string> = {
  'via-cycle-two': 'via-cycle',
  'via-cycle-self': 'via-cycle',
  'member-role': 'member-role',
  'via-member-role': 'member-role',
  'member-without-members': 'member-without-members',
  'via-plain-field': 'via-field',
  'via-user-field': 'via-field',
  'via-member-without-members': 'member-without-members',
  'bucket-via': 'bucket-via',
  'view-via': 'view-via',
  'members-table-written': 'members-table',
  'members-table-taken': 'members-table',
};

const DEFAULT_ROLES = ['admin', 'member'];
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

const accessMutationArb = fc.record({
  file: fileArb,
  kind: fc.constantFrom(...ACCESS_MUTATIONS),
  pick: fc.nat(),
  pick2: fc.nat(),
  /** A term written as a string where it can be (`member`), or as a map. */
  short: fc.boolean(),
  collectionStyle: fc.constantFrom('any', 'block', 'flow'),
});

export interface AccessMutated {
  readonly kind: Kind;
  readonly rule: string;
  /** Where a problem of `rule` may point (one of them at least must be pointed at). */
  readonly at: readonly Path[];
  readonly text: string;
  readonly what: string;
}

/** The file being mutated, with the helpers that find or add what a mutation needs. */
class Mutable {
  readonly doc: Doc;
  private fresh = 0;
  constructor(doc: Doc) {
    this.doc = structuredClone(doc);
  }

  section(key: string): Doc {
    if (!isMap(this.doc[key])) this.doc[key] = {};
    return this.doc[key] as Doc;
  }

  get entities(): Doc {
    return this.section('entities');
  }

  /** A name taken by nothing in the file (entities, members tables, views, fields of `within`). */
  freshName(prefix: string, within?: Doc): string {
    const taken = JSON.stringify(this.doc);
    for (;;) {
      const name = `${prefix}_${this.fresh++}`;
      if (!taken.includes(`"${name}`) && !(within && Object.hasOwn(within, name))) return name;
    }
  }

  entity(name: string): Doc {
    return this.entities[name] as Doc;
  }

  /** Entities passing `test`, or a new one (made by `make`) when none does. */
  pickEntity(k: number, test: (name: string, e: Doc) => boolean, make: () => Doc = () => ({ fields: { title: 'text' } })): string {
    const names = Object.keys(this.entities).filter((n) => isMap(this.entities[n]) && test(n, this.entity(n)));
    if (names.length > 0) return names[k % names.length] as string;
    const name = this.freshName('mut');
    put(this.entities, name, make());
    return name;
  }

  fields(entity: string): Doc {
    const e = this.entity(entity);
    if (!isMap(e.fields)) e.fields = {};
    return e.fields as Doc;
  }

  /** A new field of `entity`: its name. */
  addField(entity: string, field: unknown, prefix = 'mut_ref'): string {
    const fields = this.fields(entity);
    const name = this.freshName(prefix, fields);
    put(fields, name, field);
    return name;
  }

  /**
   * `term` added to `op` of `entity`: after the op's terms, or alone where the
   * op grants nobody or everyone (public, authenticated: a term after them
   * would be redundant). A preset is written out as its map first. Returns
   * the term's path.
   */
  addTerm(entity: string, op: Op, term: unknown): Path {
    const e = this.entity(entity);
    if (!isMap(e.access)) e.access = { ...effective(e.access as never) };
    const access = e.access as Doc;
    const base: Path = ['entities', entity, 'access', op];
    const current = access[op];
    const list = current === undefined || current === 'none' ? [] : Array.isArray(current) ? current : [current];
    if (list.length === 0 || list.includes('public') || list.includes('authenticated')) {
      access[op] = term;
      return base;
    }
    access[op] = [...list, term];
    return [...base, list.length];
  }
}

/** The roles of an entity's members, or undefined without members. */
function rolesOf(e: Doc): readonly string[] | undefined {
  if (e.members === true) return DEFAULT_ROLES;
  if (!isMap(e.members)) return undefined;
  return Array.isArray(e.members.roles) ? (e.members.roles as string[]) : DEFAULT_ROLES;
}

/** An entity other references may point at: its key is one field. */
const singleKey = (e: Doc) => !Array.isArray(e.primary_key) || e.primary_key.length === 1;
const ops = (k: number, withCreate: boolean): Op =>
  (withCreate ? (['read', 'create', 'update', 'delete'] as const)[k % 4] : (['read', 'update', 'delete'] as const)[k % 3]) as Op;
/** A role the roles do not have, looking like one of them half the time (a name still: at most 63 bytes). */
const otherRole = (roles: readonly string[], k: number): string => {
  const r = roles[k % roles.length] as string;
  const near = r.length < 63 ? `${r}s` : `${r.slice(0, -1)}${r.endsWith('z') ? 'y' : 'z'}`;
  const candidates = k % 2 === 0 ? [near, 'owner_role', 'owner_role_x'] : ['owner_role', 'owner_role_x'];
  return candidates.find((c) => !roles.includes(c)) as string;
};

function mutate(m: ArbValue<typeof accessMutationArb>, f: Mutable): Omit<AccessMutated, 'text' | 'kind' | 'rule'> {
  const withMembers = () => ({ fields: { title: 'text' }, members: true });
  switch (m.kind) {
    case 'via-cycle-two': {
      const x = f.pickEntity(m.pick, (_, e) => singleKey(e));
      const y = f.pickEntity(m.pick2, (n, e) => n !== x && singleKey(e));
      const fx = f.addField(x, { references: y });
      const fy = f.addField(y, { references: x });
      const can = ops(m.pick2, false);
      const term = (field: string) => (can === 'read' ? { via: field } : { via: field, can });
      const px = f.addTerm(x, can, term(fx));
      const py = f.addTerm(y, can, term(fy));
      return {
        at: [
          [...px, 'via'],
          [...py, 'via'],
        ],
        what: `${x}.${can} through ${fx} to ${y}, and ${y}.${can} through ${fy} back`,
      };
    }
    case 'via-cycle-self': {
      const x = f.pickEntity(m.pick, (_, e) => singleKey(e));
      const fx = f.addField(x, { references: x });
      const op = ops(m.pick2, false);
      const path = f.addTerm(x, op, op === 'read' ? { via: fx } : { via: fx, can: op });
      return { at: [[...path, 'via']], what: `${x}.${op} through ${fx}, a reference to ${x} itself` };
    }
    case 'member-role': {
      const x = f.pickEntity(m.pick, (_, e) => rolesOf(e) !== undefined, withMembers);
      const role = otherRole(rolesOf(f.entity(x)) as string[], m.pick2);
      const asList = !m.short;
      const path = f.addTerm(x, ops(m.pick2 >> 2, false), { member: asList ? [role] : role });
      return { at: [asList ? [...path, 'member', 0] : [...path, 'member']], what: `{ member: ${role} } on ${x}` };
    }
    case 'via-member-role': {
      const parent = f.pickEntity(m.pick, (_, e) => rolesOf(e) !== undefined && singleKey(e), withMembers);
      const child = f.pickEntity(m.pick2, () => true);
      const field = f.addField(child, { references: parent });
      const role = otherRole(rolesOf(f.entity(parent)) as string[], m.pick2);
      const path = f.addTerm(child, ops(m.pick2 >> 2, true), { via: field, member: role });
      return { at: [[...path, 'member']], what: `{ via: ${field}, member: ${role} } on ${child}, whose parent ${parent} has no such role` };
    }
    case 'member-without-members': {
      const x = f.pickEntity(m.pick, (_, e) => rolesOf(e) === undefined);
      const term = m.short ? 'member' : { member: 'admin' };
      const path = f.addTerm(x, ops(m.pick2, false), term);
      return { at: [m.short ? path : [...path, 'member']], what: `${JSON.stringify(term)} on ${x}, which has no members` };
    }
    case 'via-plain-field': {
      const x = f.pickEntity(m.pick, () => true);
      const fields = f.fields(x);
      const plain = Object.keys(fields).filter((n) => typeof fields[n] === 'string' || (isMap(fields[n]) && !('references' in (fields[n] as Doc))));
      const field = plain.length > 0 ? (plain[m.pick2 % plain.length] as string) : f.addField(x, 'text', 'mut_plain');
      const path = f.addTerm(x, ops(m.pick2 >> 2, true), { via: field });
      return { at: [[...path, 'via']], what: `{ via: ${field} } on ${x}, a field that is no reference` };
    }
    case 'via-user-field': {
      const x = f.pickEntity(m.pick, () => true);
      const field = f.addField(x, { references: 'auth.users' }, 'mut_user');
      const path = f.addTerm(x, ops(m.pick2, true), { via: field });
      return { at: [[...path, 'via']], what: `{ via: ${field} } on ${x}, a reference to auth.users` };
    }
    case 'via-member-without-members': {
      const parent = f.pickEntity(m.pick, (_, e) => rolesOf(e) === undefined && singleKey(e));
      const child = f.pickEntity(m.pick2, () => true);
      const field = f.addField(child, { references: parent });
      const path = f.addTerm(child, ops(m.pick2 >> 2, true), { via: field, member: m.short ? 'admin' : ['admin'] });
      return { at: [[...path, 'member']], what: `{ via: ${field}, member: admin } on ${child}, whose parent ${parent} has no members` };
    }
    case 'bucket-via': {
      const buckets = f.section('buckets');
      const names = Object.keys(f.entities);
      const near = names[m.pick % Math.max(1, names.length)];
      // A name still (63 bytes at most), one letter off an entity's.
      const missing =
        near !== undefined && m.short ? `${near.length < 63 ? near : near.slice(0, -1)}${near.endsWith('x') ? 'y' : 'x'}` : f.freshName('nowhere');
      const target = Object.hasOwn(f.entities, missing) ? f.freshName('nowhere') : missing;
      const id = f.freshName('mut-bucket');
      const op = (['read', 'upload', 'update', 'delete'] as const)[m.pick2 % 4] as string;
      put(buckets, id, { access: { [op]: { via: target } } });
      return { at: [['buckets', id, 'access', op, 'via']], what: `bucket ${id}: ${op} through ${target}, no entity` };
    }
    case 'view-via': {
      const x = f.pickEntity(m.pick, (_, e) => singleKey(e));
      const views = f.section('materialized_views');
      const name = f.freshName('mut_view');
      const column = m.short ? 'm' : 'thing_id';
      put(views, name, { query: 'SELECT 1 AS n', access: { via: column, references: x } });
      return { at: [['materialized_views', name, 'access', 'via']], what: `view ${name}: via ${column}, not one of its columns` };
    }
    case 'members-table-written': {
      const x = f.pickEntity(m.pick, (_, e) => rolesOf(e) !== undefined && singleKey(e), withMembers);
      const names = Object.keys(f.entities);
      const table = names[m.pick2 % names.length] as string;
      const e = f.entity(x);
      e.members = { ...(isMap(e.members) ? e.members : {}), table };
      return { at: [['entities', x, 'members', 'table']], what: `members table of ${x} named ${table}, an entity` };
    }
    case 'members-table-taken': {
      const x = f.pickEntity(m.pick, (_, e) => rolesOf(e) !== undefined && singleKey(e), withMembers);
      const members = f.entity(x).members;
      const written = isMap(members) && typeof members.table === 'string';
      const table = written ? (members.table as string) : `${x}_members`;
      if (['organizations', 'organization_members'].includes(table)) break;
      put(f.entities, table, { fields: { title: 'text' } });
      return { at: [written ? ['entities', x, 'members', 'table'] : ['entities', x, 'members']], what: `a new entity ${table}, the members table of ${x}` };
    }
  }
  // Never expected: the entity named like organizations' tables is refused, but by another rule.
  return { at: [], what: 'nothing' };
}

export const accessMutatedArb = accessMutationArb
  .map((m) => {
    const f = new Mutable(m.file.doc);
    const done = mutate(m, f);
    const style = { collectionStyle: m.collectionStyle as 'any' };
    return { ...done, kind: m.kind, rule: RULE[m.kind], text: toYaml(f.doc, style), original: toYaml(m.file.doc, style), from: m.file.text };
  })
  .filter((r) => r.at.length > 0)
  .map((r) => Object.assign(r, { [fc.toStringMethod]: () => `${r.kind}: ${r.what}\n--- mutated file:\n${r.text}\n--- from:\n${r.from}` }));
