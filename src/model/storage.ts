/**
 * Buckets → rows of storage.buckets and policies on storage.objects, each
 * scoped to its bucket. `owner` means the object's first folder is the
 * caller's id. A public bucket's files are served by URL, so it gets no
 * policy that lists other users' files unless its read access asks for one.
 */
import type { BucketInput } from './input.js';
import type { Bucket, Condition, Policy } from './model.js';
import type { NameRegistry } from './names.js';
import { policyFor } from './policies.js';
import { parseSize } from './sizes.js';

export const STORAGE_POLICY_SPACE = 'policy:storage.objects';

export function bucketModel(id: string, input: BucketInput, names: NameRegistry): Bucket {
  const isPublic = input.public === true;
  const read = input.access?.read ?? (isPublic ? 'public' : 'owner');
  const upload = input.access?.upload ?? 'owner';
  const update = input.access?.update ?? 'owner';
  const remove = input.access?.delete ?? 'owner';

  const inBucket: Condition = { kind: 'bucket', bucket: id };
  const ownFolder: Condition = { kind: 'all', of: [inBucket, { kind: 'owner-folder' }] };
  const commands: readonly Policy['command'][] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  const policyNames = commands.map((c) => names.derive(STORAGE_POLICY_SPACE, ['bucket', id], c.toLowerCase()));
  const name = (command: Policy['command']) => policyNames[commands.indexOf(command)] as string;

  const policies: Policy[] = [];
  if (read === 'owner') policies.push(policyFor(name('SELECT'), 'SELECT', ['authenticated'], ownFolder));
  if (read === 'authenticated') policies.push(policyFor(name('SELECT'), 'SELECT', ['authenticated'], inBucket));
  if (read === 'public' && !isPublic) policies.push(policyFor(name('SELECT'), 'SELECT', ['anon', 'authenticated'], inBucket));
  // A public bucket needs no listing policy to serve files, but an upsert (replace a file) reads the
  // existing object: owners may see their own folder, nobody lists the rest.
  if (read === 'public' && isPublic && update === 'owner') policies.push(policyFor(name('SELECT'), 'SELECT', ['authenticated'], ownFolder));
  policies.push(policyFor(name('INSERT'), 'INSERT', ['authenticated'], upload === 'owner' ? ownFolder : inBucket));
  if (update === 'owner') policies.push(policyFor(name('UPDATE'), 'UPDATE', ['authenticated'], ownFolder));
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
