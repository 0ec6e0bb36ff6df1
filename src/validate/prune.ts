/**
 * When the JSON Schema finds problems, the semantic rules can still check the
 * parts of the file that are well formed. This removes the smallest
 * enclosing part of every schema problem (a field, an entity key, a whole
 * item) so the rules see only well-formed input, and says which names were
 * removed so that rules do not then report them as missing.
 */
import type { Diagnostic } from '../diagnostics.js';
import { commaTails } from './flowComma.js';

/** Keys whose absence would change what the rest of the entity means: a problem there removes the entity. */
const MEANINGFUL_ENTITY_KEYS = new Set(['access', 'owner', 'primary_key', 'timestamps', 'members', 'fields']);
const SECTIONS = new Set(['entities', 'buckets', 'materialized_views', 'jobs']);

export interface Pruned {
  /** The data with every malformed part removed; undefined when nothing is left to check. */
  readonly data?: Record<string, unknown>;
  /** Entities removed whole, and `entity.field` pairs removed. */
  readonly entities: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

export function pruneMalformed(data: unknown, problems: readonly Diagnostic[]): Pruned {
  const entities = new Set<string>();
  const fields = new Set<string>();
  if (!isTree(data)) return { entities, fields };
  const copy = structuredClone(data) as Tree;
  for (const problem of problems) {
    const [section, item, key, sub] = problem.path === '' ? [] : splitPath(problem.path, copy);
    if (section === undefined) return { entities, fields }; // the file as a whole is malformed
    if (!SECTIONS.has(section) || item === undefined) {
      delete copy[section];
      continue;
    }
    const items = copy[section];
    if (!isTree(items)) continue;
    const entry = items[item];
    if (section === 'entities' && isTree(entry) && key !== undefined && !MEANINGFUL_ENTITY_KEYS.has(key)) {
      delete entry[key];
    } else if (section === 'entities' && isTree(entry) && key === 'fields' && sub !== undefined && isTree(entry.fields)) {
      // A shorthand type cut short by a comma (`{ price: numeric(12,2) }`) left its tail as a field of its own.
      for (const name of [sub, ...commaTails(entry.fields, sub)]) {
        delete entry.fields[name];
        fields.add(`${item}.${name}`);
      }
    } else {
      delete items[item];
      if (section === 'entities') entities.add(item);
    }
  }
  return { data: copy, entities, fields };
}

/**
 * A dotted path as [section, item, key, sub]. Names may hold dots themselves (an entity named
 * `.nan` is refused by its own rule, but must still be pruned): the item is the longest key of
 * the section that the rest of the path starts with.
 */
function splitPath(path: string, data: Tree): (string | undefined)[] {
  const [section = '', ...rest] = path.split('.');
  const items = data[section];
  if (rest.length === 0 || !isTree(items)) return [section, ...rest];
  const tail = rest.join('.');
  const item = Object.keys(items)
    .filter((k) => tail === k || tail.startsWith(`${k}.`))
    .reduce<string | undefined>((best, k) => (best === undefined || k.length > best.length ? k : best), undefined);
  if (item === undefined) return [section, ...rest];
  const more = tail === item ? [] : tail.slice(item.length + 1).split('.');
  return [section, item, ...more];
}

/** Drop rule findings that only exist because a malformed part was removed. */
export function causedByPruning(d: Diagnostic, pruned: Pruned): boolean {
  for (const name of pruned.entities) {
    if (d.message.includes(`"${name}"`) || d.message.includes(`"${name}.`)) return true;
  }
  if (pruned.entities.size > 0 && /"organization(s|_members)"/.test(d.message)) return true;
  for (const pair of pruned.fields) {
    const [entity, field] = pair.split('.') as [string, string];
    if (d.path.startsWith(`entities.${entity}.`) && (d.message.includes(`"${field}"`) || d.message.includes(`"${pair}"`))) return true;
    if (d.message.includes(`"${pair}"`)) return true;
  }
  return false;
}
