/**
 * Valid random files broken in one rule of members and via (mutateAccess.ts):
 * validation must refuse each with exactly that rule, pointing at the node
 * that breaks it — its line and column found here with the `yaml` package
 * from the path the mutation wrote — and compile must throw the same
 * problems. Every kind of mutation must come up in a run.
 */
import fc from 'fast-check';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
// The synchronous forms: fast-check properties are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { formatDiagnostic, InvalidRequirementsError } from '../../src/index.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import { numRuns, replay, timeoutFor } from './arbitraries.js';
import { ACCESS_MUTATIONS, accessMutatedArb } from './mutateAccess.js';
import type { Path } from './mutateAccess.js';

const FILE = 'altan.yaml';
const RUNS = 100;

beforeAll(loadSqlParser);

/** Line and column (from 1) of the value at `path`, as the yaml package places it. */
function positionOf(text: string, path: Path): { line: number; col: number } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  let node = doc.contents as Node | null;
  for (const seg of path) {
    if (isMap(node)) node = (node.items.find((p) => String((p.key as { value?: unknown })?.value) === String(seg))?.value ?? null) as Node | null;
    else if (isSeq(node) && typeof seg === 'number') node = (node.items[seg] ?? null) as Node | null;
    else return undefined;
  }
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset);
}

describe('mutations breaking one rule of members and via', () => {
  it(
    'are refused by that rule alone, at the node that breaks it; compile throws the same problems',
    () => {
      const seen = new Map<string, number>();
      fc.assert(
        fc.property(accessMutatedArb, (mutated) => {
          // The generator makes valid files, mostly (valid-files.test.ts): the others are not about these rules.
          fc.pre(validate(mutated.original, { fileName: FILE }).errors.length === 0);
          const checked = validate(mutated.text, { fileName: FILE });
          const shown = checked.errors.map(formatDiagnostic).join('\n');
          expect(checked.errors.length, `${mutated.kind}: refused`).toBeGreaterThan(0);
          expect(
            checked.errors.map((d) => d.rule),
            `${mutated.kind}: only ${mutated.rule}\n${shown}`,
          ).toEqual(checked.errors.map(() => mutated.rule));
          const expected = mutated.at.map((p) => positionOf(mutated.text, p));
          for (const p of expected) expect(p, `${mutated.kind}: a path the mutation wrote`).toBeDefined();
          const pointed = checked.errors.map((d) => ({ line: d.line, col: d.column }));
          expect(
            pointed.some((p) => expected.some((e) => e?.line === p.line && e.col === p.col)),
            `${mutated.kind}: a problem at ${JSON.stringify(expected)}\n${shown}`,
          ).toBe(true);
          for (const d of checked.errors) expect(formatDiagnostic(d), 'one line').not.toMatch(/[\n\r]/);
          let thrown: unknown;
          try {
            compile(mutated.text, { fileName: FILE });
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeInstanceOf(InvalidRequirementsError);
          expect((thrown as InvalidRequirementsError).errors).toEqual(checked.errors);
          seen.set(mutated.kind, (seen.get(mutated.kind) ?? 0) + 1);
        }),
        { numRuns: numRuns(RUNS), ...replay() },
      );
      expect(
        ACCESS_MUTATIONS.filter((k) => !seen.has(k)),
        'kinds never drawn',
      ).toEqual([]);
    },
    timeoutFor(RUNS),
  );
});
