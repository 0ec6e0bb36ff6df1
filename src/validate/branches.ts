/**
 * A oneOf fails with the errors of every branch; only the branch meant for
 * what was written says something useful. The branch is picked by the kind of
 * value (a map, a list, a string, ...) and, when several branches take maps,
 * by the key that tells them apart (an access term's `level`, `user`, `org`,
 * `member` or `via`: a branch's first required key; `{ via, member }` is the
 * via term, whose optional `member` is not a second term).
 * When no branch is meant, one sentence says what was expected.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Path } from '../load/document.js';
import { describePath, insidePath, isPlainMap, quote } from './location.js';
import type { Issue, SchemaNode } from './schemaWords.js';
import { describeValue, kindOf, resolveRef, typeNoun, typesOf } from './schemaWords.js';
import { suggest } from './suggest.js';

export interface BranchChoice {
  readonly issues: readonly Issue[];
  /** Where a string was written and other forms are taken too: the schema of the chosen branch and `member, or a map { level | user | … }`. */
  readonly alternatives?: { readonly schema: SchemaNode; readonly words: readonly string[]; readonly text: string };
}

interface Branch {
  readonly schema: SchemaNode;
  readonly title?: string;
  readonly types: readonly string[];
}

/**
 * Sorts out the errors of the oneOf error `e` about `value` (at `path`): the
 * errors of branches not meant are added to `dropped`, and the issues that
 * replace them are returned.
 */
export function pickBranches(
  e: ErrorObject,
  errors: readonly ErrorObject[],
  dropped: Set<ErrorObject>,
  root: SchemaNode,
  value: unknown,
  path: Path,
): BranchChoice {
  if (!Array.isArray(e.schema)) return { issues: [] };
  const branches: Branch[] = (e.schema as SchemaNode[]).map((b) => {
    const schema = resolveRef(b, root);
    return { schema, title: b.title ?? schema.title, types: typesOf(schema, root) };
  });
  const kind = kindOf(value);
  const fits = branches.flatMap((b, i) => (b.types.some((t) => t === kind || (t === 'number' && kind === 'integer')) ? [i] : []));
  const below = errors.filter((o) => o !== e && (o.instancePath === e.instancePath || o.instancePath.startsWith(`${e.instancePath}/`)));

  if (fits.length === 0) {
    // Nothing takes this kind of value: one sentence, and nothing of what the branches found inside.
    for (const o of below) dropped.add(o);
    return { issues: [{ rule: 'wrong-type', message: `expected ${expectedOf(e, branches)} for ${describePath(path)}, got ${describeValue(value)}`, path }] };
  }
  let chosen = fits.length === 1 ? (fits[0] as number) : -1;
  if (chosen < 0 && isPlainMap(value)) {
    const keyed = byKey(fits, branches, value, path);
    if (!('chosen' in keyed)) {
      for (const o of below) dropped.add(o);
      return { issues: keyed.issues };
    }
    chosen = keyed.chosen;
  }
  for (const o of below) {
    const from = branchOf(o, e, branches, root, fits.length > 1);
    if (from !== undefined && from !== chosen) dropped.add(o);
  }
  const schema = branches[chosen]?.schema;
  return schema === undefined ? { issues: [] } : { issues: [], ...alternativesTo(schema, branches, chosen, kind) };
}

/**
 * What the oneOf takes: its branches' titles (`an access term or a list of terms`), or, past two
 * branches, its own title with the choices (`an access term (public, ..., or a map { level | user | org })`).
 */
function expectedOf(e: ErrorObject, branches: readonly Branch[]): string {
  const title = (e.parentSchema as SchemaNode | undefined)?.title;
  if (title === undefined || branches.length <= 2) return branches.map((b) => b.title ?? typeNoun(b.types)).join(' or ');
  const words = branches.flatMap(wordsOf).map(String);
  const maps = branches.flatMap((b) => (b.types.includes('object') && b.schema.required?.[0] !== undefined ? [b.schema.required[0]] : []));
  if (maps.length > 0) words.push(`or a map { ${maps.join(' | ')} }`);
  return words.length === 0 ? title : `${title} (${words.join(', ')})`;
}

/**
 * The branch an error below the oneOf came from. Errors about the value itself
 * are told apart by the schema object they came from; errors further down only
 * when several branches take this kind of value (otherwise ajv only descended
 * into the one that did).
 */
function branchOf(o: ErrorObject, e: ErrorObject, branches: readonly Branch[], root: SchemaNode, several: boolean): number | undefined {
  if (o.instancePath === e.instancePath) {
    const i = branches.findIndex((b) => sameValueNodes(b.schema, root).has(o.parentSchema as object));
    return i >= 0 ? i : undefined;
  }
  if (!several) return undefined;
  const owners = branches.flatMap((b, i) => (nodesOf(b.schema).has(o.parentSchema as object) ? [i] : []));
  return owners.length === 1 ? owners[0] : undefined;
}

const sameValueSets = new WeakMap<SchemaNode, Set<object>>();

/** The schema objects that apply to the very value a branch checks: the branch, and the branches of a oneOf it is (an access term). */
function sameValueNodes(schema: SchemaNode, root: SchemaNode): Set<object> {
  let set = sameValueSets.get(schema);
  if (set === undefined) {
    const found = new Set<object>();
    const visit = (node: SchemaNode) => {
      if (found.has(node)) return;
      found.add(node);
      for (const b of node.oneOf ?? []) visit(resolveRef(b, root));
    };
    visit(schema);
    set = found;
    sameValueSets.set(schema, set);
  }
  return set;
}

const nodeSets = new WeakMap<SchemaNode, Set<object>>();

/** Every schema object inside a branch (without following $ref: shared definitions belong to no single branch). */
function nodesOf(schema: SchemaNode): Set<object> {
  let set = nodeSets.get(schema);
  if (set === undefined) {
    set = new Set();
    const visit = (node: unknown) => {
      if (typeof node !== 'object' || node === null || set?.has(node)) return;
      if (!Array.isArray(node)) set?.add(node);
      for (const child of Object.values(node)) visit(child);
    };
    visit(schema);
    nodeSets.set(schema, set);
  }
  return set;
}

/** The key that tells a map branch apart: its first required key (`via` of `{ via, references }`). */
const keyOf = (branch: Branch | undefined): string | undefined => branch?.schema.required?.[0];

/**
 * The branches whose key the map has. A key that another of them takes as an
 * option (`member` in `{ via, member }`) names no branch of its own there.
 */
function present(fits: readonly number[], branches: readonly Branch[], value: Record<string, unknown>): number[] {
  const has = fits.filter((i) => {
    const key = keyOf(branches[i]);
    return key !== undefined && Object.hasOwn(value, key);
  });
  return has.filter((i) => !has.some((j) => j !== i && Object.hasOwn(branches[j]?.schema.properties ?? {}, keyOf(branches[i]) as string)));
}

/** Several branches take a map: the one whose key the map has, or the issue that says why none is. */
function byKey(fits: readonly number[], branches: readonly Branch[], value: Record<string, unknown>, path: Path): { chosen: number } | { issues: Issue[] } {
  const matching = present(fits, branches, value);
  if (matching.length === 1) return { chosen: matching[0] as number };
  return { issues: keyIssues(fits, matching, branches, value, path) };
}

/** Why a map that several branches take fits none: two of their keys, an unknown key, or none of them. */
function keyIssues(fits: readonly number[], matching: readonly number[], branches: readonly Branch[], value: Record<string, unknown>, path: Path): Issue[] {
  const keys = [...new Set(fits.flatMap((i) => keyOf(branches[i]) ?? []))];
  const listed = keys.join(', ');
  if (matching.length > 1) {
    // In the order written: the message points at the second key the author wrote.
    const written = Object.keys(value);
    const found = matching.map((i) => keyOf(branches[i]) as string).sort((a, b) => written.indexOf(a) - written.indexOf(b));
    const named = found.map(quote);
    const both = named.length === 2 ? `both ${named.join(' and ')}` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
    return [
      {
        rule: 'invalid-value',
        message: `${describePath(path)} has ${both}: it takes exactly one of ${listed}; write each as its own term in a list`,
        path: [...path, found[1] as string],
        part: 'key',
      },
    ];
  }
  const allowed = [...new Set(fits.flatMap((i) => Object.keys(branches[i]?.schema.properties ?? {})))];
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  // `via (with references)`: a key that needs others beside it says so.
  const forms = fits.flatMap((i) => {
    const [key, ...with_] = branches[i]?.schema.required ?? [];
    return key === undefined ? [] : [with_.length === 0 ? key : `${key} (with ${with_.join(', ')})`];
  });
  if (unknown.length === 0) {
    return [{ rule: 'missing-key', message: `${describePath(path)} needs one of the keys ${[...new Set(forms)].join(', ')}`, path }];
  }
  const required = new Set(fits.flatMap((i) => branches[i]?.schema.required ?? []));
  const optional = allowed.filter((k) => !required.has(k));
  return unknown.map((key) => {
    const hint = suggest(key, allowed);
    const mean = hint === undefined ? '' : ` (did you mean ${quote(hint)}?)`;
    return {
      rule: 'unknown-key',
      message: `unknown key ${quote(key)} ${insidePath(path)}${mean}; expected one of ${[...new Set(forms)].join(', ')}${optional.length > 0 ? `, and optionally ${optional.join(', ')}` : ''}`,
      path: [...path, key],
      part: 'key',
    };
  });
}

/** The words a branch takes as they are written: its enum, or its one constant (`member`). */
const wordsOf = (b: Branch): readonly unknown[] => b.schema.enum ?? (b.schema.const === undefined ? [] : [b.schema.const]);

/**
 * A string was written where other words (`member`) and maps told apart by a key are taken too:
 * `member, or a map { level | user | org | member | via }`, for the enum's message.
 */
function alternativesTo(schema: SchemaNode, branches: readonly Branch[], chosen: number, kind: string): Pick<BranchChoice, 'alternatives'> {
  if (kind !== 'string') return {};
  const others = branches.filter((_, i) => i !== chosen);
  const words = others.flatMap(wordsOf).map(String);
  const keys = others.flatMap((b) => (b.types.includes('object') && keyOf(b) !== undefined ? [keyOf(b) as string] : []));
  if (words.length === 0 && keys.length === 0) return {};
  const maps = keys.length === 0 ? [] : [`or a map { ${keys.join(' | ')} }`];
  return { alternatives: { schema, words, text: [...words, ...maps].join(', ') } };
}
