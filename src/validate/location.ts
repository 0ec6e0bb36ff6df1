/**
 * Paths inside a requirements file, in the words a user would use: messages
 * say `field "todos.title"` rather than `/entities/todos/fields/title`.
 */
import type { Path, PathSegment } from '../load/document.js';

/** `entities.todos.fields.title`; list positions appear as numbers (`indexes.0`). */
export function dottedPath(path: Path): string {
  return path.map(String).join('.');
}

/** A JSON pointer (as ajv reports `instancePath`) to path segments. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // Only a position inside a list is a number: a map key "0" stays a string.
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    node = valueAt(node, [segment]);
  }
  return path;
}

/** The value at `path`, or `undefined` when the path does not exist. */
export function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isPlainMap(node)) node = Object.hasOwn(node, segment) ? node[String(segment)] : undefined;
    else return undefined;
  }
  return node;
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const quote = (text: string): string => JSON.stringify(text);

const COLLECTIONS: Record<string, string> = {
  entities: 'entity',
  buckets: 'bucket',
  materialized_views: 'materialized view',
  jobs: 'job',
};

/** Words for the closest named thing on the path, and the path left below it. */
function nearestThing(path: Path): { thing: string; rest: Path } {
  const [collection, name, section, item] = path;
  const noun = typeof collection === 'string' ? COLLECTIONS[collection] : undefined;
  if (noun === undefined || path.length < 2) return { thing: 'the top level', rest: path };
  const owner = `${noun} ${quote(String(name))}`;
  if (collection === 'entities' && section === 'fields' && path.length >= 4) {
    return { thing: `field ${quote(`${String(name)}.${String(item)}`)}`, rest: path.slice(4) };
  }
  if (typeof item === 'number' && (section === 'indexes' || (section === 'rows' && collection === 'entities'))) {
    const what = section === 'rows' ? 'row' : 'index';
    return { thing: `${what} ${item + 1} of ${owner}`, rest: path.slice(4) };
  }
  return { thing: owner, rest: path.slice(2) };
}

/**
 * The node at `path` as the subject of a sentence: `the top level`,
 * `entity "todos"`, `"required" in field "todos.title"`,
 * `item 2 of "primary_key" in entity "todos"`.
 */
export function describePath(path: Path): string {
  const { thing, rest } = nearestThing(path);
  if (rest.length === 0) return thing;
  const last = rest[rest.length - 1];
  // A key of a map inside a list: `"where" in item 2 of "access.read" in entity "posts"`.
  let item = rest.length - 2;
  while (item >= 0 && typeof rest[item] !== 'number') item--;
  if (item >= 0 && typeof last === 'string') {
    return `${quote(dottedPath(rest.slice(item + 1)))} in ${describePath(path.slice(0, path.length - rest.length + item + 1))}`;
  }
  if (typeof last === 'number') {
    // A position in a list: `item 2 of "enum" in field "t.f"`, or `item 1 of index 1 of entity "t"`.
    if (rest.length === 1) return `item ${last + 1} of ${thing}`;
    const list = quote(dottedPath(rest.slice(0, -1)));
    return thing === 'the top level' ? `item ${last + 1} of ${list}` : `item ${last + 1} of ${list} in ${thing}`;
  }
  const relative = quote(dottedPath(rest));
  return thing === 'the top level' ? relative : `${relative} in ${thing}`;
}

/** `in entity "todos"`, or `at the top level`: where a key sits. */
export function insidePath(path: Path): string {
  return path.length === 0 ? 'at the top level' : `in ${describePath(path)}`;
}
