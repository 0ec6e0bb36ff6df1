/**
 * YAML text → plain data, keeping the source position of every node so that
 * any later rule can point at the exact key or value it is about.
 */
import { Alias, Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Pair, YAMLMap, Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';

/** Files larger than this are refused before parsing (a requirements file is a few KiB). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Anchors/aliases are allowed, but an alias bomb must not expand without bound. */
const MAX_ALIAS_COUNT = 1000;

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface LoadedDocument {
  readonly fileName: string;
  /** The file's text, without a byte-order mark. */
  readonly text: string;
  /** The parsed data, as plain JSON-compatible values. */
  readonly data: unknown;
  /** Where the value (or, with `'key'`, the key) at `path` starts; the nearest existing ancestor otherwise. */
  locate(path: Path, part?: 'key' | 'value'): Position;
}

export type LoadResult =
  | { readonly ok: true; readonly document: LoadedDocument }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

function problem(fileName: string, rule: string, message: string, pos: Position = { line: 0, column: 0 }): Diagnostic {
  return { severity: 'error', rule, message, file: fileName, line: pos.line, column: pos.column, path: '' };
}

/** Decode bytes strictly: a requirements file is UTF-8 text, never binary. */
function decode(input: string | Uint8Array, fileName: string): { text: string } | { error: Diagnostic } {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_FILE_BYTES) {
    return { error: problem(fileName, 'file-too-large', `file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes (5 MiB)`) };
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { error: problem(fileName, 'not-utf8', 'file is not valid UTF-8 text') };
    }
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { error: problem(fileName, 'binary-file', 'file contains a NUL byte: it is binary, not YAML text', positionOf(text, nul)) };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function loadDocument(input: string | Uint8Array, fileName: string): LoadResult {
  const decoded = decode(input, fileName);
  if ('error' in decoded) return { ok: false, errors: [decoded.error] };
  const { text } = decoded;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => problem(fileName, 'yaml-syntax', yamlMessage(e.code, e.message), at(e.pos[0]))),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws ReferenceError for alias bombs and unresolvable aliases.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [problem(fileName, 'yaml-aliases', `YAML aliases could not be expanded: ${message}`, at(0))] };
  }
  return {
    ok: true,
    document: {
      fileName,
      text,
      data: data ?? null,
      locate: (path, part = 'value') => at(offsetOf(doc, path, part)),
    },
  };
}

/** yaml's messages end with a code excerpt when pretty; keep the first sentence only. */
function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (---); a requirements file is one document';
  const first = message.split('\n')[0] ?? message;
  const text = first.replace(/ at line \d+, column \d+:?$/, '');
  return code === 'DUPLICATE_KEY' ? `duplicate key: ${text.replace(/^Map keys must be unique;?\s*/, '') || 'map keys must be unique'}` : `YAML syntax error: ${text}`;
}

function resolve(doc: Document, node: unknown): unknown {
  return node instanceof Alias ? node.resolve(doc) : node;
}

/**
 * The pairs of a map by key, built once per map: locating every author SQL
 * fragment of a large file (compile records each one's position) would
 * otherwise scan the map of entities once per fragment, quadratic in the file.
 */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    // The first pair of a key wins, as a linear search would find it (duplicates are refused anyway).
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

/** Offset of the node at `path`, walking as far as the path exists. */
function offsetOf(doc: Document, path: Path, part: 'key' | 'value'): number {
  let node = resolve(doc, doc.contents) as YamlNode | null | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) break;
      const key = pair.key as YamlNode;
      if (last && part === 'key') return key.range?.[0] ?? offset;
      const value = resolve(doc, pair.value) as YamlNode | null;
      offset = value?.range?.[0] ?? key.range?.[0] ?? offset;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = resolve(doc, node.items[seg]) as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
