/**
 * In-memory PGlite databases for the tests, started from a data directory
 * made once per run instead of PGlite's own initdb (3–6 s per database, more
 * on a busy machine; loading a dump of it takes about one). Two snapshots:
 * `vanilla` (as PGlite creates a database) and `bootstrapped` (the vanilla one
 * after bootstrap()). The first test file that needs one makes it (others
 * wait on a lock file meanwhile) and leaves it in the run's shared scratch
 * directory (test/db/globalSetup.ts, removed after the run); the other files
 * load it from there. Its name carries the bootstrap's hash, as the server's
 * template's does.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { pgliteDatabase } from '../../src/db/database.js';
import { lockFile } from '../../src/db/fileLock.js';
import type { Database } from '../../src/db/database.js';
import { bootstrap } from '../../src/execute/bootstrap.js';
import { templateName } from './names.js';

export type PGliteSnapshot = 'vanilla' | 'bootstrapped';

/** As openMemory() describes its database (verify's messages name it). */
const DESCRIPTION = 'in-memory PGlite database';

const snapshots = new Map<PGliteSnapshot, Promise<Blob>>();

/** Where the run keeps what its files share; undefined outside a vitest run with the global setup. */
function sharedDirectory(): string | undefined {
  try {
    return inject('scratchDirectory') ? join(inject('scratchDirectory'), 'shared') : undefined;
  } catch {
    return undefined;
  }
}

/** How long a file waits while another one makes the snapshot (seconds each; a dead maker's lock is taken over). */
const MAKER_WAIT_MS = 120_000;

async function makeSnapshot(kind: PGliteSnapshot): Promise<Blob> {
  const shared = sharedDirectory();
  if (shared === undefined) return dumped(kind);
  const path = join(shared, `pglite-${kind}-${templateName()}.tar`);
  // One file makes it while the others wait (two files start at once): the same work twice would slow both.
  const release = await lockFile(`${path}.lock`, MAKER_WAIT_MS);
  try {
    if (existsSync(path)) return new Blob([readFileSync(path)]);
    const blob = await dumped(kind);
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, new Uint8Array(await blob.arrayBuffer()));
    renameSync(partial, path);
    return blob;
  } finally {
    release();
  }
}

/** A new PGlite's data directory: as created, or bootstrapped (starting from the vanilla snapshot). */
async function dumped(kind: PGliteSnapshot): Promise<Blob> {
  const pg = kind === 'vanilla' ? await PGlite.create() : await PGlite.create({ loadDataDir: await snapshot('vanilla') });
  try {
    if (kind === 'bootstrapped') await bootstrap(await pgliteDatabase(pg, DESCRIPTION, () => {}));
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

/** The snapshot's data directory (a tar), made or read once per file. */
export function snapshot(kind: PGliteSnapshot): Promise<Blob> {
  let made = snapshots.get(kind);
  if (made === undefined) {
    made = makeSnapshot(kind);
    made.catch(() => snapshots.delete(kind)); // the next caller tries again
    snapshots.set(kind, made);
  }
  return made;
}

/** A new in-memory PGlite started from the snapshot, wrapped as openMemory() wraps one; the caller closes it. */
export async function openSnapshot(kind: PGliteSnapshot): Promise<Database> {
  const pg = await PGlite.create({ loadDataDir: await snapshot(kind) });
  try {
    return await pgliteDatabase(pg, DESCRIPTION, () => {});
  } catch (e) {
    await pg.close().catch(() => {});
    throw e;
  }
}

/**
 * An embedded database directory at `path` that starts as the snapshot, for
 * openEmbedded(path) to open (it finds a database there and skips initdb).
 */
export async function embeddedFromSnapshot(kind: PGliteSnapshot, path: string): Promise<void> {
  const pg = await PGlite.create(path, { loadDataDir: await snapshot(kind) });
  await pg.close();
}
