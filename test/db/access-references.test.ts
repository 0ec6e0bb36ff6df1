/**
 * Writing a reference as an attacker would: every parent read level (public,
 * authenticated, owner, org, none, the generated organizations, the same
 * table) × every child write level (public, authenticated, owner, org) ×
 * anon, user A and user B, on INSERT and UPDATE, to each existing row and to
 * an id that does not exist. A reference to a row the writer may not read is
 * refused by the policy (42501) exactly as a reference to a missing id is:
 * no linking to other people's rows, no probing which ids exist. Only a
 * parent the writer may read as a whole gives the foreign key's own error.
 * Postgres never reports infinite recursion (42P17), across the reference
 * cycle p_owner ↔ c_owner included. Runs on the test server and on PGlite.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { readChecksOf } from '../../src/model/model.js';
import { DatabaseError } from '../../src/db/errors.js';
import { BACKENDS, anon, useBackend, user, uuid } from './access.js';
import type { Backend } from './access.js';
import type { Actor } from './harness.js';

const REFS = ['ref_public', 'ref_auth', 'ref_owner', 'ref_org', 'ref_none', 'ref_orgs', 'parent_id'] as const;
const refFields = (self: string) =>
  `      name: text
      ref_public: { references: p_public, on_delete: cascade }
      ref_auth: { references: p_auth, on_delete: cascade }
      ref_owner: { references: p_owner, on_delete: cascade }
      ref_org: { references: p_org, on_delete: cascade }
      ref_none: { references: p_none, on_delete: cascade }
      ref_orgs: { references: organizations, on_delete: cascade }
      parent_id: { references: ${self} }`;

const FILE = `version: 1
entities:
  p_public: { access: public-read, fields: { name: text } }
  p_auth: { access: authenticated-read, fields: { name: text } }
  p_owner:
    access: owner
    fields:
      name: text
      back_id: { references: c_owner, on_delete: set null }
  p_org: { access: org, fields: { name: text } }
  p_none: { access: private, fields: { name: text } }
  c_public:
    access: { read: public, create: public }
    fields:
${refFields('c_public')}
  c_auth:
    access: { read: authenticated, create: authenticated, update: authenticated }
    fields:
${refFields('c_auth')}
  c_owner:
    access: owner
    fields:
${refFields('c_owner')}
  c_org:
    access: org
    fields:
${refFields('c_org')}
`;

type Who = 'anon' | 'A' | 'B';
type Level = 'public' | 'authenticated' | 'owner' | 'org' | 'none';
type Org = 'X' | 'Y';
interface Row {
  readonly table: string;
  readonly id: string;
  readonly owner?: 'A' | 'B';
  readonly org?: Org;
}

const ID = { A: uuid(0xa), B: uuid(0xb), X: uuid(0x1), Y: uuid(0x2) };
/** A created X and B created Y: each is the only member (the admin) of their own. */
const memberOf = (who: Who, org: Org) => (org === 'X' ? who === 'A' : who === 'B');
const ACTORS: Readonly<Record<Who, Actor>> = { anon, A: user(ID.A), B: user(ID.B) };

const READ: Readonly<Record<string, Level>> = {
  p_public: 'public',
  p_auth: 'authenticated',
  p_owner: 'owner',
  p_org: 'org',
  p_none: 'none',
  organizations: 'org',
  c_public: 'public',
  c_auth: 'authenticated',
  c_owner: 'owner',
  c_org: 'org',
};
const CHILDREN = ['c_public', 'c_auth', 'c_owner', 'c_org'] as const;
type Child = (typeof CHILDREN)[number];
const TARGET_OF: Readonly<Record<(typeof REFS)[number], string | undefined>> = {
  ref_public: 'p_public',
  ref_auth: 'p_auth',
  ref_owner: 'p_owner',
  ref_org: 'p_org',
  ref_none: 'p_none',
  ref_orgs: 'organizations',
  parent_id: undefined,
};

let next = 0x100;
const row = (table: string, owner?: 'A' | 'B', org?: Org): Row => ({ table, id: uuid(next++), ...(owner ? { owner } : {}), ...(org ? { org } : {}) });
const ROWS: Row[] = [
  row('p_public', 'A'),
  row('p_auth', 'A'),
  row('p_owner', 'A'),
  row('p_owner', 'B'),
  row('p_org', 'A', 'X'),
  row('p_org', 'B', 'Y'),
  row('p_none'),
  { table: 'organizations', id: ID.X, org: 'X' },
  { table: 'organizations', id: ID.Y, org: 'Y' },
  row('c_public'),
  row('c_auth'),
  row('c_owner', 'A'),
  row('c_owner', 'B'),
  row('c_org', 'A', 'X'),
  row('c_org', 'B', 'Y'),
];

/** The rule as docs/format.md states it: who may read a row. */
function mayRead(who: Who, r: Row): boolean {
  const level = READ[r.table] as Level;
  if (level === 'public') return true;
  if (level === 'authenticated') return who !== 'anon';
  if (level === 'owner') return who !== 'anon' && r.owner === who;
  if (level === 'org') return who !== 'anon' && r.org !== undefined && memberOf(who, r.org);
  return false;
}
/** Every row of the table is readable by `who`: the foreign key's error tells nothing new. */
const readsAll = (who: Who, table: string) => READ[table] === 'public' || (READ[table] === 'authenticated' && who !== 'anon');

const mayInsert = (who: Who, child: Child) => child === 'c_public' || who !== 'anon';
const ownRow = (who: Who, child: Child) => ROWS.find((r) => r.table === child && (child === 'c_auth' || r.owner === who));
const homeOrg = (who: Who): Org => (who === 'B' ? 'Y' : 'X');

type Outcome = 'written' | '42501' | '23503' | string;

/** Runs one request, rolled back; an UPDATE or DELETE that reached no row says `0 rows`. */
async function attempt(b: Backend, who: Who, sql: string): Promise<Outcome> {
  const counted = /^(UPDATE|DELETE)/.test(sql);
  try {
    const rows = await b.query<{ n: number }>(ACTORS[who], counted ? `WITH w AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM w` : sql, [], {
      rollback: true,
    });
    return counted && rows[0]?.n === 0 ? '0 rows' : 'written';
  } catch (e) {
    if (e instanceof DatabaseError) return e.code === '42501' || e.code === '23503' ? e.code : `${e.code ?? ''} ${e.message}`;
    throw e;
  }
}

const MISSING = uuid(0xdead);

async function seed(b: Backend): Promise<void> {
  await b.user(ID.A);
  await b.user(ID.B);
  const sql = [
    `INSERT INTO public.organizations (id, name, created_by) VALUES ('${ID.X}', 'X', '${ID.A}'), ('${ID.Y}', 'Y', '${ID.B}')`,
    ...ROWS.filter((r) => r.table !== 'organizations').map((r) => {
      const cols = ['id', 'name', ...(r.owner ? ['user_id'] : []), ...(r.org ? ['org_id'] : [])];
      const vals = [r.id, r.table, ...(r.owner ? [ID[r.owner]] : []), ...(r.org ? [ID[r.org]] : [])];
      return `INSERT INTO public.${r.table} (${cols.join(', ')}) VALUES (${vals.map((v) => `'${v}'`).join(', ')})`;
    }),
  ];
  await b.db.exec(sql.join(';\n'));
}

const compiled = await compile(FILE, { fileName: 'references.yaml' });

describe.each(BACKENDS)('references written by anon, user A and user B on %s', (backend) => {
  const b = useBackend(backend, 'fresh', compiled, seed);

  /** Every reference of `child` to every row it may point at, and to a missing id, with the expected outcome. */
  function cases(child: Child, who: Who, allowed: boolean) {
    return REFS.flatMap((ref) => {
      const table = TARGET_OF[ref] ?? child;
      const targets = ROWS.filter((r) => r.table === table);
      const expected = (r: Row | undefined): Outcome =>
        !allowed ? '42501' : r === undefined ? (readsAll(who, table) ? '23503' : '42501') : mayRead(who, r) ? 'written' : '42501';
      return [...targets, undefined].map((r) => ({
        ref,
        id: r?.id ?? MISSING,
        label: `${ref} → ${r ? `${r.table} ${r.owner ?? ''}${r.org ?? ''}` : 'missing id'}`,
        expected: expected(r),
      }));
    });
  }

  for (const child of CHILDREN) {
    it(`INSERT into ${child}: a reference passes exactly when the writer may read its row`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const who of ['anon', 'A', 'B'] as const) {
        const org = child === 'c_org' ? `'${ID[homeOrg(who)]}'` : undefined;
        for (const c of cases(child, who, mayInsert(who, child))) {
          const cols = ['name', ...(org ? ['org_id'] : []), c.ref];
          const sql = `INSERT INTO public.${child} (${cols.join(', ')}) VALUES ('new', ${org ? `${org}, ` : ''}'${c.id}')`;
          got.push(`${who} ${c.label}: ${await attempt(b, who, sql)}`);
          want.push(`${who} ${c.label}: ${c.expected}`);
        }
      }
      expect(got).toEqual(want);
    }, 60_000);
  }

  for (const child of ['c_auth', 'c_owner', 'c_org'] as const) {
    it(`UPDATE of ${child}: pointing one's own row at a row one may not read, or at a missing id, is refused alike`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const who of ['anon', 'A', 'B'] as const) {
        const own = ownRow(who, child) ?? ownRow('A', child);
        for (const c of cases(child, who, who !== 'anon')) {
          const sql = `UPDATE public.${child} SET ${c.ref} = '${c.id}' WHERE id = '${own?.id ?? ''}'`;
          const outcome = await attempt(b, who, sql);
          // anon has no UPDATE policy (nor, unless the platform grants every privilege, the privilege): nothing changes
          got.push(`${who} ${c.label}: ${who === 'anon' && (outcome === '0 rows' || outcome === '42501') ? 'refused' : outcome}`);
          want.push(`${who} ${c.label}: ${who === 'anon' ? 'refused' : c.expected}`);
        }
      }
      expect(got).toEqual(want);
    }, 60_000);
  }

  it("B cannot hang a row under A's row of the same table, so A still deletes it", async () => {
    const a = ROWS.find((r) => r.table === 'c_owner' && r.owner === 'A') as Row;
    expect(await attempt(b, 'B', `INSERT INTO public.c_owner (name, parent_id) VALUES ('under A', '${a.id}')`)).toBe('42501');
    expect(await attempt(b, 'B', `INSERT INTO public.c_owner (name, parent_id) VALUES ('under nothing', '${MISSING}')`)).toBe('42501');
    // A hangs their own rows under each other, and deletes the parent (the rows under it go with it: no cascade here, so first the child)
    const child = uuid(0xc1);
    await b.query(ACTORS.A, `INSERT INTO public.c_owner (id, name, parent_id) VALUES ('${child}', 'under own', '${a.id}')`, [], { rollback: true });
    expect(await attempt(b, 'A', `DELETE FROM public.c_owner WHERE id = '${a.id}'`)).toBe('written');
  });

  it('the reference cycle p_owner ↔ c_owner is checked both ways without recursion', async () => {
    const [pA, cA, cB] = [
      ROWS.find((r) => r.table === 'p_owner' && r.owner === 'A'),
      ROWS.find((r) => r.table === 'c_owner' && r.owner === 'A'),
      ROWS.find((r) => r.table === 'c_owner' && r.owner === 'B'),
    ] as Row[];
    expect(await attempt(b, 'A', `UPDATE public.p_owner SET back_id = '${cA?.id}' WHERE id = '${pA?.id}'`)).toBe('written');
    expect(await attempt(b, 'A', `UPDATE public.p_owner SET back_id = '${cB?.id}' WHERE id = '${pA?.id}'`)).toBe('42501');
    expect(await attempt(b, 'A', `INSERT INTO public.p_owner (name, back_id) VALUES ('p', '${cA?.id}')`)).toBe('written');
    expect(await attempt(b, 'A', `INSERT INTO public.c_owner (name, ref_owner, parent_id) VALUES ('c', '${pA?.id}', '${cA?.id}')`)).toBe('written');
  });

  it('the read-check helper is executable by authenticated only, runs with search_path pinned, and exists once per self-referencing table', async () => {
    const rows = await b.db.query<{ name: string; anon: boolean; authenticated: boolean; public: boolean; config: string[] | null; definer: boolean }>(`
      SELECT p.proname AS name, p.prosecdef AS definer, p.proconfig AS config,
             has_function_privilege('anon', p.oid, 'EXECUTE') AS anon,
             has_function_privilege('authenticated', p.oid, 'EXECUTE') AS authenticated,
             EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public
      FROM pg_proc p WHERE p.pronamespace = 'altan_private'::regnamespace AND p.proname LIKE '%readable' ORDER BY 1`);
    expect(rows).toEqual(
      ['c_org', 'c_owner'].map((t) => ({
        name: `public_${t}_readable`,
        definer: true,
        config: ['search_path=""'],
        anon: false,
        authenticated: true,
        public: false,
      })),
    );
    expect(readChecksOf(compiled.model).map((c) => [c.name, c.table, c.executableBy])).toEqual([
      ['public_c_org_readable', 'c_org', ['authenticated']],
      ['public_c_owner_readable', 'c_owner', ['authenticated']],
    ]);
  });

  it("updated_at is the server's: a client's value is not kept on INSERT (nor on UPDATE)", async () => {
    const id = uuid(0xe1);
    const [inserted] = await b.query<{ updated_at: string }>(
      ACTORS.A,
      `INSERT INTO public.c_owner (id, name, updated_at) VALUES ('${id}', 'stamped', '2000-01-01') RETURNING updated_at::text`,
    );
    expect(inserted?.updated_at.startsWith('2000')).toBe(false);
    const [updated] = await b.query<{ updated_at: string }>(
      ACTORS.A,
      `UPDATE public.c_owner SET updated_at = '2000-01-01' WHERE id = '${id}' RETURNING updated_at::text`,
    );
    expect(updated?.updated_at.startsWith('2000')).toBe(false);
    const [anonRow] = await b.query<{ updated_at: string }>(
      anon,
      `INSERT INTO public.c_public (name, updated_at) VALUES ('stamped', '2000-01-01') RETURNING updated_at::text`,
    );
    expect(anonRow?.updated_at.startsWith('2000')).toBe(false);
  });
});
