/**
 * The named semantic rules: for each, a small file that breaks it, checked for
 * the rule name, the gist of the message and the exact place it points at.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics.js';
import type { RequirementsInput } from '../src/model/input.js';
import { parseSize } from '../src/model/sizes.js';
import { loadSqlParser } from '../src/sql/parser.js';
import { all, at, load, yaml } from './ruleDiagnostics.js';
import { validateDocumentSync as validateDocument } from '../src/validate/index.js';
import { createContext } from '../src/validate/rules/context.js';
import type { Rule } from '../src/validate/rules/context.js';
import { nulCharacter } from '../src/validate/rules/data.js';
import { indexField } from '../src/validate/rules/indexes.js';

// Postgres's parser checks author SQL; validateDocumentSync and checkSqlFragment need it loaded.
beforeAll(loadSqlParser);

const place = (d: Diagnostic): string => `${d.line}:${d.column}`;

/** The diagnostics of one rule; fails when there are none. */
function found(text: string, rule: string): Diagnostic[] {
  const list = all(text).filter((d) => d.rule === rule);
  expect(
    list,
    `no ${rule} diagnostic in:\n${all(text)
      .map((d) => `${d.rule}: ${d.message}`)
      .join('\n')}`,
  ).not.toHaveLength(0);
  return list;
}

/** Exactly one diagnostic of `rule`, with `phrase` in its message, at `where`. */
function expectOne(text: string, rule: string, phrase: string, where: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const list = found(text, rule);
  expect(list.map((d) => d.message)).toHaveLength(1);
  const d = list[0] as Diagnostic;
  expect(d.message).toContain(phrase);
  expect(place(d)).toBe(where);
  expect(d.severity).toBe(severity);
  return d;
}

/** Run a single rule directly, for input the JSON Schema would already refuse. */
function runRule(rule: Rule, text: string): Diagnostic[] {
  const doc = load(text);
  const sink: Diagnostic[] = [];
  rule(createContext(doc, doc.data as RequirementsInput, sink));
  return sink;
}

describe('reserved-schema', () => {
  it.each(['auth', 'storage', 'pg_temp', 'altan_private', 'information_schema'])('refuses schema %s', (schema) => {
    const text = yaml('version: 1', `schema: ${schema}`);
    expectOne(text, 'reserved-schema', `schema "${schema}" belongs to`, '2:9');
  });

  it('accepts an own schema', () => {
    expect(all(yaml('version: 1', 'schema: app')).map((d) => d.rule)).toEqual(['exposed-schema']);
  });
});

describe('unknown-type', () => {
  const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      body: texxt', '      size: { type: integr }');

  it('reports shorthand and map types, listing what is allowed', () => {
    const [first, second] = found(text, 'unknown-type');
    expect(first?.message).toContain('field "notes.body": unknown type "texxt" (did you mean "text"?); allowed: text, varchar');
    expect(place(first as Diagnostic)).toBe(at(text, 5, 'texxt'));
    expect(first?.path).toBe('entities.notes.fields.body');
    expect(second?.message).toContain('unknown type "integr"');
    expect(place(second as Diagnostic)).toBe(at(text, 6, 'integr'));
    expect(second?.path).toBe('entities.notes.fields.size.type');
  });
});

describe('missing-type', () => {
  it('points at the field that has neither type nor references', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      body: { required: true }');
    expectOne(text, 'missing-type', 'field "notes.body" has neither type nor references', at(text, 5, 'body'));
  });
});

describe('unknown-reference', () => {
  it('suggests the entity that was meant', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  projects: { fields: { name: text } }',
      '  todos:',
      '    fields:',
      '      project_id: { references: projets }',
    );
    const d = expectOne(text, 'unknown-reference', 'field "todos.project_id" references "projets"', at(text, 6, 'projets'));
    expect(d.message).toContain('did you mean "projects"?');
  });

  it('explains that organizations needs org access', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      org: { references: organizations }');
    expectOne(text, 'unknown-reference', 'exists only when some entity uses org access', at(text, 5, 'organizations'));
  });

  it('accepts organizations when an entity uses org access', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    access: org', '    fields:', '      other_org: { references: organizations }');
    expect(all(text).filter((d) => d.rule === 'unknown-reference')).toEqual([]);
  });
});

describe('composite-reference', () => {
  it('refuses a reference to an entity with a two-field key', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  memberships:',
      '    primary_key: [team, member]',
      '    fields: { team: uuid, member: uuid }',
      '  notes:',
      '    fields:',
      '      membership: { references: memberships }',
    );
    expectOne(text, 'composite-reference', 'whose primary key has 2 fields (team, member)', at(text, 8, 'memberships'));
  });
});

describe('reference-type', () => {
  it('refuses a declared type that differs from the referenced key', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      author: { type: text, references: auth.users }');
    expectOne(text, 'reference-type', 'is declared text but references auth.users.id, which is uuid', at(text, 5, 'text'));
  });

  it('compares with the key of a referenced entity', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  countries: { access: reference, primary_key: code, fields: { code: varchar(2) } }',
      '  notes:',
      '    fields:',
      '      country: { type: text, references: countries }',
    );
    expectOne(text, 'reference-type', 'references countries.code, which is varchar(2)', at(text, 6, 'text'));
  });

  it('reports references that loop without a type', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  a: { primary_key: x, fields: { x: { references: b } } }',
      '  b: { primary_key: y, fields: { y: { references: a } } }',
    );
    const list = found(text, 'reference-type');
    expect(list.map(place)).toEqual([at(text, 3, 'b }'), at(text, 4, 'a }')]);
    expect(list[0]?.message).toContain('go round in a loop (a.x → b.y → a.x)');
  });
});

describe('on-delete', () => {
  it('refuses on_delete without references', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      title: { type: text, on_delete: cascade }');
    expectOne(text, 'on-delete', 'has on_delete but no references', at(text, 5, 'on_delete'));
  });

  it.each([
    ['a required field', '      author: { references: auth.users, required: true, on_delete: set null }', 'it is required'],
    ['the owner field', '      user_id: { references: auth.users, on_delete: set null }', 'it is the owner field'],
  ])('refuses set null on %s', (_, line, reason) => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', line);
    expectOne(text, 'on-delete', reason, at(text, 5, 'set null'));
  });

  it('refuses set null on a primary-key field', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  profiles:',
      '    access: public-read',
      '    owner: id',
      '    primary_key: id',
      '    fields:',
      '      id: { references: auth.users, on_delete: set null }',
    );
    const list = found(text, 'on-delete');
    expect(list[0]?.message).toContain('part of the primary key');
    expect(place(list[0] as Diagnostic)).toBe(at(text, 8, 'set null'));
  });
});

describe('primary-key', () => {
  it('refuses an undeclared key field, with a suggestion', () => {
    const text = yaml('version: 1', 'entities:', '  tags:', '    primary_key: [code, nmae]', '    fields: { code: text, name: text }');
    const d = expectOne(text, 'primary-key', 'names "nmae", which is not a declared field', at(text, 4, 'nmae'));
    expect(d.message).toContain('did you mean "name"?');
    expect(d.path).toBe('entities.tags.primary_key.1');
  });
});

describe('implicit-id', () => {
  it('asks for primary_key: id when id is declared', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      id: bigint');
    expectOne(text, 'implicit-id', 'add primary_key: id', at(text, 5, 'id'));
  });
});

describe('implicit-column', () => {
  it('refuses a timestamp column while timestamps are on', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      created_at: timestamptz');
    expectOne(text, 'implicit-column', 'remove it, or set timestamps: false', at(text, 5, 'created_at'));
  });

  it('accepts it with timestamps: false', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    timestamps: false', '    fields:', '      created_at: timestamptz');
    expect(all(text)).toEqual([]);
  });

  it('refuses org_id on an org entity', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    access: org', '    fields:', '      org_id: uuid');
    expectOne(text, 'implicit-column', 'uses org access; remove it', at(text, 6, 'org_id'));
  });
});

describe('owner-without-owner-access', () => {
  it('refuses owner on an entity without an owner', () => {
    const text = yaml('version: 1', 'entities:', '  countries:', '    access: reference', '    owner: author', '    fields: { name: text }');
    expectOne(text, 'owner-without-owner-access', 'sets owner, but its access involves no owner', at(text, 5, 'owner'));
  });
});

describe('owner-type', () => {
  it('refuses an owner field that is not uuid', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    owner: author', '    fields:', '      author: { type: text }');
    expectOne(text, 'owner-type', 'owner field "notes.author" is text', at(text, 6, 'text'));
  });

  it('refuses org_id as the owner of an org entity', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    access: org', '    owner: org_id', '    fields: { body: text }');
    expectOne(text, 'owner-type', 'the owner must be a user column', at(text, 5, 'org_id'));
  });
});

describe('reserved-entity', () => {
  it('refuses an organizations entity while org access is used', () => {
    const text = yaml('version: 1', 'entities:', '  notes: { access: org, fields: { body: text } }', '  organizations:', '    fields: { name: text }');
    expectOne(text, 'reserved-entity', 'the tool creates the organizations table itself', at(text, 4, 'organizations'));
  });

  it('allows the name without org access', () => {
    const text = yaml('version: 1', 'entities:', '  organizations:', '    fields: { name: text }');
    expect(all(text)).toEqual([]);
  });
});

describe('enum-type', () => {
  it('refuses enum on a boolean', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      done: { type: boolean, enum: [true] }');
    expectOne(text, 'enum-type', 'needs a text or number type', at(text, 5, 'enum'));
  });

  it('refuses a value that does not fit, and a value listed twice', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      level: { type: integer, enum: [1, two, 3, "3"] }');
    const [misfit, twice] = found(text, 'enum-type');
    expect(misfit?.message).toContain('enum value "two" of field "notes.level" does not fit integer');
    expect(place(misfit as Diagnostic)).toBe(at(text, 5, 'two'));
    expect(twice?.message).toContain('lists "3" twice (items 3 and 4)');
    expect(place(twice as Diagnostic)).toBe(at(text, 5, '"3"'));
  });

  it('accepts enum on an array of text', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      tags: { type: "text[]", enum: [a, b] }');
    expect(all(text)).toEqual([]);
  });
});

describe('enum-default', () => {
  it('refuses a default outside the enum', () => {
    const text = yaml('version: 1', 'entities:', '  todos:', '    fields:', '      priority: { type: text, enum: [low, high], default: normal }');
    expectOne(text, 'enum-default', 'default "normal" of field "todos.priority" is not one of its enum values ("low", "high")', at(text, 5, 'normal'));
  });

  it('checks every element of an array default', () => {
    const text = yaml('version: 1', 'entities:', '  todos:', '    fields:', '      tags: { type: "text[]", enum: [a, b], default: [a, c] }');
    expectOne(text, 'enum-default', 'default "c"', at(text, 5, '[a, c]'));
  });
});

describe('default-type', () => {
  it('refuses a literal of the wrong type', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      count: { type: integer, default: many }');
    expectOne(text, 'default-type', 'default of field "notes.count" does not fit integer: expected an integer', at(text, 5, 'many'));
  });

  it('refuses a map default on text, pointing to { sql: }', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      body: { type: text, default: { a: 1 } }');
    expectOne(text, 'default-type', 'for an SQL expression write { sql: "..." }', at(text, 5, '{ a: 1 }'));
  });

  it('accepts maps for jsonb, lists for arrays and SQL defaults', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  notes:',
      '    fields:',
      '      meta: { type: jsonb, default: { a: [1, 2] } }',
      '      tags: { type: "text[]", default: [x, y] }',
      '      due: { type: date, default: { sql: "current_date + 7" } }',
    );
    expect(all(text)).toEqual([]);
  });

  it('refuses default null on a required field', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      body: { type: text, required: true, default: null }');
    expectOne(text, 'default-type', 'is required but has default null', at(text, 5, 'null'));
  });
});

describe('sql-fragment', () => {
  it('checks check, where, SQL defaults and view queries', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  todos:',
      '    fields:',
      '      title: { type: text, check: "char_length(title) <= 200)" }',
      '      due: { type: date, default: { sql: "now(" } }',
      '    indexes:',
      '      - { fields: [title], where: "title <> \'\'; DROP TABLE x" }',
      'materialized_views:',
      '  stats:',
      '    query: DELETE FROM public.todos',
      '    unique_key: [id]',
    );
    const list = found(text, 'sql-fragment');
    expect(list.map((d) => d.message)).toEqual([
      'check of field "todos.title" must be one SQL expression: unbalanced ")" (column 26)',
      'SQL default of field "todos.due" must be one SQL expression: unbalanced "(": missing ")" (column 5)',
      'where of index 1 of entity "todos" must be one SQL expression: ";" is not allowed in an SQL expression (column 12)',
      'query of materialized view "stats" must be a single SELECT query: a view query must start with SELECT, WITH, VALUES or TABLE (it is a DELETE)',
    ]);
    expect(list.map(place)).toEqual([at(text, 5, '"char'), at(text, 6, '"now('), at(text, 8, '"title'), at(text, 11, 'DELETE')]);
    expect(list[1]?.path).toBe('entities.todos.fields.due.default.sql');
  });
});

describe('index-field', () => {
  it('refuses a field that is not a column, with a suggestion', () => {
    const text = yaml('version: 1', 'entities:', '  todos:', '    fields: { title: text }', '    indexes:', '      - [user_id, titel]');
    const d = expectOne(text, 'index-field', 'index 1 of entity "todos" names "titel", which is not a column', at(text, 6, 'titel'));
    expect(d.message).toContain('did you mean "title"?');
  });

  it('accepts implicit columns', () => {
    const text = yaml('version: 1', 'entities:', '  todos:', '    fields: { title: text }', '    indexes:', '      - [user_id, created_at]');
    expect(all(text)).toEqual([]);
  });

  it('refuses a field named twice (the schema normally stops this first)', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  todos:',
      '    fields: { title: text }',
      '    indexes:',
      '      - { fields: [title, title] }',
      'materialized_views:',
      '  stats: { query: SELECT 1 AS n, unique_key: [n, n] }',
    );
    const list = runRule(indexField, text);
    expect(list.map((d) => d.rule)).toEqual(['index-field', 'index-field']);
    expect(list[0]?.message).toContain('index 1 of entity "todos" names field "title" twice');
    expect(place(list[0] as Diagnostic)).toBe(at(text, 6, 'title', 2));
    expect(list[1]?.message).toContain('unique_key of materialized view "stats" names field "n" twice');
    expect(place(list[1] as Diagnostic)).toBe(at(text, 8, 'n]'));
  });
});

describe('duplicate-index', () => {
  it('refuses the same index twice', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  todos:',
      '    fields: { title: text }',
      '    indexes:',
      '      - { fields: [title], where: "title <> \'\'" }',
      '      - { fields: [title], where: "title  <>  \'\'" }',
      '      - { fields: [title], unique: true }',
    );
    expectOne(text, 'duplicate-index', 'index 2 of entity "todos" repeats index 1', at(text, 7, '{'));
  });

  it('warns about an index that only repeats the primary key', () => {
    const text = yaml('version: 1', 'entities:', '  todos:', '    fields: { title: text }', '    indexes:', '      - [id]');
    expectOne(text, 'duplicate-index', 'only repeats the primary key (id)', at(text, 6, '['), 'warning');
  });
});

describe('schedule', () => {
  it('refuses bad view refreshes and job schedules', () => {
    const text = yaml(
      'version: 1',
      'materialized_views:',
      '  stats: { query: SELECT 1 AS n, unique_key: [n], refresh: every 7 minutes }',
      'jobs:',
      '  purge:',
      '    schedule: "61 * * * *"',
      '    sql: SELECT 1',
    );
    const [view, job] = found(text, 'schedule');
    expect(view?.message).toContain('refresh of materialized view "stats": "every 7 minutes" needs N to divide 60');
    expect(place(view as Diagnostic)).toBe(at(text, 3, 'every'));
    expect(job?.message).toContain('schedule of job "purge": schedule "61 * * * *": minute field "61" must be within 0-59');
    expect(place(job as Diagnostic)).toBe(at(text, 6, '"61'));
  });
});

describe('name-collision', () => {
  it('refuses a view named like an entity or a generated table, and a job named like a refresh job', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  todos: { access: org, fields: { title: text } }',
      'materialized_views:',
      '  todos: { query: SELECT 1 AS n, unique_key: [n] }',
      '  organization_members: { query: SELECT 1 AS n, unique_key: [n] }',
      'jobs:',
      '  refresh-todos: { schedule: daily, sql: SELECT 1 }',
    );
    const list = found(text, 'name-collision');
    expect(list.map(place)).toEqual([at(text, 5, 'todos'), at(text, 6, 'organization_members'), at(text, 8, 'refresh-todos')]);
    expect(list[0]?.message).toContain('materialized view "todos" has the same name as entity "todos"');
    expect(list[1]?.message).toContain('collides with the organization_members table that org access creates');
    expect(list[2]?.message).toContain('job "refresh-todos" has the name of the refresh job');
  });
});

describe('seed-rows', () => {
  const text = yaml(
    'version: 1',
    'entities:',
    '  countries:',
    '    access: reference',
    '    primary_key: code',
    '    timestamps: false',
    '    fields:',
    '      code: varchar(2)',
    '      name: { type: text, required: true }',
    '      size: { type: text, enum: [small, large] }',
    '    rows:',
    '      - { code: US, name: United States, capital: Washington }',
    '      - { code: USA, name: Nowhere }',
    '      - { name: Nameless }',
    '      - { code: CI }',
    '      - { code: US, name: Again, size: huge }',
  );

  it('reports every problem in the rows', () => {
    const list = found(text, 'seed-rows');
    expect(list.map((d) => [place(d), d.message])).toEqual([
      [at(text, 12, 'capital'), 'row 1 of entity "countries" sets "capital", which is not a column of "countries"'],
      [at(text, 13, 'USA'), 'row 2 of entity "countries", column "code" does not fit varchar(2): value is 3 characters long; varchar(2) holds at most 2'],
      [at(text, 14, '{'), 'row 3 of entity "countries" has no "code": rows are upserted by primary key, so give it a value in every row'],
      [at(text, 15, '{'), 'row 4 of entity "countries" has no value for "name", but it is required and has no default; add "name" to the row'],
      [at(text, 16, '{'), 'rows 1 and 5 of entity "countries" have the same primary key (code = \'US\'); remove or change one'],
      [at(text, 16, 'huge'), 'row 5 of entity "countries", column "size": "huge" is not one of the enum values ("small", "large")'],
    ]);
  });

  it('needs a fixed id and the owner for rows of an owner entity', () => {
    const rows = yaml('version: 1', 'entities:', '  notes:', '    fields: { body: text }', '    rows:', '      - { body: hello }');
    const list = found(rows, 'seed-rows');
    expect(list.map((d) => d.message)).toEqual([
      'row 1 of entity "notes" has no "id": rows are upserted by primary key, so give each row a fixed id uuid (the generated one would differ on every run)',
      'row 1 of entity "notes" has no value for "user_id", but the owner column defaults to auth.uid(), which is null while the migration runs; add "user_id" to the row',
    ]);
    expect(list.map(place)).toEqual([at(rows, 6, '{'), at(rows, 6, '{')]);
  });
});

describe('bucket-size', () => {
  it.each([
    ['"0.5B"', 'is less than 1 byte'],
    ['9000000GB', 'is larger than 9007199254740992 bytes'],
  ])('refuses %s', (size, phrase) => {
    const text = yaml('version: 1', 'buckets:', '  avatars:', `    file_size_limit: ${size}`);
    const d = expectOne(text, 'bucket-size', 'file_size_limit of bucket "avatars": size', at(text, 4, size));
    expect(d.message).toContain(phrase);
  });

  it('parses sizes with binary units, rounding down to whole bytes', () => {
    expect(parseSize('5MB')).toEqual({ ok: true, bytes: 5 * 1024 * 1024 });
    expect(parseSize('1.5 kb')).toEqual({ ok: true, bytes: 1536 });
    expect(parseSize('1.1MB')).toEqual({ ok: true, bytes: 1153433 });
    expect(parseSize('512B')).toEqual({ ok: true, bytes: 512 });
    expect(parseSize(1)).toEqual({ ok: true, bytes: 1 });
    expect(parseSize('8388608GB')).toEqual({ ok: true, bytes: 2 ** 53 });
    expect(parseSize('8388608.001GB').ok).toBe(false);
    expect(parseSize(1.5).ok).toBe(false);
    expect(parseSize(0).ok).toBe(false);
    expect(parseSize('1024').ok).toBe(false);
    expect(parseSize('5MiB').ok).toBe(false);
  });
});

describe('mime-type', () => {
  it('refuses malformed and repeated mime types', () => {
    const text = yaml('version: 1', 'buckets:', '  avatars:', '    allowed_mime_types: [image/png, "*/*", image, IMAGE/PNG, image/*]');
    const list = found(text, 'mime-type');
    expect(list.map(place)).toEqual([at(text, 4, '"*/*"'), at(text, 4, 'image,'), at(text, 4, 'IMAGE/PNG')]);
    expect(list[0]?.message).toContain('is not of the form type/subtype or type/*');
    expect(list[2]?.message).toContain('lists mime type "IMAGE/PNG" twice (items 1 and 4; case does not matter)');
  });
});

describe('write-access', () => {
  it('refuses public update and delete', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    access: { read: public, update: public }', '    fields: { body: text }');
    expectOne(text, 'write-access', 'anyone, even without signing in, could update every row', at(text, 4, 'public', 2));
  });

  it('warns about create and update opened to every caller', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  notes:',
      '    access: { read: public, create: public, update: authenticated }',
      '    fields: { body: text }',
    );
    const result = validateDocument(load(text));
    expect(result.errors).toEqual([]);
    expect(result.input).toBeDefined();
    expect(result.warnings.map((d) => [d.rule, place(d)])).toEqual([
      ['open-write', at(text, 4, 'public', 2)],
      ['open-write', at(text, 4, 'authenticated')],
    ]);
    expect(result.warnings[1]?.message).toContain("any signed-in user may update any row, including other users' rows");
  });
});

describe('view-refresh', () => {
  it('warns about a view without unique_key', () => {
    const text = yaml('version: 1', 'materialized_views:', '  stats:', '    query: SELECT 1 AS n');
    expectOne(text, 'view-refresh', 'has no unique_key, so each refresh locks it', at(text, 3, 'stats'), 'warning');
  });
});

describe('nul-character', () => {
  it('reports a NUL written as "\\0" in a value', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    description: "bad\\0text"', '    fields: { body: text }');
    const d = expectOne(text, 'nul-character', 'contains a NUL character', at(text, 4, '"bad'));
    expect(d.path).toBe('entities.notes.description');
  });

  it('reports a NUL in a key (the schema normally stops this first)', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    rows:', '      - { "a\\0b": 1 }');
    const list = runRule(nulCharacter, text);
    expect(list.map((d) => [d.rule, place(d), d.path])).toEqual([['nul-character', at(text, 5, '"a'), 'entities.notes.rows.0.a\\0b']]);
  });

  it('does not let other rules trip over the NUL', () => {
    const text = yaml('version: 1', 'entities:', '  notes:', '    fields:', '      body: { type: text, default: "x\\0" }');
    expect(all(text).map((d) => d.rule)).toEqual(['nul-character']);
  });
});

describe('validateDocument', () => {
  it('collects every problem and sorts errors before warnings', () => {
    const text = yaml(
      'version: 1',
      'schema: auth',
      'entities:',
      '  notes:',
      '    fields: { body: texxt, id: uuid }',
      'materialized_views:',
      '  stats: { query: SELECT 1 AS n }',
    );
    const result = validateDocument(load(text));
    expect(result.errors.map((d) => d.rule)).toEqual(['reserved-schema', 'unknown-type', 'implicit-id']);
    expect(result.warnings.map((d) => d.rule)).toEqual(['view-refresh']);
    expect(result.input).toBeUndefined();
  });

  it('still runs the rules on the well-formed parts when the shape is wrong', () => {
    const text = yaml('version: 1', 'schema: auth', 'entitis: {}');
    const result = validateDocument(load(text));
    expect(result.errors.map((d) => d.rule)).toEqual(['reserved-schema', 'unknown-key']);
    expect(result.input).toBeUndefined();
  });
});

describe('the example of requirements-format.md', () => {
  // The format's own example, completed with the `projects` entity it refers to.
  const example = yaml(
    '# yaml-language-server: $schema=../schemas/requirements.schema.json',
    'version: 1',
    'schema: public',
    '',
    'entities:',
    '  profiles:',
    '    description: Public profile of each user',
    '    access: public-read',
    '    owner: id',
    '    primary_key: id',
    '    fields:',
    '      id: { type: uuid, references: auth.users, on_delete: cascade }',
    '      username: { type: text, required: true, unique: true }',
    '      bio: text',
    '',
    '  projects:',
    '    fields:',
    '      name: { type: text, required: true }',
    '',
    '  todos:',
    '    fields:',
    '      title: { type: text, required: true, check: "char_length(title) <= 200" }',
    '      completed: { type: boolean, required: true, default: false }',
    '      priority: { type: text, enum: [low, normal, high], default: normal }',
    '      project_id: { references: projects, on_delete: set null }',
    '    indexes:',
    '      - [user_id, completed]',
    '      - { fields: [title], unique: true, where: "completed = false" }',
    '',
    '  countries:',
    '    access: reference',
    '    primary_key: code',
    '    timestamps: false',
    '    fields:',
    '      code: { type: varchar(2) }',
    '      name: { type: text, required: true }',
    '    rows:',
    '      - { code: US, name: United States }',
    '      - { code: CI, name: "Côte d\'Ivoire" }',
    '',
    'buckets:',
    '  avatars:',
    '    public: true',
    '    file_size_limit: 5MB',
    '    allowed_mime_types: [image/png, image/jpeg, image/webp]',
    '',
    'materialized_views:',
    '  todo_stats:',
    '    query: |',
    '      SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS done',
    '      FROM public.todos GROUP BY user_id',
    '    unique_key: [user_id]',
    '    refresh: hourly',
    '',
    'jobs:',
    '  purge-done-todos:',
    '    schedule: "30 3 * * *"',
    "    sql: DELETE FROM public.todos WHERE completed AND updated_at < now() - interval '90 days'",
  );

  it('validates with no errors and no warnings', () => {
    const result = validateDocument(load(example));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.input?.entities?.todos?.fields?.priority).toEqual({ type: 'text', enum: ['low', 'normal', 'high'], default: 'normal' });
  });
});
