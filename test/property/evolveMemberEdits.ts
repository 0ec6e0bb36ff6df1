/**
 * Edits of members and via between two versions of a file (evolve-random):
 * members added to an entity (its rows' owners become their first members)
 * or removed (with the terms that asked for them: a destructive change), a
 * role added or removed, join switched between invite and open, a parent's
 * rule changed (the children that go through it follow), via terms added or
 * removed. Like every edit, one the format refuses is dropped by `derive`.
 */
import { put } from './documents.js';
import { effective } from './entitySpecs.js';

type Doc = Record<string, unknown>;
type Op = 'read' | 'create' | 'update' | 'delete';
export type MemberEdit = (doc: Doc, e: { a: number; b: number; c: number }) => string | undefined;

const OPS: readonly Op[] = ['read', 'create', 'update', 'delete'];
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
const entitiesOf = (doc: Doc): Doc => (isMap(doc.entities) ? doc.entities : {});
const names = (doc: Doc, test: (e: Doc) => boolean = () => true): string[] =>
  Object.keys(entitiesOf(doc)).filter((n) => isMap(entitiesOf(doc)[n]) && test(entitiesOf(doc)[n] as Doc));
const entity = (doc: Doc, name: string): Doc => entitiesOf(doc)[name] as Doc;
const hasMembers = (e: Doc): boolean => e.members === true || isMap(e.members);
const rolesOf = (e: Doc): string[] => (isMap(e.members) && Array.isArray(e.members.roles) ? [...(e.members.roles as string[])] : ['admin', 'member']);

/** The entity's access as a map (a preset or the default written out), made its own. */
function accessMap(e: Doc): Doc {
  if (!isMap(e.access)) e.access = { ...effective(e.access as never) };
  return e.access as Doc;
}

const termsOf = (rule: unknown): unknown[] => (rule === undefined || rule === 'none' ? [] : Array.isArray(rule) ? [...rule] : [rule]);
const ruleOf = (terms: readonly unknown[]): unknown => (terms.length === 0 ? 'none' : terms.length === 1 ? terms[0] : [...terms]);

/** Keeps the terms of every op of `e` that `keep` accepts; how many went. */
function filterTerms(e: Doc, keep: (term: unknown) => boolean): number {
  if (!isMap(e.access)) return 0;
  let removed = 0;
  for (const op of OPS) {
    if (!Object.hasOwn(e.access, op)) continue;
    const terms = termsOf(e.access[op]);
    const kept = terms.filter(keep);
    removed += terms.length - kept.length;
    if (kept.length !== terms.length) e.access[op] = ruleOf(kept);
  }
  return removed;
}

/** Reference fields of `e` to entities of the file: name → the entity referenced. */
function entityReferences(doc: Doc, e: Doc): [string, string][] {
  const fields = isMap(e.fields) ? e.fields : {};
  return Object.keys(fields).flatMap((f) => {
    const to = isMap(fields[f]) ? (fields[f] as Doc).references : undefined;
    return typeof to === 'string' && Object.hasOwn(entitiesOf(doc), to) ? [[f, to] as [string, string]] : [];
  });
}

const ROLE_SETS = [['owner_role', 'editor', 'viewer'], ['admin', 'member'], ['lead', 'member'], ['admin']];
const RULES = ['owner', 'public', 'authenticated', ['owner', 'member'], ['owner', { member: 'admin' }], 'none'];

export const MEMBER_EDITS: readonly (readonly [number, MemberEdit])[] = [
  // members added to an entity without them
  [
    2,
    (doc, e) => {
      const name = pick(
        names(doc, (x) => !hasMembers(x)),
        e.a,
      );
      if (name === undefined) return undefined;
      const roles = pick(ROLE_SETS, e.b) as string[];
      const members = e.c % 3 === 0 ? true : { roles, ...(e.c % 3 === 2 ? { join: 'open' } : {}) };
      entity(doc, name).members = members;
      return `members of ${name}: ${JSON.stringify(members)}`;
    },
  ],
  // members removed, with the terms that asked for them (here and through references to it)
  [
    2,
    (doc, e) => {
      const name = pick(names(doc, hasMembers), e.a);
      if (name === undefined) return undefined;
      const x = entity(doc, name);
      delete x.members;
      filterTerms(x, (t) => t !== 'member' && !(isMap(t) && 'member' in t && !('via' in t)));
      for (const other of names(doc)) {
        const through = new Set(
          entityReferences(doc, entity(doc, other))
            .filter(([, to]) => to === name)
            .map(([f]) => f),
        );
        filterTerms(entity(doc, other), (t) => !(isMap(t) && 'member' in t && through.has(t.via as string)));
      }
      return `remove members of ${name}`;
    },
  ],
  // a role added or removed
  [
    2,
    (doc, e) => {
      const name = pick(names(doc, hasMembers), e.a);
      if (name === undefined) return undefined;
      const x = entity(doc, name);
      const roles = rolesOf(x);
      const removing = e.c % 2 === 1 && roles.length > 1;
      const role = removing ? (roles[e.b % roles.length] as string) : (pick(['editor', 'viewer', 'guest', 'admin'], e.b) as string);
      if (!removing && roles.includes(role)) return undefined;
      const next = removing ? roles.filter((r) => r !== role) : [...roles.slice(0, e.b % (roles.length + 1)), role, ...roles.slice(e.b % (roles.length + 1))];
      x.members = { ...(isMap(x.members) ? x.members : {}), roles: next };
      return `roles of ${name}: ${JSON.stringify(next)}`;
    },
  ],
  // join: invite ↔ open
  [
    1,
    (doc, e) => {
      const name = pick(names(doc, hasMembers), e.a);
      if (name === undefined) return undefined;
      const x = entity(doc, name);
      const members = isMap(x.members) ? x.members : {};
      const join = members.join === 'open' ? 'invite' : 'open';
      x.members = { ...members, join };
      return `join of ${name}: ${join}`;
    },
  ],
  // a parent's rule changed: the entities going through it follow
  [
    2,
    (doc, e) => {
      const parents = [...new Set(names(doc).flatMap((n) => entityReferences(doc, entity(doc, n)).map(([, to]) => to)))];
      const name = pick(parents, e.a);
      if (name === undefined) return undefined;
      const x = entity(doc, name);
      const op = pick(['read', 'read', 'update', 'delete'] as const, e.b) as Op;
      const rule = structuredClone(pick(RULES, e.c));
      accessMap(x)[op] = rule;
      return `${op} of parent ${name}: ${JSON.stringify(rule)}`;
    },
  ],
  // a via term added
  [
    2,
    (doc, e) => {
      const name = pick(
        names(doc, (x) => entityReferences(doc, x).length > 0),
        e.a,
      );
      if (name === undefined) return undefined;
      const x = entity(doc, name);
      const [field, to] = pick(entityReferences(doc, x), e.b) as [string, string];
      const op = pick(OPS, e.c) as Op;
      const parent = entity(doc, to);
      const term: Doc = { via: field };
      if (e.c % 5 === 1 && hasMembers(parent)) term.member = pick(rolesOf(parent), e.b);
      else if (e.c % 5 === 2) term.can = pick(['update', 'delete'], e.b);
      const access = accessMap(x);
      const terms = termsOf(access[op]).filter((t) => t !== 'public' && t !== 'authenticated');
      access[op] = ruleOf([...terms, term]);
      return `${op} of ${name}: add ${JSON.stringify(term)}`;
    },
  ],
  // a via term removed
  [
    1,
    (doc, e) => {
      const withVia = names(doc, (x) => isMap(x.access) && OPS.some((op) => termsOf((x.access as Doc)[op]).some((t) => isMap(t) && 'via' in t)));
      const name = pick(withVia, e.a);
      if (name === undefined) return undefined;
      const access = entity(doc, name).access as Doc;
      const op = pick(
        OPS.filter((o) => termsOf(access[o]).some((t) => isMap(t) && 'via' in t)),
        e.b,
      ) as Op;
      const terms = termsOf(access[op]);
      const vias = terms.flatMap((t, i) => (isMap(t) && 'via' in t ? [i] : []));
      const gone = vias[e.c % vias.length] as number;
      put(access, op, ruleOf(terms.filter((_, i) => i !== gone)));
      return `${op} of ${name}: remove ${JSON.stringify(terms[gone])}`;
    },
  ],
];
