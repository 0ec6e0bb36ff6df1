/**
 * The semantic rules about members and the member/via terms: files of the
 * contract that must pass without a word, and for each mistake the rule, the
 * gist of the message and the exact place it points at. The golden cases
 * (test/cases/error-via-*, error-member*) show each rule's full messages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../src/sql/parser.js';
import { all, at, yaml } from './ruleDiagnostics.js';

beforeAll(loadSqlParser);

const problems = (text: string) => all(text).map((d) => `${d.line}:${d.column} ${d.rule}`);
const of = (text: string, rule: string) => all(text).filter((d) => d.rule === rule);

/** The contract's project board: projects with roles, tasks through them, comments two levels down, files by project. */
const BOARD = [
  'version: 1',
  'entities:',
  '  projects:',
  '    members: { roles: [admin, editor, viewer] }',
  '    access:',
  '      read: member',
  '      create: authenticated',
  '      update: { member: [admin, editor] }',
  '      delete: { member: admin }',
  '    fields:',
  '      name: { type: text, required: true }',
  '  tasks:',
  '    access:',
  '      read: { via: project_id }',
  '      create: { via: project_id, member: [admin, editor] }',
  '      update: [{ via: project_id, member: [admin, editor] }, { user: assignee_id }]',
  '      delete: { via: project_id, member: admin }',
  '    fields:',
  '      project_id: { references: projects, on_delete: cascade, required: true, immutable: true }',
  '      assignee_id: { type: uuid, references: auth.users }',
  '  task_comments:',
  '    access:',
  '      read: { via: task_id }',
  '      create: [owner, { via: task_id }]',
  '      update: owner',
  '      delete: [owner, { via: task_id, can: delete }]',
  '    fields:',
  '      task_id: { references: tasks, on_delete: cascade, required: true }',
  '      body: { type: text, required: true }',
  'buckets:',
  '  project-files:',
  '    access: { read: { via: projects }, upload: { via: projects, member: [admin, editor] }, delete: { via: projects, can: delete } }',
  'materialized_views:',
  '  task_counts:',
  '    query: SELECT project_id, count(*) AS n FROM public.tasks GROUP BY project_id',
  '    unique_key: [project_id]',
  '    access: { via: project_id, references: projects }',
];

describe('files that use members and via', () => {
  it('accepts the board, the members of an entity that names its owner, and via on the organizations', () => {
    expect(all(yaml(...BOARD))).toEqual([]);
    const org = yaml(
      'version: 1',
      'entities:',
      '  rooms:',
      '    owner: creator_id',
      '    members: { join: open, table: room_people, column: room }',
      '    access: { read: [owner, member], create: authenticated, update: { member: admin }, delete: { member: admin } }',
      '  teams:',
      '    access: org',
      '  docs:',
      '    access: { read: { via: org_id }, create: { via: org_id, member: admin }, update: { via: org_id, member: [admin, member] } }',
      '    fields:',
      '      org_id: { references: organizations, required: true }',
      '  notes:',
      '    access: { read: [org, { via: org_id }], create: org, update: org, delete: org }',
      'buckets:',
      '  team-files:',
      '    access: { read: { via: organizations }, upload: { via: organizations, member: admin } }',
    );
    expect(all(org)).toEqual([]);
  });

  it('judges lists with member and via terms: duplicates, what authenticated and member cover, and not via', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  projects:',
      '    members: true',
      '    access:',
      '      read: [{ member: admin }, member, authenticated]',
      '      create: authenticated',
      '      update: [{ member: admin }, { member: [admin] }]',
      '  tasks:',
      '    access:',
      '      read: [authenticated, { via: project_id }]',
      '      update: [{ via: project_id, member: [admin, member] }, { via: project_id, member: admin }]',
      '    fields:',
      '      project_id: { references: projects }',
    );
    expect(problems(text)).toEqual([
      `${at(text, 8, '{ member: [admin] }')} access-duplicate-term`,
      `${at(text, 6, '{ member: admin }')} access-redundant-term`,
      `${at(text, 6, 'member,')} access-redundant-term`,
      `${at(text, 12, '{ via: project_id, member: admin }')} access-redundant-term`,
    ]);
  });

  it('warns of a public bucket read through an entity by its term', () => {
    const text = yaml(...BOARD.slice(0, -5), '  public-files:', '    public: true', '    access: { read: { via: projects } }');
    expect(of(text, 'public-bucket-read').map((d) => d.message)).toEqual([expect.stringContaining('read: { via: projects } only limits who can list')]);
  });
});

describe('via-field and via-cycle', () => {
  it('points at the field of a via that is no reference to an entity, with a suggestion', () => {
    const text = yaml(...BOARD.slice(0, 13), '      read: { via: projet_id }', ...BOARD.slice(14));
    const [d] = of(text, 'via-field');
    expect(`${d?.line}:${d?.column}`).toBe(at(text, 14, 'projet_id'));
    expect(d?.message).toContain(
      'goes through "projet_id", which is not a field of entity "tasks"; name a field with references to another entity; did you mean "project_id"?',
    );
  });

  it('names a cycle across entities at the term that closes it, and finds it once', () => {
    const text = yaml(
      ...BOARD.slice(0, 5),
      '      read: [member, { via: lead_task_id }]',
      ...BOARD.slice(6, 11),
      '      lead_task_id: { references: tasks }',
      ...BOARD.slice(11),
    );
    const cycles = of(text, 'via-cycle');
    expect(cycles.map((d) => `${d.line}:${d.column}`)).toEqual([at(text, 15, 'project_id')]);
    expect(cycles[0]?.message).toContain('(projects.read → tasks.read → projects.read)');
  });

  it('follows can to the parent operation it names, and not a member term (which reads the members)', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  folders:',
      '    members: true',
      '    access: { read: [member, { via: parent_id, member: admin }], create: authenticated, update: [{ member: admin }, { via: parent_id, can: update }], delete: { via: parent_id, can: update } }',
      '    fields:',
      '      parent_id: { references: folders }',
    );
    expect(problems(text)).toEqual([`${at(text, 5, 'parent_id', 2)} via-cycle`]);
    expect(of(text, 'via-cycle')[0]?.message).toContain('(folders.update → folders.update)');
  });
});

describe('member rules', () => {
  it('points at the role that is not one, each in a list', () => {
    const text = yaml(...BOARD.slice(0, 7), '      update: { member: [admin, editr, owner] }', ...BOARD.slice(8));
    expect(of(text, 'member-role').map((d) => [`${d.line}:${d.column}`, d.message.slice(d.message.indexOf('names'))])).toEqual([
      [at(text, 8, 'editr'), 'names role "editr", which is not a role of the members of entity "projects" (admin, editor, viewer); did you mean "editor"?'],
      [at(text, 8, 'owner'), 'names role "owner", which is not a role of the members of entity "projects" (admin, editor, viewer)'],
    ]);
  });

  it('asks for members where a member term needs them, and not where another rule reports the field', () => {
    const text = yaml(...BOARD.slice(0, 3), ...BOARD.slice(4, 14), '      create: { via: projectid, member: admin }', ...BOARD.slice(15));
    expect(problems(text).filter((p) => !p.endsWith('via-field'))).toEqual([
      `${at(text, 5, 'member')} member-without-members`,
      `${at(text, 7, '[admin, editor]')} member-without-members`,
      `${at(text, 8, 'admin')} member-without-members`,
      `${at(text, 15, '[admin, editor]')} member-without-members`,
      `${at(text, 16, 'admin')} member-without-members`,
      `${at(text, 31, '[admin, editor]')} member-without-members`,
      // Without members, anyone signed in creating a row is an open write again.
      `${at(text, 6, 'authenticated')} open-write`,
    ]);
  });
});
