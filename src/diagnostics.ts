/**
 * Problems found in a requirements file. Every problem carries the place it
 * refers to, so the CLI can print `file:line:col: message` and a library user
 * can underline it in an editor. A diagnostic is a problem (problems.ts) with
 * a severity: its rule is the problem's code, its category `invalid`.
 */
import { AltanError } from './problems.js';
import type { Problem } from './problems.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable, kebab-case name of the rule that produced it (e.g. `unknown-key`). */
  readonly rule: string;
  readonly message: string;
  readonly file: string;
  /** 1-based line and column; 0 when the problem has no place (e.g. an empty file). */
  readonly line: number;
  readonly column: number;
  /** Path of the node inside the document, e.g. `entities.todos.fields.title`. */
  readonly path: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const level = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${level}${d.message} [${d.rule}]`;
}

/** Errors first, then by position, so output is stable whatever order rules ran in. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

/** A diagnostic as a problem: its rule is the code; no position when it has none (line 0). */
export function problemOf(d: Diagnostic): Problem {
  return {
    code: d.rule,
    category: 'invalid',
    message: d.message,
    file: d.file,
    ...(d.line > 0 ? { line: d.line, column: d.column } : {}),
    ...(d.path !== '' ? { path: d.path } : {}),
  };
}

/** Thrown by `compile` when the file is invalid; carries every problem found (`problems`: the errors). */
export class InvalidRequirementsError extends AltanError {
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  constructor(errors: readonly Diagnostic[], warnings: readonly Diagnostic[]) {
    super(`invalid requirements file: ${errors.length} problem(s)`, 'invalid', errors.map(problemOf));
    this.name = 'InvalidRequirementsError';
    this.errors = errors;
    this.warnings = warnings;
  }
}
