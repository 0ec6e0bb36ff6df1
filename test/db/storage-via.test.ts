/**
 * Buckets `{ via: ENTITY … }` as an attacker meets them, with Storage's own
 * statements and settings, on a Supabase-like PostgreSQL and on PGlite: a
 * project's files under `<project id>/…` for its members by role, a post's
 * images for whoever may read the post (anon included, for a published one),
 * an organization's documents for its members. Upper-case and malformed
 * folders are refused, never an error; the entity's rule is inherited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, compile } from '../../src/index.js';
import type { Database } from '../../src/index.js';
import { deleteSql, findSql, listSql, moveSql, uploadSql, upsertSql } from '../../src/verify/storageRequests.js';
import type { StorageOperation } from '../../src/verify/storageRequests.js';
import { anon, user, uuid } from './access.js';
import { createUser, dropDatabase } from './harness.js';
import type { Actor } from './harness.js';
import { storageBackend, storageRequest } from './supabaseLike.js';

const FILE = `version: 1
entities:
  projects:
    members: { roles: [admin, editor, viewer] }
    access:
      read: member
      create: authenticated
      update: { member: [admin, editor] }
      delete: { member: admin }
    fields:
      name: { type: text, required: true }
  posts:
    access:
      read: [owner, { level: public, where: "status = 'published'" }]
      create: owner
      update: owner
      delete: owner
    fields:
      status: { type: text, enum: [draft, published], default: draft, required: true }
  deals:
    access: org
    fields:
      title: { type: text, required: true }
buckets:
  project-files:
    access:
      read: { via: projects }
      upload: { via: projects, member: [admin, editor] }
      update: { via: projects, can: update }
      delete: { via: projects, member: admin }
  post-images:
    access:
      read: { via: posts }
      upload: { via: posts, can: update }
      update: none
      delete: { via: posts, can: delete }
  org-docs:
    access:
      read: { via: organizations }
      upload: { via: organizations, member: admin }
      update: none
      delete: { via: organizations, member: member }
`;

const U = { admin: uuid(0xa), editor: uuid(0xb), viewer: uuid(0xc), outsider: uuid(0xd) } as const;
const P1 = uuid(0xab1);
const P2 = uuid(0xab2);
const PUBLISHED = uuid(0x201);
const DRAFT = uuid(0x202);
const ORG = uuid(0x301);

const compiled = await compile(FILE, { fileName: 'storage-via.yaml', target: 'supabase' });

const SEED = `
INSERT INTO public.projects (id, user_id, name) VALUES ('${P1}', '${U.admin}', 'One'), ('${P2}', '${U.outsider}', 'Two');
INSERT INTO public.projects_members (project_id, user_id, role) VALUES ('${P1}', '${U.editor}', 'editor'), ('${P1}', '${U.viewer}', 'viewer');
INSERT INTO public.posts (id, user_id, status) VALUES ('${PUBLISHED}', '${U.admin}', 'published'), ('${DRAFT}', '${U.admin}', 'draft');
INSERT INTO public.organizations (id, name, created_by) VALUES ('${ORG}', 'Org', '${U.admin}');
INSERT INTO public.organization_members (org_id, user_id, role) VALUES ('${ORG}', '${U.viewer}', 'member');
${uploadSql('project-files', `${P1}/plan.pdf`, U.admin)};
${uploadSql('project-files', `${P2}/secret.pdf`, U.outsider)};
${uploadSql('project-files', `${P1.toUpperCase()}/shadow.pdf`, U.admin)};
${uploadSql('project-files', 'root.pdf', U.admin)};
${uploadSql('post-images', `${PUBLISHED}/cover.png`, U.admin)};
${uploadSql('post-images', `${DRAFT}/cover.png`, U.admin)};
${uploadSql('org-docs', `${ORG}/minutes.txt`, U.admin)};`;

describe.each(['postgres', 'pglite'] as const)('buckets through an entity on %s', (backend) => {
  let db: Database;
  let target: Database | string;
  let adminUrl = '';

  beforeAll(async () => {
    ({ db, target, adminUrl } = await storageBackend(backend, 'storage-via'));
    await apply(db, compiled);
    for (const id of Object.values(U)) await createUser(db, id);
    await db.exec(SEED);
  }, 60_000);
  afterAll(async () => {
    if (adminUrl !== '') await dropDatabase(adminUrl);
  });

  const run = (actor: Actor, operation: StorageOperation, sql: string) => storageRequest(target, actor, operation, sql);
  const listed = (actor: Actor, bucket: string) => run(actor, 'list', listSql(bucket, ''));

  it("a project's members of every role list its files, nobody else's; outsiders and anon see none of them", async () => {
    for (const who of [U.admin, U.editor, U.viewer]) expect(await listed(user(who), 'project-files')).toBe(1);
    // the outsider sees their own project's file only
    expect(await listed(user(U.outsider), 'project-files')).toBe(1);
    expect(await run(user(U.outsider), 'download', findSql('project-files', `${P1}/plan.pdf`))).toBe(0);
    expect(await listed(anon, 'project-files')).toBe(0);
  });

  it('an upper-case or malformed folder, or the root, matches no project: refused, never a conversion error', async () => {
    expect(await run(user(U.admin), 'download', findSql('project-files', `${P1.toUpperCase()}/shadow.pdf`))).toBe(0);
    for (const name of [`${P1.toUpperCase()}/x.pdf`, 'not-a-uuid/x.pdf', `${P1}x/x.pdf`, 'x.pdf', `/${P1}/x.pdf`]) {
      expect(await run(user(U.admin), 'upload', uploadSql('project-files', name, U.admin)), name).toBe('42501');
    }
    expect(await run(user(U.admin), 'delete', deleteSql('project-files', ['root.pdf', `${P1.toUpperCase()}/shadow.pdf`]))).toBe(0);
  });

  it('admins and editors upload and replace, viewers and outsiders do not; only admins delete', async () => {
    expect(await run(user(U.editor), 'upload', uploadSql('project-files', `${P1}/new.pdf`, U.editor))).toBe(1);
    expect(await run(user(U.editor), 'upsert', upsertSql('project-files', `${P1}/new.pdf`, U.editor))).toBe(1);
    expect(await run(user(U.editor), 'upsert', upsertSql('project-files', `${P1}/plan.pdf`, U.editor))).toBe(1);
    expect(await run(user(U.viewer), 'upload', uploadSql('project-files', `${P1}/new.pdf`, U.viewer))).toBe('42501');
    expect(await run(user(U.viewer), 'upsert', upsertSql('project-files', `${P1}/plan.pdf`, U.viewer))).toBe('42501');
    expect(await run(user(U.outsider), 'upload', uploadSql('project-files', `${P1}/new.pdf`, U.outsider))).toBe('42501');
    expect(await run(anon, 'upload', uploadSql('project-files', `${P1}/new.pdf`, undefined))).toBe('42501');
    expect(await run(user(U.editor), 'delete', deleteSql('project-files', [`${P1}/plan.pdf`]))).toBe(0);
    expect(await run(user(U.viewer), 'delete', deleteSql('project-files', [`${P1}/plan.pdf`]))).toBe(0);
    expect(await run(user(U.admin), 'delete', deleteSql('project-files', [`${P1}/plan.pdf`, `${P2}/secret.pdf`]))).toBe(1);
  });

  it("moves stay within the project's folders the mover may update, and within the bucket", async () => {
    expect(await run(user(U.editor), 'move', moveSql('project-files', `${P1}/plan.pdf`, 'project-files', `${P1}/v2.pdf`, U.editor))).toBe(1);
    expect(await run(user(U.editor), 'move', moveSql('project-files', `${P1}/plan.pdf`, 'project-files', `${P2}/plan.pdf`, U.editor))).toBe('42501');
    expect(await run(user(U.editor), 'move', moveSql('project-files', `${P1}/plan.pdf`, 'org-docs', `${ORG}/plan.pdf`, U.editor))).toBe('42501');
    expect(await run(user(U.viewer), 'move', moveSql('project-files', `${P1}/plan.pdf`, 'project-files', `${P1}/v2.pdf`, U.viewer))).toBe(0);
    expect(await run(user(U.outsider), 'move', moveSql('project-files', `${P1}/plan.pdf`, 'project-files', `${P2}/plan.pdf`, U.outsider))).toBe(0);
  });

  it('a member removed from the project loses its files at once (inherited, not copied)', async () => {
    await db.exec(`DELETE FROM public.projects_members WHERE user_id = '${U.viewer}'`);
    try {
      expect(await listed(user(U.viewer), 'project-files')).toBe(0);
    } finally {
      await db.exec(`INSERT INTO public.projects_members (project_id, user_id, role) VALUES ('${P1}', '${U.viewer}', 'viewer')`);
    }
  });

  it("a post's images follow the post: anon and readers see the published one's, the author both; only the author uploads or deletes", async () => {
    expect(await listed(anon, 'post-images')).toBe(1);
    expect(await run(anon, 'download', findSql('post-images', `${DRAFT}/cover.png`))).toBe(0);
    expect(await listed(user(U.viewer), 'post-images')).toBe(1);
    expect(await listed(user(U.admin), 'post-images')).toBe(2);
    expect(await run(user(U.admin), 'upsert', upsertSql('post-images', `${DRAFT}/more.png`, U.admin))).toBe(1);
    expect(await run(user(U.viewer), 'upload', uploadSql('post-images', `${PUBLISHED}/mine.png`, U.viewer))).toBe('42501');
    expect(await run(anon, 'upload', uploadSql('post-images', `${PUBLISHED}/anon.png`, undefined))).toBe('42501');
    expect(await run(anon, 'delete', deleteSql('post-images', [`${PUBLISHED}/cover.png`]))).toBe(0);
    expect(await run(user(U.viewer), 'delete', deleteSql('post-images', [`${PUBLISHED}/cover.png`]))).toBe(0);
    expect(await run(user(U.admin), 'delete', deleteSql('post-images', [`${PUBLISHED}/cover.png`, `${DRAFT}/cover.png`]))).toBe(2);
    // update: none — nobody replaces
    expect(await run(user(U.admin), 'upsert', upsertSql('post-images', `${DRAFT}/cover.png`, U.admin))).toBe('42501');
  });

  it("an organization's documents: its members read, its admins upload, its plain members delete; others nothing", async () => {
    expect(await listed(user(U.admin), 'org-docs')).toBe(1);
    expect(await listed(user(U.viewer), 'org-docs')).toBe(1);
    expect(await listed(user(U.outsider), 'org-docs')).toBe(0);
    expect(await run(user(U.admin), 'upload', uploadSql('org-docs', `${ORG}/new.txt`, U.admin))).toBe(1);
    expect(await run(user(U.viewer), 'upload', uploadSql('org-docs', `${ORG}/new.txt`, U.viewer))).toBe('42501');
    expect(await run(user(U.outsider), 'upload', uploadSql('org-docs', `${ORG}/new.txt`, U.outsider))).toBe('42501');
    expect(await run(user(U.admin), 'delete', deleteSql('org-docs', [`${ORG}/minutes.txt`]))).toBe(0);
    expect(await run(user(U.viewer), 'delete', deleteSql('org-docs', [`${ORG}/minutes.txt`]))).toBe(1);
  });
});
