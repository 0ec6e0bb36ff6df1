/**
 * What the rule tests share: a YAML text made of lines, every problem
 * validation finds in it, and the `line:column` of a token, to say where a
 * problem must point.
 */
import type { Diagnostic } from '../src/diagnostics.js';
import { loadDocument } from '../src/load/document.js';
import type { LoadedDocument } from '../src/load/document.js';
import { validateDocumentSync as validateDocument } from '../src/validate/index.js';

/** One line per argument, so that line numbers in the tests are easy to read off. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

export function load(text: string): LoadedDocument {
  const loaded = loadDocument(text, 'test.yaml');
  if (!loaded.ok) throw new Error(`test YAML does not load: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return loaded.document;
}

/** Errors and warnings (the SQL parser must be loaded: validateDocumentSync checks author SQL). */
export function all(text: string): Diagnostic[] {
  const result = validateDocument(load(text));
  return [...result.errors, ...result.warnings];
}

/** `line:column` of the `occurrence`-th `token` on a 1-based line of `text`. */
export function at(text: string, line: number, token: string, occurrence = 1): string {
  const content = text.split('\n')[line - 1] ?? '';
  let column = -1;
  for (let n = 0; n < occurrence; n++) column = content.indexOf(token, column + 1);
  if (column < 0) throw new Error(`token ${JSON.stringify(token)} not on line ${line}: ${content}`);
  return `${line}:${column + 1}`;
}
