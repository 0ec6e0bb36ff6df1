/**
 * Named hostile inputs that the golden cases (test/cases/error-*) do not
 * already cover: SQL injection through every string-valued key, the size
 * limit at its exact boundary, a byte-order mark, a second document, tabs, `version: 2`, names
 * that are special in JavaScript, messages that quote the file's text, and a
 * differential property of the SQL-fragment lexer against Postgres's own
 * scanner.
 *
 * (Already golden cases: error-yaml-aliases (alias bomb), error-yaml-duplicate-key,
 * error-binary-file, error-not-utf8, error-empty-file, error-nul-character,
 * derived-name-collision and long-names (names differing after byte 63),
 * reserved-words; the CLI side of file-too-large is in test/cli.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { formatDiagnostic, InvalidRequirementsError } from '../../src/index.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import type { CompileResult } from '../../src/index.js';
import { checkSqlFragment } from '../../src/sql/fragment.js';
import type { FragmentKind } from '../../src/sql/fragment.js';
import { removeTemporaryDirectories, runCliInProcess, STACK_TRACE, temporaryDirectory } from '../helpers.js';
import { numRuns, timeoutFor } from './arbitraries.js';
import { put, toYaml } from './documents.js';
import { constant, expectedHistogram, histogram, isObject, names, sortedHistogram, statements, stringConstants, walk } from './sqlTree.js';
import type { JsonObject } from './sqlTree.js';

afterAll(removeTemporaryDirectories);

const FILE = 'altan.yaml';
const MIB5 = 5 * 1024 * 1024;
const FRAGMENT_RUNS = 3000;

beforeAll(async () => {
  await loadSqlParser();
  await loadModule();
});

/** Strings that would end a literal, an identifier, a dollar quote or a comment early, each followed by a statement. */
const PAYLOADS: readonly string[] = [
  "'); DROP TABLE victim; --",
  "'; DROP TABLE victim; SELECT '",
  '"; DROP TABLE victim; --',
  "\\'; DROP TABLE victim; --",
  '$$; DROP TABLE victim; $$',
  '$job$; DROP TABLE victim; $job$',
  '$fn$; DROP TABLE victim; $fn$',
  '*/ DROP TABLE victim; /*',
  '\n; DROP TABLE victim;\n-- ',
  "\r'; DROP TABLE victim; --",
  '<%- "x" %>; DROP TABLE victim;',
];

type Doc = Record<string, unknown>;

/** A small valid file to plant payloads in. */
function base(): Doc {
  return {
    version: 1,
    entities: {
      t: {
        access: 'public-read',
        fields: {
          name: { type: 'text', required: true },
          kind: { type: 'text', enum: ['a', 'b'] },
          parent: { references: 't' },
        },
        indexes: [['name']],
      },
      r: { access: 'reference', fields: { label: 'text' }, rows: [{ id: '6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f', label: 'x' }] },
    },
    buckets: { files: { allowed_mime_types: ['image/png'] } },
    materialized_views: { v: { query: 'SELECT name, count(*) AS n FROM public.t GROUP BY name', unique_key: ['name'], access: 'authenticated' } },
    jobs: { tidy: { schedule: 'daily', sql: 'SELECT 1' } },
  };
}

function compileOk(doc: Doc): CompileResult {
  const text = toYaml(doc);
  const checked = validate(text, { fileName: FILE });
  expect(checked.errors.map(formatDiagnostic), text).toEqual([]);
  return compile(text, { fileName: FILE });
}

/** The SQL parses, into exactly the statements the model implies. */
function expectNoExtraStatement(compiled: CompileResult) {
  const stmts = statements(compiled.sql);
  expect(sortedHistogram(histogram(stmts))).toEqual(expectedHistogram(compiled.model));
  return stmts;
}

/** A refused file: positioned problems, and compile throws the documented error. */
function expectRefused(text: string): void {
  const checked = validate(text, { fileName: FILE });
  expect(checked.errors.length, text).toBeGreaterThan(0);
  for (const d of checked.errors) {
    expect(d.line, formatDiagnostic(d)).toBeGreaterThanOrEqual(1);
    expect(formatDiagnostic(d), 'one line').not.toMatch(/[\n\r]/);
  }
  expect(() => compile(text, { fileName: FILE })).toThrow(InvalidRequirementsError);
}

describe('SQL injection through keys whose value is a name', () => {
  // Each puts the payload where the format wants a name (or a type, a level, a
  // schedule): the file must be refused with a positioned problem.
  const slots: Record<string, (doc: Doc, payload: string) => void> = {
    'entity name': (doc, p) => put(doc.entities as Doc, p, {}),
    'field name': (doc, p) => put(((doc.entities as Doc).t as Doc).fields as Doc, p, 'text'),
    'materialized view name': (doc, p) => put(doc.materialized_views as Doc, p, { query: 'SELECT 1' }),
    'bucket id': (doc, p) => put(doc.buckets as Doc, p, {}),
    'job name': (doc, p) => put(doc.jobs as Doc, p, { schedule: 'daily', sql: 'SELECT 1' }),
    schema: (doc, p) => {
      doc.schema = p;
    },
    owner: (doc, p) => {
      ((doc.entities as Doc).t as Doc).owner = p;
    },
    primary_key: (doc, p) => {
      ((doc.entities as Doc).t as Doc).primary_key = p;
    },
    references: (doc, p) => {
      (((doc.entities as Doc).t as Doc).fields as Doc).parent = { references: p };
    },
    'index field': (doc, p) => {
      ((doc.entities as Doc).t as Doc).indexes = [[p]];
    },
    'unique_key of a view': (doc, p) => {
      ((doc.materialized_views as Doc).v as Doc).unique_key = [p];
    },
    type: (doc, p) => {
      (((doc.entities as Doc).t as Doc).fields as Doc).name = { type: `text${p}` };
    },
    'access level': (doc, p) => {
      ((doc.entities as Doc).t as Doc).access = { read: p };
    },
    'refresh schedule': (doc, p) => {
      ((doc.materialized_views as Doc).v as Doc).refresh = `0 * * * *${p}`;
    },
    'job schedule': (doc, p) => {
      ((doc.jobs as Doc).tidy as Doc).schedule = `daily${p}`;
    },
    'bucket size': (doc, p) => {
      ((doc.buckets as Doc).files as Doc).file_size_limit = `5MB${p}`;
    },
    'mime type': (doc, p) => {
      ((doc.buckets as Doc).files as Doc).allowed_mime_types = [`image/png${p}`];
    },
  };
  for (const [slot, plant] of Object.entries(slots)) {
    it(`${slot}: refused with a positioned, one-line problem`, () => {
      for (const payload of PAYLOADS) {
        const doc = base();
        plant(doc, payload);
        expectRefused(toYaml(doc));
      }
    });
  }
});

describe('SQL injection through keys whose value is data', () => {
  // Each puts the payload where the format takes any text: the SQL must parse
  // into exactly the statements the model implies, with the payload intact.
  it('entity and field descriptions reach COMMENT ON unchanged', () => {
    for (const payload of PAYLOADS) {
      const doc = base();
      const t = (doc.entities as Doc).t as Doc;
      t.description = payload;
      (t.fields as Doc).name = { type: 'text', description: payload };
      const stmts = expectNoExtraStatement(compileOk(doc));
      const comments = stmts
        .map(({ stmt }) => stmt.CommentStmt)
        .filter(isObject)
        .map((c) => c.comment);
      expect(comments).toEqual([payload, payload]);
    }
  });

  it('text defaults, enum values and seed values (text, text[], jsonb, bytea) are constants', () => {
    for (const payload of PAYLOADS) {
      const doc = base();
      const fields = ((doc.entities as Doc).t as Doc).fields as Doc;
      fields.name = { type: 'text', required: true, default: payload };
      fields.kind = { type: 'text', enum: [payload, 'b'], default: payload };
      const r = (doc.entities as Doc).r as Doc;
      r.fields = { label: 'text', tags: 'text[]', data: 'jsonb', raw: 'bytea' };
      r.rows = [{ id: '6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f', label: payload, tags: [payload, null], data: { [payload]: [payload] }, raw: payload }];
      const compiled = compileOk(doc);
      const stmts = expectNoExtraStatement(compiled);
      const create = stmts.find(({ stmt }) => isObject(stmt.CreateStmt) && (stmt.CreateStmt.relation as JsonObject).relname === 't')?.stmt
        .CreateStmt as JsonObject;
      expect(stringConstants(create).filter((s) => s === payload).length, 'default of name, default of kind, enum value').toBe(3);
      const insert = stmts.find(({ stmt }) => isObject(stmt.InsertStmt) && (stmt.InsertStmt.relation as JsonObject).relname === 'r')?.stmt
        .InsertStmt as JsonObject;
      const firstRow = (((insert.selectStmt as JsonObject).SelectStmt as JsonObject).valuesLists as JsonObject[])[0] as JsonObject;
      const row = (firstRow.List as JsonObject).items as JsonObject[];
      expect(row.map((cell) => constant(cell))).toEqual([
        { kind: 'string', value: '6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f' },
        { kind: 'string', value: payload },
        { kind: 'array', items: [{ kind: 'string', value: payload }, { kind: 'null' }] },
        { kind: 'string', value: JSON.stringify({ [payload]: [payload] }) },
        { kind: 'string', value: `\\x${Buffer.from(payload, 'utf8').toString('hex')}` },
      ]);
    }
  });

  it('job SQL is one dollar-quoted constant, whatever tags it holds; job names with - are literals', () => {
    for (const payload of PAYLOADS) {
      const doc = base();
      const sql = `SELECT ${`'${payload.replace(/'/g, "''")}'`} -- ${payload.replace(/[\r\n]/g, ' ')} $job`;
      put(doc.jobs as Doc, 'purge-old-rows', { schedule: 'every 5 minutes', sql });
      const compiled = compileOk(doc);
      const stmts = expectNoExtraStatement(compiled);
      const commands: string[] = [];
      for (const { stmt } of stmts) {
        for (const node of walk(stmt)) {
          if (isObject(node.FuncCall) && names(node.FuncCall.funcname).join('.') === 'cron.schedule') {
            const args = (node.FuncCall.args as JsonObject[]).map((a) => constant(a));
            if (args[0]?.kind === 'string' && args[0].value === 'purge-old-rows' && args[2]?.kind === 'string') commands.push(args[2].value);
          }
        }
      }
      expect(commands).toEqual([sql]);
      expect(() => parseSync(sql)).not.toThrow();
    }
  });

  it('mime types and bucket ids with every character the format allows are literals', () => {
    const doc = base();
    doc.buckets = { 'a-b_c-': { allowed_mime_types: ['application/x-$$+json', 'image/x$job$', 'text/x-&^!#.'] } };
    const stmts = expectNoExtraStatement(compileOk(doc));
    const insert = stmts.find(({ stmt }) => isObject(stmt.InsertStmt) && (stmt.InsertStmt.relation as JsonObject).relname === 'buckets')?.stmt;
    expect(stringConstants(insert)).toEqual(['a-b_c-', 'a-b_c-', 'application/x-$$+json', 'image/x$job$', 'text/x-&^!#.']);
  });

  it('a file name with a newline cannot end the header comment', () => {
    for (const payload of PAYLOADS) {
      const compiled = compile(toYaml(base()), { fileName: `x${payload}.yaml` });
      expectNoExtraStatement(compiled);
    }
  });
});

/**
 * SQL that the author writes (`check`, index `where`, `{ sql: }` defaults, view
 * `query`) is copied as SQL; the lexer must keep each fragment inside its slot
 * exactly as Postgres's scanner reads it. These fragments use places where the
 * two could disagree: `$` inside identifiers (Postgres allows it, and non-ASCII
 * letters, in identifiers), `e'...'` right after such an identifier, dollar
 * tags with non-ASCII letters, and a carriage return ending a `--` comment.
 * Each must be refused, or compile to SQL with exactly the statements the
 * model implies.
 */
describe('SQL injection through author SQL (check, where, { sql: } default, view query)', () => {
  const tricks: Record<string, { open: string; close: string }> = {
    'non-ASCII letter then $tag$ (one identifier for Postgres, a dollar quote for the lexer)': { open: 'é$a$', close: 'b$a$' },
    '$$ inside an identifier': { open: 'a$$b$', close: 'c$b$' },
    "e'...' after a non-ASCII identifier (a standard string for Postgres)": { open: "ée'\\'", close: "NULL /* ' */" },
    "e'...' after an identifier ending in $": { open: "a$e'\\'", close: "NULL /* ' */" },
    'a dollar tag with a non-ASCII letter': { open: "$é$'$é$", close: "NULL /* ' */" },
  };
  const slots: Record<string, { fragment: (open: string, close: string) => string; file: (fragment: string) => Doc }> = {
    check: {
      fragment: (open, close) => `${open} IS NULL)); DROP TABLE victim; CREATE TABLE z (c text CHECK (${close} IS NULL`,
      file: (f) => ({ version: 1, entities: { t: { access: 'private', timestamps: false, fields: { c: { type: 'text', check: f } } } } }),
    },
    '{ sql: } default': {
      fragment: (open, close) => `${open}) NOT NULL); DROP TABLE victim; CREATE TABLE z (id uuid, c text DEFAULT (${close}`,
      file: (f) => ({ version: 1, entities: { t: { access: 'private', timestamps: false, fields: { c: { type: 'text', default: { sql: f } } } } } }),
    },
    'index where': {
      fragment: (open, close) => `${open} IS NULL); DROP TABLE victim; CREATE INDEX z ON public.t (c) WHERE (${close} IS NULL`,
      file: (f) => ({ version: 1, entities: { t: { access: 'private', timestamps: false, fields: { c: 'text' }, indexes: [{ fields: ['c'], where: f }] } } }),
    },
    'view query': {
      fragment: (open, close) => `SELECT ${open} AS x; DROP TABLE victim; CREATE MATERIALIZED VIEW z AS SELECT ${close} AS y`,
      file: (f) => ({ version: 1, materialized_views: { v: { query: f } } }),
    },
  };
  const cases: [string, string, Doc][] = [];
  for (const [slot, s] of Object.entries(slots)) {
    for (const [trick, { open, close }] of Object.entries(tricks)) cases.push([slot, trick, s.file(s.fragment(open, close))]);
  }
  cases.push([
    'view query',
    'a carriage return ends a -- comment for Postgres, not for the lexer',
    { version: 1, materialized_views: { v: { query: 'SELECT 1 AS x -- note\r; DROP TABLE victim; CREATE MATERIALIZED VIEW z AS SELECT 1 AS y' } } },
  ]);
  for (const [slot, trick, doc] of cases) {
    it(`${slot}: ${trick}`, () => {
      const text = toYaml(doc);
      const checked = validate(text, { fileName: FILE });
      if (checked.errors.length > 0) return; // refused: fine
      const compiled = compile(text, { fileName: FILE });
      const stmts = statements(compiled.sql);
      expect(stmts.filter(({ stmt }) => isObject(stmt.DropStmt)).length, `a DROP statement was injected:\n${compiled.sql}`).toBe(0);
      expect(sortedHistogram(histogram(stmts))).toEqual(expectedHistogram(compiled.model));
    });
  }

  it(
    "property: every fragment the checker accepts stays in its slot for Postgres's own scanner",
    () => {
      // Random token soup around the characters where the two can disagree. Whenever
      // the checker accepts it (as an expression, or as a view query), Postgres's own
      // scanner must agree: nothing runs on past the end, parentheses balance, no
      // `;`, and (in an expression) no `--` comment that would swallow the rest of
      // the line the fragment is embedded in.
      const PIECES = [
        'a',
        'x1',
        'é',
        '日',
        '_',
        '$',
        '$$',
        '$a$',
        '$é$',
        'e',
        'E',
        'U&',
        "'",
        "''",
        '\\',
        '"',
        '(',
        ')',
        ';',
        '--',
        '/*',
        '*/',
        '\n',
        '\r',
        ' ',
        '1',
        'IS NULL',
      ];
      const fragmentArb = fc.record({
        kind: fc.constantFrom<FragmentKind>('expression', 'query'),
        pieces: fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }),
      });
      let accepted = 0;
      fc.assert(
        fc.property(fragmentArb, ({ kind, pieces }) => {
          const fragment = `${kind === 'query' ? 'SELECT ' : ''}${pieces.join('')}`;
          const checked = checkSqlFragment(fragment, kind);
          if (!checked.ok) return;
          accepted++;
          const shown = `accepted ${kind} ${JSON.stringify(fragment)}`;
          let tokens: { text: string; tokenName: string }[];
          try {
            tokens = scanSync(checked.sql).tokens;
          } catch (e) {
            // The checker does not promise valid SQL ("1a" is trailing junk for Postgres), only that
            // nothing it takes as terminated runs on for Postgres into the SQL after the fragment.
            const message = (e as Error).message;
            if (/unterminated/i.test(message)) throw new Error(`${shown}, which Postgres reads as ${message.split('\n')[0]}`);
            return;
          }
          let depth = 0;
          for (const t of tokens) {
            expect(t.tokenName, `${shown}: Postgres sees ${JSON.stringify(t.text)}`).not.toBe('ASCII_59');
            if (kind === 'expression') expect(t.tokenName, `${shown}: Postgres sees the comment ${JSON.stringify(t.text)}`).not.toBe('SQL_COMMENT');
            if (t.tokenName === 'ASCII_40') depth++;
            if (t.tokenName === 'ASCII_41') depth--;
            expect(depth, `${shown}: Postgres closes more parentheses than it opens`).toBeGreaterThanOrEqual(0);
          }
          expect(depth, `${shown}: unbalanced for Postgres`).toBe(0);
        }),
        { numRuns: numRuns(FRAGMENT_RUNS) },
      );
      expect(accepted, 'fragments accepted (the property must test something)').toBeGreaterThan(numRuns(FRAGMENT_RUNS) / 20);
    },
    timeoutFor(FRAGMENT_RUNS),
  );
});

describe('input limits and encodings', () => {
  it('the size limit is 5 MiB exactly, counted in bytes, before parsing', () => {
    const head = 'version: 1\n# ';
    const exact = `${head}${'x'.repeat(MIB5 - head.length - 1)}\n`;
    expect(Buffer.byteLength(exact)).toBe(MIB5);
    expect(validate(exact, { fileName: FILE }).errors).toEqual([]);
    const over = `${exact}\n`;
    const refused = validate(Buffer.from(over), { fileName: FILE }).errors;
    expect(refused.map((d) => [d.rule, d.message])).toEqual([['file-too-large', `file is more than ${MIB5} bytes (5 MiB), the limit`]]);
    // A string is measured in UTF-8 bytes, not characters: 2.5 Mi characters of "é" are 5 MiB + 2 bytes.
    const wide = `version: 1\n# ${'é'.repeat(MIB5 / 2)}\n`;
    expect(wide.length).toBeLessThan(MIB5);
    expect(validate(wide, { fileName: FILE }).errors.map((d) => d.rule)).toEqual(['file-too-large']);
  });

  it('a byte-order mark is skipped: same SQL (but the hash), same positions in messages', () => {
    const good = toYaml(base());
    const plain = compile(good, { fileName: FILE }).sql;
    for (const bom of [`\uFEFF${good}`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])]) {
      const sql = compile(bom, { fileName: FILE }).sql;
      expect(sql.replace(/sha256: \w+/, '')).toBe(plain.replace(/sha256: \w+/, ''));
    }
    const bad = 'version: 1\nentities:\n  t:\n    fields:\n      a: { type: txet }\n';
    const expected = validate(bad, { fileName: FILE }).errors;
    expect(expected.map((d) => [d.line, d.column, d.rule])).toEqual([[5, 18, 'unknown-type']]);
    expect(validate(`\uFEFF${bad}`, { fileName: FILE }).errors).toEqual(expected);
    expect(validate(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bad)]), { fileName: FILE }).errors).toEqual(expected);
  });

  it('one YAML document: a second one is refused at its ---, even when both are valid', () => {
    const errors = validate('version: 1\n---\nversion: 1\n', { fileName: FILE }).errors;
    expect(errors.map((d) => [d.line, d.column, d.rule])).toEqual([[2, 1, 'yaml-syntax']]);
    expect(errors[0]?.message).toContain('more than one YAML document');
  });

  it("tabs: refused as indentation with the tab's position; allowed as separation", () => {
    const tabbed = validate('version: 1\nentities:\n\tt: {}\n', { fileName: FILE }).errors;
    expect(tabbed.map((d) => [d.line, d.column, d.rule])).toEqual([[3, 1, 'yaml-syntax']]);
    expect(tabbed[0]?.message).toMatch(/tab/i);
    const deeper = validate('version: 1\nentities:\n  t:\n  \t  fields: {}\n', { fileName: FILE }).errors;
    expect(deeper.length).toBeGreaterThan(0);
    expect(deeper.every((d) => d.rule === 'yaml-syntax' && d.line === 4)).toBe(true);
    expect(validate('version:\t1\nentities: {\tt: {\tfields: {\ta:\ttext } } }\n', { fileName: FILE }).errors).toEqual([]);
  });

  it('version: 2 is refused at its value, without hiding the other problems; "1" is a wrong type', async () => {
    const doc = base();
    doc.version = 2;
    const text = toYaml(doc).replace('references: t', 'references: nope');
    const errors = validate(text, { fileName: FILE }).errors.map(formatDiagnostic);
    expect(errors[0]).toBe('altan.yaml:1:10: unsupported version 2: only version 1 exists [invalid-value]');
    expect(errors.some((e) => e.includes('[unknown-reference]'))).toBe(true);
    expect(validate('version: "1"\n', { fileName: FILE }).errors.map(formatDiagnostic)).toEqual([
      'altan.yaml:1:10: expected "version: 1", got string "1" [wrong-type]',
    ]);
    const dir = temporaryDirectory('altan-hostile-');
    writeFileSync(join(dir, FILE), text);
    const r = await runCliInProcess(['generate', FILE], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr.split('\n')[0]).toBe('altan.yaml:1:10: unsupported version 2: only version 1 exists [invalid-value]');
  });
});

describe('names and messages', () => {
  it('names that are properties of every JavaScript object (constructor, __proto__) are ordinary names', () => {
    const doc: Doc = { version: 1, entities: {}, materialized_views: {} };
    put(doc.entities as Doc, 'constructor', { access: 'private', fields: { prototype: 'text' } });
    put(doc.entities as Doc, '__proto__', { access: 'private', fields: { x: { references: 'constructor' } } });
    put(doc.materialized_views as Doc, 'tostring', { query: 'SELECT 1 AS a' });
    const compiled = compileOk(doc);
    expectNoExtraStatement(compiled);
    expect(compiled.sql).toContain('REFERENCES public.constructor (id)');

    // A view may be named constructor or __proto__: no entity has that name.
    for (const view of ['constructor', '__proto__', 'valueof']) {
      const withView: Doc = { version: 1, entities: { t: { access: 'private' } }, materialized_views: {} };
      put(withView.materialized_views as Doc, view, { query: 'SELECT 1 AS a', unique_key: ['a'] });
      expect(validate(toYaml(withView), { fileName: FILE }).errors.map(formatDiagnostic), `view ${view}`).toEqual([]);
    }

    // An implicit owner column named constructor must be given in seed rows, as any other would be.
    const rules = (owner: string) => {
      const doc = { version: 1, entities: { t: { owner, fields: { a: 'text' }, rows: [{ id: '6f1c0c2e-6a4e-4c1e-9f0a-2b1a3c4d5e6f', a: 'x' }] } } };
      return validate(toYaml(doc), { fileName: FILE }).errors.map((d) => d.rule);
    };
    expect(rules('someone')).toEqual(['seed-rows']);
    expect(rules('constructor')).toEqual(rules('someone'));

    // An implicit owner column so named is the uuid owner column, not a declared field looked up on Object.prototype.
    for (const owner of ['__proto__', 'constructor']) {
      const table = compileOk({ version: 1, entities: { t: { owner, fields: { a: 'text' } } } }).model.tables[0];
      expect(
        table?.columns.find((c) => c.name === owner),
        owner,
      ).toMatchObject({ type: { sql: 'uuid' }, notNull: true, default: { kind: 'auth-uid' } });
      expect(
        table?.foreignKeys.map((fk) => fk.column),
        owner,
      ).toEqual([owner]);
    }
  });

  it("messages that quote the file's text stay on one line", () => {
    const files = [
      { version: 1, entities: { t: { fields: { a: 'text\nDROP TABLE victim' } } } },
      { version: 1, jobs: { j: { schedule: 'daily\nDROP TABLE victim', sql: 'SELECT 1' } } },
      { version: 1, materialized_views: { v: { query: 'SELECT 1', refresh: 'hourly\r\nx' } } },
      { version: 1, buckets: { b: { file_size_limit: '5\nMB' } } },
      { version: 1, entities: { t: { fields: { a: { type: 'int', default: 'x\ny' } } } } },
      { version: 1, entities: { t: { fields: { a: { type: 'text', enum: ['a\nb'], default: 'c\nd' } } } } },
    ];
    for (const doc of files) expectRefused(toYaml(doc));
  });

  it('dates before year 100 are real calendar dates', () => {
    for (const date of ['0001-01-01', '0050-02-28', '0099-12-31']) {
      const doc = { version: 1, entities: { t: { access: 'private', fields: { d: { type: 'date', default: date } } } } };
      expect(validate(toYaml(doc), { fileName: FILE }).errors.map(formatDiagnostic), date).toEqual([]);
    }
  });
});
