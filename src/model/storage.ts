/**
 * Buckets → rows of storage.buckets and policies on storage.objects, each
 * scoped to its bucket. `owner` means the object's first folder is the
 * caller's id; `{ via: ENTITY … }` that it is the key of an ENTITY row the
 * caller may reach (viaKeys.ts). The policies are written for the statements
 * Storage runs (docs/storage.md): its deletes, upserts and moves end in
 * `RETURNING *`, so Postgres also applies the SELECT policy to the rows they
 * touch, and every write the access map grants comes with the reading it needs.
 */
import type { AccessHelpers } from './accessHelpers.js';
import type { BucketInput, BucketViaInput } from './input.js';
import type { ApiRole, Bucket, BucketAccess, BucketVia, Condition, Policy } from './model.js';
import { HELPER } from './model.js';
import type { NameRegistry } from './names.js';
import { policyFor } from './policies.js';
import { roleList } from './resolve.js';
import { parseSize } from './sizes.js';
import { folderKey, reachedKeys } from './viaKeys.js';

export const STORAGE_POLICY_SPACE = 'policy:storage.objects';

/** Does `cond` (or a part of it) have this kind? */
export function usesCondition(cond: Condition | undefined, kind: Condition['kind']): boolean {
  if (cond === undefined) return false;
  if (cond.kind === kind) return true;
  return (cond.kind === 'all' || cond.kind === 'any') && cond.of.some((c) => usesCondition(c, kind));
}

const isVia = (value: BucketAccess[keyof BucketAccess]): value is BucketVia => typeof value === 'object';

function viaOf(term: BucketViaInput): BucketVia {
  return { kind: 'via', entity: term.via, can: term.can ?? 'read', ...(term.member !== undefined ? { roles: roleList(term.member) } : {}) };
}

/** The access map with its defaults filled in. */
export function bucketAccess(input: BucketInput): BucketAccess {
  const a = input.access ?? {};
  const term = <T extends string>(value: T | BucketViaInput | undefined, fallback: T): T | BucketVia =>
    value === undefined ? fallback : typeof value === 'object' ? viaOf(value) : value;
  return {
    read: term(a.read, input.public === true ? 'public' : 'owner'),
    upload: term(a.upload, 'owner'),
    update: term(a.update, 'owner'),
    delete: term(a.delete, 'owner'),
  };
}

const COMMANDS: readonly Policy['command'][] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const same = (a: Condition | undefined, b: Condition | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Does every object `b` lets through pass `a` too? Members of any role cover members of some; what one reaches covers what one uploaded there. */
function covers(a: Condition, b: Condition): boolean {
  if (b.kind === 'all' && b.of[0]?.kind === 'uploader' && b.of.length === 2) return covers(a, b.of[1] as Condition);
  if (a.kind !== 'folder-key' || b.kind !== 'folder-key') return same(a, b);
  if (a.except !== undefined) return same(a, b);
  // Organizations: member_org_ids() holds the admins' and the plain members' organizations.
  if (a.helper === HELPER.memberOrgIds && a.roles === undefined) return b.helper === HELPER.adminOrgIds || b.helper === HELPER.memberOrgIds;
  return same(a, b) || (a.helper === b.helper && a.roles === null && b.roles !== undefined);
}

export function bucketModel(id: string, input: BucketInput, names: NameRegistry, helpers: AccessHelpers): Bucket {
  const isPublic = input.public === true;
  const access = bucketAccess(input);
  const { read, upload, update } = access;
  const remove = access.delete;
  const usesVia = [read, upload, update, remove].some(isVia);

  const inBucket: Condition = { kind: 'bucket', bucket: id };
  const ownFolder: Condition = { kind: 'owner-folder' };
  const inside = (folder: Condition): Condition => ({ kind: 'all', of: [inBucket, ...(folder.kind === 'all' ? folder.of : [folder])] });
  /** Which objects of the bucket a term lets `role` reach, by their folder ('always': all of them); undefined: none. */
  const reach = (value: BucketAccess[keyof BucketAccess], role: ApiRole): Condition | undefined => {
    if (isVia(value)) {
      const keys = reachedKeys(helpers, value.entity, value.can, value.roles, role);
      return keys === undefined ? undefined : folderKey(keys);
    }
    if (value === 'public') return { kind: 'always' };
    if (role === 'anon' || value === 'none') return undefined;
    return value === 'authenticated' ? { kind: 'always' } : ownFolder;
  };

  // Storage records the uploader: they see what they uploaded outside their folder (an upsert returns it),
  // while the term that let them upload there still lets them (a member who left no longer sees it).
  const uploaded = (uploads: Condition | undefined): Condition | undefined => {
    if (uploads === undefined || same(uploads, ownFolder)) return undefined;
    const uploader: Condition = { kind: 'uploader' };
    return uploads.kind === 'always' ? uploader : { kind: 'all', of: [uploader, uploads] };
  };
  // What a role sees: what `read` grants, and what its writes need to see (RETURNING): its own folder when a
  // write is `owner`, what it uploaded when it may upload outside it, the folders it may update or delete in.
  const sees = (role: ApiRole): Condition | undefined => {
    const readable = read === 'public' && isPublic ? undefined : reach(read, role);
    if (readable?.kind === 'always') return inBucket;
    const ownerWrites = role === 'authenticated' && (read === 'owner' || read === 'public' || [upload, update, remove].includes('owner'));
    const uploads = reach(upload, role);
    const parts: Condition[] = [];
    for (const part of [
      ownerWrites ? ownFolder : undefined,
      readable,
      role === 'authenticated' ? uploaded(uploads) : undefined,
      isVia(update) ? reach(update, role) : undefined,
      isVia(remove) ? reach(remove, role) : undefined,
    ]) {
      if (part !== undefined && !parts.some((p) => same(p, part))) parts.push(part);
    }
    const kept = parts.filter((p) => !parts.some((q) => q !== p && covers(q, p)));
    if (kept.length === 0) return undefined;
    return inside(kept.length === 1 ? (kept[0] as Condition) : { kind: 'any', of: kept });
  };
  const writes = (value: BucketAccess[keyof BucketAccess], role: ApiRole): Condition | undefined => {
    const folder = reach(value, role);
    return folder === undefined ? undefined : folder.kind === 'always' ? inBucket : inside(folder);
  };

  const derived = (suffix: string) => names.derive(STORAGE_POLICY_SPACE, ['bucket', id], suffix);
  const policyNames = COMMANDS.map((c) => derived(c.toLowerCase()));
  const anonNames = usesVia ? COMMANDS.map((c) => derived(`${c.toLowerCase()}_anon`)) : [];
  const policies: Policy[] = [];
  const add = (command: Policy['command'], conds: Record<ApiRole, Condition | undefined>, made: (name: string, roles: ApiRole[], c: Condition) => Policy) => {
    const name = policyNames[COMMANDS.indexOf(command)] as string;
    const { anon, authenticated } = conds;
    if (authenticated !== undefined) policies.push(made(name, same(anon, authenticated) ? ['anon', 'authenticated'] : ['authenticated'], authenticated));
    if (anon !== undefined && !same(anon, authenticated)) policies.push(made(anonNames[COMMANDS.indexOf(command)] ?? name, ['anon'], anon));
  };
  const plain = (command: Policy['command']) => (name: string, roles: ApiRole[], c: Condition) => policyFor(name, command, roles, c);
  const perRole = (f: (role: ApiRole) => Condition | undefined) => ({ anon: f('anon'), authenticated: f('authenticated') });

  add('SELECT', perRole(sees), plain('SELECT'));
  add(
    'INSERT',
    perRole((r) => writes(upload, r)),
    plain('INSERT'),
  );
  // WITH CHECK also wants the object in this bucket before the statement: a move from another
  // bucket would skip this bucket's size and type limits (Storage checks them on upload only).
  add(
    'UPDATE',
    perRole((r) => writes(update, r)),
    (name, roles, c) => ({
      ...policyFor(name, 'UPDATE', roles, c),
      check: { kind: 'all', of: [...(c.kind === 'all' ? c.of : [c]), { kind: 'stays-in-bucket', bucket: id }] },
    }),
  );
  add(
    'DELETE',
    perRole((r) => writes(remove, r)),
    plain('DELETE'),
  );

  const size = input.file_size_limit === undefined ? undefined : parseSize(input.file_size_limit);
  return {
    kind: 'bucket',
    id,
    public: isPublic,
    ...(size?.ok ? { fileSizeLimit: size.bytes } : {}),
    ...(input.allowed_mime_types ? { allowedMimeTypes: input.allowed_mime_types } : {}),
    access,
    policies,
    policyNames: [...policyNames, ...anonNames],
  };
}
