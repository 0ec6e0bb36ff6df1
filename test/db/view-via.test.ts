/**
 * Materialized views `access: { via: COLUMN, references: ENTITY }` (golden
 * cases view-via and view-via-anon) read through their API view as PostgREST
 * reads them, on Postgres and PGlite: a project's figures for its members only,
 * an organization's for its members, a post's counts for whoever may read the
 * post (anon: the published ones), and a view over an entity everyone reads
 * still serves no row whose column names no row. Filters a request adds never
 * reach another caller's rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { CASES_DIR } from '../helpers.js';
import { BACKENDS, anon, namer, useBackend, user, uuid } from './access.js';

const caseFile = async (name: string) => await compile(readFileSync(join(CASES_DIR, name, 'requirements.yaml')), { fileName: 'requirements.yaml' });

const I = {
  admin: uuid(0xa),
  member: uuid(0xb),
  outsider: uuid(0xc),
  p1: uuid(0xab1),
  p2: uuid(0xab2),
  org: uuid(0xab3),
  otherOrg: uuid(0xab4),
  published: uuid(0xab5),
  draft: uuid(0xab6),
  board: uuid(0xab7),
} as const;
const names = namer(I);

const projects = await caseFile('view-via');
const posts = await caseFile('view-via-anon');

describe.each(BACKENDS)("a project's and an organization's figures for their members only, on %s", (backend) => {
  const b = useBackend(backend, 'cron', projects, async (b) => {
    for (const id of [I.admin, I.member, I.outsider]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.projects (id, user_id, name) VALUES ('${I.p1}', '${I.admin}', 'One'), ('${I.p2}', '${I.outsider}', 'Two');
      INSERT INTO public.projects_members (project_id, user_id, role) VALUES ('${I.p1}', '${I.member}', 'member');
      INSERT INTO public.tasks (project_id, done) VALUES ('${I.p1}', true), ('${I.p1}', false), ('${I.p2}', false);
      INSERT INTO public.organizations (id, name, created_by) VALUES ('${I.org}', 'Org', '${I.admin}'), ('${I.otherOrg}', 'Other', '${I.outsider}');
      INSERT INTO public.deals (org_id, user_id, amount) VALUES ('${I.org}', '${I.admin}', 10), ('${I.otherOrg}', '${I.outsider}', 99);
      REFRESH MATERIALIZED VIEW altan_private.project_progress;
      REFRESH MATERIALIZED VIEW altan_private.deal_totals;`);
  });
  const progress = async (actor: Parameters<typeof b.query>[0], where = '') =>
    names(await b.query(actor, `SELECT project_id FROM public.project_progress ${where}`), 'project_id');

  it("members of any role read their project's row, the outsider their own only; anon reads nothing", async () => {
    expect(await progress(user(I.admin))).toEqual(['p1']);
    expect(await progress(user(I.member))).toEqual(['p1']);
    expect(await progress(user(I.outsider))).toEqual(['p2']);
    const e = await b.query(anon, 'SELECT * FROM public.project_progress').catch((x: { code?: string }) => x.code);
    expect(e).toBe('42501');
  });

  it("a request's own filter, even one naming the other project, reaches no other row", async () => {
    expect(await progress(user(I.member), `WHERE project_id = '${I.p2}'`)).toEqual([]);
    expect(await progress(user(I.member), `WHERE tasks > 0 OR project_id = '${I.p2}'`)).toEqual(['p1']);
  });

  it('a member who leaves reads the row no more, without a refresh (inherited, not copied)', async () => {
    await b.db.exec(`DELETE FROM public.projects_members WHERE user_id = '${I.member}'`);
    try {
      expect(await progress(user(I.member))).toEqual([]);
    } finally {
      await b.db.exec(`INSERT INTO public.projects_members (project_id, user_id, role) VALUES ('${I.p1}', '${I.member}', 'member')`);
    }
  });

  it("references: organizations is membership: each organization's total for its members", async () => {
    const totals = async (who: string) => names(await b.query(user(who), 'SELECT org_id FROM public.deal_totals'), 'org_id');
    expect(await totals(I.admin)).toEqual(['org']);
    expect(await totals(I.outsider)).toEqual(['otherOrg']);
    expect(await totals(I.member)).toEqual([]);
  });
});

describe.each(BACKENDS)("a post's counts for whoever may read the post, anon included, on %s", (backend) => {
  const b = useBackend(backend, 'cron', posts, async (b) => {
    for (const id of [I.admin, I.member]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.posts (id, user_id, status) VALUES ('${I.published}', '${I.admin}', 'published'), ('${I.draft}', '${I.admin}', 'draft');
      INSERT INTO public.boards (id, user_id, title) VALUES ('${I.board}', '${I.admin}', 'Board');
      INSERT INTO public.votes (post_id, user_id, board_id) VALUES ('${I.published}', '${I.member}', '${I.board}'), ('${I.draft}', '${I.admin}', NULL);
      REFRESH MATERIALIZED VIEW altan_private.post_votes;
      REFRESH MATERIALIZED VIEW altan_private.board_votes;`);
  });
  const counted = async (actor: Parameters<typeof b.query>[0]) => names(await b.query(actor, 'SELECT post_id FROM public.post_votes'), 'post_id');

  it('anon and readers get the published post, the author both', async () => {
    expect(await counted(anon)).toEqual(['published']);
    expect(await counted(user(I.member))).toEqual(['published']);
    expect(await counted(user(I.admin))).toEqual(['draft', 'published']);
  });

  it('a view over an entity everyone reads serves only the rows naming one of its rows (never the NULL group)', async () => {
    for (const actor of [anon, user(I.member)]) {
      expect(names(await b.query(actor, 'SELECT board_id FROM public.board_votes'), 'board_id')).toEqual(['board']);
    }
  });
});
