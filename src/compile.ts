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
import { cronEntry } from './render/prepare/transaction.js';
import { objectsOf } from './render/objects.js';
import type { SqlObject } from './render/objects.js';
import { transactionScript } from './render/script.js';
import type { PlacedStatement } from './render/script.js';
import { renderWithinLimit } from './render/sqlSize.js';
import type { CronEntry } from './render/prepare/transaction.js';
import type { Target } from './target.js';
import { validateDocument, validateDocumentSync } from './validate/index.js';
import type { Path } from './load/document.js';

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

/** A place in the requirements file. */
export interface FilePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CompileResult {
  readonly sql: string;
  readonly target: Target;
  /** Every object the SQL makes, in the order it makes them: what plan inventories. */
  readonly objects: readonly SqlObject[];
  /** The statements of `sql`, where each is and what it makes: how a database error is traced back. */
  readonly statements: readonly PlacedStatement[];
  /** Where a node of the file is (a path such as `entities.todos.fields.title`). */
  locate(path: Path): FilePosition;
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
    const script = transactionScript(model, target);
    return { model, script, sql: `${script.text.trimEnd()}\n` };
  });
  if ('error' in rendered) throw new InvalidRequirementsError([rendered.error], checked.warnings);
  const { model, script, sql } = rendered.output;
  return {
    sql,
    target,
    objects: objectsOf(model),
    statements: script.statements,
    locate: (path: Path) => ({ file: fileName, ...document.locate(path) }),
    cron: model.jobs.map((j) => cronEntry(j, model.schema, model.privateSchema)),
    warnings: checked.warnings,
    model,
  };
}
