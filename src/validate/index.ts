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

export function validateDocument(doc: LoadedDocument): ValidationResult {
  const schemaProblems = checkSchema(doc);
  // The rules rely on the shape the schema guarantees; running them on a misshapen file would only add noise.
  if (schemaProblems.some((d) => d.severity === 'error')) return split(schemaProblems);
  const input = doc.data as RequirementsInput;
  const found: Diagnostic[] = [...schemaProblems];
  const ctx = createContext(doc, input, found);
  for (const rule of RULES) rule.check(ctx);
  const result = split(found);
  return result.errors.length === 0 ? { ...result, input } : result;
}
