/**
 * The requests of Storage clients on one bucket, made with the statements and
 * settings Storage itself uses (storageRequests.ts): list, upload, upsert a
 * new file, replace (upsert over) a file, move it within the bucket or into
 * another bucket, delete it. Three test files exist first: A's, B's and one
 * at the bucket root that A uploaded.
 */
import type { Database } from '../db/database.js';
import type { Bucket } from '../model/model.js';
import { usesVia } from './bucketFolders.js';
import type { TableFixture } from './fixtures.js';
import { expectIf, rowsOf, seen } from './probe.js';
import type { Probe } from './probe.js';
import { counted, deleteSql, listSql, moveSql, storageSettings, uploadSql, upsertSql } from './storageRequests.js';
import type { StorageOperation } from './storageRequests.js';
import { viaTestFiles } from './storageViaProbes.js';
import type { Actor, Person, World } from './world.js';
import { ACTOR_LABEL, OWNER_LABEL, PLAIN_ACTORS, otherPerson } from './world.js';

interface TestFile {
  readonly label: string;
  /** The user whose folder holds it; none for the bucket root. */
  readonly folder?: Person;
  /** Who uploaded it (Storage's owner_id). */
  readonly uploader: Person;
  readonly name: string;
}

function testFiles(world: World): TestFile[] {
  const file = (folder: Person): TestFile => ({
    label: `${OWNER_LABEL[folder]} file`,
    folder,
    uploader: folder,
    name: `${world.users[folder]}/verify-${world.tag}.txt`,
  });
  return [file('a'), file('b'), { label: 'root file', uploader: 'a', name: `verify-${world.tag}.txt` }];
}

/** The test files, created as the connection's own user, as Storage would record their uploads. */
export async function createTestFiles(db: Database, buckets: readonly Bucket[], world: World, fixtures: ReadonlyMap<string, TableFixture>): Promise<void> {
  const statements = buckets.flatMap((b) =>
    (usesVia(b) ? viaTestFiles(b, world, fixtures) : testFiles(world)).map((f) => uploadSql(b.id, f.name, world.users[f.uploader])),
  );
  if (statements.length > 0) await db.exec(statements.join(';\n'));
}

const owns = (actor: Actor, folder: Person | undefined): boolean => actor !== 'anon' && folder === actor;

/**
 * May `actor` see (list, download through the API, get back from RETURNING *) a file? What the
 * bucket's `read` says; a signed-in user also sees their own folder, and with `upload:
 * authenticated` the files they uploaded elsewhere. A public bucket's files are served by URL to
 * anyone, with no policy: listing them is what this decides.
 */
export function canSee(bucket: Bucket, actor: Actor, file: Pick<TestFile, 'folder' | 'uploader'>): boolean {
  const { read, upload } = bucket.access;
  const listedToAll = read === 'public' && !bucket.public;
  if (actor === 'anon') return listedToAll;
  return listedToAll || read === 'authenticated' || file.folder === actor || (upload === 'authenticated' && file.uploader === actor);
}

const canUpload = (bucket: Bucket, actor: Actor, folder: Person | undefined): boolean =>
  actor !== 'anon' && (bucket.access.upload === 'authenticated' || owns(actor, folder));

/** A bucket without `via` terms (those: storageViaProbes.ts). */
export function bucketProbes(bucket: Bucket, world: World, otherBuckets: readonly Bucket[] = []): Probe[] {
  const subject = `bucket ${bucket.id}`;
  const files = testFiles(world);
  const labels = new Map(files.map((f) => [f.name, f.label]));
  const probes: Probe[] = [];
  const probe = (actor: Actor, operation: StorageOperation, label: string, p: Pick<Probe, 'expected' | 'run'>) =>
    probes.push({ subject, actor, operation: label, settings: storageSettings(operation), ...p });
  const uid = (actor: Actor) => (actor === 'anon' ? undefined : world.users[actor]);

  for (const actor of PLAIN_ACTORS) {
    probe(actor, 'list', 'list', {
      expected: rowsOf(files.filter((f) => canSee(bucket, actor, f)).map((f) => f.label)),
      // One listing per test file, its name as the prefix: never the whole bucket of a real project.
      run: async (query) => {
        const rows: Record<string, unknown>[] = [];
        for (const f of files) rows.push(...(await query(listSql(bucket.id, f.name))));
        return seen(
          rows.map((r) => ({ key: r.name })).filter((r) => labels.has(String(r.key))),
          labels,
        );
      },
    });
  }
  for (const actor of PLAIN_ACTORS) {
    const folders: [string, Person | undefined][] =
      actor === 'anon'
        ? [['the bucket root', undefined]]
        : [
            ['own folder', actor],
            [`${ACTOR_LABEL[otherPerson(actor)]}'s folder`, otherPerson(actor)],
            ['the bucket root', undefined],
          ];
    for (const [where, folder] of folders) {
      const name = (kind: string) => `${folder ? `${world.users[folder]}/` : ''}${kind}-${world.tag}.txt`;
      probe(actor, 'upload', `upload to ${where}`, {
        expected: expectIf(canUpload(bucket, actor, folder)),
        run: async (query) => {
          await query(uploadSql(bucket.id, name('upload'), uid(actor)));
          return { kind: 'allowed' };
        },
      });
      // A new file through an upsert: Postgres also wants to show the caller the row it returns.
      const mine = { folder, uploader: actor as Person };
      probe(actor, 'upsert', `upsert a new file to ${where}`, {
        expected: expectIf(canUpload(bucket, actor, folder) && canSee(bucket, actor, mine)),
        run: (query) => counted(query, upsertSql(bucket.id, name('upsert'), uid(actor))),
      });
    }
  }
  for (const actor of PLAIN_ACTORS) {
    for (const f of files) {
      const mayUpdate = bucket.access.update === 'owner' && owns(actor, f.folder);
      probe(actor, 'upsert', `replace ${f.label}`, {
        expected: expectIf(mayUpdate),
        run: (query) => counted(query, upsertSql(bucket.id, f.name, uid(actor))),
      });
      probe(actor, 'move', `rename ${f.label}`, {
        expected: expectIf(mayUpdate),
        run: (query) => counted(query, moveSql(bucket.id, f.name, bucket.id, `${f.name}.moved`, uid(actor))),
      });
      probe(actor, 'delete', `delete ${f.label}`, {
        expected: expectIf(bucket.access.delete === 'owner' && owns(actor, f.folder)),
        run: (query) => counted(query, deleteSql(bucket.id, [f.name])),
      });
    }
  }
  // No file ever moves between buckets (it would skip the destination's size and type limits).
  const [own] = files;
  for (const to of otherBuckets) {
    if (own === undefined) break;
    probe('a', 'move', `move own file to bucket ${to.id}`, {
      expected: expectIf(false),
      run: (query) => counted(query, moveSql(bucket.id, own.name, to.id, own.name, world.users.a)),
    });
  }
  return probes;
}
