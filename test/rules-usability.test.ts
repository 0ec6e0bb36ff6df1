/** Rules that catch files which compile but would not work through PostgREST. */
import { describe, expect, it } from 'vitest';
import { validate } from '../src/compile.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const diagnostics = async (text: string, rule: string) => {
  const r = await validate(text, { fileName: 't.yaml' });
  return [...r.errors, ...r.warnings].filter((d) => d.rule === rule).map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);
};

describe('write-without-read', () => {
  it('warns when update is allowed but read is not', async () => {
    const text = yaml('version: 1', 'entities:', '  t:', '    access: { read: none, create: owner, update: owner }', '    fields: { a: text }');
    const found = await diagnostics(text, 'write-without-read');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^4:50 warning entity "t" allows update but not read/);
  });
  it('is silent when read is granted', async () => {
    expect(await diagnostics(yaml('version: 1', 'entities:', '  t:', '    fields: { a: text }'), 'write-without-read')).toEqual([]);
  });
});

describe('json-equality', () => {
  it('refuses unique, enum and indexes on json, but not on jsonb', async () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  t:',
      '    fields:',
      '      a: { type: json, unique: true }',
      '      b: { type: jsonb, unique: true }',
      '    indexes:',
      '      - [a]',
      '      - [b]',
    );
    const found = await diagnostics(text, 'json-equality');
    expect(found).toEqual([
      '5:32 error field "t.a" is unique, but json has no equality operator; use jsonb',
      '8:9 error index 1 of entity "t" includes "a", but json has no equality operator; use jsonb',
    ]);
  });
});

describe('exposed-schema', () => {
  it('warns that a schema other than public must be exposed by PostgREST', async () => {
    const found = await diagnostics(yaml('version: 1', 'schema: app', 'entities:', '  t: { fields: { a: text } }'), 'exposed-schema');
    expect(found).toEqual([
      '2:9 warning schema "app" is reachable through the API only if PostgREST\'s db-schemas lists it (Supabase exposes public by default)',
    ]);
  });
});

describe('owner-type for columns the tool adds itself', () => {
  it('refuses owner: id without primary_key, and owner: created_at with timestamps on', async () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  a:',
      '    owner: id',
      '    fields: { x: text }',
      '  b:',
      '    owner: created_at',
      '    fields: { x: text }',
    );
    const found = await diagnostics(text, 'owner-type');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^4:12 error owner "id" of entity "a" is a column the tool adds itself \(the implicit primary key\)/);
    expect(found[1]).toMatch(/^7:12 error owner "created_at" of entity "b" is a column the tool adds itself \(a timestamp\)/);
  });
});

describe('write-access for anonymous creates', () => {
  it('refuses create: public on an entity whose rows have an owner', async () => {
    const text = yaml('version: 1', 'entities:', '  c:', '    access: { read: public, create: public, update: owner }', '    fields: { body: text }');
    expect(await diagnostics(text, 'write-access')).toEqual([
      '4:37 error entity "c" gives create access to public, but its rows have an owner column: an anonymous caller has no id to own a row; use authenticated or owner',
    ]);
  });
});

describe('view-over-auth-users', () => {
  it('refuses an API-readable view that reads auth.users, but not a private one or a string mentioning it', async () => {
    const text = yaml(
      'version: 1',
      'materialized_views:',
      '  a: { query: "SELECT id FROM auth . \\"users\\"", unique_key: [id], access: authenticated }',
      '  b: { query: "SELECT id FROM auth.users", unique_key: [id] }',
      '  c: { query: "SELECT \'auth.users\' AS t", unique_key: [t], access: public }',
    );
    const found = await diagnostics(text, 'view-over-auth-users');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3:15 error materialized view "a" reads auth.users/);
  });
});

describe('public-bucket-read', () => {
  it('warns that a public bucket serves files to anyone whatever read says', async () => {
    const text = yaml('version: 1', 'buckets:', '  docs: { public: true, access: { read: authenticated } }', '  pics: { public: true }');
    expect(await diagnostics(text, 'public-bucket-read')).toHaveLength(1);
    expect((await diagnostics(text, 'public-bucket-read'))[0]).toMatch(/^3:41 warning bucket "docs" is public/);
  });
});

describe('rules next to shape problems', () => {
  it('reports semantic problems of well-formed parts, but nothing caused by removing a malformed one', async () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  projects:',
      '    access: ownr',
      '  todos:',
      '    fields:',
      '      project_id: { references: projects }',
      '      title: { type: txt }',
      '      when: { type: date, default: tomorrow }',
      '    indexs: [[title]]',
    );
    const r = await validate(text, { fileName: 't.yaml' });
    expect(r.errors.map((d) => `${d.line}:${d.column} ${d.rule}`)).toEqual([
      '4:13 invalid-value',
      '8:22 unknown-type',
      '9:36 default-type',
      '10:5 unknown-key',
    ]);
  });
});

describe('view-over-auth-users cannot be dodged by quoting', () => {
  it('sees quoted schema names and real code after an E string, but not text inside literals', async () => {
    const text = [
      'version: 1',
      'materialized_views:',
      '  a: { query: "SELECT id FROM \\"auth\\".\\"users\\"", unique_key: [id], access: public }',
      `  b: { query: "SELECT E'\\\\'' AS x, id FROM auth.users --'", unique_key: [id], access: public }`,
      '  c: { query: "SELECT $$auth.users$$ AS t /* auth.users */", unique_key: [t], access: public }',
      '',
    ].join('\n');
    expect((await diagnostics(text, 'view-over-auth-users')).map((d) => d.slice(0, 4))).toEqual(['3:15', '4:15']);
  });
});

describe('write-access on org entities', () => {
  it('refuses update or delete opened to every signed-in user', async () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  w:',
      '    access: { read: org, create: org, update: authenticated, delete: authenticated }',
      '    fields: { body: text }',
    );
    expect((await diagnostics(text, 'write-access')).map((d) => d.slice(0, 12))).toEqual(['4:47 error e', '4:70 error e']);
  });
});
