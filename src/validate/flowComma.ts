/**
 * A value with a comma, written unquoted inside a flow map `{ ... }`.
 *
 * There the comma ends the entry, so `{ type: numeric(12,2) }` reads as
 * `type: "numeric(12"` and a key `2)` with no value. The key is then reported
 * as unknown, which says nothing about the real mistake: this module
 * recognises the split so that the message can say to quote the value, and
 * point at the value where the quote goes.
 */
import type { Path } from '../load/document.js';
import { isPlainMap, quote } from './location.js';

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
export function commaSplit(map: unknown, unknownKey: string): CommaSplit | undefined {
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

/** The message for a split value: what YAML read, and how to write it. */
export function commaSplitMessage(split: CommaSplit, unknownKey: string, where: string): string {
  return (
    `${split.key} ${quote(split.written)} ${where} must be quoted: inside { } a comma ends the value, so YAML read ` +
    `${split.key}: ${quote(split.head)} and a key ${quote(unknownKey)}; ` +
    `write ${split.key}: ${quote(split.written)}`
  );
}

/** Where to point: the value of the key that was cut short, where its opening quote goes. */
export function commaSplitPath(mapPath: Path, split: CommaSplit): Path {
  return [...mapPath, split.key];
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
