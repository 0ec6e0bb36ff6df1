/**
 * The parsed YAML tree → plain data, in time linear in the tree. yaml's own
 * steps are not: its duplicate-key check compares each key with every
 * earlier key of the map (40,000 entities took 40 s), each alias scans every
 * anchor before it, and its alias limit counts aliases, not what they copy
 * (a 200,000-item list aliased 999 times passed, and every later step walked
 * 200 million values). Here one walk in document order resolves aliases,
 * finds duplicate keys and counts the nodes of the expanded document, and
 * stops at the first alias that takes it over the budget.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Alias, Node as YamlNode } from 'yaml';

/**
 * The most nodes (maps, lists and scalars, keys included) the document may
 * have once every alias is replaced by what it names. Real files have a few
 * thousand; 40,000 entities written out are 280,000. Every later step is
 * linear in this number: a million nodes validate and compile in seconds.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface TreeProblem {
  readonly rule: 'yaml-syntax' | 'yaml-aliases' | 'file-too-large';
  readonly message: string;
  /** Offset in the text of the key or alias the problem is about. */
  readonly offset: number;
}

export interface ExpandedTree {
  /** The plain data; a node an alias names is converted once and shared, as yaml does. */
  readonly data: unknown;
  /** The node each alias names. */
  readonly targets: ReadonlyMap<Alias, YamlNode>;
  /** Characters of string scalars (keys included) once aliases are expanded: what the SQL will hold at least. */
  readonly textLength: number;
}

/** Ends the walk at an alias problem: nothing after it can be counted or converted. */
class Stop extends Error {
  constructor(readonly problem: TreeProblem) {
    super(problem.message);
  }
}

const offsetOf = (node: { range?: readonly number[] | null } | null | undefined): number => node?.range?.[0] ?? 0;

/** Resolves, counts and checks `root`; duplicate keys are all reported, an alias problem ends the walk. */
export function expandTree(root: YamlNode | null, budget = MAX_EXPANDED_NODES): { tree: ExpandedTree } | { problems: TreeProblem[] } {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  /** Nodes and characters of each anchored node, expanded: what an alias to it adds. */
  const sizes = new Map<YamlNode, { nodes: number; chars: number }>();
  const open = new Set<YamlNode>();
  const duplicates: TreeProblem[] = [];
  let produced = 0;
  let chars = 0;

  const count = (n: number, text: number, at: YamlNode, alias: boolean) => {
    produced += n;
    chars += text;
    if (produced <= budget) return;
    // Without aliases only a file of millions of tiny values gets here: it is too large, not an alias bomb.
    const limit = `${budget.toLocaleString('en-US')} values (maps, lists and scalars, keys included)`;
    throw new Stop(
      alias
        ? {
            rule: 'yaml-aliases',
            message: `this alias takes the expanded document past ${limit}: an alias counts as everything it copies`,
            offset: offsetOf(at),
          }
        : { rule: 'file-too-large', message: `the file holds more than ${limit}`, offset: offsetOf(at) },
    );
  };

  // Document order, as yaml resolves aliases: an anchor is set when its node starts, before its children.
  const walk = (node: unknown): void => {
    if (node === null || node === undefined) return;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined)
        throw new Stop({ rule: 'yaml-aliases', message: `alias *${node.source} has no anchor &${node.source} before it`, offset: offsetOf(node) });
      if (open.has(target)) throw new Stop({ rule: 'yaml-aliases', message: `alias *${node.source} is inside the node it names`, offset: offsetOf(node) });
      targets.set(node, target);
      const size = sizes.get(target) ?? { nodes: 1, chars: 0 };
      count(size.nodes, size.chars, node, true);
      return;
    }
    const yamlNode = node as YamlNode;
    const start = { nodes: produced, chars };
    if (yamlNode.anchor) {
      anchors.set(yamlNode.anchor, yamlNode);
      open.add(yamlNode);
    }
    count(1, isScalar(node) && typeof node.value === 'string' ? node.value.length : 0, yamlNode, false);
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        // Keys are compared as the data will hold them: `1` and `"1"` are the same key there.
        if (isScalar(pair.key)) {
          const key = String(pair.key.value ?? '');
          if (seen.has(key)) duplicates.push({ rule: 'yaml-syntax', message: 'duplicate key: map keys must be unique', offset: offsetOf(pair.key) });
          seen.add(key);
        }
        walk(pair.key);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    }
    if (yamlNode.anchor) {
      open.delete(yamlNode);
      sizes.set(yamlNode, { nodes: produced - start.nodes, chars: chars - start.chars });
    }
  };

  try {
    walk(root);
  } catch (e) {
    if (e instanceof Stop) return { problems: [...duplicates, e.problem] };
    throw e;
  }
  if (duplicates.length > 0) return { problems: duplicates };
  return { tree: { data: toData(root, targets), targets, textLength: chars } };
}

/** yaml's toJS for the values a requirements file holds (the core schema's scalars, maps with string keys, lists). */
function toData(root: unknown, targets: ReadonlyMap<Alias, YamlNode>): unknown {
  const shared = new Map<YamlNode, unknown>();
  const convert = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return shared.get(targets.get(node) as YamlNode);
    if (isScalar(node)) return remember(node, node.value);
    if (isSeq(node)) {
      const list: unknown[] = [];
      remember(node, list);
      for (const item of node.items) list.push(convert(item));
      return list;
    }
    if (isMap(node)) {
      const map: Record<string, unknown> = {};
      remember(node, map);
      for (const pair of node.items) {
        const key = convert(pair.key);
        const name = key === null ? '' : typeof key === 'object' ? JSON.stringify(key) : String(key);
        // An inherited name (`__proto__`, `toString`) becomes an own property, never the prototype.
        if (name in map) Object.defineProperty(map, name, { value: convert(pair.value), writable: true, enumerable: true, configurable: true });
        else map[name] = convert(pair.value);
      }
      return map;
    }
    return null;
  };
  const remember = (node: YamlNode, value: unknown): unknown => {
    if (node.anchor) shared.set(node, value);
    return value;
  };
  return convert(root);
}
