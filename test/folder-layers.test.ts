/**
 * The folders of src/ form layers: data flows one way, and what two folders
 * share lives in a folder below both. This test reads every import between
 * them and fails on any cycle (a folder that, directly or around a loop,
 * imports a folder that imports it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

/** A folder of src/, or a file at its root (`compile`, `diagnostics`, …). */
const unitOf = (file: string): string => {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? (parts[0] as string) : (parts[0] as string).replace(/\.ts$/, '');
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** unit → the units it imports (type-only imports included: they tie the layers as much). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = unitOf(resolve(dirname(file), m[1] as string).replace(/\.js$/, '.ts'));
      if (to !== from) graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** Every cycle, as the path around it (`execute → plan → execute`). */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (unit: string, path: string[]) => {
    const at = path.indexOf(unit);
    if (at >= 0) return void found.push([...path.slice(at), unit].join(' → '));
    if (done.has(unit)) return;
    for (const next of [...(graph.get(unit) ?? [])].sort()) visit(next, [...path, unit]);
    done.add(unit);
  };
  for (const unit of [...graph.keys()].sort()) visit(unit, []);
  return found;
}

describe('the folders of src/', () => {
  it('import each other in one direction only', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('the check finds a cycle when there is one', () => {
    const graph = new Map([
      ['plan', new Set(['db', 'execute'])],
      ['execute', new Set(['plan'])],
      ['db', new Set<string>()],
    ]);
    expect(cycles(graph)).toEqual(['execute → plan → execute']);
  });

  it('keep the pipeline order: lower layers never import higher ones', () => {
    const graph = importGraph();
    // Each folder may import only folders listed before it (root files aside). model holds the file's types and
    // the rules that resolve a field (its type, its access), which validate reads too: it sits below validate.
    const order = ['sql', 'load', 'model', 'validate', 'render', 'db', 'plan', 'execute', 'verify', 'migration', 'fleet', 'cli'];
    for (const [from, targets] of graph) {
      const i = order.indexOf(from);
      if (i < 0) continue;
      for (const to of targets) {
        const j = order.indexOf(to);
        if (j >= 0) expect(j < i ? 'ok' : `${from} imports ${to}`).toBe('ok');
      }
    }
  });
});
