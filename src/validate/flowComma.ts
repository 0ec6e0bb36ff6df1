/**
 * A value with a comma, written unquoted inside a flow map `{ ... }`.
 *
 * There the comma ends the entry, so `{ type: numeric(12,2) }` reads as
 * `type: "numeric(12"` and a key `2)` with no value. The key is then reported
 * as unknown (or, among the fields of a shorthand `fields: { price:
 * numeric(12,2) }`, as a badly named field without a type), which says
 * nothing about the real mistake: this module recognises the split so that
 * the message can say to quote the value, and point at the value where the
 * quote goes.
 */
import type { Path } from '../load/document.js';
import { insidePath, isPlainMap, quote, valueAt } from './location.js';
import type { Issue } from './schemaWords.js';

export interface CommaSplit {
  /** The key whose value the comma cut short (`type`). */
  readonly key: string;
  /** What YAML read as its value (`numeric(12`). */
  readonly head: string;
  /** The value as it was written, rejoined (`numeric(12,2)`). */
  readonly written: string;
}

/**
 * How `unknownKey` of `map` came to be, when it is the tail of the value before
 * it: that value opens more parentheses than it closes, and the unknown key
 * closes one and has no value of its own. Undefined otherwise.
 */
function commaSplit(map: unknown, unknownKey: string): CommaSplit | undefined {
  if (!isPlainMap(map) || map[unknownKey] !== null || !unknownKey.includes(')')) return undefined;
  // Keys keep the order they were written in (a key like `2)` is never an array index).
  const keys = Object.keys(map);
  const previous = keys[keys.indexOf(unknownKey) - 1];
  if (previous === undefined) return undefined;
  const head = map[previous];
  if (typeof head !== 'string' || count(head, '(') <= count(head, ')')) return undefined;
  // YAML trimmed the space after the comma, if there was one; types are written without it.
  return { key: previous, head, written: `${head},${unknownKey}` };
}

/**
 * The message for a split value at `path` (the key that was cut short): what YAML read, and how to write it.
 * A shorthand field (`fields: { price: numeric(12,2) }`) is its type, and the tail a field of its own.
 */
function commaSplitMessage(split: CommaSplit, unknownKey: string, path: Path): string {
  const shorthand = path.length === 4 && path[0] === 'entities' && path[2] === 'fields';
  const subject = shorthand ? `type ${quote(split.written)} ${insidePath(path)}` : `${split.key} ${quote(split.written)} ${insidePath(path.slice(0, -1))}`;
  return (
    `${subject} must be quoted: inside { } a comma ends the value, so YAML read ` +
    `${split.key}: ${quote(split.head)} and a ${shorthand ? 'field' : 'key'} ${quote(unknownKey)}; ` +
    `write ${split.key}: ${quote(split.written)}`
  );
}

/**
 * `issue` as the split it comes from, when it is about a key (or that key's empty value) that is
 * the tail of a value cut short by a comma: whatever the schema found wrong with `2)`, the mistake
 * is the comma. Every issue of one split becomes the same issue, which the caller reports once,
 * at the value that was cut short, where its opening quote goes.
 */
export function asCommaSplitIssue(issue: Issue, data: unknown): Issue | undefined {
  const key = issue.path[issue.path.length - 1];
  if (typeof key !== 'string') return undefined;
  const mapPath = issue.path.slice(0, -1);
  const split = commaSplit(valueAt(data, mapPath), key);
  if (!split) return undefined;
  const path = [...mapPath, split.key];
  // One code for the one mistake, whichever form it took (docs/format.md, "Flow maps and commas").
  return { rule: 'unknown-key', message: commaSplitMessage(split, key, path), path };
}

/** The keys of `map` that are the tails of `key`'s value cut short by a comma: they go wherever `key` goes. */
export function commaTails(map: Record<string, unknown>, key: string): string[] {
  return Object.keys(map).filter((k) => commaSplit(map, k)?.key === key);
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
