/**
 * Runs once per vitest run, before any test file: finds the Postgres the
 * database tests use and hands its URL to them (inject('testDatabaseUrl')).
 * TEST_DATABASE_URL wins (CI exports it); otherwise scripts/test-db.sh starts
 * our own cluster. No database means failing tests, never skipped ones.
 *
 * It also makes the run's scratch directory (inject('scratchDirectory'),
 * /tmp/altan-suite-*): `shared/` for what files share (PGlite snapshots,
 * test/db/pglite.ts), `files/` for each file's own temporary directory
 * (test/scratch.ts). After the run the whole directory goes; a file's
 * directory still there means the file never finished (its worker died),
 * and is reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/database.js';
import { processAlive } from '../../src/db/fileLock.js';
import { FRESH_PREFIX, TEMPLATE_PREFIX, databaseUrl, freshDatabaseCreator, templateName } from './names.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
    /** The run's scratch directory; removed after the run. */
    scratchDirectory: string;
  }
}

const SCRIPT = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'scripts', 'test-db.sh');

function startTestCluster(): string {
  // stderr passes through: the script says what to install when it fails.
  const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = run.stdout?.trim() ?? '';
  if (run.status !== 0 || !url.startsWith('postgres://')) {
    throw new Error(
      `the database tests need PostgreSQL: scripts/test-db.sh failed (${run.error?.message ?? `exit ${run.status}`}); ` +
        'see its message above, or set TEST_DATABASE_URL',
    );
  }
  return url;
}

/**
 * Databases left by runs that crashed before their afterAll: a fresh database's
 * name carries its creator's pid, so those of dead processes can go while
 * concurrent runs keep theirs. Templates of another bootstrap version go too
 * (DROP without FORCE: one being cloned right now is simply kept).
 */
async function removeLeftovers(url: string): Promise<void> {
  const db = await openPostgres(databaseUrl(url, 'postgres'));
  try {
    const rows = await db.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)`, [
      FRESH_PREFIX,
      TEMPLATE_PREFIX,
    ]);
    for (const { datname } of rows) {
      const pid = freshDatabaseCreator(datname);
      const stale = pid !== undefined ? !processAlive(pid) : datname !== templateName();
      if (!stale) continue;
      const force = pid !== undefined ? ' WITH (FORCE)' : '';
      await db.exec(`DROP DATABASE IF EXISTS "${datname}"${force}`).catch(() => {});
    }
  } finally {
    await db.close();
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const url = process.env.TEST_DATABASE_URL || startTestCluster();
  await removeLeftovers(url);
  project.provide('testDatabaseUrl', url);

  const scratch = mkdtempSync(join(tmpdir(), 'altan-suite-'));
  mkdirSync(join(scratch, 'shared'));
  mkdirSync(join(scratch, 'files'));
  project.provide('scratchDirectory', scratch);
  return () => {
    const unfinished = readdirSync(join(scratch, 'files'));
    rmSync(scratch, { recursive: true, force: true });
    if (unfinished.length > 0) {
      console.warn(
        `removed the temporary directories of ${unfinished.length} test file(s) whose clean-up did not run (a worker that died?): ${unfinished.join(', ')}`,
      );
    }
  };
}
