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
import { authorSql } from './rules/sql.js';
import { effectiveAccess, OPERATIONS } from '../model/resolve.js';
import { loadSqlParser } from '../sql/parser.js';
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

/** The schema's findings, and what the rules check: the file, or what is left once every malformed part is removed. */
interface Shaped {
  readonly schemaProblems: Diagnostic[];
  readonly rulesInput?: RequirementsInput;
  readonly pruned?: ReturnType<typeof pruneMalformed>;
}

function shape(doc: LoadedDocument): Shaped {
  const schemaProblems = checkSchema(doc);
  if (!schemaProblems.some((d) => d.severity === 'error')) return { schemaProblems, rulesInput: doc.data as RequirementsInput };
  // The rules rely on the shape the schema guarantees: they check what is left once every
  // malformed part is removed, so one run still reports everything that needs fixing.
  const pruned = pruneMalformed(doc.data, schemaProblems);
  return pruned.data ? { schemaProblems, rulesInput: pruned.data as unknown as RequirementsInput, pruned } : { schemaProblems };
}

function finish(doc: LoadedDocument, shaped: Shaped): ValidationResult {
  const { schemaProblems, rulesInput, pruned } = shaped;
  if (!rulesInput) return split(schemaProblems);
  if (!pruned) {
    const result = split([...schemaProblems, ...runRules(doc, rulesInput)]);
    return result.errors.length === 0 ? { ...result, input: rulesInput } : result;
  }
  const ruleFindings = runRules(doc, rulesInput).filter((d) => !causedByPruning(d, pruned));
  return split([...schemaProblems, ...ruleFindings]);
}

/**
 * Whether the file has SQL of its own: checks, defaults, views, jobs, and the
 * `where` of access terms. The model reads a `where`'s columns with the parser
 * (to index them): without it they would be indexed or not depending on
 * whether something else in the process had loaded it.
 */
function hasAuthorSql(input: RequirementsInput): boolean {
  if (authorSql(input).length > 0) return true;
  return Object.values(input.entities ?? {}).some((entity) => {
    const access = effectiveAccess(entity);
    return OPERATIONS.some((op) => access[op].some((term) => term.where !== undefined));
  });
}

/** Checks a loaded file; loads Postgres's parser first when the file has SQL of its own. */
export async function validateDocument(doc: LoadedDocument): Promise<ValidationResult> {
  const shaped = shape(doc);
  if (shaped.rulesInput && hasAuthorSql(shaped.rulesInput)) await loadSqlParser();
  return finish(doc, shaped);
}

/** `validateDocument` for a caller that has already awaited `loadSqlParser()` (tests that check files in a loop). */
export function validateDocumentSync(doc: LoadedDocument): ValidationResult {
  return finish(doc, shape(doc));
}
