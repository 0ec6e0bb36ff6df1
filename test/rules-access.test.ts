/**
 * The semantic rules about access terms, read-only fields and per-user views:
 * for each, a small file that breaks it, checked for the rule name, the gist
 * of the message and the exact place it points at; and files that must pass.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics.js';
import { loadSqlParser } from '../src/sql/parser.js';
import { all, at, yaml } from './ruleDiagnostics.js';

beforeAll(loadSqlParser);

/** `rule line:column` and the message of every problem of `rule`. */
function of(text: string, rule: string): { where: string; message: string; severity: string }[] {
  return all(text)
    .filter((d) => d.rule === rule)
    .map((d) => ({ where: `${d.line}:${d.column}`, message: d.message, severity: d.severity }));
}

/** Exactly one problem of `rule`, containing `phrase`, at `where`. */
function expectOne(text: string, rule: string, phrase: string, where: string, severity: Diagnostic['severity'] = 'error'): void {
  const list = of(text, rule);
  expect(list, JSON.stringify(all(text).map((d) => `${d.rule}: ${d.message}`))).toHaveLength(1);
  expect(list[0]?.message).toContain(phrase);
  expect(list[0]?.where).toBe(where);
  expect(list[0]?.severity).toBe(severity);
}

/** An entity `orders` with a buyer (owner), a seller and the given access lines. */
const orders = (...access: string[]) =>
  yaml(
    'version: 1',
    'entities:',
    '  orders:',
    '    owner: buyer_id',
    '    access:',
    ...access.map((l) => `      ${l}`),
    '    fields:',
    '      seller_id: { type: uuid, references: auth.users, required: true }',
    '      note: text',
    '      helper: uuid',
    '      paid: boolean',
    '      status: { type: text, enum: [pending, paid], default: pending, required: true }',
    '      total_cents: { type: bigint, default: 0 }',
  );

describe('files that use every term', () => {
  it('accepts the marketplace and blog of the contract, without a word', () => {
    const market = yaml(
      'version: 1',
      'entities:',
      '  orders:',
      '    owner: buyer_id',
      '    access:',
      '      read: [owner, { user: seller_id }]',
      `      create: { level: owner, where: "status = 'pending'" }`,
      '      update: { user: seller_id }',
      '      delete: none',
      '    fields:',
      '      seller_id: { type: uuid, references: auth.users, required: true, immutable: true }',
      '      status: { type: text, enum: [pending, paid, shipped, cancelled], default: pending, required: true }',
      '      total_cents: { type: bigint, required: true, readonly: true, default: 0 }',
      '  posts:',
      '    owner: author_id',
      '    access:',
      `      read: [owner, { level: public, where: "status = 'published'" }]`,
      '      create: owner',
      '      update: owner',
      '      delete: [owner, { org: admin, where: "created_at < now() - interval \'1 day\'" }]',
      '    fields:',
      '      title: { type: text, required: true }',
      '      status: { type: text, enum: [draft, published], default: draft, required: true }',
    );
    expect(all(market)).toEqual([]);
  });
});

describe('user-field', () => {
  it('refuses a field that does not exist, suggesting a user field', () => {
    const text = orders('read: [owner, { user: selr_id }]');
    expectOne(
      text,
      'user-field',
      'names "selr_id", which is not a field of entity "orders"; declare it with references: auth.users; did you mean "seller_id"?',
      at(text, 6, 'selr_id'),
    );
  });

  it('refuses the owner field, pointing to owner', () => {
    const text = orders('read: { user: buyer_id }', 'create: owner');
    expectOne(text, 'user-field', 'names "buyer_id", the owner field of entity "orders": write owner for its owner', at(text, 6, 'buyer_id'));
  });

  it('refuses a column the tool adds and a field that is not a user reference', () => {
    const text = orders('read: [owner, { user: id }, { user: note }, { user: helper }]');
    expect(of(text, 'user-field').map((d) => [d.where, d.message.split(': ')[0]])).toEqual([
      [
        at(text, 6, 'id }'),
        'item 2 of "access.read" in entity "orders" names "id", a column the tool adds itself, which holds no user id; name a declared field with references',
      ],
      [at(text, 6, 'note'), 'item 3 of "access.read" in entity "orders" names "note", but field "orders.note" does not reference auth.users'],
      [at(text, 6, 'helper'), 'item 4 of "access.read" in entity "orders" names "helper", but field "orders.helper" does not reference auth.users'],
    ]);
  });
});

describe('access-where', () => {
  it('names an unknown column with a suggestion and its place in the condition', () => {
    const text = orders(`read: [owner, { level: authenticated, where: "paid AND stauts = 'x'" }]`);
    expectOne(text, 'access-where', 'reads "stauts", which is not a column of entity "orders"; did you mean "status"? (column 10)', at(text, 6, '"paid'));
  });

  it('reads implicit columns, functions and boolean columns as conditions', () => {
    const text = orders(
      `read: [owner, { level: authenticated, where: "paid OR (created_at > now() - interval '1 day' AND buyer_id IS NOT NULL AND id <> seller_id)" }]`,
      "update: { user: seller_id, where: \"lower(status) IN ('pending', 'paid')\" }",
    );
    expect(all(text)).toEqual([]);
  });

  it('refuses qualified names, own table or another', () => {
    const text = orders('read: { level: owner, where: "orders.paid AND payments.done" }');
    expect(of(text, 'access-where').map((d) => d.message.replace(/^where of "access.read" in entity "orders" /, ''))).toEqual([
      'reads "orders.paid", a qualified name: write "paid" alone (column 1)',
      'reads "payments.done", a qualified name: it reads only the columns of entity "orders" (column 17)',
    ]);
  });

  it('refuses what cannot be true or false', () => {
    const cases: [string, string][] = [
      ['5', 'it is a number (column 1)'],
      ["'yes'", 'it is a string (column 1)'],
      ['total_cents + 1', 'it is arithmetic ("+") (column 13)'],
      ["status || 'x'", 'it is a concatenation ("||") (column 8)'],
      ['paid::text', 'it is cast to text (column 5)'],
      ['status', 'column "status" is text (column 1)'],
      ['paid AND total_cents', 'column "total_cents" is bigint (column 10)'],
    ];
    for (const [where, why] of cases) {
      const text = orders(`read: { level: owner, where: "${where}" }`);
      expectOne(text, 'access-where', `must be a condition (true or false for each row), but ${why}`, at(text, 6, `"${where}`));
    }
  });

  it('refuses a parameter and a star', () => {
    const text = orders('read: [owner, { level: owner, where: "$1" }, { user: seller_id, where: "row(orders.*) IS NOT NULL" }]');
    expect(of(text, 'access-where').map((d) => d.message)).toEqual([
      'where of item 2 of "access.read" in entity "orders" has a parameter, which has no value in a policy (column 1)',
      'where of item 3 of "access.read" in entity "orders" reads "orders.*": name the columns it compares (column 5)',
    ]);
  });

  it('refuses asking who the caller is: auth functions, JWT claims, current_user', () => {
    const text = orders(
      'read: [owner, { level: authenticated, where: "seller_id = auth.uid()" }]',
      "update: { user: seller_id, where: \"current_setting('request.jwt.claims', true) IS NOT NULL OR current_user = 'x'\" }",
    );
    expect(of(text, 'access-where').map((d) => d.message.replace(/, which asks who.*?(\(column)/, ' … $1'))).toEqual([
      'where of item 2 of "access.read" in entity "orders" calls auth.uid() … (column 13)',
      expect.stringContaining('where of "access.update" in entity "orders" asks who the caller is (current_user and the like)'),
      'where of "access.update" in entity "orders" calls current_setting() … (column 1)',
    ]);
  });

  it('leaves what does not parse to sql-fragment, which names the term', () => {
    const text = orders('read: [owner, { level: owner, where: "paid; SELECT 1" }, { level: owner, where: "paid AND (SELECT true)" }]');
    expect(of(text, 'access-where')).toEqual([]);
    expect(of(text, 'sql-fragment').map((d) => [d.where, d.message.split(': ')[0]])).toEqual([
      [at(text, 6, '"paid;'), 'where of item 2 of "access.read" in entity "orders" must be one SQL expression'],
      [at(text, 6, '"paid AND'), 'where of item 3 of "access.read" in entity "orders" must be one SQL expression'],
    ]);
  });
});

describe('access-none-in-list', () => {
  it('refuses none beside other terms, and alone in a list', () => {
    const text = orders('read: [owner, none]', 'delete: [none]');
    expect(of(text, 'access-none-in-list').map((d) => [d.where, d.message])).toEqual([
      [
        at(text, 6, 'none'),
        'item 2 of "access.read" in entity "orders" is none inside a list: none grants nothing and stands alone; remove it (the other terms decide)',
      ],
      [at(text, 7, 'none'), 'item 1 of "access.delete" in entity "orders" is none inside a list: none grants nothing and stands alone; write delete: none'],
    ]);
  });
});

describe('access-duplicate-term', () => {
  it('refuses a term written twice: roles as sets, conditions as Postgres reads them', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  docs:',
      '    access:',
      '      read: [org, { org: [admin, member] }, { org: [member, admin] }]',
      '      create: org',
      '      update: [owner, { level: owner, where: "done" }, { level: owner, where: " (done)  /* same */" }, { level: owner, where: "NOT done" }]',
      '      delete: org',
      '    fields: { done: boolean }',
    );
    expect(of(text, 'access-duplicate-term').map((d) => [d.where, d.message])).toEqual([
      [
        at(text, 5, '{ org: [member'),
        'item 3 of "access.read" in entity "docs" repeats item 2 ({ org: [admin, member] }): a list grants what any of its terms grants, so the second adds nothing; remove one',
      ],
      [
        at(text, 7, '{ level: owner', 2),
        'item 3 of "access.update" in entity "docs" repeats item 2 (owner where "(done)  /* same */"): a list grants what any of its terms grants, so the second adds nothing; remove one',
      ],
    ]);
  });
});

describe('access-redundant-term', () => {
  it('warns about a term another term of the list already grants', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  docs:',
      '    access:',
      '      read: [org, { org: [admin, member] }]',
      '      create: org',
      '      update: [org, { org: [admin, member] }]',
      '      delete: [{ org: admin }, org]',
      '    fields: { done: boolean }',
      '  notes:',
      '    access: { read: [public, owner], create: owner, update: [owner, { level: owner, where: "done" }], delete: owner }',
      '    fields: { done: boolean }',
    );
    expect(of(text, 'access-redundant-term').map((d) => [d.where, d.severity, d.message])).toEqual([
      [
        at(text, 5, '{ org'),
        'warning',
        'item 2 of "access.read" in entity "docs" ({ org: [admin, member] }) grants nothing that item 1 (org) does not: remove it, or narrow item 1 with where',
      ],
      [
        at(text, 7, 'org'),
        'warning',
        'item 1 of "access.update" in entity "docs" (org) grants nothing that item 2 ({ org: [admin, member] }) does not: remove it, or narrow item 2 with where',
      ],
      [
        at(text, 8, '{ org'),
        'warning',
        'item 1 of "access.delete" in entity "docs" ({ org: admin }) grants nothing that item 2 (org) does not: remove it, or narrow item 2 with where',
      ],
      [
        at(text, 11, 'owner'),
        'warning',
        'item 2 of "access.read" in entity "notes" (owner) grants nothing that item 1 (public) does not: remove it, or narrow item 1 with where',
      ],
      [
        at(text, 11, '{ level'),
        'warning',
        'item 2 of "access.update" in entity "notes" (owner where "done") grants nothing that item 1 (owner) does not: remove it, or narrow item 1 with where',
      ],
    ]);
  });

  it('stays quiet about terms that grant different people', () => {
    const text = orders(
      'read: [owner, { user: seller_id }, { level: public, where: "paid" }]',
      'update: [{ user: seller_id }, { level: owner, where: "NOT paid" }]',
    );
    expect(of(text, 'access-redundant-term')).toEqual([]);
  });
});

describe('write-access and open-write, per term', () => {
  it('refuses public terms that write, with or without a condition', () => {
    const text = orders('read: owner', 'create: [owner, { level: public, where: "paid" }]', 'update: [owner, { level: public, where: "paid" }]');
    expect(of(text, 'write-access').map((d) => [d.where, d.message])).toEqual([
      [
        at(text, 7, '{ level'),
        'entity "orders" gives create access to public (with a where condition), but its rows have an owner column: an anonymous caller has no id to own a row; use authenticated or owner',
      ],
      [
        at(text, 8, '{ level'),
        'entity "orders" gives update access to public (with a where condition): anyone, even without signing in, could update every row where it holds; use owner, org, authenticated or none',
      ],
    ]);
  });

  it('refuses authenticated update on an entity whose organization terms are roles', () => {
    const text = yaml(
      'version: 1',
      'entities:',
      '  docs:',
      '    access: { read: { org: member }, create: { org: admin }, update: [{ org: admin }, authenticated] }',
    );
    expectOne(text, 'write-access', 'uses org access but gives update access to authenticated', at(text, 4, 'authenticated'));
  });

  it('still warns about a signed-in user updating rows a condition picks, in softer words', () => {
    const text = orders('read: owner', 'update: [owner, { level: authenticated, where: "NOT paid" }]');
    expectOne(
      text,
      'open-write',
      'entity "orders" gives update access to authenticated with a where condition: any signed-in user may update the rows that meet its where, including other users\' rows',
      at(text, 7, '{ level'),
      'warning',
    );
  });
});

describe('write-without-read, with lists', () => {
  it('warns when terms may update but nothing may read', () => {
    const text = orders('create: owner', 'update: [owner, { user: seller_id }]');
    expectOne(text, 'write-without-read', 'allows update but not read', at(text, 7, '['), 'warning');
  });
});

describe('readonly-default and readonly-immutable', () => {
  const fields = (...lines: string[]) => yaml('version: 1', 'entities:', '  orders:', '    fields:', ...lines.map((l) => `      ${l}`));

  it('refuses a required readonly field without a default', () => {
    const text = fields('total: { type: bigint, required: true, readonly: true }', 'other: { type: bigint, readonly: true }');
    expectOne(text, 'readonly-default', 'field "orders.total" is readonly and required but has no default', at(text, 5, 'true', 2));
  });

  it('refuses a readonly field whose default gives a new value each time, and accepts now()', () => {
    const text = fields(
      'code: { type: uuid, readonly: true, default: { sql: "gen_random_uuid()" } }',
      'n: { type: bigint, readonly: true, default: { sql: "nextval(\'orders_n\'::regclass) + 0" } }',
      'at: { type: timestamptz, readonly: true, required: true, default: { sql: "now()" } }',
    );
    expect(of(text, 'readonly-default').map((d) => [d.where, d.message.split(',')[0]])).toEqual([
      [at(text, 5, '"gen'), 'field "orders.code" is readonly'],
      [at(text, 6, '"nextval'), 'field "orders.n" is readonly'],
    ]);
    expect(of(text, 'readonly-default')[0]?.message).toContain('its default calls gen_random_uuid(), which gives a new value each time');
  });

  it('warns that immutable beside readonly adds nothing', () => {
    const text = fields('total: { type: bigint, default: 0, readonly: true, immutable: true }');
    expectOne(text, 'readonly-immutable', 'immutable adds nothing; remove it', at(text, 5, 'true', 2), 'warning');
  });
});

describe('view-user-column', () => {
  const view = (query: string, column = 'user_id') =>
    yaml('version: 1', 'materialized_views:', `  totals: { query: "${query}", unique_key: [${column}], access: { user: ${column} } }`);

  it('refuses a column the query does not give, when its names are certain', () => {
    const text = view('SELECT owner_id AS uid, count(*) FROM t GROUP BY 1', 'uld');
    expectOne(
      text,
      'view-user-column',
      'filters on "uld", which is not a column of its query (uid, count); name the column that holds the user id; did you mean "uid"?',
      at(text, 3, 'uld }'),
    );
  });

  it('accepts a column given by name, alias, cast, star or the first SELECT of a union, and an uncertain name', () => {
    for (const query of [
      'SELECT t.user_id, sum(x) AS total FROM t GROUP BY 1',
      'SELECT owner_id AS user_id FROM t',
      'SELECT user_id::uuid FROM t',
      'SELECT * FROM t',
      'SELECT user_id FROM a UNION SELECT owner_id FROM b',
      'SELECT 1 + 1',
    ]) {
      expect(of(view(query), 'view-user-column'), query).toEqual([]);
    }
  });
});
