/**
 * One embedded apply, step by step, in one process, as the CLI does it:
 * import, compile, unpack the build's database snapshot when `dir` is new,
 * open PGlite (with the CLI's flags and start parameters),
 * bootstrap, apply, close. Prints JSON: each step's time and the RSS after it,
 * the process's peak RSS, PGlite's WebAssembly memory and the JS heap.
 *
 *   node bench/embedded-steps.mjs <database dir> <requirements file>
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// As the CLI runs PGlite (src/cli/main.ts): V8's baseline compiler only.
setFlagsFromString('--liftoff-only');

const [dir, file] = process.argv.slice(2);
const steps = [];
let last = performance.now();
const step = (name) => {
  const now = performance.now();
  steps.push({ step: name, ms: now - last, rssMiB: process.memoryUsage.rss() / 2 ** 20 });
  last = now;
};

// Node's own start-up, before this module ran.
steps.push({ step: 'node start', ms: last, rssMiB: process.memoryUsage.rss() / 2 ** 20 });
const root = new URL('../dist/', import.meta.url);
const { compile } = await import(new URL('compile.js', root));
const { bootstrap } = await import(new URL('execute/bootstrap.js', root));
const { apply } = await import(new URL('execute/apply.js', root));
const { unpackSnapshotIfNew } = await import(new URL('db/embeddedSnapshot.js', root));
const { embeddedStartParams } = await import(new URL('db/database.js', root));
step('import altan-cloud');
const { PGlite } = await import('@electric-sql/pglite');
step('import PGlite');
const compiled = await compile(readFileSync(file), { fileName: 'altan.yaml' });
step('compile');
if (unpackSnapshotIfNew(dir)) step('unpack snapshot');
const pglite = await PGlite.create(dir, { startParams: embeddedStartParams(PGlite) });
step('PGlite.create');
// The Database interface of src/db/database.ts, without its lock file.
const db = {
  kind: 'embedded',
  description: `embedded database ${dir}`,
  query: async (sql, params = []) => (await pglite.query(sql, [...params])).rows,
  exec: async (sql) => {
    await pglite.exec(sql);
  },
  close: () => pglite.close(),
};
await bootstrap(db);
step('bootstrap');
const report = await apply(db, compiled);
step(`apply (${report.status})`);
const wasmMiB = (pglite.mod?.HEAPU8?.byteLength ?? NaN) / 2 ** 20;
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
await db.close();
step('close');
process.stdout.write(`${JSON.stringify({ steps, totalMs: performance.now(), maxRssMiB: process.resourceUsage().maxRSS / 1024, wasmMiB, heapMiB })}\n`);
