import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // PGlite's WebAssembly on V8's baseline compiler only, as the CLI runs it (src/cli/main.ts says why).
    execArgv: ['--liftoff-only'],
    // Two files at a time. Vitest's default is cores − 1, which is one file at
    // a time on a 2-core CI machine, where most of a database file's time is
    // spent waiting on Postgres or the CLI's child processes. Files that share
    // the cron database take turns on its lock (test/db/harness.ts).
    maxWorkers: 2,
    testTimeout: 30_000,
    // Bootstrapping PGlite or a template database takes seconds; on a busy machine more than 10.
    hookTimeout: 60_000,
    // Finds (or starts, through scripts/test-db.sh) the Postgres of the database tests.
    // ... and makes the run's scratch directory, in which each file gets its temporary directory
    // (TMPDIR), removed after the file; a file that leaves something there fails.
    globalSetup: ['test/db/globalSetup.ts'],
    setupFiles: ['test/scratch.ts'],
  },
});
