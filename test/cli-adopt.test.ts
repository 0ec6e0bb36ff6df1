/**
 * `apply --adopt` and `plan --adopt` from the command line (called in this
 * process), each case on a fresh database of the test server: the output of
 * `generate` run through psql; a table made by hand that lacks an index and a
 * policy and has a column the file does not know; a column of another type;
 * and, without --adopt, the refusal that says --adopt exists.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { connect, createUser, dropDatabase, freshDatabase } from './db/harness.js';
import { catalogSnapshot } from './db/snapshot.js';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from './helpers.js';

afterAll(removeTemporaryDirectories);

const TODOS = `version: 1
entities:
  todos:
    description: Things to do
    fields:
      title: { type: text, required: true }
      done: { type: boolean, default: false }
      priority: integer
      status: { type: text, enum: [open, closed], default: open }
    indexes:
      - [priority]
  plans:
    access: reference
    fields:
      name: { type: text, required: true }
      size: bigint
    rows:
      - { id: 6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f, name: Free }
`;

interface AdoptJson {
  status: string;
  changes: { action: string; kind: string; table?: string; name: string; details: string[]; destructive?: string }[];
  adopted: { kind: string; table?: string; name: string; changed: boolean }[];
  unowned: { kind: string; table: string; name: string }[];
}

/** A fresh database, a project directory holding `yaml`, and the CLI run there against the database. */
function setUp(label: string, yaml: string) {
  const state = { url: '', dir: '', db: undefined as unknown as Database };
  beforeAll(async () => {
    state.url = await freshDatabase(label);
    state.db = await connect(state.url);
    state.dir = temporaryDirectory('altan-adopt-');
    writeFileSync(join(state.dir, 'altan.yaml'), yaml);
  });
  afterAll(async () => {
    if (state.url !== '') await dropDatabase(state.url);
  });
  const run = (...args: string[]) => runCliInProcess([...args, '--database-url', state.url], { cwd: state.dir, env: {} });
  const generate = () => runCliInProcess(['generate'], { cwd: state.dir, env: {} });
  return { state, run, generate };
}

/** The catalog without the record, which an adoption adds. */
async function withoutRecord(db: Database) {
  const { applied: _applied, ...rest } = await catalogSnapshot(db);
  const outside = (row: unknown) => !Object.values(row as Record<string, unknown>).includes('altan_meta');
  return Object.fromEntries(Object.entries(rest).map(([name, rows]) => [name, rows.filter(outside)]));
}

describe('the output of generate, run through psql', () => {
  const { state, run, generate } = setUp('adopt psql', TODOS);

  it('blocks apply and plan, which say --adopt can take it over; apply --adopt records it all with nothing to run, rows kept; then up to date', async () => {
    const generated = await generate();
    expect(generated.status, generated.stderr).toBe(0);
    writeFileSync(join(state.dir, 'schema.sql'), generated.stdout);
    execFileSync('psql', [state.url, '-v', 'ON_ERROR_STOP=1', '-q', '-f', join(state.dir, 'schema.sql')], { stdio: 'pipe' });
    const user = await createUser(state.db);
    await state.db.query(`INSERT INTO public.todos (user_id, title, priority) VALUES ($1, 'a', 1), ($1, 'b', NULL)`, [user]);
    const before = await withoutRecord(state.db);

    // (d) Without --adopt: refused as before, and the way out is named.
    const refused = await run('apply');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      '  - table public.todos already exists and altan-cloud did not create it (it never touches objects it did not make); rename one of them\n',
    );
    expect(refused.stderr).toContain(
      'What already exists can be taken over instead: `altan-cloud plan --adopt` shows what that changes, `altan-cloud apply --adopt` does it.\n',
    );
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    const refusedJson = JSON.parse((await run('apply', '--json')).stdout) as { code: string; problems: { message: string; hint: string }[] };
    expect(refusedJson.code).toBe('plan-blocked');
    expect(refusedJson.problems.map((p) => p.hint)).toEqual([
      'take it over with --adopt (`altan-cloud plan --adopt` shows what that changes), or rename one of them',
      'take it over with --adopt (`altan-cloud plan --adopt` shows what that changes), or rename one of them',
    ]);
    const blocked = await run('plan', '--exit-code');
    expect(blocked.status).toBe(2);
    expect(blocked.stdout).toContain(
      '\nWhat already exists can be taken over instead: `altan-cloud plan --adopt` shows what that changes, `apply --adopt` does it.\n',
    );
    expect((JSON.parse((await run('plan', '--json')).stdout) as { adoptable: number }).adoptable).toBe(2);

    // plan --adopt: everything is adopted as it is, nothing to run (but something to record: exit 3).
    const planned = await run('plan', '--adopt', '--exit-code');
    expect(planned.status, planned.stderr).toBe(3);
    expect(planned.stdout).toMatch(/: 0 changes\n\nadopted \(already there, now altan-cloud's\): 2 tables, 13 columns, .*; all as the file describes them\n/);
    expect(planned.stdout).toContain('\nNo SQL to run: apply --adopt only records them.\n');
    expect(planned.stdout).not.toContain('BEGIN;');

    const applied = await run('apply', '--adopt', '--json');
    expect(applied.status, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as AdoptJson;
    expect(report).toMatchObject({ status: 'applied', changes: [], unowned: [] });
    expect(report.adopted.filter((a) => a.changed)).toEqual([]);
    expect(report.adopted.filter((a) => a.kind === 'table').map((a) => a.name)).toEqual(['plans', 'todos']);
    expect(report.adopted).toContainEqual({ kind: 'seed', table: 'plans', name: '', changed: false });

    expect(await withoutRecord(state.db)).toEqual(before);
    expect(await state.db.query('SELECT title, priority FROM public.todos ORDER BY title')).toEqual([
      { title: 'a', priority: 1 },
      { title: 'b', priority: null },
    ]);
    const again = await run('plan', '--exit-code');
    expect(again.status, again.stdout).toBe(0);
    expect(again.stdout).toContain('is up to date');
  }, 120_000);
});

const ONE_TABLE = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
      done: { type: boolean, default: false }
      priority: integer
    indexes:
      - [priority]
`;

/** ONE_TABLE's table as someone made it by hand: without the index on priority and the delete policy, with a column more. */
const HAND_MADE = `
CREATE TABLE public.todos (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE CASCADE,
  title text NOT NULL,
  done boolean DEFAULT false,
  priority integer,
  legacy text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY todos_select ON public.todos FOR SELECT TO authenticated USING ((select auth.uid()) = user_id);
CREATE POLICY todos_insert ON public.todos FOR INSERT TO authenticated WITH CHECK ((select auth.uid()) = user_id);
CREATE POLICY todos_update ON public.todos FOR UPDATE TO authenticated USING ((select auth.uid()) = user_id) WITH CHECK ((select auth.uid()) = user_id);
CREATE INDEX todos_user_id_idx ON public.todos (user_id);
`;

describe('a table made by hand', () => {
  const { state, run } = setUp('adopt by hand', ONE_TABLE);

  it('gets the missing index, policy and trigger; its column the file does not know is kept with its values; verify passes; then up to date', async () => {
    await state.db.exec(HAND_MADE);
    const user = await createUser(state.db);
    await state.db.query(`INSERT INTO public.todos (user_id, title, legacy) VALUES ($1, 'kept', 'old value')`, [user]);

    const planned = await run('plan', '--adopt');
    expect(planned.status, planned.stderr).toBe(0);
    for (const line of [
      '+ policy todos_delete on todos',
      '+ index todos_priority_idx on todos',
      '+ trigger todos_set_updated_at on todos',
      '+ function set_updated_at',
    ])
      expect(planned.stdout).toContain(`\n  ${line}\n`);
    expect(planned.stdout).not.toMatch(/^ {2}- /m);
    expect(planned.stdout).not.toContain('destructive');
    expect(planned.stdout).toContain("\nleft as they are (not in the file, so not altan-cloud's):\n  column todos.legacy\n");

    const applied = await run('apply', '--adopt', '--json');
    expect(applied.status, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as AdoptJson;
    expect(report.unowned).toEqual([{ kind: 'column', table: 'todos', name: 'legacy' }]);
    expect(report.adopted).toContainEqual({ kind: 'policy', table: 'todos', name: 'todos_select', changed: false });
    expect(report.adopted).toContainEqual({ kind: 'column', table: 'todos', name: 'priority', changed: false });
    expect(report.adopted.map((a) => a.name)).not.toContain('todos_priority_idx');

    expect(await state.db.query('SELECT title, legacy FROM public.todos')).toEqual([{ title: 'kept', legacy: 'old value' }]);
    const verified = await run('verify');
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    const again = await run('plan', '--exit-code');
    expect(again.status, again.stdout).toBe(0);
  }, 120_000);
});

describe('columns of another type', () => {
  const { state, run, generate } = setUp('adopt types', TODOS);

  it('a narrower type is widened in place; one that may not hold every value is refused until --allow-destructive; rows kept', async () => {
    await state.db.exec((await generate()).stdout);
    // priority: text instead of integer (a change that may fail); plans.size: integer instead of bigint (widened).
    await state.db.exec('ALTER TABLE public.todos ALTER COLUMN priority TYPE text; ALTER TABLE public.plans ALTER COLUMN size TYPE integer;');
    const user = await createUser(state.db);
    await state.db.query(`INSERT INTO public.todos (user_id, title, priority) VALUES ($1, 'a', '3')`, [user]);
    await state.db.exec(`UPDATE public.plans SET size = 7`);

    const planned = await run('plan', '--adopt');
    expect(planned.stdout).toContain('\n  ~ column todos.priority: type text → integer  [destructive: type text → integer may not hold every value]\n');
    expect(planned.stdout).toContain('\n  ~ column plans.size: type integer → bigint\n');
    expect(planned.stdout).toContain('\n1 may lose data: apply refuses them without --allow-destructive.\n');

    const snapshot = await catalogSnapshot(state.db);
    const refused = await run('apply', '--adopt');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('refused: this change may lose data, and nothing was applied:\n  ~ column todos.priority: type text → integer');
    expect(await catalogSnapshot(state.db)).toEqual(snapshot);

    const applied = await run('apply', '--adopt', '--allow-destructive');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('\n  ~ column todos.priority: type text → integer\n');
    expect(await state.db.query('SELECT title, priority FROM public.todos')).toEqual([{ title: 'a', priority: 3 }]);
    expect(await state.db.query(`SELECT name, size::text FROM public.plans`)).toEqual([{ name: 'Free', size: '7' }]);
    const again = await run('plan', '--exit-code');
    expect(again.status, again.stdout).toBe(0);
  }, 120_000);
});
