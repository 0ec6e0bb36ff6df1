/**
 * One model for everything that can go wrong, below every other module: an
 * invalid file, a refused plan, a missing prerequisite, Postgres refusing a
 * statement, a lost connection, a request that verify found not as promised.
 *
 * A `Problem` is one coded finding, with a place when it has one. An
 * `AltanError` is thrown with one or more of them; its `category` says what
 * kind of failure it is, and only the command line (src/cli/run.ts) turns a
 * category into an exit code. Every error class of the library
 * (`InvalidRequirementsError`, `ApplyError`, `PlanError`, `VerifyError`,
 * `DatabaseError`, `ConnectionError`, …) extends `AltanError`; their messages
 * are what the CLI prints, and the problems are the same failure as data.
 *
 * The codes are stable kebab-case names, listed in the README ("Problem
 * codes"). A diagnostic of a requirements file (diagnostics.ts) is a problem
 * with a severity: its `rule` is the problem's code, its category `invalid`.
 */

/** What kind of failure: decides the exit code (README, "Exit codes"). */
export type ProblemCategory =
  /** The requirements file: invalid, unreadable, or its output cannot be written. */
  | 'invalid'
  /** The command line itself: an unknown command or option, a bad option value. */
  | 'usage'
  /** The database lacks what the file needs (roles, auth, storage, pg_cron, …); nothing ran. */
  | 'preflight'
  /** What the database holds cannot be planned against (a record without an inventory). */
  | 'conflict'
  /** The plan cannot run as it stands (a name taken, NULLs where NOT NULL is asked). */
  | 'blocked'
  /** Changes that may lose data, refused without --allow-destructive. */
  | 'destructive'
  /** Postgres refused a statement (the file's SQL in apply, a privilege the connecting role lacks, …). */
  | 'database'
  /** The database could not be reached or opened, or the connection was lost. */
  | 'connection'
  /** verify ran, and a request did not come out as the access rules promise. */
  | 'verify-failed'
  /** verify cannot run: the file was not applied to that database. */
  | 'not-applied'
  /** The user interrupted (Ctrl-C): the running statement was cancelled and the transaction rolled back. */
  | 'interrupted'
  /** A bug. */
  | 'internal';

export interface Problem {
  /** Stable kebab-case name, e.g. `apply-failed`, `destructive-change`, or a validation rule such as `unknown-key`. */
  readonly code: string;
  readonly category: ProblemCategory;
  /** One finding, as a sentence (without the `file:line:col:` in front). */
  readonly message: string;
  /** The requirements file it points into, when it has a place there. */
  readonly file?: string;
  /** 1-based line and column in `file`. */
  readonly line?: number;
  readonly column?: number;
  /** Path of the node inside the document, e.g. `entities.todos.fields.title`. */
  readonly path?: string;
  /** What to do about it, when there is something to do. */
  readonly hint?: string;
  /** Where in the generated SQL (what `generate` prints) Postgres refused it: 1-based line and column. */
  readonly sql?: { readonly line: number; readonly column: number };
  /** The generated statement Postgres refused (`apply-failed`) or cancelled (`statement-timeout`): its label, e.g. `CREATE TABLE public.notes`. */
  readonly statement?: string;
  /** Postgres's SQLSTATE, when Postgres refused it. */
  readonly sqlstate?: string;
}

/** A problem without its category: the error it is thrown with gives that. */
export type ProblemInput = Omit<Problem, 'category'> & { readonly category?: ProblemCategory };

/** The base of every error altan-cloud throws on purpose: a category and the problems behind it. */
export class AltanError extends Error {
  readonly category: ProblemCategory;
  readonly problems: readonly Problem[];
  /**
   * `problems`: one or more; a problem without a category takes the error's.
   * A single problem object may be given for an error of one finding.
   */
  constructor(message: string, category: ProblemCategory, problems: ProblemInput | readonly ProblemInput[]) {
    super(message);
    this.name = 'AltanError';
    this.category = category;
    const list: readonly ProblemInput[] = Array.isArray(problems) ? problems : [problems as ProblemInput];
    this.problems = list.map((p) => ({ ...p, category: p.category ?? category }));
  }
}
