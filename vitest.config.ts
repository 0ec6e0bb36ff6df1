import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn node processes; two cores: keep the pool small.
    pool: 'forks',
    testTimeout: 30_000,
    // Bootstrapping PGlite or a template database takes seconds; on a busy machine more than 10.
    hookTimeout: 60_000,
    // Finds (or starts, through scripts/test-db.sh) the Postgres of the database tests.
    globalSetup: ['test/db/globalSetup.ts'],
  },
});
