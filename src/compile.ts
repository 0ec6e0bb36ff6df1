/**
 * The pipeline the CLI and the library share:
 * text → document (positions) → validation → model → SQL.
 */
import { createHash } from 'node:crypto';
import { InvalidRequirementsError, sortDiagnostics } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { loadDocument } from './load/document.js';
import type { LoadedDocument } from './load/document.js';
import type { RequirementsInput } from './model/input.js';
import type { Model } from './model/model.js';
import { normalize } from './model/normalize.js';
import { renderBlueprint } from './render/blueprints.js';
import { preparedFor } from './render/prepare/transaction.js';
import { renderWithinLimit } from './render/sqlSize.js';
import type { CronEntry } from './render/prepare/transaction.js';
import type { Target } from './target.js';
import { validateDocument, validateDocumentSync } from './validate/index.js';
import { authorSql } from './validate/rules/sql.js';
import { checkSqlFragment } from './sql/fragment.js';

export type { CronEntry, Target };

export interface SourceOptions {
  /** Shown in messages and in the SQL header; the path as the user gave it. */
  readonly fileName?: string;
}

export interface CompileOptions extends SourceOptions {
  readonly target?: Target;
}

export interface ValidateResult {
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** The validated file, when there are no errors. */
  readonly input?: RequirementsInput;
  readonly document?: LoadedDocument;
}

/** A piece of the file's own SQL as it stands in the generated SQL, and where it was written. */
export interface SqlOrigin {
  readonly sql: string;
  /** `check of field "notes.title"`. */
  readonly what: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CompileResult {
  readonly sql: string;
  readonly target: Target;
  /** The author's SQL fragments, so that a database error inside one can point into the file. */
  readonly origins: readonly SqlOrigin[];
  readonly cron: readonly CronEntry[];
  readonly warnings: readonly Diagnostic[];
  readonly model: Model;
}

/** The file every command reads when none is named. */
export const DEFAULT_FILE = 'altan.yaml';

/**
 * Load and check a requirements file; never throws for a bad file. Async
 * because Postgres's parser, which checks the file's own SQL, loads on first use.
 */
export async function validate(source: string | Uint8Array, options: SourceOptions = {}): Promise<ValidateResult> {
  const loaded = loadDocument(source, options.fileName ?? DEFAULT_FILE);
  if (!loaded.ok) return { errors: sortDiagnostics(loaded.errors), warnings: [] };
  return { ...(await validateDocument(loaded.document)), document: loaded.document };
}

/**
 * `validate` for a caller that has already awaited `loadSqlParser()`
 * (src/sql/parser.ts): synchronous, for checks run in a loop (property tests).
 */
export function validateSync(source: string | Uint8Array, options: SourceOptions = {}): ValidateResult {
  const loaded = loadDocument(source, options.fileName ?? DEFAULT_FILE);
  if (!loaded.ok) return { errors: sortDiagnostics(loaded.errors), warnings: [] };
  return { ...validateDocumentSync(loaded.document), document: loaded.document };
}

/** The SQL transaction and cron jobs for a requirements file; throws `InvalidRequirementsError` when invalid. */
export async function compile(source: string | Uint8Array, options: CompileOptions = {}): Promise<CompileResult> {
  return compiled(source, options, await validate(source, { fileName: options.fileName ?? DEFAULT_FILE }));
}

/** `compile` for a caller that has already awaited `loadSqlParser()`: synchronous. */
export function compileSync(source: string | Uint8Array, options: CompileOptions = {}): CompileResult {
  return compiled(source, options, validateSync(source, { fileName: options.fileName ?? DEFAULT_FILE }));
}

function compiled(source: string | Uint8Array, options: CompileOptions, checked: ValidateResult): CompileResult {
  const fileName = options.fileName ?? DEFAULT_FILE;
  const target = options.target ?? 'altan';
  if (checked.errors.length > 0 || !checked.input) throw new InvalidRequirementsError(checked.errors, checked.warnings);
  const sha256 = createHash('sha256').update(source).digest('hex');
  const document = checked.document as LoadedDocument;
  const rendered = renderWithinLimit(fileName, document.expandedTextLength, () => {
    const model = normalize(checked.input as RequirementsInput, { fileName, sha256 });
    const prepared = preparedFor(model, target);
    return { model, prepared, sql: `${renderBlueprint('transaction', prepared).trimEnd()}\n` };
  });
  if ('error' in rendered) throw new InvalidRequirementsError([rendered.error], checked.warnings);
  const { model, prepared, sql } = rendered.output;
  const input = checked.input;
  let origins: readonly SqlOrigin[] | undefined;
  return {
    sql,
    target,
    // Only a failing apply reads them: worked out on first use, not by every generate.
    get origins(): readonly SqlOrigin[] {
      // Job SQL is not run by the transaction (pg_cron runs it later): no error there can point into it.
      origins ??= authorSql(input).filter((a) => a.kind !== 'statements').map((a) => {
        const fragment = checkSqlFragment(a.source, a.kind);
        return { sql: fragment.ok ? fragment.sql : a.source.trim(), what: a.what, file: fileName, ...document.locate(a.path) };
      });
      return origins;
    },
    cron: prepared.cron,
    warnings: checked.warnings,
    model,
  };
}
