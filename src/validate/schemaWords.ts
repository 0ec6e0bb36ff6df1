/**
 * What schema.ts and branches.ts share: the parts of a JSON Schema object they
 * read, the problem they report, and the words for kinds and values that
 * their messages use.
 */
import type { Path } from '../load/document.js';
import { quote } from './location.js';

/** The parts of a schema object the messages read. */
export interface SchemaNode {
  readonly $ref?: string;
  readonly title?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Record<string, SchemaNode>;
  readonly required?: readonly string[];
  readonly oneOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: SchemaNode;
  readonly $defs?: Record<string, SchemaNode>;
}

/** One problem, before it gets its place in the file. */
export interface Issue {
  readonly rule: string;
  readonly message: string;
  readonly path: Path;
  /** Point at the key itself (unknown or badly named keys) rather than its value. */
  readonly part?: 'key' | 'value';
}

/** Follows local `#/$defs/...` references to the schema object ajv reports errors against. */
export function resolveRef(node: SchemaNode, root: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; current.$ref !== undefined && hops < 10; hops++) {
    const name = /^#\/\$defs\/([^/]+)$/.exec(current.$ref)?.[1];
    const target = name === undefined ? undefined : root.$defs?.[name];
    if (!target) break;
    current = target;
  }
  return current;
}

/** The kinds of value a schema takes; a schema that is itself a oneOf takes what its branches take. */
export function typesOf(schema: SchemaNode, root: SchemaNode, depth = 0): string[] {
  if (schema.type !== undefined) return typeof schema.type === 'string' ? [schema.type] : [...schema.type];
  if (schema.oneOf === undefined || depth > 5) return [];
  return [...new Set(schema.oneOf.flatMap((b) => typesOf(resolveRef(b, root), root, depth + 1)))];
}

export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const TYPE_NOUNS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  boolean: 'a boolean',
  integer: 'a whole number',
  number: 'a number',
  null: 'an empty value',
};

/** `a string`, `a string, a number or a boolean`. */
export function typeNoun(types: readonly string[]): string {
  const nouns = types.map((t) => TYPE_NOUNS[t] ?? t);
  return nouns.length <= 1 ? (nouns[0] ?? 'a value') : `${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1]}`;
}

/** What was written, for "got ...": `string "yes"`, `number 5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${showValue(value)}`;
}

/** A value as it would be quoted in a message; long text is cut so messages stay one line. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
