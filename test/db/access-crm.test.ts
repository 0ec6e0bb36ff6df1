/**
 * examples/crm applied for real, then used as PostgREST would: organizations
 * are created through the API (the creator becomes admin by trigger), an
 * admin adds members, and the org rows (companies, contacts, deals) are seen
 * by members only; notes only by their writer. Every scenario runs on the
 * test server's Postgres and on PGlite.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, anon, compileExample, expectRlsViolation, namer, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';
import type { Actor } from './harness.js';

const compiled = await compileExample('crm');

const ID = {
  A: uuid(0xa), // created organization X: its admin
  M: uuid(0x3), // member of X, added by A
  O: uuid(0xf), // outsider to X: created organization Y
  N: uuid(0xe), // new user, in no organization
  X: uuid(0x1001),
  Y: uuid(0x1002),
  coA: uuid(0x101), // companies: coA by A and coM by M in X, coY by O in Y
  coM: uuid(0x102),
  coY: uuid(0x103),
  ctA: uuid(0x201), // contacts
  ctY: uuid(0x202),
  dA: uuid(0x301), // deals
  dY: uuid(0x302),
  nA: uuid(0x401), // notes on deal dA, by A and by M
  nM: uuid(0x402),
} as const;
const names = namer(ID);
const A = user(ID.A);
const M = user(ID.M);
const O = user(ID.O);
const N = user(ID.N);

async function seed(b: Backend): Promise<void> {
  for (const id of [ID.A, ID.M, ID.O, ID.N]) await b.user(id);
  // through the API, as the app does
  await b.query(A, `INSERT INTO public.organizations (id, name) VALUES ($1, 'Acme') RETURNING id`, [ID.X]);
  await b.query(O, `INSERT INTO public.organizations (id, name) VALUES ($1, 'Other') RETURNING id`, [ID.Y]);
  await b.query(A, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2)', [ID.X, ID.M]);
  await b.db.exec(`
    INSERT INTO public.companies (id, org_id, user_id, name) VALUES
      ('${ID.coA}', '${ID.X}', '${ID.A}', 'Globex'), ('${ID.coM}', '${ID.X}', '${ID.M}', 'Initech'), ('${ID.coY}', '${ID.Y}', '${ID.O}', 'Umbrella');
    INSERT INTO public.contacts (id, org_id, user_id, company_id, full_name) VALUES
      ('${ID.ctA}', '${ID.X}', '${ID.A}', '${ID.coA}', 'Hank'), ('${ID.ctY}', '${ID.Y}', '${ID.O}', '${ID.coY}', 'Alice');
    INSERT INTO public.deals (id, org_id, user_id, company_id, primary_contact_id, title) VALUES
      ('${ID.dA}', '${ID.X}', '${ID.A}', '${ID.coA}', '${ID.ctA}', 'Big one'), ('${ID.dY}', '${ID.Y}', '${ID.O}', '${ID.coY}', NULL, 'Other one');
    INSERT INTO public.notes (id, user_id, deal_id, body) VALUES ('${ID.nA}', '${ID.A}', '${ID.dA}', 'A thinks'), ('${ID.nM}', '${ID.M}', '${ID.dA}', 'M thinks');`);
}

describe.each(BACKENDS)('crm example on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);
  const memberships = async () =>
    (
      await b.db.query<{ org_id: string; user_id: string; role: string }>(
        'SELECT org_id, user_id, role FROM public.organization_members ORDER BY org_id, user_id',
      )
    )
      .map((r) => `${names([r], 'org_id')[0]}:${names([r], 'user_id')[0]}:${r.role}`)
      .sort();
  const all = async () => {
    const tables = ['organizations', 'organization_members', 'companies', 'contacts', 'deals', 'notes'];
    return Promise.all(tables.map((t) => b.db.query(`SELECT * FROM public.${t} ORDER BY 1, 2`)));
  };
  const seen = (actor: Actor) =>
    b.as(actor, async (s) => ({
      organizations: names(await s.query('SELECT id FROM public.organizations')),
      members: names(await s.query('SELECT user_id FROM public.organization_members'), 'user_id'),
      companies: names(await s.query('SELECT id FROM public.companies')),
      contacts: names(await s.query('SELECT id FROM public.contacts')),
      deals: names(await s.query('SELECT id FROM public.deals')),
      notes: names(await s.query('SELECT id FROM public.notes')),
    }));

  it('the creator of an organization becomes its admin, by trigger', async () => {
    expect(await memberships()).toEqual(['X:A:admin', 'X:M:member', 'Y:O:admin']);
    // and within the creating request already: RETURNING works, the membership is there
    const created = await b.as(
      N,
      async (s) => {
        const [org] = await s.query<{ id: string; created_by: string }>(`INSERT INTO public.organizations (name) VALUES ('New') RETURNING id, created_by`);
        return { org, members: await s.query('SELECT org_id, user_id, role FROM public.organization_members') };
      },
      { rollback: true },
    );
    expect(created.members).toEqual([{ org_id: created.org?.id, user_id: ID.N, role: 'admin' }]);
    expect(created.org?.created_by).toBe(ID.N);
  });

  it('members see their organization and its rows; outsiders, the unaffiliated and anon see none of it', async () => {
    const orgX = { organizations: ['X'], members: ['A', 'M'], companies: ['coA', 'coM'], contacts: ['ctA'], deals: ['dA'] };
    expect(await seen(A)).toEqual({ ...orgX, notes: ['nA'] });
    expect(await seen(M)).toEqual({ ...orgX, notes: ['nM'] });
    expect(await seen(O)).toEqual({ organizations: ['Y'], members: ['O'], companies: ['coY'], contacts: ['ctY'], deals: ['dY'], notes: [] });
    const nothing = { organizations: [], members: [], companies: [], contacts: [], deals: [], notes: [] };
    expect(await seen(N)).toEqual(nothing);
    expect(await seen(anon)).toEqual(nothing);
  });

  it('an outsider cannot join an organization, in any role or by moving a membership', async () => {
    const before = await memberships();
    await expectRlsViolation(b.query(O, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2)', [ID.X, ID.O]));
    await expectRlsViolation(b.query(O, `INSERT INTO public.organization_members (org_id, user_id, role) VALUES ($1, $2, 'admin')`, [ID.X, ID.O]));
    await expectRlsViolation(b.query(N, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2)', [ID.X, ID.N]));
    // O administers Y: moving that membership row to X is refused
    await expectRlsViolation(b.query(O, 'UPDATE public.organization_members SET org_id = $1 WHERE org_id = $2', [ID.X, ID.Y]));
    await expectRlsViolation(b.query(anon, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2)', [ID.X, ID.N]));
    expect(await memberships()).toEqual(before);
  });

  it('a member adds nobody, promotes nobody (themself included) and removes nobody else', async () => {
    const before = await memberships();
    await expectRlsViolation(b.query(M, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2)', [ID.X, ID.N]));
    await expectRlsViolation(b.query(M, `INSERT INTO public.organization_members (org_id, user_id, role) VALUES ($1, $2, 'admin')`, [ID.X, ID.O]));
    const touched = await b.as(M, async (s) => [
      ...(await s.query(`UPDATE public.organization_members SET role = 'admin' WHERE org_id = $1 RETURNING user_id`, [ID.X])),
      ...(await s.query('DELETE FROM public.organization_members WHERE org_id = $1 AND user_id = $2 RETURNING user_id', [ID.X, ID.A])),
    ]);
    expect(touched).toEqual([]);
    expect(await memberships()).toEqual(before);
  });

  it('an admin adds a member, who then sees the organization, and removes them again', async () => {
    const added = await b.query(A, 'INSERT INTO public.organization_members (org_id, user_id) VALUES ($1, $2) RETURNING role', [ID.X, ID.N]);
    expect(added).toEqual([{ role: 'member' }]);
    expect(await seen(N)).toEqual({ organizations: ['X'], members: ['A', 'M', 'N'], companies: ['coA', 'coM'], contacts: ['ctA'], deals: ['dA'], notes: [] });
    const removed = await b.query(A, 'DELETE FROM public.organization_members WHERE org_id = $1 AND user_id = $2 RETURNING user_id', [ID.X, ID.N]);
    expect(names(removed, 'user_id')).toEqual(['N']);
    expect((await seen(N)).companies).toEqual([]);
  });

  it('a member who leaves loses the rows at once', async () => {
    const after = await b.as(
      M,
      async (s) => ({
        left: names(await s.query('DELETE FROM public.organization_members WHERE user_id = $1 RETURNING org_id', [ID.M]), 'org_id'),
        companies: await s.query('SELECT id FROM public.companies'),
        organizations: await s.query('SELECT id FROM public.organizations'),
      }),
      { rollback: true },
    );
    expect(after).toEqual({ left: ['X'], companies: [], organizations: [] });
  });

  it('members create org rows only as themselves and only in their own organizations', async () => {
    const [row] = await b.query(M, `INSERT INTO public.companies (org_id, name) VALUES ($1, 'Hooli') RETURNING org_id, user_id`, [ID.X], { rollback: true });
    expect(row).toEqual({ org_id: ID.X, user_id: ID.M });
    await expectRlsViolation(b.query(M, `INSERT INTO public.companies (org_id, user_id, name) VALUES ($1, $2, 'In A''s name')`, [ID.X, ID.A]));
    await expectRlsViolation(b.query(M, `INSERT INTO public.companies (org_id, name) VALUES ($1, 'Elsewhere')`, [ID.Y]));
    await expectRlsViolation(b.query(O, `INSERT INTO public.deals (org_id, company_id, title) VALUES ($1, $2, 'Intrusion')`, [ID.X, ID.coA]));
    await expectRlsViolation(b.query(N, `INSERT INTO public.contacts (org_id, full_name) VALUES ($1, 'Nobody')`, [ID.X]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.companies (org_id, user_id, name) VALUES ($1, $2, 'Anon')`, [ID.X, ID.A]));
  });

  it('a member neither hands a row to someone else nor moves it to an organization they are not in', async () => {
    const before = await all();
    await expectRlsViolation(b.query(M, 'UPDATE public.companies SET user_id = $1 WHERE id = $2', [ID.A, ID.coM]));
    await expectRlsViolation(b.query(M, 'UPDATE public.companies SET org_id = $1 WHERE id = $2', [ID.Y, ID.coM]));
    expect(await all()).toEqual(before);
  });

  it('rows link only to rows the writer can see; a missing id gives the same answer', async () => {
    await expectRlsViolation(b.query(M, `INSERT INTO public.contacts (org_id, company_id, full_name) VALUES ($1, $2, 'Spy')`, [ID.X, ID.coY]));
    await expectRlsViolation(b.query(O, `INSERT INTO public.deals (org_id, company_id, title) VALUES ($1, $2, 'Poach')`, [ID.Y, ID.coA]));
    await expectRlsViolation(
      b.query(O, `INSERT INTO public.deals (org_id, company_id, primary_contact_id, title) VALUES ($1, $2, $3, 'Poach')`, [ID.Y, ID.coY, ID.ctA]),
    );
    await expectRlsViolation(b.query(O, 'UPDATE public.deals SET company_id = $1 WHERE id = $2', [ID.coA, ID.dY]));
    await expectRlsViolation(b.query(M, `INSERT INTO public.contacts (org_id, company_id, full_name) VALUES ($1, $2, 'Probe')`, [ID.X, uuid(0xdead)]));
  });

  it('the writer of a row and an admin change it; another member, an outsider and anon reach 0 rows', async () => {
    const update = (actor: Actor, id: string) =>
      b.query(actor, `UPDATE public.companies SET industry = 'changed' WHERE id = $1 RETURNING id`, [id], { rollback: true });
    expect(names(await update(M, ID.coM))).toEqual(['coM']);
    expect(names(await update(A, ID.coM))).toEqual(['coM']); // A administers X
    const before = await all();
    const touched = [
      ...(await update(M, ID.coA)),
      ...(await update(O, ID.coA)),
      ...(await update(anon, ID.coA)),
      ...(await b.query(M, 'DELETE FROM public.companies WHERE id = $1 RETURNING id', [ID.coA])),
      ...(await b.query(M, 'DELETE FROM public.deals WHERE id = $1 RETURNING id', [ID.dA])),
      ...(await b.query(O, 'DELETE FROM public.contacts WHERE id = $1 RETURNING id', [ID.ctA])),
      ...(await b.query(O, `UPDATE public.deals SET stage = 'lost' WHERE id = $1 RETURNING id`, [ID.dA])),
      ...(await b.query(anon, 'DELETE FROM public.deals RETURNING id')),
    ];
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it("notes are their writer's alone, even inside the organization, and never deleted through the API", async () => {
    const before = await all();
    await expectRlsViolation(b.query(A, 'INSERT INTO public.notes (user_id, deal_id, body) VALUES ($1, $2, $3)', [ID.M, ID.dA, "in M's name"]));
    await expectRlsViolation(b.query(O, `INSERT INTO public.notes (deal_id, body) VALUES ($1, 'on a deal of X')`, [ID.dA]));
    await expectRlsViolation(b.query(A, 'UPDATE public.notes SET user_id = $1 WHERE id = $2', [ID.M, ID.nA]));
    const touched = [
      ...(await b.query(M, `UPDATE public.notes SET body = 'edited by M' WHERE id = $1 RETURNING id`, [ID.nA])),
      ...(await b.query(A, 'DELETE FROM public.notes WHERE id = $1 RETURNING id', [ID.nA])), // own, but delete: none
      ...(await b.query(A, 'DELETE FROM public.notes RETURNING id')),
    ];
    expect(touched).toEqual([]);
    expect(await all()).toEqual(before);
    const [own] = await b.query(M, `INSERT INTO public.notes (deal_id, body) VALUES ($1, 'mine') RETURNING user_id`, [ID.dA], { rollback: true });
    expect(own).toEqual({ user_id: ID.M });
  });

  it("only an admin changes an organization; nobody creates one in someone else's name", async () => {
    const rename = (actor: Actor) => b.query(actor, `UPDATE public.organizations SET name = 'Renamed' WHERE id = $1 RETURNING id`, [ID.X], { rollback: true });
    expect(names(await rename(A))).toEqual(['X']);
    expect([...(await rename(M)), ...(await rename(O)), ...(await rename(anon))]).toEqual([]);
    expect(await b.query(M, 'DELETE FROM public.organizations WHERE id = $1 RETURNING id', [ID.X])).toEqual([]);
    // created_by = someone else would make them admin of an organization they never created
    await expectRlsViolation(b.query(A, `INSERT INTO public.organizations (name, created_by) VALUES ('For O', $1)`, [ID.O]));
    await expectRlsViolation(b.query(anon, `INSERT INTO public.organizations (name) VALUES ('Anon Inc')`));
    expect(names(await b.db.query('SELECT id FROM public.organizations'))).toEqual(['X', 'Y']);
  });

  it('the creator keeps seeing the organization row after leaving it, but none of its data', async () => {
    const after = await b.as(
      A,
      async (s) => {
        await s.query('DELETE FROM public.organization_members WHERE user_id = $1', [ID.A]);
        return { organizations: names(await s.query('SELECT id FROM public.organizations')), companies: await s.query('SELECT id FROM public.companies') };
      },
      { rollback: true },
    );
    expect(after).toEqual({ organizations: ['X'], companies: [] });
  });
});
