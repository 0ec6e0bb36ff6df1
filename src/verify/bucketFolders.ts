/**
 * The test files of a bucket whose access reaches files through an entity
 * (`{ via: ENTITY … }`), and what the contract promises about them
 * (docs/format.md, "Through an entity"; ../shared/access-rules.md §4): a
 * file's first folder is the key of a row, and the row's facts decide
 * (`parentGrants`, the same reading `via` terms of tables get), never the
 * policies' SQL. Besides the rows' folders: a user's own id (no row's key),
 * a row's key in upper case, a folder that is no id, and the bucket root,
 * which no `via` term reaches.
 */
import type { Bucket, BucketAccess } from '../model/model.js';
import { ORGANIZATIONS } from '../model/resolve.js';
import type { ParentFacts } from './expect.js';
import { parentGrants } from './expect.js';
import type { TableFixture } from './fixtures.js';
import { viaRows } from './viaRows.js';
import type { Actor, Person, World } from './world.js';

/** What a file's first folder names: a row of `entity`, a user, or nothing any term can name. */
export type Folder =
  | { readonly kind: 'row'; readonly entity: string; readonly key: string; readonly parent: ParentFacts }
  | { readonly kind: 'user'; readonly person: Person }
  | { readonly kind: 'nothing'; readonly key?: string };

export interface FolderFile {
  readonly label: string;
  readonly name: string;
  readonly folder: Folder;
  /** Who uploaded it (Storage's owner_id): the row's person, else A. */
  readonly uploader: Person;
}

/** Where a file goes: its folder as a path prefix ('' for the root), and how labels name it. */
export interface Place {
  readonly where: string;
  readonly prefix: string;
  readonly folder: Folder;
  /** Who put the test file there: the row's person, else A. */
  readonly uploader: Person;
}

type Term = BucketAccess[keyof BucketAccess];

export const isViaTerm = (term: Term): term is Extract<Term, object> => typeof term === 'object';
export const usesVia = (bucket: Bucket): boolean => Object.values(bucket.access).some(isViaTerm);

/** The folder of each test row of the entity a term names, and who uploads into it; a string: why none. */
function rowPlaces(entity: string, world: World, fixtures: ReadonlyMap<string, TableFixture>): Place[] | string {
  const found = viaRows(entity, world, fixtures);
  if (typeof found === 'string') return found;
  return found.rows.map((r) => ({
    where: entity === ORGANIZATIONS ? `${r.label}'s folder` : `the folder of ${entity} ${r.label}`,
    prefix: `${r.key}/`,
    folder: { kind: 'row', entity, key: r.key, parent: r.parent },
    uploader: r.person,
  }));
}

/** Every place of the bucket's test files: each reached row's folder, A's and B's own, the upper-case, malformed and root ones. */
export function bucketPlaces(bucket: Bucket, world: World, fixtures: ReadonlyMap<string, TableFixture>): Place[] | string {
  const entities = [
    ...new Set(
      Object.values(bucket.access)
        .filter(isViaTerm)
        .map((t) => t.entity),
    ),
  ];
  const places: Place[] = [];
  for (const entity of entities) {
    const rows = rowPlaces(entity, world, fixtures);
    if (typeof rows === 'string') return rows;
    places.push(...rows);
  }
  const users = (['a', 'b'] as const).map((p) => ({
    where: `${world.labels[p]}'s own folder`,
    prefix: `${world.users[p]}/`,
    folder: { kind: 'user', person: p } as const,
    uploader: p,
  }));
  const first = places[0]?.folder;
  const upper = first?.kind === 'row' && first.key.toUpperCase() !== first.key ? first.key.toUpperCase() : undefined;
  return [
    ...places,
    ...users,
    ...(upper !== undefined
      ? [{ where: `${places[0]?.where} in upper case`, prefix: `${upper}/`, folder: { kind: 'nothing', key: upper } as const, uploader: 'a' as const }]
      : []),
    { where: 'a malformed folder', prefix: `not-an-id-${world.tag}/`, folder: { kind: 'nothing' }, uploader: 'a' },
    { where: 'the bucket root', prefix: '', folder: { kind: 'nothing' }, uploader: 'a' },
  ];
}

/** One test file in each place. */
export function folderFiles(places: readonly Place[], world: World): FolderFile[] {
  return places.map((p) => ({ label: `file in ${p.where}`, name: `${p.prefix}verify-${world.tag}.txt`, folder: p.folder, uploader: p.uploader }));
}

/**
 * Does the term let `actor` act on a file in `folder`? A `via` term asks the row its folder names
 * (may throw UnknownWhere: see `decide`); the levels are the plain buckets' (`owner`: one's own folder).
 */
export function termGrants(term: Term, actor: Actor, folder: Folder): boolean {
  if (isViaTerm(term)) return folder.kind === 'row' && folder.entity === term.entity && parentGrants(folder.parent, actor, term.can, term.roles);
  if (term === 'none') return false;
  if (term === 'public') return true;
  if (actor === 'anon') return false;
  return term === 'authenticated' || (folder.kind === 'user' && folder.person === actor);
}

/**
 * May `actor` see (list, get back from RETURNING *) a file in `folder` that `uploader` uploaded?
 * What `read` grants; and every write the access map grants comes with the reading it needs
 * (docs/format.md, "Access and policies"): one's own folder when a term is `owner`, what one
 * uploaded where one may upload, the files one may update or delete through an entity.
 */
export function seesFile(bucket: Bucket, actor: Actor, folder: Folder, uploader: Person | undefined): boolean {
  const { read, upload, update } = bucket.access;
  const remove = bucket.access.delete;
  // A public bucket's files are served by URL to anyone, without a policy: listing them is not granted.
  if (read === 'public' ? !bucket.public : termGrants(read, actor, folder)) return true;
  const signedIn = actor !== 'anon';
  const ownerTerm = read === 'owner' || read === 'public' || [upload, update, remove].includes('owner');
  if (signedIn && ownerTerm && folder.kind === 'user' && folder.person === actor) return true;
  if (signedIn && uploader === actor && termGrants(upload, actor, folder)) return true;
  return [update, remove].some((t) => isViaTerm(t) && termGrants(t, actor, folder));
}
