/**
 * The embedded database of a new folder comes from the build's snapshot
 * (dist/embedded-db.tar.gz, src/db/embeddedSnapshot.ts), not PGlite's initdb:
 * the unpacked database works for apply, plan and verify; an existing or
 * foreign directory is left alone; a bad archive leaves nothing behind.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_FILE, extractTar, holdsDatabase, unpackSnapshotIfNew } from '../../src/db/embeddedSnapshot.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';

afterAll(removeTemporaryDirectories);

const env = { DATABASE_URL: undefined };

/** One ustar entry: a 512-byte header (only the fields extractTar reads) and the data padded to blocks. */
function tarEntry(name: string, type: string, data = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  header.write(type, 156, 1, 'ascii');
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const END = Buffer.alloc(1024);

describe('the embedded database snapshot', () => {
  it('the build made it (npm run build)', () => {
    expect(existsSync(SNAPSHOT_FILE), 'dist/embedded-db.tar.gz is missing: run npm run build').toBe(true);
  });

  it('a new folder: apply unpacks it, then plan and verify work on the database', { timeout: 120_000 }, async () => {
    const dir = exampleProject('todo');
    const applied = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied altan\.yaml to embedded database \.altan-cloud\/db \(PGlite\)/);
    expect(holdsDatabase(join(dir, '.altan-cloud', 'db'))).toBe(true);
    // Nothing of the unpacking is left beside the database.
    expect(readdirSync(join(dir, '.altan-cloud')).sort()).toEqual(['db']);

    // Without template0 (a fifth of what a first apply writes; scripts/build-embedded-snapshot.mjs says why).
    const databases = await runCliInProcess(['sql', '--json', 'select datname from pg_database order by 1'], { cwd: dir, env });
    expect(JSON.parse(databases.stdout).rows).toEqual([{ datname: 'postgres' }, { datname: 'template1' }]);

    const plan = await runCliInProcess(['plan'], { cwd: dir, env });
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('altan.yaml is up to date on embedded database .altan-cloud/db (PGlite), schema public: nothing to do');
    const verified = await runCliInProcess(['verify'], { cwd: dir, env });
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/\nverified: 81 requests on embedded database \.altan-cloud\/db \(PGlite\): 81 as promised, 0 not/);
  });

  it('unpacks only into a missing or empty directory', () => {
    const dir = temporaryDirectory('altan-snapshot-');
    const archive = join(dir, 'small.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.concat([tarEntry('/base', '5'), tarEntry('/PG_VERSION', '0', Buffer.from('17\n')), END])));
    const url = pathToFileURL(archive);

    expect(unpackSnapshotIfNew(join(dir, 'new'), url)).toBe(true);
    expect(holdsDatabase(join(dir, 'new'))).toBe(true);
    expect(readdirSync(join(dir, 'new')).sort()).toEqual(['PG_VERSION', 'base']);
    expect(unpackSnapshotIfNew(join(dir, 'new'), url)).toBe(false); // already a database

    mkdirSync(join(dir, 'empty'));
    expect(unpackSnapshotIfNew(join(dir, 'empty'), url)).toBe(true);

    mkdirSync(join(dir, 'foreign'));
    writeFileSync(join(dir, 'foreign', 'notes.txt'), 'mine');
    expect(unpackSnapshotIfNew(join(dir, 'foreign'), url)).toBe(false);
    expect(readdirSync(join(dir, 'foreign'))).toEqual(['notes.txt']);

    expect(unpackSnapshotIfNew(join(dir, 'no-archive'), pathToFileURL(join(dir, 'missing.tar.gz')))).toBe(false);
    expect(existsSync(join(dir, 'no-archive'))).toBe(false);
  });

  it('files with trailing zeros (a WAL segment) read back whole, zeros and length included', () => {
    const dir = temporaryDirectory('altan-snapshot-');
    const tail = Buffer.concat([Buffer.from('wal'), Buffer.alloc(70_000)]);
    const zeros = Buffer.alloc(9000);
    const middle = Buffer.concat([Buffer.alloc(600), Buffer.from('x'), Buffer.alloc(600), Buffer.from('y')]);
    const tar = Buffer.concat([
      tarEntry('pg_wal/seg', '0', tail),
      tarEntry('pg_wal/zeros', '0', zeros),
      tarEntry('base/1/middle', '0', middle),
      tarEntry('empty', '0'),
      END,
    ]);
    extractTar(tar, join(dir, 'db'));
    expect(readFileSync(join(dir, 'db', 'pg_wal', 'seg')).equals(tail)).toBe(true);
    expect(statSync(join(dir, 'db', 'pg_wal', 'zeros')).size).toBe(9000);
    expect(readFileSync(join(dir, 'db', 'pg_wal', 'zeros')).equals(zeros)).toBe(true);
    expect(readFileSync(join(dir, 'db', 'base', '1', 'middle')).equals(middle)).toBe(true);
    expect(readFileSync(join(dir, 'db', 'empty')).length).toBe(0);
  });

  it('refuses entries outside the directory and links; a bad archive leaves nothing behind', () => {
    const dir = temporaryDirectory('altan-snapshot-');
    expect(() => extractTar(Buffer.concat([tarEntry('../escape', '0', Buffer.from('x')), END]), join(dir, 'a'))).toThrow(
      'unsafe entry "../escape" in the database snapshot',
    );
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(() => extractTar(Buffer.concat([tarEntry('/link', '2'), END]), join(dir, 'b'))).toThrow(
      'unexpected entry type "2" for "/link" in the database snapshot',
    );

    const broken = join(dir, 'broken.tar.gz');
    writeFileSync(broken, Buffer.from('not gzip'));
    expect(() => unpackSnapshotIfNew(join(dir, 'db'), pathToFileURL(broken))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'broken.tar.gz']);
  });

  it('the CLI says so, without a stack trace, when the directory cannot be made', async () => {
    const dir = exampleProject('todo');
    writeFileSync(join(dir, '.altan-cloud'), 'a file where the folder should be');
    const failed = await runCliInProcess(['apply'], { cwd: dir, env });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('cannot create the embedded database at .altan-cloud/db');
    expect(failed.stderr).not.toMatch(STACK_TRACE);
  });
});
