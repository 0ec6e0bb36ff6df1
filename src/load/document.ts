/**
 * YAML text → plain data, keeping the source position of every node so that
 * any later rule can point at the exact key or value it is about.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Alias, Document, Pair, YAMLMap, Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { expandTree } from './expand.js';

/** Files larger than this are refused before parsing (a requirements file is a few KiB). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

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
  /** Characters of the data's strings (keys included), every alias counted as what it copies. */
  readonly expandedTextLength: number;
  /** Where the value (or, with `'key'`, the key) at `path` starts; the nearest existing ancestor otherwise. */
  locate(path: Path, part?: 'key' | 'value'): Position;
}

export type LoadResult = { readonly ok: true; readonly document: LoadedDocument } | { readonly ok: false; readonly errors: readonly Diagnostic[] };

function problem(fileName: string, rule: string, message: string, pos: Position = { line: 0, column: 0 }): Diagnostic {
  return { severity: 'error', rule, message, file: fileName, line: pos.line, column: pos.column, path: '' };
}

/** Decode bytes strictly: a requirements file is UTF-8 text, never binary. */
function decode(input: string | Uint8Array, fileName: string): { text: string } | { error: Diagnostic } {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_FILE_BYTES) {
    // "more than": the CLI stops reading one byte past the limit, so the true size is not known.
    return { error: problem(fileName, 'file-too-large', `file is more than ${MAX_FILE_BYTES} bytes (5 MiB), the limit`) };
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
  // yaml's own duplicate-key check is quadratic in a map's size: expandTree finds them instead.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const expanded = expandTree(doc.contents);
  const treeProblems = 'problems' in expanded ? expanded.problems : [];
  if (doc.errors.length > 0 || !('tree' in expanded)) {
    const syntax = doc.errors.map((e) => problem(fileName, 'yaml-syntax', yamlMessage(e.code, e.message), at(e.pos[0])));
    // In a file that does not parse, alias findings may only come from the parts it lost.
    const found = treeProblems.filter((p) => doc.errors.length === 0 || p.rule === 'yaml-syntax');
    return {
      ok: false,
      errors: [
        ...syntax,
        ...found.map((p) =>
          problem(fileName, p.rule, p.rule === 'yaml-aliases' ? `YAML aliases could not be expanded: ${p.message}` : p.message, at(p.offset)),
        ),
      ],
    };
  }
  const { data, targets, textLength } = expanded.tree;
  return {
    ok: true,
    document: {
      fileName,
      text,
      data: data ?? null,
      expandedTextLength: textLength,
      locate: (path, part = 'value') => at(offsetOf(doc, targets, path, part)),
    },
  };
}

/** yaml's messages end with a code excerpt when pretty; keep the first sentence only. */
function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (---); a requirements file is one document';
  const first = message.split('\n')[0] ?? message;
  const text = first.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax error: ${text}`;
}

/** The node an alias names (found once by expandTree: yaml's resolve() walks the whole document each time). */
function resolve(targets: ReadonlyMap<Alias, YamlNode>, node: unknown): unknown {
  return isAlias(node) ? targets.get(node) : node;
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
function offsetOf(doc: Document, targets: ReadonlyMap<Alias, YamlNode>, path: Path, part: 'key' | 'value'): number {
  let node = resolve(targets, doc.contents) as YamlNode | null | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) break;
      const key = pair.key as YamlNode;
      if (last && part === 'key') return key.range?.[0] ?? offset;
      const value = resolve(targets, pair.value) as YamlNode | null;
      offset = value?.range?.[0] ?? key.range?.[0] ?? offset;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = resolve(targets, node.items[seg]) as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
