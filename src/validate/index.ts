/**
 * Validation of a loaded requirements file: the JSON Schema first (shape,
 * keys, names), then every semantic rule. All problems are collected, so one
 * run tells the author everything that needs fixing.
 */
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedDocument } from '../load/document.js';
import type { RequirementsInput } from '../model/input.js';
import { createContext } from './rules/context.js';
import { RULES } from './rules/index.js';
import { causedByPruning, pruneMalformed } from './prune.js';
import { checkSchema } from './schema.js';

export interface ValidationResult {
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** The accepted input; present only when there are no errors. */
  input?: RequirementsInput;
}

function split(list: readonly Diagnostic[]): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  const sorted = sortDiagnostics(list);
  return { errors: sorted.filter((d) => d.severity === 'error'), warnings: sorted.filter((d) => d.severity === 'warning') };
}

function runRules(doc: LoadedDocument, input: RequirementsInput): Diagnostic[] {
  const found: Diagnostic[] = [];
  const ctx = createContext(doc, input, found);
  for (const rule of RULES) rule.check(ctx);
  return found;
}

export function validateDocument(doc: LoadedDocument): ValidationResult {
  const schemaProblems = checkSchema(doc);
  if (!schemaProblems.some((d) => d.severity === 'error')) {
    const input = doc.data as RequirementsInput;
    const result = split([...schemaProblems, ...runRules(doc, input)]);
    return result.errors.length === 0 ? { ...result, input } : result;
  }
  // The rules rely on the shape the schema guarantees: they check what is left once every
  // malformed part is removed, so one run still reports everything that needs fixing.
  const pruned = pruneMalformed(doc.data, schemaProblems);
  if (!pruned.data) return split(schemaProblems);
  const ruleFindings = runRules(doc, pruned.data as unknown as RequirementsInput).filter((d) => !causedByPruning(d, pruned));
  return split([...schemaProblems, ...ruleFindings]);
}
