/**
 * `via` through a parent whose rule reaches anon, and through the generated
 * organizations, applied for real on Postgres and PGlite (golden cases
 * via-public-parent and via-organizations): anon reads the comments of a
 * published post only; the post's author moderates; `{ via: org_id }` is
 * membership, so the creator of an organization who left reads none of its data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { CASES_DIR } from '../helpers.js';
import { BACKENDS, anon, expectRlsViolation, namer, useBackend, user, uuid } from './access.js';

const caseFile = async (name: string) => await compile(readFileSync(join(CASES_DIR, name, 'requirements.yaml')), { fileName: 'requirements.yaml' });

const B = {
  author: uuid(0xa),
  reader: uuid(0xb),
  published: uuid(0x101),
  draft: uuid(0x102),
  onPublished: uuid(0x201),
  onDraft: uuid(0x202),
} as const;
const bnames = namer(B);
const blog = await caseFile('via-public-parent');
const orgs = await caseFile('via-organizations');

describe.each(BACKENDS)('comments read through their post, anon included, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', blog, async (b) => {
    for (const id of [B.author, B.reader]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.posts (id, author_id, title, status) VALUES ('${B.published}', '${B.author}', 'Out', 'published'), ('${B.draft}', '${B.author}', 'Soon', 'draft');
      INSERT INTO public.comments (id, user_id, post_id, body) VALUES ('${B.onPublished}', '${B.reader}', '${B.published}', 'nice'), ('${B.onDraft}', '${B.author}', '${B.draft}', 'note');`);
  });
  const seen = async (actor: Parameters<typeof b.query>[0]) => bnames(await b.query(actor, 'SELECT id FROM public.comments'));

  it("anon and other users read the published post's comments only; the author reads both", async () => {
    expect(await seen(anon)).toEqual(['onPublished']);
    expect(await seen(user(B.reader))).toEqual(['onPublished']);
    expect(await seen(user(B.author))).toEqual(['onDraft', 'onPublished']);
  });

  it('a draft turned published shows its comments to anon at once (inherited, not copied)', async () => {
    await b.db.exec(`UPDATE public.posts SET status = 'published' WHERE id = '${B.draft}'`);
    const rows = await seen(anon).finally(() => b.db.exec(`UPDATE public.posts SET status = 'draft' WHERE id = '${B.draft}'`));
    expect(rows).toEqual(['onDraft', 'onPublished']);
  });

  it("the post's author deletes a reader's comment on it; a reader cannot comment on a draft they may not read", async () => {
    expect(bnames(await b.query(user(B.author), 'DELETE FROM public.comments WHERE id = $1 RETURNING id', [B.onPublished], { rollback: true }))).toEqual([
      'onPublished',
    ]);
    await expectRlsViolation(b.query(user(B.reader), `INSERT INTO public.comments (post_id, body) VALUES ($1, 'x')`, [B.draft], { rollback: true }));
  });
});

const O = { admin: uuid(0xa), member: uuid(0xb), left: uuid(0xc), org: uuid(0x101), doc: uuid(0x201) } as const;

describe.each(BACKENDS)('documents through their organization (via org_id: membership), on %s', (backend) => {
  const b = useBackend(backend, 'fresh', orgs, async (b) => {
    for (const id of [O.admin, O.member, O.left]) await b.user(id);
    // `left` created the organization, then handed it over and left.
    await b.db.exec(`
      INSERT INTO public.organizations (id, name, created_by) VALUES ('${O.org}', 'Org', '${O.left}');
      INSERT INTO public.organization_members (org_id, user_id, role) VALUES ('${O.org}', '${O.admin}', 'admin'), ('${O.org}', '${O.member}', 'member');
      DELETE FROM public.organization_members WHERE user_id = '${O.left}';
      INSERT INTO public.documents (id, org_id, title) VALUES ('${O.doc}', '${O.org}', 'Plan');`);
  });
  const docs = async (who: string) => (await b.query(user(who), 'SELECT id FROM public.documents')).length;

  it('members read the documents; the creator who left still reads the organization row, but no document', async () => {
    expect([await docs(O.admin), await docs(O.member), await docs(O.left)]).toEqual([1, 1, 0]);
    expect(await b.query(user(O.left), 'SELECT id FROM public.organizations')).toEqual([{ id: O.org }]);
  });

  it('only admins update; any member creates, the creator who left cannot', async () => {
    const rename = (who: string) => b.query(user(who), `UPDATE public.documents SET title = 'New' WHERE id = $1 RETURNING id`, [O.doc], { rollback: true });
    expect(await rename(O.member)).toEqual([]);
    expect(await rename(O.admin)).toEqual([{ id: O.doc }]);
    const create = (who: string) => b.query(user(who), `INSERT INTO public.documents (org_id, title) VALUES ($1, 'x')`, [O.org], { rollback: true });
    expect(await create(O.member)).toEqual([]);
    await expectRlsViolation(create(O.left));
  });
});
