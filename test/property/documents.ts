/**
 * Plain-data documents: setting own properties (`put`), comparing them
 * (`sameData`), and writing them as YAML (`toYaml`).
 */
import { stringify } from 'yaml';
import type { FileSpec } from './fileSpec.js';

/** `obj[key] = value` as an own property, even for `__proto__` (a valid name in the format). */
export function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The same data: primitives by Object.is (so -0 and NaN count), lists item by item, maps by own keys, prototypes ignored. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameData(item, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** Any string (value or key) with a line that starts with white space. */
function hasLeadingSpace(value: unknown): boolean {
  if (typeof value === 'string') return /(^|\n)[ \t]/.test(value);
  if (Array.isArray(value)) return value.some(hasLeadingSpace);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => hasLeadingSpace(k) || hasLeadingSpace(v));
  return false;
}

/**
 * The document as YAML, in the given style. Block scalars only when no string
 * has a line starting with white space: yaml 2.9's stringify mis-indents
 * `|2` / `>2` block scalars nested in maps, which would change the value.
 */
export function toYaml(doc: unknown, style: Partial<FileSpec['style']> = {}): string {
  return stringify(doc, {
    defaultStringType: (style.defaultStringType ?? 'PLAIN') as 'PLAIN',
    collectionStyle: (style.collectionStyle ?? 'any') as 'any',
    indent: style.indent ?? 2,
    blockQuote: hasLeadingSpace(doc) ? false : (style.blockQuote ?? true),
  });
}
