#!/usr/bin/env node
/**
 * The altan-cloud command line. The only module that decides the process's
 * exit status: 0 ok, 1 invalid file (or verify found a request not as
 * promised), 2 database error (or apply/plan refused: destructive, blocked,
 * conflict), 3 plan --exit-code found changes to make, 64 usage error,
 * 70 internal error (a bug: reported as one, with its stack).
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_FILE } from '../compile.js';
import { TARGETS } from '../target.js';
import type { Target } from '../target.js';
import { VERSION } from '../version.js';
import { generateCommand, initCommand, validateCommand } from './commands.js';
import { EXIT, UserError } from './io.js';

const targetOption = () =>
  new Option('--target <platform>', 'altan: end with apply_postgrest_permissions(); supabase: explicit grants and a schema reload')
    .choices(TARGETS)
    .default('altan');
// The database commands load their modules (execute, verify, pg or PGlite) only when run:
// `validate` and `generate` start without them.
const databaseCommands = () => import('./databaseCommands.js');
const databaseOption = () => new Option('--database-url <url>', 'a Postgres connection URL (default: DATABASE_URL, else the embedded database)');

function program(setExit: (code: number) => void): Command {
  const cli = new Command('altan-cloud')
    .description('Compile a requirements YAML into one secure Supabase-style SQL transaction')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  cli.command('validate')
    .description('check a requirements file and print a summary, or every problem as file:line:col: message')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .action(async (file: string) => setExit(await validateCommand(file)));

  cli.command('generate')
    .description('print the SQL transaction (and cron jobs) for a requirements file')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .option('-o, --output <path>', 'write to this file instead of standard output')
    .addOption(new Option('--json', 'print { sql, cron, warnings } as JSON'))
    .addOption(targetOption())
    .action(async (file: string, opts: { output?: string; json?: boolean; target: Target }) => setExit(await generateCommand(file, opts)));

  cli.command('apply')
    .description('run the SQL transaction against a database (embedded by default), recording what was applied')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .option('--dry-run', 'execute and report, then roll back')
    .option('--verify', 'then run verify (inside the transaction with --dry-run); exit 1 when a request is not as promised')
    .option('--allow-destructive', 'also make changes that may lose data (drop a table or column, narrow a type, remove a job or a bucket that holds files)')
    .addOption(new Option('--json', 'print the report as JSON'))
    .addOption(targetOption())
    .action(async (file: string, opts: { databaseUrl?: string; dryRun?: boolean; verify?: boolean; allowDestructive?: boolean; json?: boolean; target: Target }) =>
      setExit(await (await databaseCommands()).applyCommand(file, opts)),
    );

  cli.command('plan')
    .description("compare the file with the database's catalog and print the changes apply would make, and their SQL; changes nothing")
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .option('--exit-code', 'exit 3 when there are changes to make (for drift checks in CI)')
    .addOption(new Option('--json', 'print the plan as JSON'))
    .addOption(targetOption())
    .action(async (file: string, opts: { databaseUrl?: string; exitCode?: boolean; json?: boolean; target: Target }) =>
      setExit(await (await databaseCommands()).planCommand(file, opts)),
    );

  cli.command('verify')
    .description('run the requests clients make (anon, two users, org admin / member / outsider) in rolled-back transactions and compare them with the access rules')
    .argument('[file]', 'requirements file, - for standard input', DEFAULT_FILE)
    .addOption(databaseOption())
    .addOption(new Option('--json', 'print the report as JSON'))
    .action(async (file: string, opts: { databaseUrl?: string; json?: boolean }) => setExit(await (await databaseCommands()).verifyCommand(file, opts)));

  cli.command('bootstrap')
    .description('make a Postgres database look like an Altan / Supabase project (roles, auth, storage, pg_cron); idempotent')
    .addOption(databaseOption())
    .action(async (opts: { databaseUrl?: string }) => setExit(await (await databaseCommands()).bootstrapCommand(opts)));

  cli.command('init')
    .description('write a commented starter requirements file (never overwrites)')
    .argument('[file]', 'file to create', DEFAULT_FILE)
    .action((file: string) => setExit(initCommand(file)));

  for (const sub of cli.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)');
  return cli;
}

async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    await program((c) => (code = c)).parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end through exitOverride too, with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UserError) {
      process.stderr.write(`altan-cloud: ${e.message}\n`);
      return e.exitCode;
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`altan-cloud: internal error (this is a bug, please report it):\n${detail}\n`);
    return EXIT.internal;
  }
}

process.exitCode = await main(process.argv);
