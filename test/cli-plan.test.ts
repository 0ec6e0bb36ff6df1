/**
 * `plan` and `apply --allow-destructive` from the command line (called in
 * this process): on the embedded database (each test in a directory of its
 * own, so each gets a new ./.altan-cloud/db), and on a fresh database of the test server
 * (--database-url) where the test puts rows in the way: NULLs where NOT NULL
 * is asked, a table altan-cloud did not make.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from './helpers.js';
import { connect, createUser, dropDatabase, freshDatabase } from './db/harness.js';
import { catalogSnapshot } from './db/snapshot.js';

afterAll(removeTemporaryDirectories);

// No DATABASE_URL from the environment: the embedded tests are about the default.
const env = { DATABASE_URL: undefined };

interface PlanJson {
  status: 'up-to-date' | 'changes';
  fresh: boolean;
  changes: { action: string; kind: string; table?: string; name: string; details: string[]; destructive?: string }[];
  destructive: { kind: string; table?: string; name: string }[];
  blockers: string[];
  sql: string;
  lastApplied?: { file: string; at: string };
}

const TODOS = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
      done: boolean
`;

/** TODOS with a field and an entity more. */
const TODOS_AND_TAGS = `version: 1
entities:
  todos:
    fields:
      title: { type: text, required: true }
      done: boolean
      note: text
  tags:
    fields:
      label: text
`;

/** A project directory of its own holding `yaml` as altan.yaml. */
function project(yaml: string): string {
  const dir = temporaryDirectory('altan-plan-');
  writeFileSync(join(dir, 'altan.yaml'), yaml);
  return dir;
}

/** The SQL part of a text plan is one transaction. */
function expectTransaction(stdout: string): void {
  expect(stdout).toMatch(/^BEGIN;$/m);
  expect(stdout).toMatch(/^COMMIT;\n$/m);
  expect(stdout.indexOf('\nBEGIN;\n')).toBeLessThan(stdout.indexOf('\nCOMMIT;\n'));
}

describe('plan on the embedded database', () => {
  it('fresh: the whole file; after apply: up to date; a changed file: its additions, until applied', { timeout: 180_000 }, async () => {
    const dir = project(TODOS);
    const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env });

    // Nothing applied yet: every object, and the whole generated script.
    const fresh = await run('plan');
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toMatch(/^database: embedded database \.altan-cloud\/db \(PGlite\)/);
    expect(fresh.stdout).toMatch(
      /^plan for altan\.yaml on embedded database \.altan-cloud\/db \(PGlite\), schema public: nothing applied there yet, the whole file \(\d+ objects\)\n/,
    );
    expect(fresh.stdout).toContain('\n  + table todos\n');
    expect(fresh.stdout).toContain('\n  + policy todos_select on todos\n');
    expect(fresh.stdout).toContain('\n  + function set_updated_at\n');
    expect(fresh.stdout).toContain('CREATE TABLE public.todos (');
    expectTransaction(fresh.stdout);
    expect((await run('plan', '--exit-code')).status).toBe(3);

    const applied = await run('apply');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied altan\.yaml .*created 1 table/);

    const upToDate = await run('plan');
    expect(upToDate.status, upToDate.stderr).toBe(0);
    expect(upToDate.stdout).toBe('altan.yaml is up to date on embedded database .altan-cloud/db (PGlite), schema public: nothing to do\n');
    const check = await run('plan', '--exit-code');
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('is up to date');

    // A field and an entity more: only they are planned, as ALTER TABLE … ADD COLUMN and CREATE TABLE.
    writeFileSync(join(dir, 'altan.yaml'), TODOS_AND_TAGS);
    const changed = await run('plan');
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/^plan for altan\.yaml on embedded database .*\(last applied: altan\.yaml at \d{4}-\d\d-\d\d [^)]+\): \d+ changes\n/);
    expect(changed.stdout).toContain('\n  + column todos.note\n');
    expect(changed.stdout).toContain('\n  + table tags\n');
    expect(changed.stdout).not.toContain('+ table todos');
    expect(changed.stdout).not.toMatch(/^ {2}[-~] /m);
    expect(changed.stdout).toContain('ALTER TABLE public.todos ADD COLUMN note text;');
    expect(changed.stdout).toContain('CREATE TABLE public.tags (');
    expect(changed.stdout).not.toContain('CREATE TABLE public.todos');
    expectTransaction(changed.stdout);

    const json = await run('plan', '--json', '--exit-code');
    expect(json.status, json.stderr).toBe(3);
    const p = JSON.parse(json.stdout) as PlanJson;
    expect(p.status).toBe('changes');
    expect(p.fresh).toBe(false);
    expect(p.blockers).toEqual([]);
    expect(p.destructive).toEqual([]);
    expect(p.lastApplied?.file).toBe('altan.yaml');
    expect(p.changes).toContainEqual({ action: 'create', kind: 'column', table: 'todos', name: 'note', details: [] });
    expect(p.changes).toContainEqual({ action: 'create', kind: 'table', name: 'tags', details: [] });
    expect(p.changes.every((c) => c.action === 'create')).toBe(true);
    expect(p.sql).toMatch(/^BEGIN;$/m);
    expect(p.sql).toMatch(/^COMMIT;$/m);

    const second = await run('apply');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^applied altan\.yaml to embedded database .*: made \d+ changes\n/);
    expect(second.stdout).toContain('\n  + column todos.note\n');
    const after = await run('plan', '--exit-code');
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toContain('altan.yaml is up to date');
  });

  it('a removed field: apply refuses it (exit 2, nothing applied) until --allow-destructive', { timeout: 180_000 }, async () => {
    const dir = project(TODOS_AND_TAGS);
    const run = (...args: string[]) => runCliInProcess(args, { cwd: dir, env });
    expect((await run('apply')).status).toBe(0);
    const before = JSON.parse((await run('plan', '--json')).stdout) as PlanJson;
    expect(before.status).toBe('up-to-date');

    writeFileSync(join(dir, 'altan.yaml'), TODOS_AND_TAGS.replace('      note: text\n', ''));
    const refused = await run('apply');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'altan-cloud: refused: this change may lose data, and nothing was applied:\n' +
        '  - column todos.note: its values are deleted\n' +
        'Run `altan-cloud plan` to see the whole plan; apply with --allow-destructive to make them.\n',
    );
    expect(refused.stderr).not.toMatch(STACK_TRACE);

    // Nothing was applied: the plan still holds the removal, against the same last apply.
    const pending = await run('plan');
    expect(pending.status, pending.stderr).toBe(0);
    expect(pending.stdout).toContain('\n  - column todos.note  [destructive: its values are deleted]\n');
    expect(pending.stdout).toContain('\n1 may lose data: apply refuses them without --allow-destructive.\n');
    expect(pending.stdout).toMatch(/^ALTER TABLE public\.todos DROP COLUMN (IF EXISTS )?note;$/m);
    expectTransaction(pending.stdout);
    const still = JSON.parse((await run('plan', '--json')).stdout) as PlanJson;
    expect(still.status).toBe('changes');
    expect(still.destructive).toEqual([expect.objectContaining({ kind: 'column', table: 'todos', name: 'note' })]);
    expect(still.lastApplied).toEqual(before.lastApplied);

    const allowed = await run('apply', '--allow-destructive');
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('\n  - column todos.note\n');
    const done = await run('plan', '--exit-code');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('altan.yaml is up to date');
  });

  it('an invalid file: exit 1, file:line:col, nothing planned and no database opened', async () => {
    const dir = project('version: 1\nentities:\n  todos:\n    access: everyone\n');
    const r = await runCliInProcess(['plan', '--exit-code'], { cwd: dir, env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^altan\.yaml:4:13: /m);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, '.altan-cloud'))).toBe(false);
    // Not even a server that does not answer is tried.
    const server = await runCliInProcess(['plan', '--database-url', 'postgres://nobody@127.0.0.1:1/none'], { cwd: dir, env });
    expect(server.status).toBe(1);
    expect(server.stderr).not.toContain('cannot connect');
    expect(server.stdout).toBe('');
  });
});

describe('plan and apply on a server database (--database-url)', () => {
  let url = '';
  beforeAll(async () => {
    url = await freshDatabase('cli plan');
  });
  afterAll(async () => {
    if (url !== '') await dropDatabase(url);
  });

  it('blockers (NULLs where NOT NULL is asked, a table it did not make): exit 2 for plan and apply, nothing applied', { timeout: 120_000 }, async () => {
    const dir = project('version: 1\nentities:\n  todos:\n    fields:\n      title: text\n      note: text\n');
    const run = (...args: string[]) => runCliInProcess([...args, '--database-url', url], { cwd: dir, env });
    const first = await run('apply');
    expect(first.status, first.stderr).toBe(0);

    const db = await connect(url);
    const user = await createUser(db);
    await db.query(`INSERT INTO public.todos (user_id, title, note) VALUES ($1, NULL, 'a'), ($1, 'set', 'b')`, [user]);
    await db.exec('CREATE TABLE public.tags (id int)');

    // title becomes required, tags is an entity of the file now: both are in the way.
    writeFileSync(
      join(dir, 'altan.yaml'),
      'version: 1\nentities:\n  todos:\n    fields:\n      title: { type: text, required: true }\n      note: text\n  tags:\n    fields:\n      label: text\n',
    );
    const blocked = await run('plan', '--exit-code');
    expect(blocked.status, blocked.stderr).toBe(2);
    expect(blocked.stderr).toMatch(/^database: postgres:\/\/.* \(--database-url\)\n$/);
    expect(blocked.stdout).toContain('\n  ~ column todos.title: set not null\n');
    expect(blocked.stdout).toContain(
      '\ncannot be applied as it stands:\n' +
        '  - table public.tags already exists and altan-cloud did not create it (it never touches objects it did not make); rename one of them\n' +
        '  - column todos.title cannot be made NOT NULL: 1 row holds NULL in it; set a value in them, or give the field a default, first\n',
    );
    const json = JSON.parse((await run('plan', '--json')).stdout) as PlanJson;
    expect(json.blockers).toHaveLength(2);

    const snapshot = await catalogSnapshot(db);
    const refused = await run('apply');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('altan-cloud: the plan for schema public cannot run; nothing was applied:\n  - table public.tags already exists');
    expect(refused.stderr).toContain('  - column todos.title cannot be made NOT NULL: 1 row holds NULL in it');
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    expect(await catalogSnapshot(db)).toEqual(snapshot);

    // Out of the way: it applies, and the rows stay.
    await db.exec(`UPDATE public.todos SET title = 'filled' WHERE title IS NULL; DROP TABLE public.tags;`);
    const applied = await run('apply');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('\n  ~ column todos.title: set not null\n');
    expect(applied.stdout).toContain('\n  + table tags\n');
    const [nullable] = await db.query<{ is_nullable: string }>(
      `SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'todos' AND column_name = 'title'`,
    );
    expect(nullable?.is_nullable).toBe('NO');
    expect(await db.query('SELECT title FROM public.todos ORDER BY title')).toEqual([{ title: 'filled' }, { title: 'set' }]);

    // A removed field with values in it: refused, the catalog as it was, until --allow-destructive.
    writeFileSync(
      join(dir, 'altan.yaml'),
      'version: 1\nentities:\n  todos:\n    fields:\n      title: { type: text, required: true }\n  tags:\n    fields:\n      label: text\n',
    );
    const before = await catalogSnapshot(db);
    const destructive = await run('apply');
    expect(destructive.status).toBe(2);
    expect(destructive.stderr).toContain('  - column todos.note: its values are deleted\n');
    expect(destructive.stderr).toContain('--allow-destructive');
    expect(destructive.stderr).not.toMatch(STACK_TRACE);
    expect(await catalogSnapshot(db)).toEqual(before);
    expect((await run('plan', '--exit-code')).status).toBe(3);
    const allowed = await run('apply', '--allow-destructive');
    expect(allowed.status, allowed.stderr).toBe(0);
    const done = await run('plan', '--exit-code');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('altan.yaml is up to date on postgres://');
  });
});
