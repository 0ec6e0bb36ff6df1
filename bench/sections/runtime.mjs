/**
 * 3. The generated backend at runtime, on the real server: the project's own
 * SQL for an owner table and an org table, loaded with `rows` rows each (over
 * `users` users; `orgs` organizations of users/orgs members each). A request is
 * made as PostgREST makes it (login as authenticator, BEGIN, JWT claims in
 * request.jwt.claims, SET LOCAL ROLE authenticated) and the query is timed
 * against the floor: the same query as superuser (no RLS) with an explicit
 * WHERE on the owner / organization column. Beside each, the naive shape: a
 * copy of the table with no index on that column and a policy calling
 * auth.uid() per row. The access terms of issue 15 (a `where` term, a second
 * user column, org admins, per-user materialized views) are measured the same
 * way on tables of the same file: ./runtime-terms.mjs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, cleanup, median, node, row, tempDir } from '../lib/measure.mjs';
import { asRole, loginAs, planLine, timed } from '../lib/request.mjs';
import { databaseUrl, dropDatabase, freshDatabase, withClient } from '../lib/server.mjs';
import { TERMS_ENTITIES, TERMS_VIEWS, termsData, termsLoadSql, termsSection } from './runtime-terms.mjs';

const DATABASE = 'altan_bench_runtime';

const YAML = `version: 1
entities:
  notes:
    description: Owner access, as every entity gets by default
    fields:
      title: { type: text, required: true }
      body: text
  org_notes:
    description: Organization access
    access: org
    fields:
      title: { type: text, required: true }
      body: text
${TERMS_ENTITIES}materialized_views:
${TERMS_VIEWS}`;

const id = (kind, n) => `'00000000-0000-4000-${kind}-' || lpad((${n})::text, 12, '0')`;

/** Superuser load: FK and creator triggers off (session_replication_role), as they only slow the load down. */
function loadSql({ rows, users, orgs }) {
  const user = (n) => `(${id('8000', n)})::uuid`;
  const org = (n) => `(${id('9000', n)})::uuid`;
  return `
SET session_replication_role = replica;
INSERT INTO auth.users (id, email) SELECT ${user('g')}, 'user' || g || '@bench.invalid' FROM generate_series(1, ${users}) g;
INSERT INTO public.organizations (id, name, created_by) SELECT ${org('g')}, 'org ' || g, ${user('g')} FROM generate_series(1, ${orgs}) g;
-- user u belongs to organization ((u - 1) % orgs) + 1; the first user of each is its admin
INSERT INTO public.organization_members (org_id, user_id, role)
  SELECT ${org(`((g - 1) % ${orgs}) + 1`)}, ${user('g')}, CASE WHEN g <= ${orgs} THEN 'admin' ELSE 'member' END FROM generate_series(1, ${users}) g;
INSERT INTO public.notes (user_id, title, created_at)
  SELECT ${user(`((g - 1) % ${users}) + 1`)}, 'note ' || g, now() - g * interval '1 second' FROM generate_series(1, ${rows}) g;
-- row g: organization o = ((g - 1) % orgs) + 1, written by one of its members (o + orgs * k)
INSERT INTO public.org_notes (org_id, user_id, title, created_at)
  SELECT ${org(`((g - 1) % ${orgs}) + 1`)}, ${user(`((g - 1) % ${orgs}) + 1 + ${orgs} * (((g - 1) / ${orgs}) % ${Math.max(1, Math.floor(users / orgs))})`)},
         'note ' || g, now() - g * interval '1 second' FROM generate_series(1, ${rows}) g;
SET session_replication_role = DEFAULT;
-- The naive shapes: no index on the compared column, auth.uid() evaluated per row.
CREATE TABLE public.notes_naive AS SELECT * FROM public.notes;
ALTER TABLE public.notes_naive ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_naive_select ON public.notes_naive FOR SELECT TO authenticated USING (auth.uid() = user_id);
GRANT SELECT ON public.notes_naive TO authenticated;
CREATE TABLE public.org_notes_naive AS SELECT * FROM public.org_notes;
ALTER TABLE public.org_notes_naive ENABLE ROW LEVEL SECURITY;
CREATE POLICY org_notes_naive_select ON public.org_notes_naive FOR SELECT TO authenticated
  USING (org_id IN (SELECT m.org_id FROM public.organization_members AS m WHERE m.user_id = auth.uid()));
GRANT SELECT ON public.org_notes_naive TO authenticated;
`;
}

const LIST = (table, where) => `SELECT id, title, created_at FROM public.${table}${where} ORDER BY created_at DESC LIMIT 50`;
const COUNT = (table, where) => `SELECT count(*) FROM public.${table}${where}`;

export async function runtimeSection({ url, rows: rowCount, users, orgs, runs, warmup, log }) {
  const dir = tempDir('runtime');
  const notes = [];
  const results = [];
  try {
    // The stand-in cron schema: the materialized views' refresh jobs are scheduled by the apply.
    const target = await freshDatabase(url, DATABASE);
    const file = join(dir, 'runtime.yaml');
    writeFileSync(file, YAML);
    node([CLI, 'apply', file, '--database-url', target]);
    const loadStarted = performance.now();
    await withClient(target, async (c) => {
      await c.query(loadSql({ rows: rowCount, users, orgs }));
      log(`runtime: owner and org tables loaded in ${Math.round(performance.now() - loadStarted)} ms`);
      const termsStarted = performance.now();
      await c.query(termsLoadSql({ rows: rowCount, users, orgs }));
      log(`runtime: access-term tables loaded in ${Math.round(performance.now() - termsStarted)} ms`);
      await c.query('VACUUM ANALYZE');
    });
    log(`runtime: loaded and analyzed in ${Math.round(performance.now() - loadStarted)} ms`);
    const su = new pg.Client({ connectionString: target });
    const api = new pg.Client({ connectionString: loginAs(databaseUrl(url, DATABASE), 'authenticator') });
    // The naive shapes get a connection of their own: their plans cost more than jit_above_cost, and
    // once a session has JIT-compiled a query it keeps llvmjit.so (and libLLVM, 110 MB) loaded, which
    // every parallel worker it starts afterwards loads too (~20 ms a query here). On `api` that made
    // anon's parallel reads of the access terms 1.3-1.8x of a floor whose session never loaded it.
    const naiveApi = new pg.Client({ connectionString: loginAs(databaseUrl(url, DATABASE), 'authenticator') });
    await su.connect();
    await api.connect();
    await naiveApi.connect();
    try {
      const cases = [
        { table: 'notes', column: 'user_id', kind: 'owner', value: (u) => u.user },
        { table: 'org_notes', column: 'org_id', kind: 'org', value: (u) => u.org },
      ];
      for (const c of cases) {
        for (const [name, query] of [
          ['ORDER BY created_at DESC LIMIT 50', LIST],
          ['count(*)', COUNT],
        ]) {
          const floorSql = query(c.table, ` WHERE ${c.column} = $1`);
          for (const shape of ['generated', 'naive']) {
            const table = shape === 'generated' ? c.table : `${c.table}_naive`;
            const client = shape === 'generated' ? api : naiveApi;
            // A naive query scans every row (seconds at 1M rows): one request per run, no warm-up.
            const reps = shape === 'generated' ? 9 : 1;
            const subjects = [];
            const floors = [];
            for (let r = shape === 'generated' ? -warmup : 0; r < runs; r++) {
              const u = member(r + 1 + (shape === 'naive' ? 7 : 0), users, orgs);
              // Each run: the median of `reps` requests, floor and subject alternating.
              const s = [];
              const f = [];
              for (let k = 0; k < reps; k++) {
                f.push(await timed(su, floorSql, [c.value(u)]));
                s.push(await asRole(client, { role: 'authenticated', sub: u.user }, query(table, '')));
              }
              if (r >= 0) {
                subjects.push(median(s));
                floors.push(median(f));
              }
            }
            const measure = `${c.kind} table, ${name}: ${shape === 'generated' ? 'generated policy' : 'naive policy, no index'}`;
            const targeted = shape === 'generated' ? { target: '≤ 1.50×', check: (_s, r) => r <= 1.5 } : {};
            results.push(row({ section: '3', measure, unit: 'ms', subjects, floors, floorName: `superuser WHERE ${c.column}`, ...targeted }));
          }
        }
      }
      notes.push(...(await plans(api, member(1, users, orgs))));
      const termsStarted = performance.now();
      const terms = await termsSection({ su, api, users, orgs, runs, warmup });
      log(`runtime: access terms measured in ${Math.round(performance.now() - termsStarted)} ms`);
      results.push(...terms.rows);
      notes.push(...terms.notes);
    } finally {
      await su.end();
      await api.end();
      await naiveApi.end();
    }
    notes.unshift(
      `runtime data: ${rowCount.toLocaleString('en-US')} rows in each table, ${users.toLocaleString('en-US')} users, ${orgs} organizations ` +
        `(${Math.round(rowCount / users).toLocaleString('en-US')} owner rows per user, ${Math.round(rowCount / orgs).toLocaleString('en-US')} rows per organization)`,
      termsData({ rows: rowCount, users, orgs }),
    );
  } finally {
    await dropDatabase(url, DATABASE);
    cleanup(dir);
  }
  return { rows: results, notes };
}

/** User number n (1-based, wrapping) and the organization it belongs to, as loadSql lays them out. */
function member(n, users, orgs) {
  const u = ((n * 37) % users) + 1;
  const pad = (k) => String(k).padStart(12, '0');
  return { user: `00000000-0000-4000-8000-${pad(u)}`, org: `00000000-0000-4000-9000-${pad(((u - 1) % orgs) + 1)}` };
}

/** The top plan node of each generated query as the API role runs it, for the notes. */
async function plans(api, u) {
  const out = [];
  for (const table of ['notes', 'org_notes']) {
    out.push(`plan of ${table} list as authenticated: ${await planLine(api, { role: 'authenticated', sub: u.user }, LIST(table, ''))}`);
  }
  return out;
}
