/**
 * Properties of random VALID requirements files (see arbitraries.ts for what
 * they hold: reserved words and 63-byte names, every type, defaults and seed
 * values with quotes, backslashes, `$$`, newlines, unicode and emoji, enums,
 * foreign-key chains and cycles, every access mode, buckets, views, jobs):
 *
 * - the generator really produces valid files (at least 90%: the other
 *   properties skip invalid ones, so they must not silently test nothing);
 * - compile never throws, gives the same bytes every time, and does not
 *   depend on the order of entities, buckets, views and jobs in the file;
 * - every derived name is at most 63 bytes and unique in its namespace;
 * - every output parses with Postgres's parser (libpg-query) into exactly the
 *   statements the model implies — no statement more, whatever the strings
 *   hold — and the values of the file (descriptions, literal defaults, enum
 *   values, seed values, bucket ids and mime types, job names and commands)
 *   are the constants Postgres sees.
 *
 * Runs are random (the seed is printed on failure: replay with
 * `fc.assert(..., { seed, path })`); FUZZ_RUNS=N runs each property N times.
 */
import fc from 'fast-check';
import { loadModule, parseSync } from 'libpg-query';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
// The synchronous forms: fast-check properties and filters are synchronous; the parser is loaded first.
import { compileSync as compile, validateSync as validate } from '../../src/compile.js';
import { loadSqlParser } from '../../src/sql/parser.js';
import type { CompileResult } from '../../src/index.js';
import { fileArb, numRuns, timeoutFor } from './arbitraries.js';
import { put, sameData, toYaml } from './documents.js';
import type { GeneratedFile, LiteralCheck } from './expected.js';
import {
  constant,
  expectedHistogram,
  histogram,
  isObject,
  mismatch,
  modelNameProblems,
  nameCollisions,
  names,
  nodeType,
  sortedHistogram,
  statements,
  stringConstants,
  walk,
} from './sqlTree.js';
import type { JsonNode, JsonObject, RawStatement } from './sqlTree.js';

const FILE = 'requirements.yaml';
const CHEAP_RUNS = 100;
const PARSE_RUNS = 25;

beforeAll(async () => {
  await loadSqlParser();
  await loadModule();
});

function isValid(file: GeneratedFile): boolean {
  return validate(file.text, { fileName: FILE }).errors.length === 0;
}

/** The file with its entities, buckets, views and jobs listed in reverse order. */
function reordered(file: GeneratedFile): string {
  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(file.doc)) {
    if (['entities', 'buckets', 'materialized_views', 'jobs'].includes(key) && isObject(value as JsonNode)) {
      const reversed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as object).reverse()) put(reversed, k, v);
      doc[key] = reversed;
    } else {
      doc[key] = value;
    }
  }
  return toYaml(doc);
}

const withoutSha = (sql: string) => sql.replace(/^-- Source sha256: [0-9a-f]{64}$/m, '-- Source sha256: <sha>');

describe('random valid requirements files', () => {
  it(
    'the generator makes valid files (at least 90%), and YAML keeps every value',
    () => {
      const files = fc.sample(fileArb, numRuns(CHEAP_RUNS));
      const invalid: string[] = [];
      for (const file of files) {
        // The yaml package must give back exactly what was generated: otherwise a
        // failure below would be the serializer's, not the compiler's.
        expect(sameData(parseYaml(file.text), file.doc), `YAML round trip of:\n${file.text}`).toBe(true);
        const errors = validate(file.text, { fileName: FILE }).errors;
        if (errors.length > 0) invalid.push(`${errors.map((e) => `${e.line}:${e.column}: ${e.message} [${e.rule}]`).join('\n')}\n---\n${file.text}`);
      }
      const ratio = (files.length - invalid.length) / files.length;
      expect(ratio, `valid ratio ${ratio}; first invalid file:\n${invalid[0] ?? ''}`).toBeGreaterThanOrEqual(0.9);
    },
    timeoutFor(CHEAP_RUNS),
  );

  it(
    'compile never throws, gives the same bytes twice, and ignores the order of sections; derived names fit and never collide',
    () => {
      fc.assert(
        fc.property(fileArb, (file) => {
          fc.pre(isValid(file));
          const first = compile(file.text, { fileName: FILE });
          const again = compile(Buffer.from(file.text, 'utf8'), { fileName: FILE });
          expect(again.sql).toBe(first.sql);
          expect(again.cron).toEqual(first.cron);
          expect(compile(file.text, { fileName: FILE, target: 'supabase' }).sql.length).toBeGreaterThan(0);
          // Entities, buckets, views and jobs are ordered by name, never by position.
          expect(withoutSha(compile(reordered(file), { fileName: FILE }).sql)).toBe(withoutSha(first.sql));
          expect(modelNameProblems(first.model)).toEqual([]);
        }),
        { numRuns: numRuns(CHEAP_RUNS) },
      );
    },
    timeoutFor(CHEAP_RUNS),
  );

  it(
    "the SQL parses into exactly the statements the model implies, and the file's values are the constants Postgres sees",
    () => {
      fc.assert(
        fc.property(fileArb, (file) => {
          fc.pre(isValid(file));
          const compiled = compile(file.text, { fileName: FILE });
          const stmts = statements(compiled.sql);
          checkShape(stmts);
          expect(sortedHistogram(histogram(stmts)), 'statements by kind').toEqual(expectedHistogram(compiled.model));
          expect(nameCollisions(stmts)).toEqual([]);
          checkCron(stmts, compiled);
          checkLiterals(stmts, compiled, file.checks);

          const supabase = compile(file.text, { fileName: FILE, target: 'supabase' });
          expect(sortedHistogram(histogram(statements(supabase.sql))), 'statements by kind (supabase)').toEqual(expectedHistogram(supabase.model, 'supabase'));
        }),
        { numRuns: numRuns(PARSE_RUNS) },
      );
    },
    timeoutFor(PARSE_RUNS),
  );
});

/** BEGIN first, COMMIT last, and no other transaction control in between. */
function checkShape(stmts: readonly RawStatement[]): void {
  const kinds = stmts.filter(({ stmt }) => nodeType(stmt) === 'TransactionStmt').map(({ stmt }) => String((stmt.TransactionStmt as JsonObject).kind));
  expect(kinds).toEqual(['TRANS_STMT_BEGIN', 'TRANS_STMT_COMMIT']);
  expect(nodeType((stmts[0] as RawStatement).stmt)).toBe('TransactionStmt');
  expect(nodeType((stmts[stmts.length - 1] as RawStatement).stmt)).toBe('TransactionStmt');
}

/** The cron.schedule calls are the compiled jobs, with constant arguments, and every command parses. */
function checkCron(stmts: readonly RawStatement[], compiled: CompileResult): void {
  const scheduled: { name: string; schedule: string; command: string }[] = [];
  for (const { stmt } of stmts) {
    for (const node of walk(stmt)) {
      if (!isObject(node.FuncCall) || names(node.FuncCall.funcname).join('.') !== 'cron.schedule') continue;
      const args = Array.isArray(node.FuncCall.args) ? node.FuncCall.args.map((a) => constant(a)) : [];
      expect(
        args.map((a) => a.kind),
        'cron.schedule(name, schedule, command) with string constants',
      ).toEqual(['string', 'string', 'string']);
      const [name, schedule, command] = args.map((a) => (a.kind === 'string' ? a.value : ''));
      scheduled.push({ name: name as string, schedule: schedule as string, command: command as string });
    }
  }
  expect(scheduled).toEqual([...compiled.cron]);
  for (const job of scheduled) expect(() => parseSync(job.command), `${job.name}: ${job.command}`).not.toThrow();
}

function checkLiterals(stmts: readonly RawStatement[], compiled: CompileResult, checks: readonly LiteralCheck[]): void {
  const comments = new Map<string, string>();
  const defaults = new Map<string, JsonNode>();
  const constraints = new Map<string, JsonNode>();
  const inserts = new Map<string, { columns: string[]; rows: JsonNode[][] }>();
  for (const { stmt } of stmts) {
    if (isObject(stmt.CreateStmt) || isObject(stmt.AlterTableStmt)) {
      const body = (stmt.CreateStmt ?? stmt.AlterTableStmt) as JsonObject;
      const relation = (body.relation ?? {}) as JsonObject;
      const table = String(relation.relname);
      for (const node of walk(body)) {
        if (isObject(node.ColumnDef)) {
          for (const c of walk(node.ColumnDef.constraints)) {
            if (isObject(c.Constraint) && c.Constraint.contype === 'CONSTR_DEFAULT')
              defaults.set(`${table}.${String(node.ColumnDef.colname)}`, c.Constraint.raw_expr ?? null);
          }
        }
        if (isObject(node.Constraint) && typeof node.Constraint.conname === 'string')
          constraints.set(`${table}.${node.Constraint.conname}`, node.Constraint.raw_expr ?? null);
      }
    }
    if (isObject(stmt.CommentStmt)) {
      // An empty comment is left out of the parse tree (and IS '' drops a comment in Postgres).
      const comment = typeof stmt.CommentStmt.comment === 'string' ? stmt.CommentStmt.comment : '';
      const object = stmt.CommentStmt.object;
      const parts = isObject(object) && isObject(object.List) ? names(object.List.items) : [];
      const key = stmt.CommentStmt.objtype === 'OBJECT_TABLE' ? parts[parts.length - 1] : parts.slice(-2).join('.');
      comments.set(`${String(stmt.CommentStmt.objtype)}:${key ?? ''}`, comment);
    }
    if (isObject(stmt.InsertStmt)) {
      const relation = stmt.InsertStmt.relation as JsonObject;
      const table = relation.schemaname === 'storage' ? `storage.${String(relation.relname)}` : String(relation.relname);
      const columns = (Array.isArray(stmt.InsertStmt.cols) ? stmt.InsertStmt.cols : []).map((c) => String(((c as JsonObject).ResTarget as JsonObject).name));
      const select = (stmt.InsertStmt.selectStmt as JsonObject).SelectStmt as JsonObject;
      const lists = Array.isArray(select.valuesLists) ? select.valuesLists : [];
      const rows = lists.map((l) => (((l as JsonObject).List as JsonObject).items ?? []) as JsonNode[]);
      const previous = inserts.get(table);
      inserts.set(table, previous ? { columns, rows: [...previous.rows, ...rows] } : { columns, rows });
    }
  }

  for (const check of checks) {
    switch (check.kind) {
      case 'table-comment':
        expect(comments.get(`OBJECT_TABLE:${check.table}`), `COMMENT ON TABLE ${check.table}`).toBe(check.value);
        break;
      case 'column-comment':
        expect(comments.get(`OBJECT_COLUMN:${check.table}.${check.column}`), `COMMENT ON COLUMN ${check.table}.${check.column}`).toBe(check.value);
        break;
      case 'default': {
        const key = `${check.table}.${check.column}`;
        expect(defaults.has(key), `DEFAULT of ${key}`).toBe(true);
        expect(mismatch(check.expected, constant(defaults.get(key))), `DEFAULT of ${key}`).toBeUndefined();
        break;
      }
      case 'enum': {
        const table = compiled.model.tables.find((t) => t.name === check.table);
        const c = table?.constraints.find((k) => k.kind === 'enum' && k.column === check.column);
        expect(c, `enum constraint of ${check.table}.${check.column}`).toBeDefined();
        expect(stringConstants(constraints.get(`${check.table}.${c?.name ?? ''}`)), `enum values of ${check.table}.${check.column}`).toEqual(check.values);
        break;
      }
      case 'row': {
        const insert = inserts.get(check.table);
        const at = insert?.columns.indexOf(check.column) ?? -1;
        expect(at, `seed column ${check.table}.${check.column}`).toBeGreaterThanOrEqual(0);
        const cell = insert?.rows[check.row]?.[at];
        expect(mismatch(check.expected, constant(cell)), `seed row ${check.row + 1} of ${check.table}, column ${check.column}`).toBeUndefined();
        break;
      }
      case 'bucket': {
        const rows = inserts.get('storage.buckets')?.rows ?? [];
        const row = rows.find((r) => {
          const id = constant(r[0]);
          return id.kind === 'string' && id.value === check.id;
        });
        expect(row, `storage.buckets row of ${check.id}`).toBeDefined();
        expect(constant(row?.[1])).toEqual({ kind: 'string', value: check.id });
        if (check.mimes) {
          expect(
            mismatch({ kind: 'array', items: check.mimes.map((m) => ({ kind: 'string', value: m })) }, constant(row?.[4])),
            `mime types of ${check.id}`,
          ).toBeUndefined();
        }
        break;
      }
      case 'job': {
        const job = compiled.cron.find((j) => j.name === check.name);
        expect(job?.command, `command of job ${check.name}`).toBe(check.command);
        break;
      }
    }
  }
}
