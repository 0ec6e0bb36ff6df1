/**
 * The commands that talk to a database: `apply`, `plan`, `verify` and
 * `bootstrap`. The target is --database-url, else DATABASE_URL, else
 * DATABASE_URL in ./.env, else the embedded database in ./.altan-cloud/db
 * (refused with CI set unless --embedded: databaseChoice.ts); stderr always
 * says which one was used. Each returns an outcome or throws a problem (`AltanError`); what
 * Postgres refuses is thrown naming the database.
 */
import { apply } from '../execute/apply.js';
import type { ApplyReport } from '../execute/apply.js';
import { bootstrap } from '../execute/bootstrap.js';
import type { BootstrapReport } from '../execute/bootstrap.js';
import { openEmbedded, openPostgres } from '../db/database.js';
import type { Database } from '../db/database.js';
import { DatabaseError, INSUFFICIENT_PRIVILEGE, PRIVILEGE_HINT, describeDatabaseError } from '../db/errors.js';
import { AltanError } from '../problems.js';
import type { Target } from '../target.js';
import { formatReport } from '../verify/report.js';
import { verify } from '../verify/run.js';
import type { VerifyReport } from '../verify/run.js';
import { adoptionLines, describeChange, formatPlan } from '../plan/format.js';
import { plan } from '../plan/plan.js';
import type { CompileResult } from '../compile.js';
import { holdsDatabase } from '../db/embeddedSnapshot.js';
import { compileFile } from './commands.js';
import { chooseDatabase, sourceLabel } from './databaseChoice.js';
import type { DatabaseChoice, DatabaseFlags } from './databaseChoice.js';
import { DEFAULT_TIMEOUTS } from './durations.js';
import type { Timeouts } from './durations.js';
import { guardSession } from './guard.js';
import type { Guard } from './guard.js';
import { displayName, pathIn } from './io.js';
import { nextStepsText } from './nextSteps.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';
import { progressFor } from './progress.js';
import type { Progress } from './progress.js';

/** Where the embedded database lives, relative to the working directory. */
export const EMBEDDED_DIR = '.altan-cloud/db';

export interface DatabaseOptions extends DatabaseFlags {
  /** --lock-timeout and --statement-timeout, in ms (0: no limit); default DEFAULT_TIMEOUTS. */
  readonly lockTimeout?: number;
  readonly statementTimeout?: number;
}

/** The options' timeouts: the guard sets them on the session, and the library's calls are given them so as to keep them. */
const timeoutsOf = (options: DatabaseOptions): Timeouts => ({
  lockTimeoutMs: options.lockTimeout ?? DEFAULT_TIMEOUTS.lockTimeoutMs,
  statementTimeoutMs: options.statementTimeout ?? DEFAULT_TIMEOUTS.statementTimeoutMs,
});

/** Connects to the chosen database, saying nothing yet. */
function connect(io: CliIo, choice: DatabaseChoice, progress: Progress): Promise<Database> {
  if (choice.kind === 'postgres') return progress.step('connecting to the database…', openPostgres(choice.url));
  return progress.step('opening the embedded database…', openEmbedded(EMBEDDED_DIR, { cwd: io.cwd }));
}

/**
 * Compiles the file; an embedded database that already exists opens meanwhile, as PGlite's
 * open is most of a warm apply's time (reading and compiling its WebAssembly). Nothing else
 * starts before the file is known to be valid: no server is contacted and no new database
 * created for an invalid file, and one opened early is closed unused.
 */
async function compileWhileOpening(
  io: CliIo,
  file: string,
  choice: DatabaseChoice,
  options: { readonly json?: boolean },
  target: Target,
  progress: Progress,
): Promise<{ compiled: CompileResult; opening: Promise<Database> | undefined } | undefined> {
  const early = choice.kind === 'embedded' && holdsDatabase(pathIn(io, EMBEDDED_DIR)) ? connect(io, choice, progress) : undefined;
  // Its failure is reported once the file compiled, not as an unhandled rejection meanwhile.
  early?.catch(() => {});
  const closeEarly = async () => void (await early?.then((db) => db.close()).catch(() => {}));
  let compiled: CompileResult | undefined;
  try {
    compiled = await compileFile(progress.io, file, target, options.json);
  } catch (e) {
    await closeEarly();
    throw e;
  }
  if (!compiled) await closeEarly();
  return compiled ? { compiled, opening: early } : undefined;
}

/**
 * Opens the chosen database (or takes the one `opening` started) and says which on stderr;
 * the embedded one is bootstrapped, as on first use it is empty.
 */
async function open(
  io: CliIo,
  choice: DatabaseChoice,
  bootstrapEmbedded: boolean,
  progress: Progress,
  opening = connect(io, choice, progress),
): Promise<Database> {
  const db = await opening;
  io.stderr.write(`${databaseLine(db, choice)}\n`);
  if (db.kind === 'postgres') return db;
  if (bootstrapEmbedded) {
    try {
      printBootstrap(io, await progress.step('preparing the embedded database…', bootstrap(db)), false);
    } catch (e) {
      await db.close();
      throw refused(db, e);
    }
  }
  return db;
}

/** stderr's first line: which database, and what chose it. */
export function databaseLine(db: Pick<Database, 'description'>, choice: DatabaseChoice): string {
  if (choice.kind === 'postgres') return `database: ${db.description} (${sourceLabel(choice.source)})`;
  return `database: ${db.description}${choice.asked ? ' (--embedded)' : '; use --database-url or DATABASE_URL for a real project'}`;
}

/**
 * What Postgres refused outside apply's own reporting (plan reading a catalog the role may not
 * read, say), as a problem naming the database; anything else as it is.
 */
function refused(db: Database, e: unknown): unknown {
  if (!(e instanceof DatabaseError)) return e;
  const privilege = e.code === INSUFFICIENT_PRIVILEGE;
  return new AltanError(`${db.description}: ${describeDatabaseError(e)}${privilege ? `\n${PRIVILEGE_HINT}` : ''}`, 'database', {
    code: 'database-error',
    message: e.message,
    ...(e.code !== undefined ? { sqlstate: e.code } : {}),
    ...(privilege ? { hint: PRIVILEGE_HINT } : e.hint !== undefined ? { hint: e.hint } : {}),
  });
}

/**
 * Runs `work` against the database under a guard (timeouts, Ctrl-C: guard.ts), closing it
 * whatever happens; what Postgres refused is thrown naming it. `outcome` ends the message of
 * a timeout or an interrupt: what became of the database.
 */
export async function withDatabase(
  progress: Progress,
  choice: DatabaseChoice,
  options: DatabaseOptions,
  bootstrapEmbedded: boolean,
  outcome: string,
  work: (db: Database, signal: AbortSignal) => Promise<Outcome>,
  opening?: Promise<Database>,
): Promise<Outcome> {
  const io = progress.io;
  const db = await open(io, choice, bootstrapEmbedded, progress, opening);
  const url = choice.kind === 'postgres' ? choice.url : undefined;
  let guard: Guard | undefined;
  try {
    guard = await guardSession(io, db, url, timeoutsOf(options), outcome);
    return await work(db, guard.signal);
  } catch (e) {
    throw refused(db, guard ? guard.explain(e) : e);
  } finally {
    await guard?.close();
    await db.close();
  }
}

/**
 * The start apply, plan and verify share: the file compiled while an existing embedded database opens
 * (an invalid file never reaches a database), then `work` on the database with the compiled file.
 */
async function onCompiledFile(
  cliIo: CliIo,
  file: string,
  options: DatabaseOptions & { readonly json?: boolean },
  target: Target,
  outcome: string,
  work: (db: Database, compiled: CompileResult, progress: Progress, signal: AbortSignal) => Promise<Outcome>,
): Promise<Outcome> {
  // The database is chosen first: a CI job without its secret is told so whatever the file holds.
  const choice = chooseDatabase(cliIo, options);
  const progress = progressFor(cliIo, options.json);
  const ready = await compileWhileOpening(progress.io, file, choice, options, target, progress);
  if (!ready) return 'invalid';
  return withDatabase(progress, choice, options, true, outcome, (db, signal) => work(db, ready.compiled, progress, signal), ready.opening);
}

export interface ApplyCommandOptions extends DatabaseOptions {
  readonly dryRun?: boolean;
  readonly target: Target;
  readonly json?: boolean;
  readonly verify?: boolean;
  readonly allowDestructive?: boolean;
  readonly adopt?: boolean;
}

export async function applyCommand(cliIo: CliIo, file: string, options: ApplyCommandOptions): Promise<Outcome> {
  return onCompiledFile(cliIo, file, options, options.target, 'nothing was applied', async (db, compiled, progress, signal) => {
    const io = progress.io;
    const dryRun = options.dryRun === true;
    let verified: VerifyReport | undefined;
    // A dry run is verified inside its own transaction, before the rollback; otherwise after the commit.
    const timeouts = timeoutsOf(options);
    const beforeEnd =
      options.verify && dryRun ? async (d: Database) => void (verified = await verify(d, compiled, { insideTransaction: true, timeouts })) : undefined;
    const applied = await progress.step(
      dryRun ? 'applying (dry run)…' : 'applying…',
      apply(db, compiled, {
        dryRun,
        signal,
        timeouts,
        allowDestructive: options.allowDestructive === true,
        adopt: options.adopt === true,
        ...(beforeEnd ? { beforeEnd } : {}),
      }),
    );
    if (options.verify && verified === undefined) verified = await progress.step(VERIFYING, verify(db, compiled, { timeouts }));
    if (options.json) io.stdout.write(`${JSON.stringify(verified ? { ...applied, verify: verified } : applied, null, 2)}\n`);
    else io.stdout.write(applyText(displayName(file), applied) + (verified ? `\n${formatReport(verified)}` : ''));
    // A first apply on the embedded database is the quick start's first command: say what to run next.
    const embedded = db.kind === 'embedded';
    if (!options.json && !options.verify && embedded && applied.status === 'applied' && applied.created.length > 0)
      io.stdout.write(nextStepsText(file, options.embedded === true));
    return verified?.status === 'failed' ? 'verify-failed' : 'ok';
  });
}

const VERIFYING = 'verifying the access rules…';

export interface PlanCommandOptions extends DatabaseOptions {
  readonly target: Target;
  readonly json?: boolean;
  readonly exitCode?: boolean;
  readonly adopt?: boolean;
}

/** `ok` (or `changes` with --exit-code when there is something to do); `blocked` when the plan cannot run as it stands. */
export async function planCommand(cliIo: CliIo, file: string, options: PlanCommandOptions): Promise<Outcome> {
  return onCompiledFile(cliIo, file, options, options.target, 'nothing was changed', async (db, compiled, progress) => {
    const io = progress.io;
    const p = await progress.step('comparing with the database…', plan(db, compiled, { timeouts: timeoutsOf(options), adopt: options.adopt === true }));
    io.stdout.write(options.json ? `${JSON.stringify(p, null, 2)}\n` : formatPlan(displayName(file), p));
    if (p.blockers.length > 0) return 'blocked';
    return options.exitCode && p.status === 'changes' ? 'changes' : 'ok';
  });
}

export interface VerifyCommandOptions extends DatabaseOptions {
  readonly json?: boolean;
}

/** `ok` when every request came out as the access rules promise, `verify-failed` when one did not. */
export async function verifyCommand(cliIo: CliIo, file: string, options: VerifyCommandOptions): Promise<Outcome> {
  return onCompiledFile(cliIo, file, options, 'altan', 'nothing was changed', async (db, compiled, progress) => {
    const io = progress.io;
    const report = await progress.step(VERIFYING, verify(db, compiled, { timeouts: timeoutsOf(options) }));
    io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.status === 'failed' ? 'verify-failed' : 'ok';
  });
}

function applyText(file: string, r: ApplyReport): string {
  // A first apply names what it created in counts; a later one lists each change, as plan does.
  const first = r.created.length > 0;
  const what = first ? `create ${r.created.join(', ')}` : `make ${r.changes.length} ${r.changes.length === 1 ? 'change' : 'changes'}`;
  const head =
    r.status === 'up-to-date'
      ? `${file} is up to date on ${r.database} (applied ${r.appliedAt}); nothing to do`
      : r.status === 'dry-run'
        ? `dry run of ${file} on ${r.database}: would ${what}; rolled back, nothing changed (${r.durationMs} ms)`
        : `applied ${file} to ${r.database} in ${r.durationMs} ms: ${first ? 'created' : 'made'} ${what.replace(/^\S+ /, '')}`;
  const changes = first ? [] : r.changes.map((c) => `  ${describeChange(c)}`);
  const adoption = adoptionLines(r.adopted ?? [], r.unowned ?? []);
  return [head, ...changes, ...adoption, ...r.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

export async function bootstrapCommand(cliIo: CliIo, options: DatabaseOptions & { readonly json?: boolean }): Promise<Outcome> {
  const choice = chooseDatabase(cliIo, options);
  const progress = progressFor(cliIo, options.json);
  const io = progress.io;
  return withDatabase(progress, choice, options, false, 'the transaction was rolled back', async (db) => {
    const report = await bootstrap(db, { timeouts: timeoutsOf(options) });
    if (options.json) writeJson(io, { database: db.description, ...report });
    else printBootstrap(io, report, true);
    return 'ok';
  });
}

/** What bootstrap did; `verbose` also lists what was already there (the embedded database's silent check does not). */
function printBootstrap(io: CliIo, r: BootstrapReport, verbose: boolean): void {
  const lines: string[] = [];
  if (r.added.length > 0) lines.push(`bootstrap: added ${r.added.join(', ')}`);
  if (verbose && r.present.length > 0) lines.push(`bootstrap: already present ${r.present.join(', ')}`);
  if (verbose && r.added.length === 0) lines.push('bootstrap: nothing to add');
  // The embedded database's note (no pg_cron) is apply's to give, when there are jobs.
  if (verbose) lines.push(...r.notes.map((n) => `note: ${n}`));
  const out = verbose ? io.stdout : io.stderr;
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}
