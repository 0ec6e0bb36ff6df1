/**
 * verify's oracle for buckets that go through an entity (src/verify/bucketFolders.ts), read
 * against the contract (../shared/access-rules.md §4, docs/format.md "Through an entity") on
 * hand-made facts: a project's folder by member role, a post's by whoever may read or update it,
 * an organization's by membership; a user's own folder, an upper-case, a malformed folder and the
 * root are reached by no `via` term; the writes a term grants come with seeing the file.
 */
import { describe, expect, it } from 'vitest';
import type { Bucket, BucketAccess, BucketVia } from '../src/model/model.js';
import type { Folder } from '../src/verify/bucketFolders.js';
import { seesFile, termGrants } from '../src/verify/bucketFolders.js';
import type { ParentFacts } from '../src/verify/expect.js';
import { plannedMembers } from '../src/verify/memberFacts.js';
import type { Actor } from '../src/verify/world.js';
import { ALL_ACTORS } from '../src/verify/world.js';

const ROLES = ['admin', 'editor', 'viewer'];
const members = { roles: ROLES, join: 'invite' as const, table: 'project_members', column: 'project_id' };
const projectAccess: ParentFacts['access'] = {
  read: [{ kind: 'member' }],
  create: [{ kind: 'level', level: 'authenticated' }],
  update: [{ kind: 'member', roles: ['admin', 'editor'] }],
  delete: [{ kind: 'member', roles: ['admin'] }],
};
const project = (owner: 'a' | 'b'): Folder => ({
  kind: 'row',
  entity: 'projects',
  key: `${owner}-project`,
  parent: {
    read: projectAccess.read,
    row: { owner, parents: [], members: plannedMembers(members, owner) },
    hasOwner: true,
    hasOrg: false,
    access: projectAccess,
    memberRoles: ROLES,
  },
});
const organization = (org: 'X' | 'Y'): Folder => ({
  kind: 'row',
  entity: 'organizations',
  key: org,
  parent: { read: 'organizations', row: { org, parents: [] }, hasOwner: false, hasOrg: true },
});
const bucket = (access: BucketAccess, isPublic = false): Bucket => ({ kind: 'bucket', id: 'files', public: isPublic, access, policies: [], policyNames: [] });
const via = (entity: string, extra: { can?: BucketVia['can']; roles?: string[] } = {}): BucketVia => ({
  kind: 'via',
  entity,
  can: extra.can ?? 'read',
  ...(extra.roles ? { roles: extra.roles } : {}),
});
const who = (granted: (actor: Actor) => boolean) => ALL_ACTORS.filter(granted);

describe("a project's files (A's project: admin, member and outsider hold admin, editor, viewer)", () => {
  const files = bucket({
    read: via('projects'),
    upload: via('projects', { roles: ['admin', 'editor'] }),
    update: via('projects', { can: 'update' }),
    delete: via('projects', { roles: ['admin'] }),
  });

  it("reads, uploads, updates and deletes in A's project's folder by role; B's folder is B's alone", () => {
    const a = project('a');
    expect(who((x) => termGrants(files.access.read, x, a))).toEqual(['a', 'admin', 'member', 'outsider']);
    expect(who((x) => termGrants(files.access.upload, x, a))).toEqual(['a', 'admin', 'member']);
    expect(who((x) => termGrants(files.access.update, x, a))).toEqual(['a', 'admin', 'member']);
    expect(who((x) => termGrants(files.access.delete, x, a))).toEqual(['a', 'admin']);
    expect(who((x) => termGrants(files.access.read, x, project('b')))).toEqual(['b']);
  });

  it('a user folder, an upper-case or malformed folder and the root are reached by no via term', () => {
    const elsewhere: Folder[] = [{ kind: 'user', person: 'a' }, { kind: 'nothing', key: 'A-PROJECT' }, { kind: 'nothing' }];
    for (const folder of elsewhere)
      for (const term of Object.values(files.access)) expect(who((x) => termGrants(term, x, folder) || seesFile(files, x, folder, 'a'))).toEqual([]);
  });

  it("a via term names only its own entity's rows", () => {
    expect(who((x) => termGrants(via('tasks'), x, project('a')))).toEqual([]);
  });
});

describe('writes come with seeing the file', () => {
  // Only admins read; editors may still delete, so they must see what they delete (RETURNING *).
  const files = bucket({
    read: via('projects', { roles: ['admin'] }),
    upload: via('projects', { roles: ['admin'] }),
    update: 'none',
    delete: via('projects', { roles: ['admin', 'editor'] }),
  });

  it("the editor sees A's project's files; the viewer does not", () => {
    expect(who((x) => seesFile(files, x, project('a'), 'a'))).toEqual(['a', 'admin', 'member']);
  });

  it('what one uploaded is seen where one may upload, not elsewhere', () => {
    const own = bucket({ read: 'owner', upload: 'authenticated', update: 'owner', delete: 'owner' });
    expect(seesFile(own, 'b', { kind: 'nothing' }, 'b')).toBe(true);
    expect(seesFile(files, 'outsider', project('a'), 'outsider')).toBe(false);
  });
});

describe("an organization's documents: membership, admins", () => {
  const docs = bucket({
    read: via('organizations'),
    upload: via('organizations', { roles: ['admin'] }),
    update: 'none',
    delete: via('organizations', { roles: ['member'] }),
  });

  it('X: its admin and member read, its admin uploads, its plain member deletes; Y: its admin, the outsider', () => {
    expect(who((x) => termGrants(docs.access.read, x, organization('X')))).toEqual(['admin', 'member']);
    expect(who((x) => termGrants(docs.access.upload, x, organization('X')))).toEqual(['admin']);
    expect(who((x) => termGrants(docs.access.delete, x, organization('X')))).toEqual(['member']);
    expect(who((x) => termGrants(docs.access.read, x, organization('Y')))).toEqual(['outsider']);
  });
});
