/**
 * The JSON Schema check: what it accepts, and the exact words and places of
 * what it rejects (these messages are the product's interface for typos).
 */
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../src/load/document.js';
import type { LoadedDocument } from '../src/load/document.js';
import { checkSchema } from '../src/validate/schema.js';
import { editDistance, suggest } from '../src/validate/suggest.js';

function load(text: string): LoadedDocument {
  const result = loadDocument(text, 'requirements.yaml');
  if (!result.ok) throw new Error(`test YAML does not load: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.document;
}

/** The diagnostics, reduced to what a reader of the CLI output sees. */
function check(text: string): { rule: string; message: string; at: string; path: string }[] {
  return checkSchema(load(text)).map((d) => ({ rule: d.rule, message: d.message, at: `${d.line}:${d.column}`, path: d.path }));
}

/** The big example of /work/shared/requirements-format.md, copied verbatim. */
const FORMAT_EXAMPLE = `# yaml-language-server: $schema=../schemas/requirements.schema.json
version: 1                 # required; only 1 exists
schema: public             # optional; the schema that entities and views go to (default public)

entities:                  # map of table name -> entity
  profiles:
    description: Public profile of each user      # -> COMMENT ON TABLE
    access: public-read
    owner: id                                      # the owner field may be the primary key itself
    primary_key: id
    fields:
      id: { type: uuid, references: auth.users, on_delete: cascade }
      username: { type: text, required: true, unique: true }
      bio: text                                    # shorthand: name: type

  todos:                   # access defaults to owner, owner field defaults to user_id
    fields:
      title: { type: text, required: true, check: "char_length(title) <= 200" }
      completed: { type: boolean, required: true, default: false }
      priority: { type: text, enum: [low, normal, high], default: normal }
      project_id: { references: projects, on_delete: set null }   # type comes from the referenced key
    indexes:
      - [user_id, completed]
      - { fields: [title], unique: true, where: "completed = false" }

  countries:
    access: reference
    primary_key: code
    timestamps: false
    fields:
      code: { type: varchar(2) }
      name: { type: text, required: true }
    rows:                                          # seed rows, upserted by primary key
      - { code: US, name: United States }
      - { code: CI, name: "Côte d'Ivoire" }

buckets:                   # map of bucket id -> bucket (storage.buckets)
  avatars:
    public: true
    file_size_limit: 5MB                           # integer bytes, or a number with B, KB, MB, GB
    allowed_mime_types: [image/png, image/jpeg, image/webp]

materialized_views:        # map of view name -> view
  todo_stats:
    query: |
      SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS done
      FROM public.todos GROUP BY user_id
    unique_key: [user_id]                          # unique index, allows REFRESH ... CONCURRENTLY
    refresh: hourly

jobs:                      # optional scheduled SQL of the user's own (pg_cron)
  purge-done-todos:
    schedule: "30 3 * * *"
    sql: DELETE FROM public.todos WHERE completed AND updated_at < now() - interval '90 days'
`;

describe('accepted files', () => {
  it('accepts the example of the format document', () => {
    expect(check(FORMAT_EXAMPLE)).toEqual([]);
  });

  it('accepts the other documented forms', () => {
    const text = [
      '$schema: ../schemas/requirements.schema.json',
      'version: 1',
      'entities:',
      '  notes:',
      '    access: { read: authenticated, create: owner, update: owner, delete: none }',
      '    primary_key: [owner_id, slug]',
      '    fields:',
      '      owner_id: { references: auth.users }',
      '      slug: text',
      '      created: { type: timestamptz, default: { sql: "now()" } }',
      '      rank: { type: integer, enum: [1, 2, 3], default: ~ }',
      '      tags: { type: "text[]", default: [] }',
      'buckets:',
      '  user-files: { file_size_limit: 1048576 }',
      '  docs: { file_size_limit: 1.5 gb, access: { read: authenticated, upload: authenticated, update: none, delete: none } }',
      '  small: { file_size_limit: " 512B " }',
      'materialized_views:',
      '  totals: { query: SELECT 1 AS one, indexes: [[one]], access: public, refresh: every 15 minutes }',
      'jobs:',
      '  nightly_cleanup: { schedule: daily, sql: SELECT 1 }',
    ].join('\n');
    expect(check(text)).toEqual([]);
  });
});

describe('rejected files', () => {
  it('names an unknown key at the key, with a suggestion', () => {
    const text = ['version: 1', 'entities:', '  todos:', '    feilds:', '      title: text'].join('\n');
    expect(check(text)).toEqual([
      {
        rule: 'unknown-key',
        message:
          'unknown key "feilds" in entity "todos" (did you mean "fields"?); allowed: description, access, owner, primary_key, timestamps, realtime, members, fields, indexes, rows',
        at: '4:5',
        path: 'entities.todos.feilds',
      },
    ]);
  });

  it('reports an unknown key without a suggestion when nothing is close', () => {
    const [d] = check('version: 1\ncolour: blue\n');
    expect(d?.message).toBe('unknown key "colour" at the top level; allowed: $schema, version, schema, entities, buckets, materialized_views, jobs');
    expect(d?.at).toBe('2:1');
  });

  it('reports a missing key at the map that lacks it', () => {
    const text = ['version: 1', 'materialized_views:', '  stats:', '    refresh: daily'].join('\n');
    expect(check(text)).toEqual([
      { rule: 'missing-key', message: 'missing required key "query" in materialized view "stats"', at: '4:5', path: 'materialized_views.stats' },
    ]);
  });

  it('reports a value of the wrong type', () => {
    const text = ['version: 1', 'entities:', '  todos:', '    fields:', '      done: { type: boolean, required: yes }'].join('\n');
    expect(check(text)).toEqual([
      {
        rule: 'wrong-type',
        message: 'expected a boolean for "required" in field "todos.done", got string "yes"',
        at: '5:40',
        path: 'entities.todos.fields.done.required',
      },
    ]);
  });

  it('lists the allowed values of a bad preset, once, with a suggestion', () => {
    const text = ['version: 1', 'entities:', '  todos:', '    access: ownr'].join('\n');
    expect(check(text)).toEqual([
      {
        rule: 'invalid-value',
        message:
          '"access" in entity "todos" must be one of owner, public-read, authenticated-read, org, reference, private; got "ownr" (did you mean "owner"?)',
        at: '4:13',
        path: 'entities.todos.access',
      },
    ]);
  });

  it("reports only the map form's errors for an access map", () => {
    const text = ['version: 1', 'entities:', '  todos:', '    access: { reed: public, delete: nobody }'].join('\n');
    expect(check(text).map((d) => `${d.at} ${d.rule}: ${d.message}`)).toEqual([
      '4:15 unknown-key: unknown key "reed" in "access" in entity "todos" (did you mean "read"?); allowed: read, create, update, delete',
      '4:37 invalid-value: "access.delete" in entity "todos" must be one of public, authenticated, owner, org, none, member, or a map { level | user | org | member | via }; got "nobody"',
    ]);
  });

  it('answers version 2 plainly', () => {
    expect(check('version: 2\n')).toEqual([{ rule: 'invalid-value', message: 'unsupported version 2: only version 1 exists', at: '1:10', path: 'version' }]);
  });

  it('requires the version', () => {
    expect(check('entities: {}\n')).toEqual([{ rule: 'missing-key', message: 'missing required key "version" at the top level', at: '1:1', path: '' }]);
  });

  it('rejects a bad entity name at the name', () => {
    const text = ['version: 1', 'entities:', '  Todos:', '    fields: { title: text }'].join('\n');
    expect(check(text)).toEqual([
      {
        rule: 'invalid-name',
        message: 'entity name "Todos" must be lower-case letters, digits and _, starting with a letter or _, at most 63 bytes',
        at: '3:3',
        path: 'entities.Todos',
      },
    ]);
  });

  it('rejects names longer than 63 bytes, and allows - only in bucket and job names', () => {
    const long = 'a'.repeat(64);
    const text = ['version: 1', 'entities:', `  ${long}: {}`, '  my-table: {}', 'jobs:', '  my-job: { schedule: daily, sql: SELECT 1 }'].join('\n');
    expect(check(text).map((d) => `${d.at} ${d.rule} ${d.path}`)).toEqual([`3:3 invalid-name entities.${long}`, '4:3 invalid-name entities.my-table']);
  });

  it('gives one message for a field written as a list', () => {
    const text = ['version: 1', 'entities:', '  todos:', '    fields:', '      title: [text]'].join('\n');
    expect(check(text)).toEqual([
      {
        rule: 'wrong-type',
        message: 'expected a type name or a field map for field "todos.title", got a list',
        at: '5:14',
        path: 'entities.todos.fields.title',
      },
    ]);
  });

  it('reports the branch that matches what was written', () => {
    const text = [
      'version: 1',
      'entities:',
      '  todos:',
      '    primary_key: [id, id]',
      '    indexes:',
      '      - { unique: true }',
      '      - [Title]',
      'buckets:',
      '  avatars: { file_size_limit: 5 megabytes }',
    ].join('\n');
    expect(check(text).map((d) => `${d.at} ${d.rule}: ${d.message}`)).toEqual([
      '4:23 duplicate-item: "primary_key" in entity "todos" lists "id" more than once',
      '6:9 missing-key: missing required key "fields" in index 1 of entity "todos"',
      '7:10 invalid-name: item 1 of index 2 of entity "todos" must be lower-case letters, digits and _, starting with a letter or _, at most 63 bytes; got "Title"',
      '9:31 invalid-value: "file_size_limit" in bucket "avatars" must be a size such as 5MB, 1.5 GB or 512B; got "5 megabytes"',
    ]);
  });

  it('checks the shape of an SQL default', () => {
    const text = ['version: 1', 'entities:', '  todos:', '    fields:', '      due: { type: date, default: { sql: 5, fallback: x } }'].join('\n');
    expect(check(text).map((d) => `${d.at} ${d.rule}: ${d.message}`)).toEqual([
      '5:42 wrong-type: expected a string for "default.sql" in field "todos.due", got number 5',
      '5:45 unknown-key: unknown key "fallback" in "default" in field "todos.due"; allowed: sql',
    ]);
  });
});

describe('files that are not a map', () => {
  it('says an empty file is empty', () => {
    for (const text of ['', '\n\n', '# nothing yet\n']) {
      expect(check(text)).toEqual([{ rule: 'empty-file', message: 'the file is empty: expected a map with "version: 1"', at: '0:0', path: '' }]);
    }
  });

  it('says a list or a scalar is not a map', () => {
    expect(check('- version: 1\n')).toEqual([{ rule: 'wrong-type', message: 'expected a map at the top level, got a list', at: '1:1', path: '' }]);
    expect(check('hello\n')[0]?.message).toBe('expected a map at the top level, got string "hello"');
  });
});

describe('suggest', () => {
  it('finds one slip, swaps included, and ignores case', () => {
    expect(suggest('feilds', ['fields', 'rows'])).toBe('fields');
    expect(suggest('on-delete', ['on_delete', 'default'])).toBe('on_delete');
    expect(suggest('Todos', ['todos'])).toBe('todos');
    expect(editDistance('feilds', 'fields')).toBe(1);
  });

  it('stays quiet when nothing is close', () => {
    expect(suggest('colour', ['version', 'schema'])).toBeUndefined();
    expect(suggest('fields', ['fields'])).toBeUndefined();
  });
});
