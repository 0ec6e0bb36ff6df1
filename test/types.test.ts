/**
 * `altan-cloud types` and `generateTypes`: what the types say about columns
 * (optional, nullable, enums), references, views and schemas, read back with
 * the TypeScript compiler (test/typesFile.ts); the command line; and a
 * supabase-js client compiled against the types of the todo example, whose
 * mistakes must not compile. How the types compare with Supabase's own
 * generator on applied databases: test/db/types-generator.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { generateTypes } from '../src/index.js';
import { EXAMPLES_DIR, exampleProject, listExamples, removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from './helpers.js';
import { readTypesFile, typeCheck } from './typesFile.js';

afterAll(removeTemporaryDirectories);

const typesOf = async (yaml: string) => generateTypes(await compile(yaml));
/** The lines of `Database` under `prefix` (`public.Tables.things.Row.`), without it. */
const linesUnder = (types: string, prefix: string) =>
  readTypesFile(types)
    .database.filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));

const FIELDS = `
version: 1
entities:
  things:
    fields:
      title: { type: text, required: true }
      body: { type: text, required: true, default: "" }
      note: text
      cleared: { type: text, default: null }
      status: { type: text, required: true, enum: [open, "won't fix", 'say "why"'], default: open }
      level: { type: smallint, enum: [1, 2, 3] }
      code: { type: char(3), required: true, enum: [EU, USD], default: USD }
      tags: { type: "text[]", enum: [x, y] }
      doc: { type: jsonb, required: true, default: {} }
      extra: json
      addr: inet
      other_id: { references: others, unique: true }
      parent_id: { references: things }
      author: { type: uuid, references: auth.users }
  others:
    access: private
    fields:
      name: text
`;

describe('tables', () => {
  it('Row: nullable columns | null, enums as unions (char(N) as string), json NOT NULL as NonNullable<Json>, inet unknown; sorted by name', async () => {
    expect(linesUnder(await typesOf(FIELDS), 'public.Tables.things.Row.')).toEqual([
      'addr: unknown',
      'author: string | null',
      'body: string',
      'cleared: string | null',
      'code: string',
      'created_at: string',
      'doc: NonNullable<Json>',
      'extra: Json | null',
      'id: string',
      'level: 1 | 2 | 3 | null',
      'note: string | null',
      'other_id: string | null',
      'parent_id: string | null',
      'status: "open" | "won\'t fix" | "say \\"why\\""',
      'tags: ("x" | "y")[] | null',
      'title: string',
      'updated_at: string',
      'user_id: string',
    ]);
  });

  it('Insert: required only when NOT NULL without a default; Update: all optional', async () => {
    const types = await typesOf(FIELDS);
    const required = (part: string) => linesUnder(types, `public.Tables.things.${part}.`).filter((l) => !/^\w+\?:/.test(l));
    expect(required('Insert')).toEqual(['title: string']);
    expect(required('Update')).toEqual([]);
    // DEFAULT NULL is no default (Postgres keeps none): the nullable column is optional for that reason alone.
    expect(linesUnder(types, 'public.Tables.things.Insert.').filter((l) => l.startsWith('cleared'))).toEqual(['cleared?: string | null']);
  });

  it('Relationships: references within the schema, by constraint name; one-to-one when the column is unique; none to auth.users', async () => {
    const types = await typesOf(FIELDS);
    expect(linesUnder(types, 'public.Tables.things.Relationships')).toEqual([
      '[0].foreignKeyName: "things_other_id_fkey"',
      '[0].columns[0]: "other_id"',
      '[0].isOneToOne: true',
      '[0].referencedRelation: "others"',
      '[0].referencedColumns[0]: "id"',
      '[1].foreignKeyName: "things_parent_id_fkey"',
      '[1].columns[0]: "parent_id"',
      '[1].isOneToOne: false',
      '[1].referencedRelation: "things"',
      '[1].referencedColumns[0]: "id"',
    ]);
    expect(linesUnder(types, 'public.Tables.others.Relationships')).toEqual([': [ ]']);
  });

  it('a file of its own schema: Database, DefaultSchema and Constants name it', async () => {
    const types = await typesOf('version: 1\nschema: app\nentities:\n  notes:\n    fields:\n      body: text\n');
    const file = readTypesFile(types);
    expect(file.database.filter((l) => l.startsWith('app.Tables.notes.Row.body'))).toEqual(['app.Tables.notes.Row.body: string | null']);
    expect(file.database.some((l) => l.startsWith('public.'))).toBe(false);
    expect(file.printed.get('DefaultSchema')).toBe('= DatabaseWithoutInternals[Extract<keyof Database, "app">]');
    expect(file.printed.get('Constants')).toBe('{ app: { Enums: {} } } as const');
  });
});

describe('views', () => {
  const VIEWS = `
version: 1
entities:
  others:
    access: private
    fields:
      name: text
      score: integer
materialized_views:
  hidden:
    query: SELECT id FROM public.others
  scores:
    query: SELECT name, sum(score) AS total, count(*), max(score)::text AS best FROM public.others GROUP BY name
    unique_key: [name]
    access: public
  mystery:
    query: SELECT id, my_func(name) AS m FROM public.others
    access: authenticated
  series:
    query: SELECT * FROM generate_series(1, 3)
    access: authenticated
`;

  it('the API views only (a view without access has none), every column nullable, typed from the query', async () => {
    const types = await typesOf(VIEWS);
    expect(linesUnder(types, 'public.Views.scores.')).toEqual([
      'Row.best: string | null',
      'Row.count: number | null',
      'Row.name: string | null',
      'Row.total: number | null',
      'Relationships: [ ]',
    ]);
    expect(readTypesFile(types).database.some((l) => l.includes('hidden'))).toBe(false);
  });

  it("what the query does not tell: an unknown function's column is unknown, a * over a function's rows any column", async () => {
    const types = await typesOf(VIEWS);
    expect(linesUnder(types, 'public.Views.mystery.Row.')).toEqual(['id: string | null', 'm: unknown']);
    expect(linesUnder(types, 'public.Views.series.Row')).toEqual([': [key: string]: unknown;']);
  });
});

describe('every example', () => {
  for (const example of listExamples()) {
    it(`${example.name}: one Database with Tables, Views, Functions, Enums and CompositeTypes, then the helper types and Constants`, async () => {
      const file = readTypesFile(await typesOf(readFileSync(example.path, 'utf8')));
      expect(file.syntaxErrors).toEqual([]);
      expect(file.declarations).toEqual([
        'export type Json',
        'export type Database',
        'type DatabaseWithoutInternals',
        'type DefaultSchema',
        'export type Tables<2>',
        'export type TablesInsert<2>',
        'export type TablesUpdate<2>',
        'export type Enums<2>',
        'export type CompositeTypes<2>',
        'export const Constants',
      ]);
      const groups = [...new Set(file.database.map((l) => l.split(/[.:]/)[1]))];
      expect(groups).toEqual(['Tables', 'Views', 'Functions', 'Enums', 'CompositeTypes']);
    });
  }
});

describe('altan-cloud types', () => {
  it('prints the types of altan.yaml; -o writes them to a file instead', async () => {
    const dir = exampleProject('todo');
    const expected = generateTypes(await compile(readFileSync(join(EXAMPLES_DIR, 'todo', 'altan.yaml'))));
    const printed = await runCliInProcess(['types'], { cwd: dir });
    expect({ status: printed.status, stderr: printed.stderr }).toEqual({ status: 0, stderr: '' });
    expect(printed.stdout).toBe(expected);
    const written = await runCliInProcess(['types', 'altan.yaml', '-o', 'database.types.ts'], { cwd: dir });
    expect({ status: written.status, stdout: written.stdout, stderr: written.stderr }).toEqual({ status: 0, stdout: '', stderr: 'wrote database.types.ts\n' });
    expect(readFileSync(join(dir, 'database.types.ts'), 'utf8')).toBe(expected);
  });

  it('--postgrest-version writes __InternalSupabase; --json prints one document with the types', async () => {
    const dir = exampleProject('marketplace');
    const versioned = await runCliInProcess(['types', '--postgrest-version', '13.0.5'], { cwd: dir });
    expect(versioned.stdout).toContain('export type Database = {\n  __InternalSupabase: {\n    PostgrestVersion: "13.0.5"\n  }\n  public: {');
    const json = await runCliInProcess(['types', '--json'], { cwd: dir });
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expect({ ...doc, types: undefined }).toEqual({
      status: 'ok',
      file: 'altan.yaml',
      schema: 'public',
      tables: ['listings', 'orders', 'reviews'],
      views: ['daily_sales', 'listing_ratings'],
      types: undefined,
      warnings: [],
    });
    expect(doc.types).toBe((await runCliInProcess(['types'], { cwd: dir })).stdout);
  });

  it('an invalid or missing file: its problems, exit 1, no stack trace; with --json the failure document', async () => {
    const dir = temporaryDirectory('altan-types-');
    const bad = await runCliInProcess(['types', '-'], { cwd: dir, input: 'version: 1\nentities:\n  todos:\n    access: everyone\n' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^<stdin>:4:\d+: /);
    const missing = await runCliInProcess(['types', '--json', 'nope.yaml'], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).not.toMatch(STACK_TRACE);
    expect(JSON.parse(missing.stdout)).toMatchObject({ status: 'error', code: 'file-unreadable', exitCode: 1 });
    expect(existsSync(join(dir, 'database.types.ts'))).toBe(false);
  });
});

/** A client of the todo example's API, as an app would write it. */
const CLIENT = `
import { createClient } from '@supabase/supabase-js'
import type { Database, Tables, TablesInsert, TablesUpdate } from './database.types'

const supabase = createClient<Database>('http://127.0.0.1:54321', 'anon-key')

export async function openTodos(): Promise<Tables<'todos'>[]> {
  const { data, error } = await supabase.from('todos').select('*').eq('status', 'open')
  if (error) throw error
  const titles: string[] = data.map((t) => t.title)
  const due: (string | null)[] = data.map((t) => t.due_on)
  const status: 'open' | 'in_progress' | 'done' | undefined = data[0]?.status
  void titles, due, status
  return data
}

export async function addTodo(projectId: string) {
  const todo: TablesInsert<'todos'> = { project_id: projectId, title: 'Write the tests', priority: 1 }
  const { data, error } = await supabase.from('todos').insert(todo).select('id, title, project:projects(name)').single()
  if (error) throw error
  const name: string = data.project.name
  return { id: data.id, name }
}

export async function finish(id: string) {
  const change: TablesUpdate<'todos'> = { status: 'done', completed_at: new Date().toISOString() }
  return supabase.from('todos').update(change).eq('id', id)
}

export async function profile(id: string) {
  const { data } = await supabase.from('profiles').select('username, display_name').eq('id', id).maybeSingle()
  const username: string | undefined = data?.username
  return username
}
`;

/** Each a mistake the types must refuse. */
const MISTAKES: Readonly<Record<string, string>> = {
  'missing-title.ts': `await supabase.from('todos').insert({ project_id: 'p' })`,
  'wrong-type.ts': `await supabase.from('todos').insert({ project_id: 'p', title: 42 })`,
  'not-an-enum-value.ts': `await supabase.from('todos').insert({ project_id: 'p', title: 't', status: 'archived' })`,
  'unknown-column.ts': `await supabase.from('todos').insert({ project_id: 'p', title: 't', colour: 'red' })`,
  'unknown-table.ts': `await supabase.from('tasks').insert({ title: 't' })`,
};

describe('a supabase-js client compiled against the types (tsc --noEmit --strict)', () => {
  it('compiles a client of the todo example; each mistake in an insert is a type error in that file', async () => {
    const dir = temporaryDirectory('altan-types-client-');
    const types = generateTypes(await compile(readFileSync(join(EXAMPLES_DIR, 'todo', 'altan.yaml'))));
    const head = `import { createClient } from '@supabase/supabase-js'\nimport type { Database } from './database.types'\nconst supabase = createClient<Database>('http://127.0.0.1:54321', 'anon-key')\nexport {}\n`;
    const errors = typeCheck(dir, {
      'database.types.ts': types,
      'client.ts': CLIENT,
      ...Object.fromEntries(Object.entries(MISTAKES).map(([name, line]) => [name, `${head}${line}\n`])),
    });
    expect(errors.get('(global)') ?? []).toEqual([]);
    expect(errors.get('database.types.ts')).toEqual([]);
    expect(errors.get('client.ts')).toEqual([]);
    for (const name of Object.keys(MISTAKES)) {
      // the mistake is on the file's fifth line, after the client's set-up
      const lines = new Set(errors.get(name)?.map((e) => e.split(':')[0]));
      expect([...lines], `${name}: ${errors.get(name)?.join('\n')}`).toEqual(['5']);
    }
  }, 60_000);
});
