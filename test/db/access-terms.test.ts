/**
 * Rules of several terms applied for real, on Postgres and PGlite. A rule
 * that mixes public terms with others (golden case access-terms-lists): anon
 * gets the public terms only, in a policy of its own, while signed-in users
 * get every term (before that split, anon was granted the `authenticated`
 * terms too, and read every row). A reference to the same table under such a
 * rule (access-terms-self-reference): the read-check helper holds the whole
 * rule for the one key (without parentheses it held for any key).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { CASES_DIR } from '../helpers.js';
import { BACKENDS, anon, expectRlsViolation, namer, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';

const compiled = await compile(readFileSync(join(CASES_DIR, 'access-terms-lists', 'requirements.yaml')), { fileName: 'requirements.yaml' });

const ID = {
  A: uuid(0xa), // wrote the three articles
  B: uuid(0xb), // another signed-in user
  private: uuid(0x101),
  members: uuid(0x102),
  public: uuid(0x103),
  pinned: uuid(0x201),
  plain: uuid(0x202),
} as const;
const names = namer(ID);

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.B]) await b.user(id);
  await b.db.exec(`
    INSERT INTO public.articles (id, user_id, title, visibility) VALUES
      ('${ID.private}', '${ID.A}', 'Mine', 'private'),
      ('${ID.members}', '${ID.A}', 'For members', 'members'),
      ('${ID.public}', '${ID.A}', 'For all', 'public');
    INSERT INTO public.announcements (id, body, pinned) VALUES ('${ID.pinned}', 'Pinned', true), ('${ID.plain}', 'Plain', false);`);
}

describe.each(BACKENDS)('a rule mixing public and other terms, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);
  const seen = (actor: Parameters<Backend['as']>[0]) =>
    b.as(actor, async (s) => ({
      articles: names(await s.query('SELECT id FROM public.articles')),
      announcements: names(await s.query('SELECT id FROM public.announcements')),
    }));

  it('anon reads the rows of the public terms only: not the members-only article, not the unpinned announcement', async () => {
    expect(await seen(anon)).toEqual({ articles: ['public'], announcements: ['pinned'] });
  });

  it('a signed-in user reads the rows of every term; the owner their own besides', async () => {
    expect(await seen(user(ID.B))).toEqual({ articles: ['members', 'public'], announcements: ['pinned', 'plain'] });
    expect(await seen(user(ID.A))).toEqual({ articles: ['members', 'private', 'public'], announcements: ['pinned', 'plain'] });
  });
});

const folders = await compile(readFileSync(join(CASES_DIR, 'access-terms-self-reference', 'requirements.yaml')), { fileName: 'requirements.yaml' });
const F = {
  A: uuid(0xa), // owns both folders, shares `shared` with B
  B: uuid(0xb),
  shared: uuid(0x301),
  secret: uuid(0x302),
} as const;

describe.each(BACKENDS)('a reference to the same table under a read rule of several terms, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', folders, async (b) => {
    for (const id of [F.A, F.B]) await b.user(id);
    await b.db.exec(`
      INSERT INTO public.folders (id, user_id, name, shared_with) VALUES
        ('${F.shared}', '${F.A}', 'Shared', '${F.B}'),
        ('${F.secret}', '${F.A}', 'Secret', NULL);`);
  });
  const insertUnder = (parent: string) =>
    b.query(user(F.B), `INSERT INTO public.folders (name, parent_id) VALUES ('mine', $1) RETURNING parent_id`, [parent], { rollback: true });

  it('a user to whom one folder is shared puts a folder under that one, not under a folder they may not read', async () => {
    expect(await insertUnder(F.shared)).toEqual([{ parent_id: F.shared }]);
    await expectRlsViolation(insertUnder(F.secret));
    // an id that does not exist is refused the same way (the foreign key never tells)
    await expectRlsViolation(insertUnder(uuid(0x999)));
  });
});
