/**
 * Storage's own statements and settings (src/verify/storageRequests.ts, listed
 * in docs/storage.md) against the policies of each bucket, as anon, the owner
 * and another user, on a Supabase-like PostgreSQL (non-superuser owner, Storage's
 * tables owned by another role, the delete guard) and on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyError, apply, compile, openPostgres, verify } from '../../src/index.js';
import type { Database } from '../../src/index.js';
import { deleteSql, findSql, listSql, metadataSql, moveSql, uploadSql, upsertSql } from '../../src/verify/storageRequests.js';
import type { StorageOperation } from '../../src/verify/storageRequests.js';
import { anon, failure, user, uuid } from './access.js';
import { dropDatabase } from './harness.js';
import type { Actor } from './harness.js';
import { asRole } from './roles.js';
import { storageBackend, storageRequest, supabaseLikeDatabase } from './supabaseLike.js';

const A = uuid(0xa1);
const B = uuid(0xb1);

const FILE = `version: 1
buckets:
  avatars:
    public: true
    access: { update: none, delete: owner }
  dropbox:
    access: { upload: authenticated }
  docs: {}
`;

const SEED = (db: Database) =>
  db.exec(`
INSERT INTO auth.users (id) VALUES ('${A}'), ('${B}');
${uploadSql('avatars', `${A}/a.png`, A)};
${uploadSql('dropbox', `${A}/a.txt`, A)};
${uploadSql('docs', `${A}/a.txt`, A)};`);

const compiled = await compile(FILE, { fileName: 'storage.yaml', target: 'supabase' });

describe.each(['postgres', 'pglite'] as const)('Storage operations on %s', (backend) => {
  let db: Database;
  let target: Database | string;
  let adminUrl = '';

  beforeAll(async () => {
    ({ db, target, adminUrl } = await storageBackend(backend, 'storage-operations'));
    await apply(db, compiled);
    await SEED(db);
  }, 60_000);
  afterAll(async () => {
    if (adminUrl !== '') await dropDatabase(adminUrl);
  });

  const run = (actor: Actor, operation: StorageOperation, sql: string) => storageRequest(target, actor, operation, sql);

  it('apply as the non-superuser owner, then verify: every request as promised', async () => {
    const report = await verify(db, compiled);
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(report.passed).toBeGreaterThan(100);
  });

  it('a public bucket with update: none, delete: owner — the owner deletes and uploads (also by upsert), never replaces', async () => {
    expect(await run(user(A), 'delete', deleteSql('avatars', [`${A}/a.png`]))).toBe(1);
    expect(await run(user(A), 'upsert', upsertSql('avatars', `${A}/new.png`, A))).toBe(1);
    expect(await run(user(A), 'upsert', upsertSql('avatars', `${A}/a.png`, A))).toBe('42501');
    expect(await run(user(A), 'metadata', metadataSql('avatars', `${A}/a.png`))).toBe(0);
    expect(await run(user(B), 'delete', deleteSql('avatars', [`${A}/a.png`]))).toBe(0);
    expect(await run(user(B), 'list', listSql('avatars', ''))).toBe(0);
    expect(await run(user(A), 'list', listSql('avatars', ''))).toBe(1);
    expect(await run(anon, 'list', listSql('avatars', ''))).toBe(0);
    expect(await run(anon, 'delete', deleteSql('avatars', [`${A}/a.png`]))).toBe(0);
  });

  it('upload: authenticated — anyone signed in adds files anywhere, sees what they uploaded, replaces only in their folder', async () => {
    expect(await run(user(B), 'upload', uploadSql('dropbox', `${A}/from-b.txt`, B))).toBe(1);
    expect(await run(user(B), 'upsert', upsertSql('dropbox', `${A}/from-b.txt`, B))).toBe(1);
    expect(await run(user(B), 'upsert', upsertSql('dropbox', 'root.txt', B))).toBe(1);
    expect(await run(user(B), 'upsert', upsertSql('dropbox', `${A}/a.txt`, B))).toBe('42501');
    expect(await run(user(B), 'list', listSql('dropbox', `${A}/`))).toBe(0);
    expect(await run(user(B), 'download', findSql('dropbox', `${A}/a.txt`))).toBe(0);
    expect(await run(user(A), 'download', findSql('dropbox', `${A}/a.txt`))).toBe(1);
    expect(await run(anon, 'upload', uploadSql('dropbox', 'anon.txt', undefined))).toBe('42501');
  });

  it('private defaults — move within the bucket, metadata, copy; nothing moves into another bucket', async () => {
    expect(await run(user(A), 'move', moveSql('docs', `${A}/a.txt`, 'docs', `${A}/renamed.txt`, A))).toBe(1);
    expect(await run(user(A), 'move', moveSql('docs', `${A}/a.txt`, 'docs', `${B}/planted.txt`, A))).toBe('42501');
    // both buckets let A update their own folder: the move is refused all the same
    expect(await run(user(A), 'move', moveSql('docs', `${A}/a.txt`, 'dropbox', `${A}/moved.txt`, A))).toBe('42501');
    expect(await run(user(A), 'move', moveSql('dropbox', `${A}/a.txt`, 'docs', `${A}/moved.txt`, A))).toBe('42501');
    expect(await run(user(B), 'move', moveSql('docs', `${A}/a.txt`, 'docs', `${B}/mine.txt`, B))).toBe(0);
    expect(await run(user(A), 'metadata', metadataSql('docs', `${A}/a.txt`))).toBe(1);
    expect(await run(user(B), 'metadata', metadataSql('docs', `${A}/a.txt`))).toBe(0);
    // copy: see the source, then upload the destination
    expect(await run(user(A), 'copy', findSql('docs', `${A}/a.txt`))).toBe(1);
    expect(await run(user(A), 'copy', uploadSql('dropbox', `${A}/copy.txt`, A))).toBe(1);
    expect(await run(user(B), 'copy', findSql('docs', `${A}/a.txt`))).toBe(0);
  });

  it("the delete guard refuses a DELETE without Storage's setting, before any policy", async () => {
    const e = await failure(asRole(target, user(A), (s) => s.query(deleteSql('docs', [`${A}/a.txt`])), { rollback: true }));
    expect({ code: e.code, message: e.message }).toEqual({
      code: '42501',
      message: expect.stringMatching(/^Direct deletion from storage tables is not allowed/),
    });
  });
});

// Roles and ownership are a server's: PGlite connects as its one superuser, so this is PostgreSQL's alone.
describe('Storage preflight on PostgreSQL', () => {
  let adminUrl = '';
  let outsiderUrl = '';
  beforeAll(async () => {
    const like = await supabaseLikeDatabase('storage-preflight');
    adminUrl = like.adminUrl;
    outsiderUrl = like.outsiderUrl;
  }, 60_000);
  afterAll(async () => {
    if (adminUrl !== '') await dropDatabase(adminUrl);
  });

  it('preflight: a role that may not create policies on storage.objects is told what to do, nothing runs', async () => {
    const outsider = await openPostgres(outsiderUrl);
    try {
      const e = await apply(outsider, await compile(FILE.replace('docs: {}', 'more: {}'), { fileName: 'storage.yaml', target: 'supabase' })).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(ApplyError);
      expect((e as Error).message).toMatch(/the right to create policies on storage\.objects: .*connect as `postgres`/);
    } finally {
      await outsider.close();
    }
  });
});
