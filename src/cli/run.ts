/**
 * The command line as a function: `runCli(argv, io)` parses the arguments,
 * runs the command against `io` (streams, environment, working directory:
 * io.ts) and returns the exit code. main.ts calls it with the real process;
 * the tests call it in their own process. It never exits, never changes the
 * working directory and touches no global state, so runs may follow one
 * another (or overlap) in one process.
 *
 * This is the one module that turns how a command ended into an exit code
 * (the table is in main.ts's header and the README): commands return an
 * outcome or throw a problem (`AltanError`), and its category decides.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_FILE } from '../compile.js';
import { InvalidRequirementsError } from '../diagnostics.js';
import { AltanError } from '../problems.js';
import type { ProblemCategory } from '../problems.js';
import type { Target } from '../target.js';
import { VERSION } from '../version.js';
import { generateCommand, initCommand, validateCommand } from './commands.js';
import { addFleetCommands } from './fleetProgram.js';
import { report } from './io.js';
import { failureDocument, usageDocument, writeJson } from './jsonDocuments.js';
import { databaseOption, embeddedOption, lockTimeoutOption, parsePositive, statementTimeoutOption, targetOption } from './options.js';
import type { CliIo, Outcome } from './io.js';

export type { CliIo, Outcome, Output } from './io.js';

/** The exit code of each way a command can end: see main.ts's header. */
const EXIT_CODES: Readonly<Record<Outcome, number>> = {
  ok: 0,
  invalid: 1,
  preflight: 2,
  conflict: 2,
  blocked: 2,
  destructive: 2,
  database: 2,
  connection: 2,
  'not-applied': 2,
  changes: 3,
  'verify-failed': 4,
  usage: 64,
  internal: 70,
  // 128 + SIGINT, as a shell reports a process Ctrl-C ended.
  interrupted: 130,
};

/** The exit code for an outcome or a problem's category. */
export function exitCode(outcome: Outcome | ProblemCategory): number {
  return EXIT_CODES[outcome];
}

// The database commands load their modules (execute, verify, pg or PGlite) only when run:
// `validate` and `generate` start without them.
const databaseCommands = () => import('./databaseCommands.js');

const ADOPT_HELP =
  "take over the file's tables, policies, indexes… that already exist but altan-cloud did not make: recorded as its own when as the file describes them, changed in place when not (rows kept)";

interface TimeoutFlags {
  readonly lockTimeout: number;
  readonly statementTimeout: number;
}

function program(io: CliIo, done: (outcome: Outcome) => void, json: () => void): Command {
  const cli = new Command('altan-cloud')
    .description('Compile a requirements YAML into one secure Supabase-style SQL transaction')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // A terminal's width, as commander finds it for the process; 80 otherwise (commander's default).
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) ?? 80,
      // The help has no styles of its own to color; never ask the process.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  // Known before the action runs: from then on any failure is printed as a JSON document (jsonDocuments.ts).
  cli.hook('preAction', (_cli, action) => {
    if (action.opts().json === true) json();
  });

  cli
    .command('validate')
    .description('check a requirements file and print a summary, or every problem as file:line:col: message')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(new Option('--json', 'print { status, file, entities, buckets, views, jobs, warnings } as JSON'))
    .action(async (file: string, opts: { json?: boolean }) => done(await validateCommand(io, file, opts)));

  cli
    .command('generate')
    .description('print the SQL transaction (and cron jobs) for a requirements file')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .option('-o, --output <path>', 'write to this file instead of standard output')
    .addOption(new Option('--json', 'print { sql, cron, warnings } as JSON'))
    .addOption(targetOption())
    .action(async (file: string, opts: { output?: string; json?: boolean; target: Target }) => done(await generateCommand(io, file, opts)));

  cli
    .command('apply')
    .description('run the SQL transaction against a database (embedded by default), recording what was applied')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .option('--dry-run', 'execute and report, then roll back')
    .option('--verify', 'then run verify (inside the transaction with --dry-run); exit 4 when a request is not as promised')
    .option('--allow-destructive', 'also make changes that may lose data (drop a table or column, narrow a type, remove a job or a bucket that holds files)')
    .option('--adopt', ADOPT_HELP)
    .addOption(lockTimeoutOption())
    .addOption(statementTimeoutOption())
    .addOption(new Option('--json', 'print the report as JSON'))
    .addOption(targetOption())
    .action(
      async (
        file: string,
        opts: {
          databaseUrl?: string;
          dryRun?: boolean;
          verify?: boolean;
          allowDestructive?: boolean;
          adopt?: boolean;
          json?: boolean;
          target: Target;
        } & TimeoutFlags,
      ) => done(await (await databaseCommands()).applyCommand(io, file, opts)),
    );

  cli
    .command('plan')
    .description("compare the file with the database's catalog and print the changes apply would make, and their SQL; changes nothing")
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .option('--exit-code', 'exit 3 when there are changes to make (for drift checks in CI)')
    .option('--adopt', ADOPT_HELP)
    .addOption(lockTimeoutOption())
    .addOption(statementTimeoutOption())
    .addOption(new Option('--json', 'print the plan as JSON'))
    .addOption(targetOption())
    .action(async (file: string, opts: { databaseUrl?: string; exitCode?: boolean; adopt?: boolean; json?: boolean; target: Target } & TimeoutFlags) =>
      done(await (await databaseCommands()).planCommand(io, file, opts)),
    );

  cli
    .command('verify')
    .description(
      'run the requests clients make (anon, two users, org admin / member / outsider) in rolled-back transactions and compare them with the access rules',
    )
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .addOption(lockTimeoutOption())
    .addOption(statementTimeoutOption())
    .addOption(new Option('--json', 'print the report as JSON'))
    .action(async (file: string, opts: { databaseUrl?: string; json?: boolean } & TimeoutFlags) =>
      done(await (await databaseCommands()).verifyCommand(io, file, opts)),
    );

  cli
    .command('bootstrap')
    .description('make a Postgres database look like an Altan / Supabase project (roles, auth, storage, pg_cron); idempotent')
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .addOption(new Option('--json', 'print { database, added, present, notes } as JSON'))
    .action(async (opts: { databaseUrl?: string; json?: boolean }) => done(await (await databaseCommands()).bootstrapCommand(io, opts)));

  cli
    .command('sql')
    .description('run SQL on the database (embedded by default) and print the rows; without a query: read standard input, or prompt at a terminal')
    .argument('[query]', 'one statement or several, separated by ;')
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .addOption(new Option('--json', 'print { rows, rowCount } of the last statement as JSON'))
    .action(async (query: string | undefined, opts: { databaseUrl?: string; json?: boolean }) =>
      done(await (await import('./sqlCommand.js')).sqlCommand(io, query, opts)),
    );

  const migration = cli.command('migration').description('Supabase migrations: files in supabase/migrations/ that `supabase db push` runs');
  migration
    .command('new')
    .description(
      "write <YYYYMMDDHHMMSS>_<name>.sql: the changes the file needs beyond the database (or, without one, the folder's migrations), as plan shows them",
    )
    .argument('<name>', 'what the migration does (made lower-case snake case)')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .option('--dir <folder>', 'the migrations folder', 'supabase/migrations')
    .addOption(
      new Option('--database-url <url>', "a Postgres connection URL (default: DATABASE_URL, else the folder's migrations replayed on an embedded database)"),
    )
    .option('--allow-destructive', 'also include changes that may lose data (marked in the file)')
    .addOption(lockTimeoutOption())
    .addOption(statementTimeoutOption())
    .addOption(new Option('--json', 'print { status, file, version, name, base, changes, destructive, statements } as JSON'))
    .addOption(targetOption())
    .action(
      async (
        name: string,
        file: string,
        opts: { dir: string; databaseUrl?: string; allowDestructive?: boolean; json?: boolean; target: Target } & TimeoutFlags,
      ) => done(await (await import('./migrationCommand.js')).migrationNewCommand(io, name, file, opts)),
    );
  for (const sub of migration.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)');

  cli
    .command('types')
    .description("print the TypeScript types of the file's schema (the Database type of supabase-js), as `supabase gen types typescript` would; no database")
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .option('-o, --output <path>', 'write to this file instead of standard output')
    .option('--postgrest-version <version>', "the project's PostgREST version, written for createClient<Database>() (as supabase gen types does)")
    .addOption(new Option('--json', 'print { status, file, schema, tables, views, types, warnings } as JSON'))
    .action(async (file: string, opts: { output?: string; json?: boolean; postgrestVersion?: string }) =>
      done(await (await import('./typesCommand.js')).typesCommand(io, file, opts)),
    );

  addFleetCommands(cli, io, done);

  cli
    .command('history')
    .description('list the applies recorded in the database, newest first: when, which file and its sha256, what changed')
    .addOption(databaseOption())
    .addOption(embeddedOption())
    .option('--schema <name>', "the schema whose applies to list, as a file's `schema` names it (default: public)")
    .option('--limit <n>', 'at most this many, the newest (default: 20)', parsePositive)
    .addOption(new Option('--json', 'print { database, schema, total, entries } as JSON'))
    .action(async (opts: { databaseUrl?: string; embedded?: boolean; schema?: string; limit?: number; json?: boolean }) =>
      done(await (await import('./historyCommand.js')).historyCommand(io, opts)),
    );

  cli
    .command('init')
    .description('write a commented starter requirements file (never overwrites)')
    .argument('[file]', 'file to create', DEFAULT_FILE)
    .action((file: string) => done(initCommand(io, file)));

  for (const sub of cli.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)');
  return cli;
}

/** Runs the command line `argv` (the arguments only, without `node` and the script) against `io`; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let outcome: Outcome = 'ok';
  let json = false;
  try {
    await program(
      io,
      (o) => (outcome = o),
      () => (json = true),
    ).parseAsync([...argv], { from: 'user' });
    return exitCode(outcome);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed it. Help and version end through exitOverride too, with exit code 0.
      if (e.exitCode === 0) return exitCode('ok');
      // Refused before any action ran: --json anywhere on the line asks for the document all the same.
      if (argv.includes('--json')) writeJson(io, usageDocument(e.message, exitCode('usage')));
      return exitCode('usage');
    }
    if (json) {
      const document = failureDocument(e, exitCode(e instanceof AltanError ? e.category : 'internal'));
      writeJson(io, document);
      // A bug's stack still goes to stderr, for the report.
      if (document.category === 'internal') io.stderr.write(`altan-cloud: ${document.message}\n${e instanceof Error ? (e.stack ?? '') : ''}\n`);
      return document.exitCode;
    }
    if (e instanceof InvalidRequirementsError) {
      // The commands print a file's problems themselves; a library call that throws them is reported the same way.
      report(io, e.errors);
      report(io, e.warnings);
      return exitCode(e.category);
    }
    if (e instanceof AltanError && e.category !== 'internal') {
      io.stderr.write(`altan-cloud: ${e.message}\n`);
      return exitCode(e.category);
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.stderr.write(`altan-cloud: internal error (this is a bug, please report it):\n${detail}\n`);
    return exitCode('internal');
  }
}
