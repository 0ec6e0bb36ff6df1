/**
 * verify's oracle for `member` and `via` (src/verify/expect.ts), read against the contract
 * (../shared/access-rules.md §1, §4) on hand-made facts: the project board's projects with
 * admin/editor/viewer members, tasks through them, comments two levels down; a NULL reference;
 * a reference to the generated organizations; anon through a public parent; and the persons'
 * planned memberships (memberFacts.ts).
 */
import { describe, expect, it } from 'vitest';
import type { AccessRule, Operation } from '../src/model/resolve.js';
import type { ParentFacts, RowFacts, TableFacts } from '../src/verify/expect.js';
import { canDelete, canInsert, canRead, canUpdate } from '../src/verify/expect.js';
import { plannedMembers, rolesWithoutHolder } from '../src/verify/memberFacts.js';
import type { Actor } from '../src/verify/world.js';
import { ALL_ACTORS } from '../src/verify/world.js';

type Rules = Record<Operation, AccessRule>;
const table = (access: Rules, extra: Partial<TableFacts> = {}): TableFacts => ({
  access,
  hasOwner: false,
  hasOrg: false,
  readonly: [],
  fixed: [],
  ...extra,
});
const ROLES = ['admin', 'editor', 'viewer'];
const members = { roles: ROLES, join: 'invite' as const, table: 'project_members', column: 'project_id' };

const projects = table(
  {
    read: [{ kind: 'member' }],
    create: [{ kind: 'level', level: 'authenticated' }],
    update: [{ kind: 'member', roles: ['admin', 'editor'] }],
    delete: [{ kind: 'member', roles: ['admin'] }],
  },
  { hasOwner: true, memberRoles: ROLES },
);
const projectRow = (owner: 'a' | 'b'): RowFacts => ({ owner, parents: [], members: plannedMembers(members, owner) });
const ref = (parent: TableFacts, row: RowFacts, column: string): ParentFacts => ({
  column,
  read: parent.access.read,
  row,
  hasOwner: parent.hasOwner,
  hasOrg: parent.hasOrg,
  access: parent.access,
  ...(parent.memberRoles ? { memberRoles: parent.memberRoles } : {}),
});

const tasks = table({
  read: [{ kind: 'via', column: 'project_id', can: 'read' }],
  create: [{ kind: 'via', column: 'project_id', can: 'read', roles: ['admin', 'editor'] }],
  update: [{ kind: 'via', column: 'project_id', can: 'update' }],
  delete: [{ kind: 'via', column: 'project_id', can: 'read', roles: ['admin'] }],
});
const taskOf = (project: RowFacts | undefined): RowFacts =>
  project === undefined ? { parents: [] } : { parents: [], refs: { project_id: ref(projects, project, 'project_id') } };
const comments = table({
  read: [{ kind: 'via', column: 'task_id', can: 'read' }],
  create: [],
  update: [],
  delete: [{ kind: 'via', column: 'task_id', can: 'delete' }],
});
const commentOn = (task: RowFacts): RowFacts => ({ parents: [], refs: { task_id: ref(tasks, task, 'task_id') } });

const who = (decide: (actor: Actor) => boolean): Actor[] => ALL_ACTORS.filter(decide);

describe('verify oracle: members and via', () => {
  it('plans an owner, a member of each role and non-members; more roles than persons are said', () => {
    expect(plannedMembers(members, 'a')).toEqual({ a: 'admin', admin: 'admin', member: 'editor', outsider: 'viewer' });
    expect(plannedMembers(members, 'b')).toEqual({ b: 'admin' });
    expect(plannedMembers({ ...members, roles: ['owner', 'r1', 'r2', 'r3'] }, 'a')).toEqual({ a: 'owner', admin: 'r1', member: 'r2', outsider: 'r3' });
    const seven = { ...members, roles: ['owner', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'] };
    expect(plannedMembers(seven, 'b')).toEqual({ b: 'owner', admin: 'r4', member: 'r5', outsider: 'r6' });
    expect(rolesWithoutHolder(seven.roles)).toEqual([]);
    expect(rolesWithoutHolder([...seven.roles, 'r7'])).toEqual(['r7']);
  });

  it('member: the row members with the roles; the owner reads besides; a new row has no members yet', () => {
    const a = projectRow('a');
    expect(who((x) => canRead(projects, x, a))).toEqual(['a', 'admin', 'member', 'outsider']);
    expect(who((x) => canRead(projects, x, { owner: 'b', parents: [] }))).toEqual(['b']);
    expect(who((x) => canUpdate(projects, x, a, a))).toEqual(['a', 'admin', 'member']);
    expect(who((x) => canDelete(projects, x, a))).toEqual(['a', 'admin']);
    const memberCreates = table({ ...projects.access, create: [{ kind: 'member' }] }, { hasOwner: true, memberRoles: ROLES });
    expect(who((x) => canInsert(memberCreates, x, { parents: [], members: {} }))).toEqual([]);
  });

  it('via: the parent decides, for read, update and its member roles; a NULL reference grants nothing', () => {
    const t = taskOf(projectRow('a'));
    expect(who((x) => canRead(tasks, x, t))).toEqual(['a', 'admin', 'member', 'outsider']);
    expect(who((x) => canUpdate(tasks, x, t, t))).toEqual(['a', 'admin', 'member']);
    expect(who((x) => canDelete(tasks, x, t))).toEqual(['a', 'admin']);
    expect(who((x) => canInsert(tasks, x, t))).toEqual(['a', 'admin', 'member']);
    expect(who((x) => canRead(tasks, x, taskOf(projectRow('b'))))).toEqual(['b']);
    expect(who((x) => canRead(tasks, x, taskOf(undefined)))).toEqual([]);
  });

  it('via two levels: a comment follows its task, which follows its project', () => {
    const c = commentOn(taskOf(projectRow('a')));
    expect(who((x) => canRead(comments, x, c))).toEqual(['a', 'admin', 'member', 'outsider']);
    // delete of the task is its project's admins (tasks.delete: via member admin)
    expect(who((x) => canDelete(comments, x, c))).toEqual(['a', 'admin']);
    expect(who((x) => canRead(comments, x, commentOn(taskOf(undefined))))).toEqual([]);
  });

  it('via the generated organizations is membership; anon passes through a public parent only', () => {
    const org: ParentFacts = { column: 'org_id', read: 'organizations', row: { org: 'X', parents: [] }, hasOwner: false, hasOrg: true };
    const boards = table({
      read: [{ kind: 'via', column: 'org_id', can: 'read' }],
      create: [],
      update: [{ kind: 'via', column: 'org_id', can: 'read', roles: ['admin'] }],
      delete: [],
    });
    const row: RowFacts = { parents: [], refs: { org_id: org } };
    expect(who((x) => canRead(boards, x, row))).toEqual(['admin', 'member']);
    expect(who((x) => canUpdate(boards, x, row, row))).toEqual(['admin']);
    const posts = table(
      {
        read: [{ kind: 'level', level: 'public', where: "status = 'published'" }],
        create: [{ kind: 'level', level: 'owner' }],
        update: [{ kind: 'level', level: 'owner' }],
        delete: [],
      },
      { hasOwner: true },
    );
    const post = (published: boolean): RowFacts => ({ owner: 'a', parents: [], wheres: { "status = 'published'": published } });
    const notes = table({ read: [{ kind: 'via', column: 'post_id', can: 'read' }], create: [], update: [], delete: [] });
    const note = (p: RowFacts): RowFacts => ({ parents: [], refs: { post_id: ref(posts, p, 'post_id') } });
    expect(canRead(notes, 'anon', note(post(true)))).toBe(true);
    expect(who((x) => canRead(notes, x, note(post(false))))).toEqual([]);
  });

  it("via read reaches a members entity's owner even when they hold no membership (§4: the owner may always read the row)", () => {
    const drafts = table(
      { read: [{ kind: 'level', level: 'public', where: 'published' }], create: [], update: [{ kind: 'member', roles: ['admin'] }], delete: [] },
      { hasOwner: true, memberRoles: ROLES },
    );
    const draft: RowFacts = { owner: 'a', parents: [], members: {}, wheres: { published: false } };
    const lessons = table({ read: [{ kind: 'via', column: 'course_id', can: 'read' }], create: [], update: [], delete: [] });
    expect(who((x) => canRead(lessons, x, { parents: [], refs: { course_id: ref(drafts, draft, 'course_id') } }))).toEqual(['a']);
  });

  it('on an entity with an organization, the owner of a row with members reads it only while in its organization (as the owner term has it)', () => {
    const docs = table({ read: [], create: [], update: [], delete: [] }, { hasOwner: true, hasOrg: true, memberRoles: ['admin'] });
    // the org member owns a row of organization X (theirs) and one of Y (where they are no member)
    expect(canRead(docs, 'member', { owner: 'member', org: 'X', parents: [], members: {} })).toBe(true);
    expect(canRead(docs, 'member', { owner: 'member', org: 'Y', parents: [], members: {} })).toBe(false);
  });
});
