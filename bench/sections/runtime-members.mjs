/**
 * Section 3, members and `via` (issue 16): the shapes of
 * /work/shared/access-rules.md §7 from a requirements file of their own
 * (./runtime-members-data.mjs), applied by the tool to a database of their
 * own, with `rows` rows in each child table, read as PostgREST reads them
 * (and the bucket as Storage lists it), each against the same rows fetched as
 * superuser with the explicit join (the target's floor) and, for information,
 * with the parent ids spelled out as a literal array:
 *   - `member`: projects (users rows) and shared documents (`rows` rows) `read: member`;
 *   - `via` one level: messages `read: { via: room_id }` over rooms `read: member`;
 *   - `via` two levels: task comments → tasks → projects `read: member`;
 *   - `{ via: project_id, member: [admin, editor] }`: reports;
 *   - a `via` bucket: storage.objects of a bucket `read: { via: projects }`, listed by Storage's search.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, cleanup, median, node, row, tempDir } from '../lib/measure.mjs';
import { asRole, loginAs, planLine, timed } from '../lib/request.mjs';
import { databaseUrl, dropDatabase, freshDatabase, withClient } from '../lib/server.mjs';
import { STORAGE_CASES, storageNotes } from './runtime-members-bucket.mjs';
import { MEMBERS_YAML_WITH_BUCKET, idOf, layout, membersData, membersLoadSql, membershipsOf, objectsLoadSql } from './runtime-members-data.mjs';

const DATABASE = 'altan_bench_members';

/** Applies the section's requirements file (entities and the via bucket) with the tool's CLI. */
function applyFile(dir, target) {
  const file = join(dir, 'members.yaml');
  writeFileSync(file, MEMBERS_YAML_WITH_BUCKET);
  node([CLI, 'apply', file, '--database-url', target]);
}

const user = (n, users) => ((n * 37) % users) + 1;
const reader = (users) => (n) => ({ role: 'authenticated', sub: idOf('user', user(n, users)) });

/**
 * The cases: each `{ measure, caller(n), sql, params?(n), floors: [{ name, sql, params(n), target? }],
 * fk?: the column the plan must use as an index condition }`.
 */
function cases({ users, rows }) {
  const caller = reader(users);
  const me = (n) => [idOf('user', user(n, users))];
  const groups = (kind, roles) => (n) => [
    membershipsOf(user(n, users), { users, rows })
      .filter((g) => roles === undefined || roles.includes(g.projectRole))
      .map((g) => idOf(kind, g.group)),
  ];
  const { tasks } = layout({ users, rows });
  const tasksOf = (n) => [
    membershipsOf(user(n, users), { users, rows }).flatMap((g) =>
      Array.from({ length: Math.ceil((tasks - g.group + 1) / users) }, (_, i) => idOf('task', g.group + i * users)),
    ),
  ];
  const shapes = [
    {
      name: `member (projects, ${users.toLocaleString('en-US')} rows)`,
      table: 'public.projects',
      columns: 'id, name, created_at',
      join: ' JOIN public.projects_members AS m ON m.project_id = t.id WHERE m.user_id = $1',
      literal: { where: ' WHERE t.id = ANY ($1::uuid[])', params: groups('project') },
      fk: 'id',
    },
    {
      name: 'member (documents, owned or shared)',
      table: 'public.documents',
      columns: 'id, title, created_at',
      join: ' JOIN public.documents_members AS m ON m.document_id = t.id WHERE m.user_id = $1',
      // The rule as the read policy has it: members, and the row's owner (insert … returning before
      // the membership exists), written as a careful engineer would: the join UNION the owned rows
      // (an OR of the two makes Postgres scan every row). The join alone leaves the owner out: shown, not the target.
      ruleFrom:
        '(SELECT d.* FROM public.documents AS d JOIN public.documents_members AS m ON m.document_id = d.id WHERE m.user_id = $1' +
        ' UNION SELECT d.* FROM public.documents AS d WHERE d.user_id = $1)',
      fk: 'id',
    },
    {
      name: 'via one level (messages → rooms read: member)',
      table: 'public.messages',
      columns: 'id, body, created_at',
      join: ' JOIN public.rooms_members AS m ON m.room_id = t.room_id WHERE m.user_id = $1',
      literal: { where: ' WHERE t.room_id = ANY ($1::uuid[])', params: groups('room') },
      fk: 'room_id',
    },
    {
      name: 'via two levels (task_comments → tasks → projects read: member)',
      table: 'public.task_comments',
      columns: 'id, body, created_at',
      join: ' JOIN public.tasks AS p ON p.id = t.task_id JOIN public.projects_members AS m ON m.project_id = p.project_id WHERE m.user_id = $1',
      literal: { where: ' WHERE t.task_id = ANY ($1::uuid[])', params: tasksOf },
      fk: 'task_id',
    },
    {
      name: 'via member roles (reports, via project_id member [admin, editor])',
      table: 'public.reports',
      columns: 'id, title, created_at',
      join: " JOIN public.projects_members AS m ON m.project_id = t.project_id WHERE m.user_id = $1 AND m.role IN ('admin', 'editor')",
      literal: { where: ' WHERE t.project_id = ANY ($1::uuid[])', params: groups('project', ['admin', 'editor']) },
      fk: 'project_id',
    },
  ];
  const qualified = (columns) =>
    columns
      .split(', ')
      .map((c) => `t.${c}`)
      .join(', ');
  const list = [];
  for (const s of shapes) {
    const queries = [
      ['ORDER BY created_at DESC LIMIT 50', (from, columns) => `SELECT ${columns} FROM ${from} ORDER BY created_at DESC LIMIT 50`],
      ['count(*)', (from) => `SELECT count(*) FROM ${from}`],
    ];
    for (const [query, sql] of queries) {
      const floor = (where) => sql(`${s.table} AS t${where}`, qualified(s.columns)).replace('ORDER BY created_at', 'ORDER BY t.created_at');
      const ruleFloor = () => sql(`${s.ruleFrom} AS t`, qualified(s.columns)).replace('ORDER BY created_at', 'ORDER BY t.created_at');
      const floors = s.ruleFrom
        ? [
            { name: 'superuser, member or owner', sql: ruleFloor(), params: me },
            { name: 'superuser explicit join (members only)', sql: floor(s.join), params: me, target: false },
          ]
        : [{ name: 'superuser explicit join', sql: floor(s.join), params: me }];
      if (s.literal) floors.push({ name: 'superuser fk = ANY (ids)', sql: floor(s.literal.where), params: s.literal.params, target: false });
      list.push({ measure: `${s.name}, ${query}`, caller, sql: sql(s.table, s.columns), floors, fk: query === 'count(*)' ? undefined : s.fk });
    }
  }
  return list;
}

/** Per run, the median of `reps` requests, the floors and the subject alternating (as section 3 does). */
async function measure({ su, api, list, runs, warmup, reps, label, targeted = true }) {
  const results = [];
  for (const c of list) {
    const subjects = [];
    const floorRuns = c.floors.map(() => []);
    for (let r = -(c.warmup ?? warmup); r < runs; r++) {
      const n = r + 1;
      const s = [];
      const f = c.floors.map(() => []);
      for (let k = 0; k < (c.reps ?? reps); k++) {
        for (const [i, floor] of c.floors.entries()) f[i].push(await timed(su, floor.sql, floor.params(n)));
        s.push(await asRole(api, c.caller(n), c.sql, c.params?.(n)));
      }
      if (r >= 0) {
        subjects.push(median(s));
        for (const [i, times] of f.entries()) floorRuns[i].push(median(times));
      }
    }
    for (const [i, floor] of c.floors.entries()) {
      const target = floor.target === false || !targeted ? {} : { target: '≤ 1.50×', check: (_s, q) => q <= 1.5 };
      results.push(row({ section: '3', measure: `${c.measure}${label}`, unit: 'ms', subjects, floors: floorRuns[i], floorName: floor.name, ...target }));
    }
  }
  return results;
}

/** The plan of each list as the caller runs it, and whether the foreign key is an index condition in it. */
async function plans(api, list) {
  const notes = [];
  for (const c of list.filter((c) => c.measure.includes('LIMIT') || c.storage)) {
    const plan = await planLine(api, c.caller(1), c.sql, c.params?.(1));
    const fk = c.fk ? ` [${c.fk} ${new RegExp(`Index Cond: \\(${c.fk} = ANY`).test(plan) ? 'is' : 'is NOT'} an index condition]` : '';
    notes.push(`plan of ${c.measure}${fk}: ${plan}`);
  }
  return notes;
}

export async function membersSection({ url, rows, users, runs, warmup, log, reps = 9 }) {
  const dir = tempDir('members');
  const notes = [];
  const results = [];
  try {
    const target = await freshDatabase(url, DATABASE);
    applyFile(dir, target);
    const started = performance.now();
    await withClient(target, async (c) => {
      await c.query(membersLoadSql({ users, rows }));
      await c.query(objectsLoadSql({ users, rows }));
      await c.query('VACUUM ANALYZE');
    });
    log(`members: loaded and analyzed in ${Math.round(performance.now() - started)} ms`);
    const su = new pg.Client({ connectionString: target });
    const api = new pg.Client({ connectionString: loginAs(databaseUrl(url, DATABASE), 'authenticator') });
    await su.connect();
    await api.connect();
    try {
      const entities = cases({ users, rows });
      const storage = STORAGE_CASES({ users, rows, caller: reader(users) });
      const measuredStarted = performance.now();
      results.push(...(await measure({ su, api, list: entities, runs, warmup, reps, label: '' })));
      results.push(...(await measure({ su, api, list: storage, runs, warmup, reps, label: '' })));
      notes.push(...(await plans(api, entities)), ...(await plans(api, storage)), ...(await storageNotes(su)));
      log(`members: measured in ${Math.round(performance.now() - measuredStarted)} ms`);
    } finally {
      await su.end();
      await api.end();
    }
    notes.unshift(membersData({ users, rows }), 'members file: entities and bucket generated by the tool');
  } finally {
    await dropDatabase(url, DATABASE);
    cleanup(dir);
  }
  return { rows: results, notes };
}
