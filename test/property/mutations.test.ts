/**
 * Random mutations of valid files — a value of the wrong kind, a wrong scalar,
 * a missing or unknown key, a value nested one level too deep, `version: 2`,
 * or damage to the YAML text itself (a tab, a duplicated line, a cut, a stray
 * piece) — must always be reported, never crash:
 *
 * - in process (most runs): `validate` never throws; every problem has a rule,
 *   a one-line message and a position (line ≥ 1, column ≥ 1; only the few
 *   file-level rules have none); `compile` throws `InvalidRequirementsError`
 *   with those same problems, or, when the mutation happened to keep the file
 *   valid, gives SQL that Postgres's parser accepts. Most mutations must make
 *   the file invalid (counted), so the property does not test nothing.
 * - through the CLI (a few per run): `validate` and `generate` exit 1 with
 *   nothing on stdout and exactly the in-process problems on stderr, one
 *   `file:line:col: message [rule]` per line, and never a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadModule, parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, InvalidRequirementsError, validate } from '../../src/index.js';
import type { Diagnostic } from '../../src/index.js';
import { STACK_TRACE, cliBuilt, runCli } from '../helpers.js';
import { fileArb, FUZZ_RUNS, numRuns, timeoutFor } from './arbitraries.js';
import { put, toYaml } from './documents.js';
import { nastyString } from './names.js';
import type { ArbValue } from './values.js';

const FILE = 'altan.yaml';
const RUNS = 100;
const CLI_RUNS = FUZZ_RUNS === undefined ? 5 : Math.max(5, Math.ceil(FUZZ_RUNS / 20));
/** Problems about the file as a whole, which have no position (see docs/format.md §13). */
const POSITIONLESS = new Set(['empty-file', 'file-too-large', 'not-utf8']);

beforeAll(async () => {
  await loadModule();
});

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
const NEAR_MISSES = ['requird', 'acess', 'descripton', 'Type', 'primary-key', 'on-delete', 'uniqe', 'refrences', 'file_size', 'sceduled', 'unique_keys', '<<', ''];

const mutationArb = fc.record({
  file: fileArb,
  kind: fc.constantFrom(
    'replace-kind', 'replace-kind', 'replace-kind', 'wrong-scalar', 'wrong-scalar', 'delete-key', 'delete-required', 'unknown-key',
    'nest', 'version', 'text-tab', 'text-duplicate-line', 'text-cut', 'text-insert',
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
      if (Object.prototype.hasOwnProperty.call(target.value, key)) break;
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
      const piece = m.pick % 3 === 0 ? m.nearMiss : m.pick % 3 === 1 ? m.nasty : ['"', "'", '{', '[', ': :', '&x', '*x', '\n---\n', '\t', '? '][m.pick % 10] as string;
      return { text: m.file.text.slice(0, pos) + piece + m.file.text.slice(pos), what: `${JSON.stringify(piece)} inserted at offset ${pos}` };
    }
  }
  // Nothing to mutate in this direction: a second version key is always wrong.
  return { text: `${m.file.text}version: 2\n`, what: 'a second version key' };
}

const mutatedArb = mutationArb.map((m) => {
  const result = { ...mutate(m), original: m.file.doc };
  return Object.assign(result, { [fc.toStringMethod]: () => `${result.what}\n--- mutated file:\n${result.text}\n--- from:\n${m.file.text}` });
});

/** The SQL fragments an author wrote (checks, defaults, index conditions, view queries), in a canonical order. */
function authorSql(doc: unknown): string {
  const out: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string' && (key === 'check' || key === 'where' || key === 'query' || key === 'sql')) out.push(`${key}:${value}`);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, undefined));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(doc, undefined);
  return JSON.stringify(out.sort());
}

/** The problems must be usable: rule, one-line message, position. */
function checkDiagnostics(errors: readonly Diagnostic[]): void {
  for (const d of errors) {
    const shown = formatDiagnostic(d);
    expect(d.rule, shown).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(d.message.trim().length, shown).toBeGreaterThan(0);
    expect(d.file).toBe(FILE);
    // One problem per line: a newline in a message would break `file:line:col: message` parsing.
    expect(shown, 'a diagnostic is one line').not.toMatch(/[\n\r]/);
    if (!POSITIONLESS.has(d.rule)) {
      expect(d.line, shown).toBeGreaterThanOrEqual(1);
      expect(d.column, shown).toBeGreaterThanOrEqual(1);
    }
  }
  expect(errors.some((d) => d.line >= 1 && d.column >= 1), 'at least one problem has a position').toBe(true);
}

describe('mutations of valid files', () => {
  it('in process: never a throw, always a positioned one-line problem (or, if still valid, SQL that parses)', () => {
    let invalid = 0;
    let total = 0;
    fc.assert(
      fc.property(mutatedArb, (mutated) => {
        total++;
        let checked: ReturnType<typeof validate> | undefined;
        expect(() => {
          checked = validate(mutated.text, { fileName: FILE });
        }).not.toThrow();
        const errors = checked?.errors ?? [];
        if (errors.length === 0) {
          // Still valid: then it compiles, and the SQL parses — unless the mutation changed
          // SQL that the author writes (check, where, { sql: }, query), which no one parses
          // before Postgres does.
          const { sql } = compile(mutated.text, { fileName: FILE });
          if (authorSql(checked?.input) === authorSql(mutated.original)) expect(() => parseSync(sql)).not.toThrow();
          return;
        }
        invalid++;
        checkDiagnostics(errors);
        let thrown: unknown;
        try {
          compile(mutated.text, { fileName: FILE });
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(InvalidRequirementsError);
        expect((thrown as InvalidRequirementsError).errors).toEqual(errors);
      }),
      { numRuns: numRuns(RUNS) },
    );
    // Most mutations must break the file, or the property above tests little.
    expect(invalid / total, `${invalid} of ${total} mutated files were invalid`).toBeGreaterThan(0.5);
  }, timeoutFor(RUNS));

  it('through the CLI: exit 1, nothing on stdout, `file:line:col: message` lines on stderr, no stack trace', () => {
    expect(cliBuilt(), 'run `npm run build` first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'altan-mutations-'));
    fc.assert(
      fc.property(mutatedArb.filter((m) => validate(m.text, { fileName: FILE }).errors.length > 0), (mutated) => {
        writeFileSync(join(dir, FILE), mutated.text);
        const checked = validate(mutated.text, { fileName: FILE });
        const expected = [...checked.errors, ...checked.warnings].map((d) => `${formatDiagnostic(d)}\n`).join('');
        for (const command of ['validate', 'generate']) {
          const r = runCli([command, FILE], { cwd: dir });
          expect(r.stderr, `${command} stderr`).not.toMatch(STACK_TRACE);
          expect(r.status, `${command} exit code; stderr:\n${r.stderr}`).toBe(1);
          expect(r.stdout, `${command} stdout`).toBe('');
          for (const line of r.stderr.trimEnd().split('\n')) {
            expect(line, `${command}: every stderr line is one problem`).toMatch(/^[^:\n]+:\d+:\d+: \S/);
          }
          expect(r.stderr, `${command}: the problems validate() reports`).toBe(expected);
        }
      }),
      // No shrinking: each step spawns the CLI twice; the counterexample is printed as a file anyway.
      { numRuns: CLI_RUNS, endOnFailure: true },
    );
  }, timeoutFor(RUNS, 60_000));
});
