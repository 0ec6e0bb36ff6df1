/**
 * Section 3, the access terms of issue 15: four policy shapes that the tool
 * generates from the entities and views below (applied with section 3's own
 * file), each loaded with `rows` rows and read as PostgREST reads them, against
 * the same query as superuser with the equivalent explicit WHERE:
 *   - a `where` term: posts readable by their author, and by everyone once
 *     published (90% are), read as a user and as anon;
 *   - a second user column: orders read by their buyer or their seller (every
 *     user is buyer of some and seller of others);
 *   - `{ org: admin }`: contacts read by an admin of ADMIN_OF of the organizations;
 *   - per-user materialized views (`access: { user: user_id }`), read through the
 *     exposed view: one row per user per day (rows/users days each) and one row
 *     per user; the floor reads the private materialized view.
 */
import { median, row } from '../lib/measure.mjs';
import { asRole, asSuperuserWithClaims, planLine, superuserPlanLine, timed } from '../lib/request.mjs';

/** Entities added to section 3's file (under `entities:`). */
export const TERMS_ENTITIES = `  posts:
    description: A where term (issue 15)
    owner: author_id
    access:
      read: [owner, { level: public, where: "status = 'published'" }]
      create: owner
      update: owner
      delete: owner
    fields:
      title: { type: text, required: true }
      status: { type: text, enum: [draft, published], default: draft, required: true }
  orders:
    description: A second user column (issue 15)
    owner: buyer_id
    access:
      read: [owner, { user: seller_id }]
      create: { level: owner, where: "status = 'pending'" }
      update: { user: seller_id }
      delete: none
    fields:
      seller_id: { type: uuid, references: auth.users, required: true, immutable: true }
      status: { type: text, enum: [pending, paid, shipped, cancelled], default: pending, required: true }
      total_cents: { type: bigint, required: true, readonly: true, default: 0 }
  contacts:
    description: Organization admins only (issue 15)
    access: { read: { org: admin }, create: org, update: org, delete: { org: admin } }
    fields:
      name: { type: text, required: true }
  events:
    description: Read through the per-user materialized views
    fields:
      kind: { type: text, required: true }
`;

/** Section 3's `materialized_views:` (it has no other). */
export const TERMS_VIEWS = `  user_daily:
    query: |
      SELECT user_id, date_trunc('day', created_at) AS day, count(*) AS total FROM public.events GROUP BY 1, 2
    unique_key: [user_id, day]
    access: { user: user_id }
  user_totals:
    query: |
      SELECT user_id, count(*) AS total FROM public.events GROUP BY user_id
    unique_key: [user_id]
    access: { user: user_id }
`;

/** Extra users, after section 3's own, each an admin of ADMIN_OF organizations and of nothing else. */
const ADMINS = 10;
const ADMIN_OF = 5;

const pad = (n) => String(n).padStart(12, '0');
const userId = (n) => `00000000-0000-4000-8000-${pad(n)}`;
const sqlUser = (n) => `('00000000-0000-4000-8000-' || lpad((${n})::text, 12, '0'))::uuid`;
const sqlOrg = (n) => `('00000000-0000-4000-9000-' || lpad((${n})::text, 12, '0'))::uuid`;

/**
 * Superuser load, after section 3's users and organizations (users 1..users, organizations 1..orgs,
 * user u a member of organization ((u - 1) % orgs) + 1). FK and guard triggers off, as there.
 */
export function termsLoadSql({ rows, users, orgs }) {
  const admins = `generate_series(${users + 1}, ${users + ADMINS}) a`;
  const adminOf = Math.min(ADMIN_OF, orgs);
  const owner = sqlUser(`((g - 1) % ${users}) + 1`);
  return `
SET session_replication_role = replica;
INSERT INTO auth.users (id, email) SELECT ${sqlUser('a')}, 'admin' || a || '@bench.invalid' FROM ${admins};
INSERT INTO public.organization_members (org_id, user_id, role)
  SELECT ${sqlOrg(`((a * 7 + k) % ${orgs}) + 1`)}, ${sqlUser('a')}, 'admin' FROM ${admins}, generate_series(0, ${adminOf - 1}) k;
-- one post in ten is a draft
INSERT INTO public.posts (author_id, title, status, created_at)
  SELECT ${owner}, 'post ' || g, CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END, now() - g * interval '1 second'
  FROM generate_series(1, ${rows}) g;
-- buyer b = (g - 1) % users; the seller another user, shifted by one more every \`users\` rows
INSERT INTO public.orders (buyer_id, seller_id, status, total_cents, created_at)
  SELECT ${owner}, ${sqlUser(`(((g - 1) % ${users} + 1 + (g / ${users}) % ${Math.max(1, users - 1)}) % ${users}) + 1`)},
         (ARRAY['pending', 'paid', 'shipped', 'cancelled'])[g % 4 + 1], g % 10000, now() - g * interval '1 second'
  FROM generate_series(1, ${rows}) g;
INSERT INTO public.contacts (org_id, user_id, name, created_at)
  SELECT ${sqlOrg(`((g - 1) % ${orgs}) + 1`)}, ${sqlUser(`((g - 1) % ${orgs}) + 1`)}, 'contact ' || g, now() - g * interval '1 second'
  FROM generate_series(1, ${rows}) g;
-- one event per user per day: user_daily gets \`rows\` rows, rows / users per user
INSERT INTO public.events (user_id, kind, created_at)
  SELECT ${owner}, 'visit', now() - ((g - 1) / ${users}) * interval '1 day' FROM generate_series(1, ${rows}) g;
SET session_replication_role = DEFAULT;
REFRESH MATERIALIZED VIEW altan_private.user_daily;
REFRESH MATERIALIZED VIEW altan_private.user_totals;
`;
}

const LIST = (columns, from, where, order = 'created_at') => `SELECT ${columns} FROM ${from}${where} ORDER BY ${order} DESC LIMIT 50`;
const COUNT = (from, where) => `SELECT count(*) FROM ${from}${where}`;

/** A user of section 3 for run n, spread as its own `member()` spreads them. */
const user = (n, users) => ((n * 37) % users) + 1;

/**
 * The expression row-level security adds to `role`'s reads of public.`table`: its permissive SELECT
 * (or ALL) policies, OR-ed, as the catalog holds them. A floor with it as its WHERE, run as superuser
 * with the caller's claims, differs from the caller's query by row-level security alone.
 */
async function policyExpression(su, table, role) {
  const { rows } = await su.query(
    `SELECT permissive, qual FROM pg_policies WHERE schemaname = 'public' AND tablename = $1 AND cmd IN ('SELECT', 'ALL') AND roles && ARRAY[$2, 'public']::name[]`,
    [table, role],
  );
  if (rows.length === 0 || rows.some((p) => p.permissive !== 'PERMISSIVE'))
    throw new Error(`bench: expected permissive SELECT policies for ${role} on ${table}`);
  return rows.map((p) => `(${p.qual})`).join(' OR ');
}

/**
 * The cases: `caller(n)` the API caller of run n, and floors, each `{ name, sql, params?, claims?,
 * target? }`: `sql` a string or `(su) => Promise<string>` (read once), `params(n, su)` the values of its
 * $1 for run n's caller (read from the database where the layout decides them), `claims` to run it
 * with the caller's claims (it calls auth.uid()), `target: false` for a floor shown for information.
 */
function cases(users, orgs) {
  const reader = (n) => ({ role: 'authenticated', sub: userId(user(n, users)) });
  const anon = () => ({ role: 'anon' });
  const own = (n) => [userId(user(n, users))];
  const admin = (n) => ({ role: 'authenticated', sub: userId(users + 1 + (n % ADMINS)) });
  const adminOrgs = async (n, su) => {
    const r = await su.query(`SELECT array_agg(org_id) AS orgs FROM public.organization_members WHERE user_id = $1 AND role = 'admin'`, [admin(n).sub]);
    return [r.rows[0].orgs];
  };
  // The floor the lead chose for a user's reads: the policy's own USING as the WHERE, same claims. Used where
  // it changes nothing but that (posts: the caller's and this floor's plans are serial, auth.uid() being
  // parallel unsafe; orders: the same BitmapOr either way), not for contacts (a literal array lets the floor
  // go parallel, the policy's ARRAY(SELECT admin_org_ids()) not) nor the views (auth.uid() adds ~0.05 ms to
  // their ~0.1-0.2 ms): those keep their literal floor. RESULTS.md has the figures.
  const usingOf = (table, sql) => ({
    name: "superuser WHERE the policy's USING",
    sql: async (su) => sql(` WHERE ${await policyExpression(su, table, 'authenticated')}`),
    claims: true,
  });
  const posts = [
    ['ORDER BY created_at DESC LIMIT 50', (where) => LIST('id, title, created_at', 'public.posts', where)],
    ['count(*)', (where) => COUNT('public.posts', where)],
  ];
  const list = [];
  for (const [query, sql] of posts) {
    list.push({
      measure: `where term (posts, 90% published), as a user, ${query}`,
      caller: reader,
      sql: sql(''),
      floors: [
        usingOf('posts', sql),
        { name: 'superuser WHERE author OR published', sql: sql(` WHERE author_id = $1 OR status = 'published'`), params: own, target: false },
      ],
    });
    list.push({
      measure: `where term (posts, 90% published), as anon, ${query}`,
      caller: anon,
      sql: sql(''),
      floors: [{ name: 'superuser WHERE published', sql: sql(` WHERE status = 'published'`) }],
    });
  }
  const orders = [
    ['ORDER BY created_at DESC LIMIT 50', (where) => LIST('id, status, total_cents, created_at', 'public.orders', where)],
    ['count(*)', (where) => COUNT('public.orders', where)],
  ];
  for (const [query, sql] of orders) {
    list.push({
      measure: `second user column (orders, buyer or seller), ${query}`,
      caller: reader,
      sql: sql(''),
      floors: [
        usingOf('orders', sql),
        { name: 'superuser WHERE buyer OR seller', sql: sql(' WHERE buyer_id = $1 OR seller_id = $1'), params: own, target: false },
      ],
    });
  }
  const contacts = [
    ['ORDER BY created_at DESC LIMIT 50', (where) => LIST('id, name, created_at', 'public.contacts', where)],
    ['count(*)', (where) => COUNT('public.contacts', where)],
  ];
  for (const [query, sql] of contacts) {
    list.push({
      measure: `org admin (contacts, admin of ${Math.min(ADMIN_OF, orgs)} of ${orgs} orgs), ${query}`,
      caller: admin,
      sql: sql(''),
      floors: [{ name: 'superuser WHERE org_id = ANY', sql: sql(' WHERE org_id = ANY ($1::uuid[])'), params: adminOrgs }],
    });
  }
  const daily = [
    ['ORDER BY day DESC LIMIT 50', (from, where) => LIST('day, total', from, where, 'day')],
    ['count(*)', (from, where) => COUNT(from, where)],
  ];
  for (const [query, sql] of daily) {
    list.push({
      measure: `per-user matview, a row per user per day, ${query}`,
      caller: reader,
      sql: sql('public.user_daily', ''),
      floors: [{ name: 'superuser matview WHERE user_id', sql: sql('altan_private.user_daily', ' WHERE user_id = $1'), params: own }],
    });
  }
  list.push({
    measure: 'per-user matview, a row per user, the whole view',
    caller: reader,
    sql: 'SELECT user_id, total FROM public.user_totals',
    floors: [{ name: 'superuser matview WHERE user_id', sql: 'SELECT user_id, total FROM altan_private.user_totals WHERE user_id = $1', params: own }],
  });
  return list;
}

/** The floors with their SQL read (a floor's `sql` may be read from the catalog). */
const resolved = (floors, su) => Promise.all(floors.map(async (f) => ({ ...f, sql: typeof f.sql === 'function' ? await f.sql(su) : f.sql })));

/** One run of floor `f` for run n's caller: as superuser, with the caller's claims when it reads them. */
const timeFloor = (su, f, caller, params) => (f.claims ? asSuperuserWithClaims(su, caller, f.sql, params) : timed(su, f.sql, params));

/** Times every case: per run, the median of `reps` requests, its floors and the subject alternating (as section 3 does). */
export async function termsSection({ su, api, users, orgs, runs, warmup, reps = 9 }) {
  const list = cases(users, orgs);
  const results = [];
  for (const c of list) {
    const floors = await resolved(c.floors, su);
    const subjects = [];
    const floorRuns = floors.map(() => []);
    for (let r = -warmup; r < runs; r++) {
      const n = r + 1;
      const params = await Promise.all(floors.map((f) => (f.params ? f.params(n, su) : [])));
      const s = [];
      const f = floors.map(() => []);
      for (let k = 0; k < reps; k++) {
        for (const [i, floor] of floors.entries()) f[i].push(await timeFloor(su, floor, c.caller(n), params[i]));
        s.push(await asRole(api, c.caller(n), c.sql));
      }
      if (r >= 0) {
        subjects.push(median(s));
        for (const [i, times] of f.entries()) floorRuns[i].push(median(times));
      }
    }
    for (const [i, floor] of floors.entries()) {
      const targeted = floor.target === false ? {} : { target: '≤ 1.50×', check: (_s, q) => q <= 1.5 };
      results.push(row({ section: '3', measure: c.measure, unit: 'ms', subjects, floors: floorRuns[i], floorName: floor.name, ...targeted }));
    }
  }
  const notes = [];
  for (const c of list.filter((c) => c.measure.includes('LIMIT 50'))) {
    const shape = c.measure.replace(/, ORDER BY.*/, '');
    notes.push(`plan of the list, ${shape}: ${await planLine(api, c.caller(1), c.sql)}`);
    // Where a case has two floors, theirs too: they differ in their plans (parallel workers or not), not in their rows.
    if (c.floors.length < 2) continue;
    for (const f of await resolved(c.floors, su)) {
      const params = f.params ? await f.params(1, su) : [];
      notes.push(`plan of the list's floor ${f.name}, ${shape}: ${await superuserPlanLine(su, c.caller(1), f.sql, params)}`);
    }
  }
  return { rows: results, notes };
}

/** The data of the notes. */
export function termsData({ rows, users, orgs }) {
  const n = (k) => Math.round(k).toLocaleString('en-US');
  return (
    `access terms data: ${n(rows)} rows each in posts (90% published, ${n(rows / users)} per author), orders (each user buyer of ${n(rows / users)} ` +
    `and seller of ~${n(rows / users)}), contacts (${n(rows / orgs)} per organization; ${ADMINS} extra users, each admin of ${Math.min(ADMIN_OF, orgs)}) ` +
    `and events; user_daily ${n(rows)} rows (${n(rows / users)} per user), user_totals ${n(users)} rows`
  );
}
