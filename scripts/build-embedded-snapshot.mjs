/**
 * Part of `npm run build`: writes dist/embedded-db.tar.gz, a new PGlite
 * database's data directory (gzipped tar, as PGlite dumps it), which
 * src/db/embeddedSnapshot.ts unpacks as the embedded database of a new folder
 * instead of running PGlite's initdb (seconds and ~890 MB) on every first
 * apply, bootstrapped already (src/execute/bootstrap.ts, from dist/, which the
 * build has just compiled): a first apply then only finds the components present.
 * Made again only when the installed PGlite's version, the bootstrap's components or
 * the snapshot's format differ from those that made it (dist/embedded-db.json),
 * since initdb is slow and a data directory belongs to the PGlite (Postgres)
 * version that wrote it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('../', import.meta.url);
const archive = new URL('dist/embedded-db.tar.gz', root);
const stamp = new URL('dist/embedded-db.json', root);

// The package's own package.json is not in its "exports": found from its entry point instead.
const require = createRequire(import.meta.url);
const pgliteEntry = require.resolve('@electric-sql/pglite');
let packageDir = dirname(pgliteEntry);
while (!existsSync(join(packageDir, 'package.json'))) packageDir = dirname(packageDir);
const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;

// What the snapshot holds besides PGlite's own initdb: bumped when that changes, so that a build remakes it.
const FORMAT = 3;

const { bootstrap, COMPONENTS, CRON_STAND_IN } = await import(new URL('dist/execute/bootstrap.js', root).href);
const { pgliteDatabase } = await import(new URL('dist/db/database.js', root).href);
const components = createHash('sha256')
  .update(JSON.stringify([...COMPONENTS, CRON_STAND_IN]))
  .digest('hex');

const made = existsSync(stamp) && existsSync(archive) ? JSON.parse(readFileSync(stamp, 'utf8')) : {};
if (made.pglite !== version || made.format !== FORMAT || made.components !== components) {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create();
  // As the CLI bootstraps an embedded database on first use: ~0.1–0.25 s of every first apply, done once here.
  await bootstrap(await pgliteDatabase(pg, 'the embedded database snapshot', () => {}));
  // template0 is the pristine copy that CREATE DATABASE … TEMPLATE template0 (pg_dump --create) starts
  // from; PGlite serves one database and never does that, and it is a fifth of what a first apply writes
  // to disk. template1 stays, so CREATE DATABASE keeps working.
  await pg.exec('ALTER DATABASE template0 IS_TEMPLATE false');
  await pg.exec('DROP DATABASE template0');
  await pg.exec('CHECKPOINT');
  const tar = new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer());
  await pg.close();
  mkdirSync(new URL('dist/', root), { recursive: true });
  const partial = new URL(`dist/embedded-db.tar.gz.${process.pid}`, root);
  writeFileSync(partial, tar);
  renameSync(partial, archive);
  writeFileSync(stamp, `${JSON.stringify({ pglite: version, format: FORMAT, components })}\n`);
}
