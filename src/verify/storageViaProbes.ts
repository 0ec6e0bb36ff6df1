/**
 * The requests of Storage clients on a bucket whose access goes through an
 * entity (`{ via: ENTITY … }`), made with Storage's own statements and
 * settings (storageRequests.ts), by every actor of the world: the owners, a
 * member of each role, non-members and anon. Files exist first in the folder
 * of each test row of the entity (bucketFolders.ts), in A's and B's own
 * folders, in an upper-case and a malformed folder and at the root. Each actor
 * lists them, uploads and upserts into each place, replaces, renames and
 * deletes each file, and moves each row's file into every other row's
 * folder: what a term does not reach is refused, never an error.
 */
import type { Bucket } from '../model/model.js';
import { decide } from './expect.js';
import type { TableFixture } from './fixtures.js';
import { bucketPlaces, folderFiles, seesFile, termGrants } from './bucketFolders.js';
import type { FolderFile, Place } from './bucketFolders.js';
import { expectIf, rowsOf, seen, untested } from './probe.js';
import type { Expected, Probe } from './probe.js';
import { counted, deleteSql, listSql, moveSql, storageSettings, uploadSql, upsertSql } from './storageRequests.js';
import type { StorageOperation } from './storageRequests.js';
import type { Actor, World } from './world.js';
import { ALL_ACTORS } from './world.js';

/** The test files of a via bucket, to create as the connection's own user; none when its rows are missing. */
export function viaTestFiles(bucket: Bucket, world: World, fixtures: ReadonlyMap<string, TableFixture>): FolderFile[] {
  const places = bucketPlaces(bucket, world, fixtures);
  return typeof places === 'string' ? [] : folderFiles(places, world);
}

export function bucketViaProbes(bucket: Bucket, world: World, fixtures: ReadonlyMap<string, TableFixture>, otherBuckets: readonly Bucket[] = []): Probe[] {
  const subject = `bucket ${bucket.id}`;
  const places = bucketPlaces(bucket, world, fixtures);
  if (typeof places === 'string') return [untested(subject, undefined, 'every request', places)];
  const files = folderFiles(places, world);
  const labels = new Map(files.map((f) => [f.name, f.label]));
  const { upload, update } = bucket.access;
  const remove = bucket.access.delete;
  const uid = (actor: Actor) => (actor === 'anon' ? undefined : world.users[actor]);
  const probes: Probe[] = [];
  /** A request whose expected outcome the oracle decides (undefined: a `where` not measured on the row). */
  const probe = (actor: Actor, operation: StorageOperation, label: string, expect: () => Expected, run: Probe['run']) => {
    const expected = decide(expect);
    if (expected === undefined) probes.push(untested(subject, actor, label, 'the row its folder names has a where not measured'));
    else probes.push({ subject, actor, operation: label, settings: storageSettings(operation), expected, run });
  };
  const sees = (actor: Actor, place: Pick<Place, 'folder'>, uploader: Actor) =>
    seesFile(bucket, actor, place.folder, uploader === 'anon' ? undefined : uploader);

  for (const actor of ALL_ACTORS) {
    probe(
      actor,
      'list',
      'list',
      () => rowsOf(files.filter((f) => sees(actor, f, f.uploader)).map((f) => f.label)),
      // One listing per test file, its name as the prefix: never the whole bucket of a real project.
      async (query) => {
        const rows: Record<string, unknown>[] = [];
        for (const f of files) rows.push(...(await query(listSql(bucket.id, f.name))));
        return seen(
          rows.map((r) => ({ key: r.name })).filter((r) => labels.has(String(r.key))),
          labels,
        );
      },
    );
  }
  for (const actor of ALL_ACTORS) {
    for (const place of places) {
      const name = (kind: string) => `${place.prefix}${kind}-${world.tag}.txt`;
      probe(
        actor,
        'upload',
        `upload to ${place.where}`,
        () => expectIf(termGrants(upload, actor, place.folder)),
        async (query) => {
          await query(uploadSql(bucket.id, name('upload'), uid(actor)));
          return { kind: 'allowed' };
        },
      );
      // A new file through an upsert: Postgres also wants to show the caller the row it returns.
      probe(
        actor,
        'upsert',
        `upsert a new file to ${place.where}`,
        () => expectIf(termGrants(upload, actor, place.folder) && sees(actor, place, actor)),
        (query) => counted(query, upsertSql(bucket.id, name('upsert'), uid(actor))),
      );
    }
  }
  const mayUpdate = (actor: Actor, f: FolderFile) => termGrants(update, actor, f.folder) && sees(actor, f, f.uploader);
  for (const actor of ALL_ACTORS) {
    for (const f of files) {
      // Over an existing file: the upload's check, then the update's on the old row and the new one.
      probe(
        actor,
        'upsert',
        `replace ${f.label}`,
        () => expectIf(termGrants(upload, actor, f.folder) && mayUpdate(actor, f) && sees(actor, f, actor)),
        (query) => counted(query, upsertSql(bucket.id, f.name, uid(actor))),
      );
      probe(
        actor,
        'move',
        `rename ${f.label}`,
        () => expectIf(mayUpdate(actor, f) && sees(actor, f, actor)),
        (query) => counted(query, moveSql(bucket.id, f.name, bucket.id, `${f.name}.moved`, uid(actor))),
      );
      probe(
        actor,
        'delete',
        `delete ${f.label}`,
        () => expectIf(termGrants(remove, actor, f.folder) && sees(actor, f, f.uploader)),
        (query) => counted(query, deleteSql(bucket.id, [f.name])),
      );
    }
  }
  // Moves between rows' folders: the new name must pass the update term too. The first row's file
  // also goes to every other place (an own, upper-case or malformed folder, the root).
  const rowFiles = files.filter((f) => f.folder.kind === 'row');
  const targets = (f: FolderFile) => places.filter((p) => p.folder !== f.folder && (p.folder.kind === 'row' || f === rowFiles[0]));
  for (const actor of ALL_ACTORS) {
    for (const f of rowFiles) {
      for (const to of targets(f)) {
        probe(
          actor,
          'move',
          `move ${f.label} to ${to.where}`,
          () => expectIf(mayUpdate(actor, f) && termGrants(update, actor, to.folder) && sees(actor, to, actor)),
          (query) => counted(query, moveSql(bucket.id, f.name, bucket.id, `${to.prefix}moved-${world.tag}.txt`, uid(actor))),
        );
      }
    }
  }
  // No file ever moves between buckets (it would skip the destination's size and type limits), not even
  // one its uploader may rename here.
  const [own] = rowFiles;
  for (const to of otherBuckets) {
    if (own === undefined) break;
    probe(
      own.uploader,
      'move',
      `move ${own.label} to bucket ${to.id}`,
      () => expectIf(false),
      (query) => counted(query, moveSql(bucket.id, own.name, to.id, own.name, world.users[own.uploader])),
    );
  }
  return probes;
}
