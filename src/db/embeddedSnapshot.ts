/**
 * A new embedded database unpacked from a data directory made once, at build
 * time (scripts/build-embedded-snapshot.mjs), instead of PGlite running its
 * initdb: initdb is ~85% of a first `apply` in a new folder (3–5 s) and its
 * whole memory peak (~890 MB); writing the 40 MB of files takes a few tens of
 * milliseconds, and PGlite then opens the directory as it opens any existing
 * one. The snapshot is a gzipped tar as PGlite's dumpDataDir() writes it
 * (ustar: directories and plain files only).
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Where the build leaves the snapshot: dist/embedded-db.tar.gz of the package.
 * Resolved from this module's folder two levels up, which is the package root
 * both from dist/db/ (installed) and from src/db/ (the tests run the sources).
 */
export const SNAPSHOT_FILE = new URL('../../dist/embedded-db.tar.gz', import.meta.url);

/** True when `path` holds a PGlite database (its PG_VERSION is the marker PGlite itself checks). */
export function holdsDatabase(path: string): boolean {
  return existsSync(join(path, 'PG_VERSION'));
}

function isEmptyOrMissing(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return !existsSync(path);
  }
}

/**
 * Unpacks the snapshot as the database at `path` when there is none yet and
 * `path` is missing or empty; returns whether it did. Atomic for the caller:
 * the files go to a sibling folder first, renamed into place only when all are
 * written, so an interrupted unpack never leaves a half database that PGlite
 * would take for a whole one. The caller holds the database's lock file.
 */
export function unpackSnapshotIfNew(path: string, snapshot: URL = SNAPSHOT_FILE): boolean {
  if (holdsDatabase(path) || !isEmptyOrMissing(path) || !existsSync(snapshot)) return false;
  const staging = `${path}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    extractTar(gunzipSync(readFileSync(snapshot)), staging);
    rmSync(path, { recursive: true, force: true }); // missing or empty, checked above
    renameSync(staging, path);
    return true;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? length : end).toString('utf8');
}

/**
 * Writes `data` as the file `to`, its trailing zeros as a hole: a data directory's WAL segment is
 * 16 MB of which the first few hundred kB are written, and reading a hole gives the same zeros.
 */
function writeSparse(to: string, data: Buffer): void {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const fd = openSync(to, 'w');
  try {
    if (end > 0) writeSync(fd, data, 0, end);
    if (end < data.length) ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/** Writes a ustar archive's directories and files under `target`; anything else (links, pax headers) is refused. */
export function extractTar(tar: Buffer, target: string): void {
  // Each directory made once, not once per file (a data directory is ~1,000 files in ~30 directories).
  const made = new Set<string>();
  const directory = (path: string) => {
    if (made.has(path)) return;
    mkdirSync(path, { recursive: true });
    made.add(path);
  };
  directory(target);
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // the two zero blocks that end an archive
    const prefix = field(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(header, 0, 100);
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..') || !Number.isSafeInteger(size)) throw new Error(`unsafe entry "${name}" in the database snapshot`);
    const to = join(target, ...parts);
    at += BLOCK;
    if (type === '5') {
      directory(to);
    } else if (type === '0' || type === '\0') {
      directory(dirname(to));
      writeSparse(to, tar.subarray(at, at + size));
      at += Math.ceil(size / BLOCK) * BLOCK;
    } else {
      throw new Error(`unexpected entry type "${type}" for "${name}" in the database snapshot`);
    }
  }
}
