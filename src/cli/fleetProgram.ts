/**
 * The commands of a platform's fleet (fleet.ts's library functions behind them): `fleet apply` (here or
 * on a queue), `fleet status` and `worker`. Their modules load only when one of them runs.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_TIMEOUTS, parseDuration } from './durations.js';
import type { CliIo, Outcome } from './io.js';
import { parseCount, parsePositive, statementTimeoutOption, targetOption } from './options.js';

export function addFleetCommands(cli: Command, io: CliIo, done: (outcome: Outcome) => void): void {
  cli
    .command('worker')
    .description('take fleet jobs from the queue (fleet apply --queue) and apply them, until SIGTERM or Ctrl-C; run any number, on any machines')
    .addOption(new Option('--queue <url>', "the queue's control database, a Postgres URL (default: ALTAN_CLOUD_QUEUE_URL)"))
    .option('--concurrency <n>', 'jobs at once (default: 4)', parsePositive)
    .option('--grace <duration>', 'at a stop, how long the running jobs may take to finish before they are given up (default: 30s)', parseDuration)
    .option('--poll-interval <duration>', 'how often an idle worker asks for jobs (default: 2s)', parseDuration)
    .option(
      '--supervise-interval <duration>',
      "how often the workers put a dead worker's jobs back on the queue, once past their time limit (default: 30s)",
      parseDuration,
    )
    .addOption(new Option('--json', 'print each job event as a JSON object, one per line'))
    .action(async (opts: import('./workerCommand.js').WorkerCommandOptions) => done(await (await import('./workerCommand.js')).workerCommand(io, opts)));

  const fleet = cli.command('fleet').description("one requirements file to many databases (a platform's projects)");
  fleet
    .command('apply')
    .description('apply the file to every database of a targets file, N at a time, each as `apply` does; a line per target, exit 0 only when all ended well')
    .argument('<file>', 'requirements file, - for standard input')
    .requiredOption('--targets <file>', 'the databases: one connection URL per line, or a YAML/JSON list of { name, url }; - for standard input')
    .option('--concurrency <n>', 'how many targets at once (default: 4)', parsePositive)
    .option('--retries <n>', 'attempts after the first when a target is unreachable, loses its connection or meets a lock (default: 3)', parseCount)
    .option('--dry-run', 'on each target: execute and report, then roll back')
    .option('--allow-destructive', 'also make changes that may lose data; otherwise a target that needs one is refused (status destructive)')
    .addOption(
      new Option('--lock-timeout <duration>', "each attempt's longest wait for a lock another session holds; then tried again (--retries) (0: for ever)")
        .argParser(parseDuration)
        .default(DEFAULT_TIMEOUTS.lockTimeoutMs, '10s'),
    )
    .addOption(statementTimeoutOption())
    .addOption(new Option('--json', 'print the fleet report { file, fileSha256, startedAt, durationMs, ok, targets, counts, … } as JSON'))
    .addOption(targetOption())
    .option(
      '--queue <url>',
      "instead of applying, enqueue a job per target on this queue database (a Postgres URL) for `altan-cloud worker`s; prints the run's id",
    )
    .option(
      '--job-timeout <duration>',
      "with --queue: a job's time limit; past it its worker is taken for dead and the job runs elsewhere (default: 15min)",
      parseDuration,
    )
    .option('--job-retries <n>', 'with --queue: how many times a job whose worker died or stopped is tried again (default: 3)', parseCount)
    .action(async (file: string, opts: import('./fleetCommand.js').FleetApplyCommandOptions) =>
      done(await (await import('./fleetCommand.js')).fleetApplyCommand(io, file, opts)),
    );
  fleet
    .command('status')
    .description(
      "how far a run enqueued with fleet apply --queue has come, and each target's result; exit 0 finished and all well, 2 finished with failures, 3 still running",
    )
    .argument('[run]', 'the run id fleet apply --queue printed (default: the newest run)')
    .addOption(new Option('--queue <url>', 'the queue database, a Postgres URL (default: ALTAN_CLOUD_QUEUE_URL)'))
    .option('--wait', 'wait until the run has finished, then report')
    .addOption(new Option('--json', 'print { run, file, total, queued, active, done, finished, ok, counts, targets, … } as JSON'))
    .action(async (run: string | undefined, opts: import('./fleetQueueCommand.js').FleetStatusCommandOptions) =>
      done(await (await import('./fleetQueueCommand.js')).fleetStatusCommand(io, run, opts)),
    );
  for (const sub of fleet.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)');
}
