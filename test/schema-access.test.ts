/**
 * The JSON Schema messages for access terms (a rule is a term or a list of
 * terms): each mistake gets one message, at the key or value it is about,
 * rather than the errors of every form a term could take.
 */
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../src/load/document.js';
import { checkSchema } from '../src/validate/schema.js';

/** `line:column [rule] message` of each problem of an entity `t` with this access map (on line 4). */
function accessProblems(access: string): string[] {
  const text = ['version: 1', 'entities:', '  t:', `    access: { ${access} }`, '    fields: { seller_id: { references: auth.users } }'].join('\n');
  const loaded = loadDocument(text, 'requirements.yaml');
  if (!loaded.ok) throw new Error('test YAML does not load');
  return checkSchema(loaded.document).map((d) => `${d.line}:${d.column} [${d.rule}] ${d.message}`);
}

describe('access terms in the schema', () => {
  it('accepts every form of this version', () => {
    expect(
      accessProblems(
        "read: [owner, { level: public, where: \"status = 'x'\" }, { user: seller_id }], create: { org: admin }, update: { org: [admin, member], where: 'true' }, delete: none",
      ),
    ).toEqual([]);
  });

  it('lists the levels and the map forms for an unknown word', () => {
    expect(accessProblems('delete: nobody')).toEqual([
      '4:23 [invalid-value] "access.delete" in entity "t" must be one of public, authenticated, owner, org, none, member, or a map { level | user | org | member | via }; got "nobody"',
    ]);
    expect(accessProblems('read: [owner, ownr]')).toEqual([
      '4:29 [invalid-value] item 2 of "access.read" in entity "t" must be one of public, authenticated, owner, org, none, member, or a map { level | user | org | member | via }; got "ownr" (did you mean "owner"?)',
    ]);
  });

  it('refuses a term with two of level, user and org, at the second', () => {
    expect(accessProblems('read: { level: owner, user: seller_id }')).toEqual([
      '4:37 [invalid-value] "access.read" in entity "t" has both "level" and "user": it takes exactly one of level, user, org, member, via; write each as its own term in a list',
    ]);
    expect(accessProblems('read: [owner, { level: owner, user: seller_id, org: admin }]')).toEqual([
      '4:45 [invalid-value] item 2 of "access.read" in entity "t" has "level", "user" and "org": it takes exactly one of level, user, org, member, via; write each as its own term in a list',
    ]);
  });

  it('suggests the key meant by an unknown key of a term', () => {
    expect(accessProblems('read: [owner, { levle: owner }]')).toEqual([
      '4:31 [unknown-key] unknown key "levle" in item 2 of "access.read" in entity "t" (did you mean "level"?); expected one of level, user, org, member, via, and optionally where, can',
    ]);
  });

  it('reports an unknown key next to a known one as the term of that key', () => {
    expect(accessProblems('read: { level: owner, wher: "true" }')).toEqual([
      '4:37 [unknown-key] unknown key "wher" in "access.read" in entity "t" (did you mean "where"?); allowed: level, where',
    ]);
  });

  it('names the roles of an organization', () => {
    expect(accessProblems('delete: { org: owner }')).toEqual([
      '4:30 [invalid-value] "access.delete.org" in entity "t" must be one of admin, member; got "owner"',
    ]);
    expect(accessProblems('delete: { org: [admin, owner] }')).toEqual([
      '4:38 [invalid-value] item 2 of "access.delete.org" in entity "t" must be one of admin, member; got "owner"',
    ]);
  });

  it('takes member and via terms, and reads a member beside via as the roles of the via term', () => {
    expect(
      accessProblems(
        'read: [member, { member: [admin, editor] }, { via: seller_id }], create: { via: seller_id, member: admin }, update: { via: seller_id, can: update }, delete: { member: admin, where: "true" }',
      ),
    ).toEqual([]);
    expect(accessProblems('read: membr')).toEqual([
      '4:21 [invalid-value] "access.read" in entity "t" must be one of public, authenticated, owner, org, none, member, or a map { level | user | org | member | via }; got "membr" (did you mean "member"?)',
    ]);
    // `member` is an option of via: the wrong role is the mistake, not two terms in one.
    expect(accessProblems('read: { via: seller_id, member: Admin }')).toEqual([
      '4:47 [invalid-name] "access.read.member" in entity "t" must be lower-case letters, digits and _, starting with a letter or _, at most 63 bytes; got "Admin"',
    ]);
    expect(accessProblems('read: { via: seller_id, can: read }')).toEqual([
      '4:44 [invalid-value] "access.read.can" in entity "t" must be one of update, delete; got "read"',
    ]);
    expect(accessProblems('read: [owner, { via: seller_id, member: admin, org: admin }]')).toEqual([
      '4:62 [invalid-value] item 2 of "access.read" in entity "t" has both "via" and "org": it takes exactly one of level, user, org, member, via; write each as its own term in a list',
    ]);
    expect(accessProblems('read: { member: [] }, update: { member: admin, can: update }')).toEqual([
      '4:31 [invalid-value] "access.read.member" in entity "t" must not be an empty list',
      '4:62 [unknown-key] unknown key "can" in "access.update" in entity "t"; allowed: member, where',
    ]);
  });

  it('checks the shape of members', () => {
    const problems = (members: string) => {
      const loaded = loadDocument(`version: 1\nentities:\n  t:\n    members: ${members}\n`, 'requirements.yaml');
      if (!loaded.ok) throw new Error('test YAML does not load');
      return checkSchema(loaded.document).map((d) => `${d.line}:${d.column} [${d.rule}] ${d.message}`);
    };
    expect(problems('true')).toEqual([]);
    expect(problems('{ roles: [admin, editor, viewer], join: open, table: crew, column: boat_id }')).toEqual([]);
    expect(problems('5')).toEqual(['4:14 [wrong-type] expected a boolean or a members map for "members" in entity "t", got number 5']);
    expect(problems('{ roles: [], join: closed, tabel: crew }')).toEqual([
      '4:23 [invalid-value] "members.roles" in entity "t" must not be an empty list',
      '4:33 [invalid-value] "members.join" in entity "t" must be one of invite, open; got "closed"',
      '4:41 [unknown-key] unknown key "tabel" in "members" in entity "t" (did you mean "table"?); allowed: roles, join, table, column',
    ]);
    expect(problems('{ roles: [admin, admin], column: Boat }')).toEqual([
      '4:31 [duplicate-item] "members.roles" in entity "t" lists "admin" more than once',
      '4:47 [invalid-name] "members.column" in entity "t" must be lower-case letters, digits and _, starting with a letter or _, at most 63 bytes; got "Boat"',
    ]);
  });

  it('checks the shape of a bucket via term', () => {
    const problems = (access: string) => {
      const loaded = loadDocument(`version: 1\nbuckets:\n  b:\n    access: { ${access} }\n`, 'requirements.yaml');
      if (!loaded.ok) throw new Error('test YAML does not load');
      return checkSchema(loaded.document).map((d) => `${d.line}:${d.column} [${d.rule}] ${d.message}`);
    };
    expect(problems('read: { via: projects }, upload: { via: projects, member: [admin, editor] }, delete: { via: projects, can: update }')).toEqual([]);
    expect(problems('read: ownr')).toEqual([
      '4:21 [invalid-value] "access.read" in bucket "b" must be one of public, authenticated, owner, or a map { via }; got "ownr" (did you mean "owner"?)',
    ]);
    expect(problems('upload: { via: 5 }, delete: { via: p, member: [a, A] }')).toEqual([
      '4:30 [wrong-type] expected a name for "access.upload.via" in bucket "b", got number 5',
      '4:65 [invalid-name] item 2 of "access.delete.member" in bucket "b" must be lower-case letters, digits and _, starting with a letter or _, at most 63 bytes; got "A"',
    ]);
  });

  it('asks for who a term grants when it has only a condition', () => {
    expect(accessProblems('read: { where: "true" }')).toEqual([
      '4:21 [missing-key] "access.read" in entity "t" needs one of the keys level, user, org, member, via',
    ]);
  });

  it('refuses an empty list, pointing to none', () => {
    expect(accessProblems('read: []')).toEqual(['4:21 [invalid-value] "access.read" in entity "t" must not be an empty list; write none to grant nobody']);
  });

  it('wants where as text, not empty', () => {
    expect(accessProblems('read: { level: owner, where: 5 }')).toEqual([
      '4:44 [wrong-type] expected a string for "access.read.where" in entity "t", got number 5',
    ]);
    expect(accessProblems("read: [owner, { user: seller_id, where: '' }]")).toEqual([
      '4:55 [invalid-value] "where" in item 2 of "access.read" in entity "t" must not be empty',
    ]);
  });

  it('gives one sentence for a value no form takes', () => {
    expect(accessProblems('read: 5')).toEqual(['4:21 [wrong-type] expected an access term or a list of terms for "access.read" in entity "t", got number 5']);
    expect(accessProblems('read: [owner, [public]]')).toEqual([
      '4:29 [wrong-type] expected an access term (public, authenticated, owner, org, none, member, or a map { level | user | org | member | via }) for item 2 of "access.read" in entity "t", got a list',
    ]);
  });

  it('checks the per-user access of a materialized view', () => {
    const problems = (access: string) => {
      const loaded = loadDocument(`version: 1\nmaterialized_views:\n  v: { query: SELECT 1 AS a, access: ${access} }\n`, 'requirements.yaml');
      if (!loaded.ok) throw new Error('test YAML does not load');
      return checkSchema(loaded.document).map((d) => `${d.line}:${d.column} [${d.rule}] ${d.message}`);
    };
    expect(problems('{ user: 1 }')).toEqual(['3:46 [wrong-type] expected a string for "access.user" in materialized view "v", got number 1']);
    expect(problems('owner')).toEqual([
      '3:38 [invalid-value] "access" in materialized view "v" must be one of none, authenticated, public, or a map { user | via }; got "owner"',
    ]);
    expect(problems('{ via: a, references: t }')).toEqual([]);
    expect(problems('{ via: a }')).toEqual(['3:38 [missing-key] missing required key "references" in "access" in materialized view "v"']);
    expect(problems('{ via: a, references: t, user: a }')).toEqual([
      '3:63 [invalid-value] "access" in materialized view "v" has both "via" and "user": it takes exactly one of user, via; write each as its own term in a list',
    ]);
    expect(problems('{ vai: a }')).toEqual([
      '3:40 [unknown-key] unknown key "vai" in "access" in materialized view "v" (did you mean "via"?); expected one of user, via (with references)',
    ]);
  });
});
