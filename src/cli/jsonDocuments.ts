/**
 * What `--json` prints: one JSON document on stdout, whatever happens, so a
 * script reads one thing and never parses stderr. A success is the command's
 * own report (its shape is in the README under each command); a failure is
 * one `FailureDocument`, told apart by `status: "error"`. The exit code is
 * the same as without --json.
 */
import { InvalidRequirementsError, problemOf } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { AltanError } from '../problems.js';
import type { Problem, ProblemCategory } from '../problems.js';
import type { CliIo } from './io.js';

/** A command that failed: the error's code, category and message, and its problems with their positions. */
export interface FailureDocument {
  readonly status: 'error';
  /** The first problem's code (`apply-failed`, `server-unreachable`, a validation rule, …), `usage` or `internal-error`. */
  readonly code: string;
  readonly category: ProblemCategory;
  /** The exit code the command ends with. */
  readonly exitCode: number;
  /** What the command prints on stderr without --json. */
  readonly message: string;
  /** Every problem, each with its place when it has one (file/line/column, sql, statement, sqlstate, hint). */
  readonly problems: readonly Problem[];
  /** An invalid file's warnings, as problems. */
  readonly warnings: readonly Problem[];
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const asProblems = (list: readonly Diagnostic[]) => list.map(problemOf);

/** A thrown problem (or, for a bug, anything else) as the failure document of a command ending with `exitCode`. */
export function failureDocument(e: unknown, exitCode: number): FailureDocument {
  if (e instanceof AltanError && e.category !== 'internal') {
    const problems = e.problems.length > 0 ? e.problems : [{ code: 'error', category: e.category, message: e.message }];
    return {
      status: 'error',
      code: problems[0]?.code ?? 'error',
      category: e.category,
      exitCode,
      message: e.message,
      problems,
      warnings: e instanceof InvalidRequirementsError ? asProblems(e.warnings) : [],
    };
  }
  const message = `internal error (this is a bug, please report it): ${e instanceof Error ? e.message : String(e)}`;
  return {
    status: 'error',
    code: 'internal-error',
    category: 'internal',
    exitCode,
    message,
    problems: [{ code: 'internal-error', category: 'internal', message }],
    warnings: [],
  };
}

/** A command line that commander refused (an unknown option, a bad value): commander has printed the text on stderr. */
export function usageDocument(message: string, exitCode: number): FailureDocument {
  const text = message.replace(/^error: /, '');
  return {
    status: 'error',
    code: 'usage',
    category: 'usage',
    exitCode,
    message: text,
    problems: [{ code: 'usage', category: 'usage', message: text }],
    warnings: [],
  };
}

/** `validate --json` on a valid file: how much it holds, and its warnings. */
export function validDocument(file: string, counts: Readonly<Record<'entities' | 'buckets' | 'views' | 'jobs', number>>, warnings: readonly Diagnostic[]) {
  return { status: 'ok', file, ...counts, warnings: asProblems(warnings) };
}
