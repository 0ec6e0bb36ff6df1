/**
 * The requests of Storage clients on one bucket, as rows of storage.objects:
 * list and read (SELECT), upload (INSERT) into one's own folder, another
 * user's folder and the bucket root, replace (UPDATE) and delete. Three test
 * files exist first: A's, B's and one at the root.
 */
import type { Database } from '../execute/database.js';
import type { Bucket } from '../model/model.js';
import { literal } from '../render/quote.js';
import { deleting, expectIf, rowsOf, seen, updating } from './probe.js';
import type { Probe } from './probe.js';
import type { Actor, Person, World } from './world.js';
import { ACTOR_LABEL, OWNER_LABEL, PLAIN_ACTORS, otherPerson } from './world.js';

interface TestFile {
  readonly label: string;
  /** The user whose folder holds it; none for the bucket root. */
  readonly folder?: Person;
  readonly name: string;
}

function testFiles(world: World): TestFile[] {
  const file = (folder: Person): TestFile => ({ label: `${OWNER_LABEL[folder]} file`, folder, name: `${world.users[folder]}/verify-${world.tag}.txt` });
  return [file('a'), file('b'), { label: 'root file', name: `verify-${world.tag}.txt` }];
}

/** The test files, created as the connection's own user. */
export async function createTestFiles(db: Database, buckets: readonly Bucket[], world: World): Promise<void> {
  const rows = buckets.flatMap((b) => testFiles(world).map((f) => `(${literal(b.id)}, ${literal(f.name)})`));
  if (rows.length > 0) await db.query(`INSERT INTO storage.objects (bucket_id, name) VALUES ${rows.join(', ')}`);
}

const owns = (actor: Actor, folder: Person | undefined): boolean => actor !== 'anon' && folder === actor;

/** Can `actor` see (list, download through the API, or read before replacing) a file in `folder`? */
function canList(bucket: Bucket, actor: Actor, folder: Person | undefined): boolean {
  const { read, update } = bucket.access;
  if (read === 'owner') return owns(actor, folder);
  if (read === 'authenticated') return actor !== 'anon';
  // A public bucket serves its files by URL without any policy; listing stays closed, except that
  // owners who may replace their files see their own folder (an upsert reads the existing file).
  if (bucket.public) return update === 'owner' && owns(actor, folder);
  return true;
}

const canUpload = (bucket: Bucket, actor: Actor, folder: Person | undefined): boolean =>
  actor !== 'anon' && (bucket.access.upload === 'authenticated' || owns(actor, folder));

export function bucketProbes(bucket: Bucket, world: World): Probe[] {
  const subject = `bucket ${bucket.id}`;
  const files = testFiles(world);
  const labels = new Map(files.map((f) => [f.name, f.label]));
  const inBucket = `bucket_id = ${literal(bucket.id)}`;
  const probes: Probe[] = [];
  const probe = (actor: Actor, operation: string, p: Omit<Probe, 'subject' | 'actor' | 'operation'>) => probes.push({ subject, actor, operation, ...p });

  for (const actor of PLAIN_ACTORS) {
    probe(actor, 'list and read', {
      expected: rowsOf(files.filter((f) => canList(bucket, actor, f.folder)).map((f) => f.label)),
      run: async (query) =>
        seen(await query(`SELECT name AS key FROM storage.objects WHERE ${inBucket} AND name IN (${files.map((f) => literal(f.name)).join(', ')})`), labels),
    });
  }
  for (const actor of PLAIN_ACTORS) {
    const uploads: [string, Person | undefined][] =
      actor === 'anon' ? [['upload to the bucket root', undefined]] : [
        ['upload to own folder', actor],
        [`upload to ${ACTOR_LABEL[otherPerson(actor)]}'s folder`, otherPerson(actor)],
        ['upload to the bucket root', undefined],
      ];
    for (const [operation, folder] of uploads) {
      const name = `${folder ? `${world.users[folder]}/` : ''}upload-${world.tag}.txt`;
      probe(actor, operation, {
        expected: expectIf(canUpload(bucket, actor, folder)),
        run: async (query) => {
          await query(`INSERT INTO storage.objects (bucket_id, name) VALUES (${literal(bucket.id)}, ${literal(name)})`);
          return { kind: 'allowed' };
        },
      });
    }
  }
  for (const actor of PLAIN_ACTORS) {
    for (const f of files) {
      const where = `${inBucket} AND name = ${literal(f.name)}`;
      const visible = canList(bucket, actor, f.folder);
      probe(actor, `replace ${f.label}`, {
        expected: expectIf(visible && bucket.access.update === 'owner' && owns(actor, f.folder)),
        run: (query) => updating(query, `UPDATE storage.objects SET name = name WHERE ${where}`),
      });
      probe(actor, `delete ${f.label}`, {
        expected: expectIf(visible && bucket.access.delete === 'owner' && owns(actor, f.folder)),
        run: (query) => deleting(query, `DELETE FROM storage.objects WHERE ${where}`),
      });
    }
  }
  return probes;
}
