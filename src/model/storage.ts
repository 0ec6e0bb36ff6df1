/**
 * Buckets → rows of storage.buckets and policies on storage.objects, each
 * scoped to its bucket. `owner` means the object's first folder is the
 * caller's id. The policies are written for the statements Storage runs
 * (docs/storage.md): its deletes, upserts and moves end in `RETURNING *`, so
 * Postgres also applies the SELECT policy to the rows they touch, and every
 * write the access map grants comes with the reading it needs.
 */
import type { BucketInput } from './input.js';
import type { Bucket, BucketAccess, Condition, Policy } from './model.js';
import type { NameRegistry } from './names.js';
import { policyFor } from './policies.js';
import { parseSize } from './sizes.js';

export const STORAGE_POLICY_SPACE = 'policy:storage.objects';

/** Does `cond` (or a part of it) have this kind? */
export function usesCondition(cond: Condition | undefined, kind: Condition['kind']): boolean {
  if (cond === undefined) return false;
  if (cond.kind === kind) return true;
  return (cond.kind === 'all' || cond.kind === 'any') && cond.of.some((c) => usesCondition(c, kind));
}

export function bucketModel(id: string, input: BucketInput, names: NameRegistry): Bucket {
  const isPublic = input.public === true;
  if (Object.values(input.access ?? {}).some((t) => typeof t === 'object')) throw new Error('bucket via terms are not built yet (issue 16)');
  const access = input.access as BucketAccess | undefined;
  const read = access?.read ?? (isPublic ? 'public' : 'owner');
  const upload = access?.upload ?? 'owner';
  const update = access?.update ?? 'owner';
  const remove = access?.delete ?? 'owner';

  const inBucket: Condition = { kind: 'bucket', bucket: id };
  const ownFolder: Condition = { kind: 'all', of: [inBucket, { kind: 'owner-folder' }] };
  // What a signed-in user sees of a bucket they may not list: their own folder, and with
  // `upload: authenticated` the files they uploaded elsewhere (an upsert returns the new row).
  const own: Condition =
    upload === 'authenticated' ? { kind: 'all', of: [inBucket, { kind: 'any', of: [{ kind: 'owner-folder' }, { kind: 'uploader' }] }] } : ownFolder;
  const commands: readonly Policy['command'][] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  const policyNames = commands.map((c) => names.derive(STORAGE_POLICY_SPACE, ['bucket', id], c.toLowerCase()));
  const name = (command: Policy['command']) => policyNames[commands.indexOf(command)] as string;

  const policies: Policy[] = [];
  if (read === 'authenticated') policies.push(policyFor(name('SELECT'), 'SELECT', ['authenticated'], inBucket));
  else if (read === 'public' && !isPublic) policies.push(policyFor(name('SELECT'), 'SELECT', ['anon', 'authenticated'], inBucket));
  // read: owner, or a public bucket (its files are served by URL without any policy, and nobody
  // lists other users' files): a signed-in user sees their own.
  else policies.push(policyFor(name('SELECT'), 'SELECT', ['authenticated'], own));
  policies.push(policyFor(name('INSERT'), 'INSERT', ['authenticated'], upload === 'owner' ? ownFolder : inBucket));
  if (update === 'owner') {
    // WITH CHECK also wants the object in this bucket before the statement: a move from another
    // bucket would skip this bucket's size and type limits (Storage checks them on upload only).
    const stays: Condition = { kind: 'all', of: [inBucket, { kind: 'owner-folder' }, { kind: 'stays-in-bucket', bucket: id }] };
    policies.push({ ...policyFor(name('UPDATE'), 'UPDATE', ['authenticated'], ownFolder), check: stays });
  }
  if (remove === 'owner') policies.push(policyFor(name('DELETE'), 'DELETE', ['authenticated'], ownFolder));

  const size = input.file_size_limit === undefined ? undefined : parseSize(input.file_size_limit);
  return {
    kind: 'bucket',
    id,
    public: isPublic,
    ...(size?.ok ? { fileSizeLimit: size.bytes } : {}),
    ...(input.allowed_mime_types ? { allowedMimeTypes: input.allowed_mime_types } : {}),
    access: { read, upload, update, delete: remove },
    policies,
    policyNames,
  };
}
