/**
 * Random mutations of valid files (mutations.test.ts, mutations-apply.test.ts):
 * a value of the wrong kind, a wrong scalar, a missing or unknown key, a value
 * nested one level too deep, `version: 2`, or damage to the YAML text itself
 * (a tab, a duplicated line, a cut, a stray piece). `mutatedArb` draws the
 * mutated text with what was done and the original document; it prints as
 * both files.
 */
import fc from 'fast-check';
import { fileArb } from './arbitraries.js';
import { put, toYaml } from './documents.js';
import { nastyString } from './names.js';
import type { ArbValue } from './values.js';

type Path = (string | number)[];
type Data = unknown;

/** Every node below the root, with its path. */
function nodes(value: Data, path: Path = []): { path: Path; value: Data }[] {
  const out: { path: Path; value: Data }[] = path.length > 0 ? [{ path, value }] : [];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...nodes(item, [...path, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

function parentOf(doc: Data, path: Path): Record<string | number, unknown> {
  let node = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  return node;
}

function set(doc: Data, path: Path, value: unknown): void {
  const parent = parentOf(doc, path);
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent[key as number] = value;
  else put(parent as Record<string, unknown>, String(key), value);
}

function remove(doc: Data, path: Path): void {
  const parent = parentOf(doc, path);
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
}

const kindOf = (v: Data): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'map' : typeof v);

/** Keys the format requires where they appear, and type (a field needs type or references). */
const REQUIRED = new Set(['version', 'query', 'schedule', 'sql', 'fields', 'type']);
const NEAR_MISSES = [
  'requird',
  'acess',
  'descripton',
  'Type',
  'primary-key',
  'on-delete',
  'uniqe',
  'refrences',
  'file_size',
  'sceduled',
  'unique_keys',
  '<<',
  '',
];

const mutationArb = fc.record({
  file: fileArb,
  kind: fc.constantFrom(
    'replace-kind',
    'replace-kind',
    'replace-kind',
    'wrong-scalar',
    'wrong-scalar',
    'delete-key',
    'delete-required',
    'unknown-key',
    'nest',
    'version',
    'text-tab',
    'text-duplicate-line',
    'text-cut',
    'text-insert',
  ),
  pick: fc.nat(),
  pick2: fc.nat(),
  nasty: nastyString(3),
  number: fc.oneof(fc.integer(), fc.double(), fc.constant(-1), fc.constant(0)),
  nearMiss: fc.constantFrom(...NEAR_MISSES),
  version: fc.constantFrom<unknown>(2, '1', 0, -1, 1.5, null, 'v1', [1], { v: 1 }, true),
});

interface Mutated {
  readonly text: string;
  readonly what: string;
}

function mutate(m: ArbValue<typeof mutationArb>): Mutated {
  const doc = structuredClone(m.file.doc) as Record<string, unknown>;
  const all = nodes(doc);
  const at = all[m.pick % Math.max(1, all.length)] as { path: Path; value: Data } | undefined;
  const lines = m.file.text.split('\n');
  const describe = (what: string) => `${m.kind} at ${JSON.stringify(at?.path ?? [])}: ${what}`;
  switch (m.kind) {
    case 'replace-kind': {
      if (!at) break;
      const candidates: unknown[] = [m.nasty, m.number, m.pick % 2 === 0, null, [m.nasty], { [m.nasty || 'x']: m.number }];
      const others = candidates.filter((c) => kindOf(c) !== kindOf(at.value));
      const replacement = others[m.pick2 % others.length];
      set(doc, at.path, replacement);
      return { text: toYaml(doc), what: describe(JSON.stringify(replacement)) };
    }
    case 'wrong-scalar': {
      const scalars = all.filter((n) => n.value !== null && typeof n.value !== 'object');
      const s = scalars[m.pick2 % Math.max(1, scalars.length)];
      if (!s) break;
      const v = s.value;
      const replacement =
        typeof v === 'string'
          ? [`${v}\n${m.nasty}`, v.toUpperCase() === v ? `${v}x` : v.toUpperCase(), `${v}${m.nasty}`, m.nasty, ''][m.pick % 5]
          : typeof v === 'number'
            ? [-v - 1, v + 0.5, 2 ** 60, m.number][m.pick % 4]
            : ['yes', 'true', 1][m.pick % 3];
      set(doc, s.path, replacement);
      return { text: toYaml(doc), what: `wrong-scalar at ${JSON.stringify(s.path)}: ${JSON.stringify(replacement)}` };
    }
    case 'delete-key':
    case 'delete-required': {
      const keyed = all.filter((n) => typeof n.path[n.path.length - 1] === 'string');
      const required = keyed.filter((n) => REQUIRED.has(n.path[n.path.length - 1] as string));
      const pool = m.kind === 'delete-required' && required.length > 0 ? required : keyed;
      const victim = pool[m.pick2 % Math.max(1, pool.length)];
      if (!victim) break;
      remove(doc, victim.path);
      return { text: toYaml(doc), what: `${m.kind} ${JSON.stringify(victim.path)}` };
    }
    case 'unknown-key': {
      const maps = [{ path: [] as Path, value: doc as Data }, ...all].filter((n) => kindOf(n.value) === 'map');
      const target = maps[m.pick2 % maps.length] as { path: Path; value: Data };
      const key = m.pick % 2 === 0 ? m.nearMiss : m.nasty;
      if (Object.hasOwn(target.value as object, key)) break;
      put(target.value as Record<string, unknown>, key, m.pick % 3 === 0 ? m.number : m.nasty);
      return { text: toYaml(doc), what: `unknown key ${JSON.stringify(key)} in ${JSON.stringify(target.path)}` };
    }
    case 'nest': {
      if (!at) break;
      const nested = m.pick2 % 2 === 0 ? [at.value] : { value: at.value };
      set(doc, at.path, nested);
      return { text: toYaml(doc), what: describe(m.pick2 % 2 === 0 ? 'wrapped in a list' : 'wrapped in a map') };
    }
    case 'version':
      doc.version = m.version;
      return { text: toYaml(doc), what: `version: ${JSON.stringify(m.version)}` };
    case 'text-tab': {
      const indented = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^ +\S/.test(l));
      const victim = indented[m.pick2 % Math.max(1, indented.length)];
      if (!victim) break;
      lines[victim.i] = victim.l.replace(/^ +/, (spaces) => (m.pick % 2 === 0 ? '\t' : `${spaces.slice(1)}\t`));
      return { text: lines.join('\n'), what: `tab in the indentation of line ${victim.i + 1}` };
    }
    case 'text-duplicate-line': {
      const keyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[^\s#-][^:]*:/.test(l) && !/^\s*-/.test(l));
      const victim = keyLines[m.pick2 % Math.max(1, keyLines.length)];
      if (!victim) break;
      lines.splice(victim.i + 1, 0, victim.l.replace(/:.*$/, ': 1'));
      return { text: lines.join('\n'), what: `duplicated key of line ${victim.i + 1}` };
    }
    case 'text-cut': {
      const first = m.file.text.indexOf('\n') + 1;
      const cut = first + (m.pick2 % Math.max(1, m.file.text.length - first));
      return { text: m.file.text.slice(0, cut), what: `cut at offset ${cut}` };
    }
    case 'text-insert': {
      const first = m.file.text.indexOf('\n') + 1;
      const pos = first + (m.pick2 % Math.max(1, m.file.text.length - first));
      const piece =
        m.pick % 3 === 0 ? m.nearMiss : m.pick % 3 === 1 ? m.nasty : (['"', "'", '{', '[', ': :', '&x', '*x', '\n---\n', '\t', '? '][m.pick % 10] as string);
      return { text: m.file.text.slice(0, pos) + piece + m.file.text.slice(pos), what: `${JSON.stringify(piece)} inserted at offset ${pos}` };
    }
  }
  // Nothing to mutate in this direction: a second version key is always wrong.
  return { text: `${m.file.text}version: 2\n`, what: 'a second version key' };
}

export const mutatedArb = mutationArb.map((m) => {
  const result = { ...mutate(m), original: m.file.doc };
  return Object.assign(result, { [fc.toStringMethod]: () => `${result.what}\n--- mutated file:\n${result.text}\n--- from:\n${m.file.text}` });
});
