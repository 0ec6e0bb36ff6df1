/**
 * Every golden SQL file must be what Postgres itself would parse, with the
 * shape the format promises: one transaction, BEGIN first, COMMIT last,
 * `SELECT apply_postgrest_permissions()` just before COMMIT. The real
 * Postgres 18 parser (libpg-query, WASM) does the parsing.
 *
 * Beyond the shape, data must survive quoting: the cron commands, the text
 * defaults and the descriptions found in the parse tree must be the values
 * the requirements file holds.
 */
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parsePlPgSQLSync, parseSync } from 'libpg-query';
import { compile } from '../src/index.js';
import { EXPECTED_SQL, entriesWithExpectedSql, readInput } from './helpers.js';
import { expectedHistogram, histogram, isObject, nameCollisions, names, nodeType, sortedHistogram, statements, walk } from './property/sqlTree.js';
import type { JsonNode as Json, JsonObject, RawStatement } from './property/sqlTree.js';

/** Text of one statement, from the byte offsets the parser reports. */
function statementText(sql: string, raw: RawStatement): string {
  const bytes = Buffer.from(sql, 'utf8');
  const start = raw.stmt_location ?? 0;
  const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? bytes.length : start + raw.stmt_len;
  return bytes.subarray(start, end).toString('utf8');
}

/** The string value of a constant, looking through casts (`'x'::text`). */
function stringConstant(node: Json | undefined): string | undefined {
  if (!isObject(node)) return undefined;
  if (isObject(node.TypeCast)) return stringConstant(node.TypeCast.arg);
  if (isObject(node.A_Const) && isObject(node.A_Const.sval)) return String(node.A_Const.sval.sval ?? '');
  return undefined;
}

function transactionKinds(stmts: RawStatement[]): string[] {
  return stmts
    .map((s) => s.stmt)
    .filter((s) => nodeType(s) === 'TransactionStmt')
    .map((s) => String((s.TransactionStmt as JsonObject).kind));
}

function isApplyPermissions(stmt: JsonObject | undefined): boolean {
  if (!stmt || !isObject(stmt.SelectStmt)) return false;
  const select = stmt.SelectStmt;
  const targets = select.targetList;
  if (!Array.isArray(targets) || targets.length !== 1) return false;
  if (select.fromClause !== undefined || select.whereClause !== undefined) return false;
  const target = targets[0];
  const call = isObject(target) && isObject(target.ResTarget) && isObject(target.ResTarget.val) ? target.ResTarget.val.FuncCall : undefined;
  if (!isObject(call)) return false;
  const fn = names(call.funcname);
  return fn[fn.length - 1] === 'apply_postgrest_permissions' && (fn.length === 1 || fn[0] === 'public') && call.args === undefined;
}

const entries = entriesWithExpectedSql();

beforeAll(async () => {
  await loadModule();
});

describe('golden SQL parses with the Postgres 18 parser', () => {
  it('there is golden SQL to check', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  for (const { entry, sql } of entries) {
    const label = `${entry.dir.includes('/examples/') ? 'examples' : 'cases'}/${entry.name}/${EXPECTED_SQL}`;

    it(`${label}: one transaction, permissions applied last`, () => {
      let stmts: RawStatement[] = [];
      expect(() => {
        stmts = statements(sql);
      }).not.toThrow();
      expect(stmts.length).toBeGreaterThanOrEqual(3);

      const first = stmts[0]?.stmt;
      const last = stmts[stmts.length - 1]?.stmt;
      expect(first && nodeType(first)).toBe('TransactionStmt');
      expect(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']).toContain((first?.TransactionStmt as JsonObject | undefined)?.kind);
      expect(last && nodeType(last)).toBe('TransactionStmt');
      expect((last?.TransactionStmt as JsonObject | undefined)?.kind).toBe('TRANS_STMT_COMMIT');
      expect(isApplyPermissions(stmts[stmts.length - 2]?.stmt), 'the statement before COMMIT is SELECT apply_postgrest_permissions()').toBe(true);

      // Exactly one BEGIN and one COMMIT, and no other transaction control
      // (a ROLLBACK or SAVEPOINT inside would break the all-or-nothing promise).
      expect(transactionKinds(stmts)).toEqual([(first?.TransactionStmt as JsonObject | undefined)?.kind, 'TRANS_STMT_COMMIT']);
    });

    it(`${label}: Postgres finds exactly the statements the model implies, by kind`, async () => {
      // Counted from the model, not from the SQL: a statement smuggled in through the file's
      // own SQL (a check, a default, an index condition, a view query) or a value shows up here.
      const compiled = await compile(readInput(entry), { fileName: entry.file });
      expect(compiled.sql).toBe(sql);
      expect(sortedHistogram(histogram(statements(sql)))).toEqual(expectedHistogram(compiled.model));
    });

    it(`${label}: function bodies (PL/pgSQL and SQL) parse`, () => {
      for (const raw of statements(sql)) {
        const stmt = raw.stmt;
        if (!isObject(stmt.CreateFunctionStmt)) continue;
        const options = stmt.CreateFunctionStmt.options;
        const language = [...walk(options)]
          .filter((n) => isObject(n.DefElem) && n.DefElem.defname === 'language')
          .map((n) => stringConstant(((n.DefElem as JsonObject).arg as Json) ?? null) ?? names([((n.DefElem as JsonObject).arg as Json) ?? null])[0]);
        if (language.includes('plpgsql')) {
          const text = statementText(sql, raw);
          expect(() => parsePlPgSQLSync(text), text).not.toThrow();
        } else if (language.includes('sql')) {
          // The body of a LANGUAGE sql function is itself SQL.
          const body = [...walk(options)]
            .filter((n) => isObject(n.DefElem) && n.DefElem.defname === 'as')
            .flatMap((n) =>
              names(isObject((n.DefElem as JsonObject).arg) ? ((((n.DefElem as JsonObject).arg as JsonObject).List as JsonObject)?.items ?? []) : []),
            );
          expect(body.length).toBeGreaterThan(0);
          for (const text of body) expect(() => parseSync(text), text).not.toThrow();
        }
      }
    });

    it(`${label}: created names fit in 63 bytes and never collide`, async () => {
      // Postgres truncates longer identifiers silently, so a derived name over
      // 63 bytes is a latent collision: the parse tree holds the truncated
      // names, and nameCollisions() checks them per namespace (relations per
      // schema; constraints, policies and triggers per table).
      expect(nameCollisions(statements(sql))).toEqual([]);

      const jobs = (await compile(readInput(entry), { fileName: entry.file })).cron.map((j) => j.name);
      expect(new Set(jobs).size, `cron job names: ${jobs.join(', ')}`).toBe(jobs.length);
    });

    it(`${label}: cron jobs in the SQL are the compiled jobs, and their commands parse`, async () => {
      const scheduled: { name: string; schedule: string; command: string }[] = [];
      for (const raw of statements(sql)) {
        for (const node of walk(raw.stmt)) {
          if (!isObject(node.FuncCall)) continue;
          const fn = names(node.FuncCall.funcname);
          if (fn.join('.') !== 'cron.schedule') continue;
          const args = Array.isArray(node.FuncCall.args) ? node.FuncCall.args.map((a) => stringConstant(a)) : [];
          expect(args.length, 'cron.schedule(name, schedule, command)').toBe(3);
          expect(
            args.every((a) => a !== undefined),
            'cron.schedule arguments are constants',
          ).toBe(true);
          scheduled.push({ name: args[0] as string, schedule: args[1] as string, command: args[2] as string });
        }
      }
      const compiled = (await compile(readInput(entry), { fileName: entry.file })).cron;
      const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
      expect([...scheduled].sort(byName)).toEqual([...compiled].sort(byName));
      for (const job of scheduled) {
        expect(() => parseSync(job.command), `${job.name}: ${job.command}`).not.toThrow();
      }
    });

    it(`${label}: text defaults and descriptions reach the SQL unchanged`, () => {
      const doc = parseYaml(readInput(entry).toString('utf8')) as {
        entities?: Record<string, { description?: string; fields?: Record<string, unknown> }>;
      } | null;
      const stmts = statements(sql);

      // Column defaults written as text literals, per table.
      const defaults = new Map<string, string>();
      // COMMENT ON TABLE / COLUMN values.
      const comments = new Map<string, string>();
      for (const raw of stmts) {
        const stmt = raw.stmt;
        const relation = isObject(stmt.CreateStmt) ? stmt.CreateStmt.relation : isObject(stmt.AlterTableStmt) ? stmt.AlterTableStmt.relation : undefined;
        if (isObject(relation)) {
          const table = String(relation.relname);
          for (const node of walk(stmt)) {
            if (!isObject(node.ColumnDef)) continue;
            const column = String(node.ColumnDef.colname);
            for (const c of walk(node.ColumnDef.constraints)) {
              if (isObject(c.Constraint) && c.Constraint.contype === 'CONSTR_DEFAULT') {
                const value = stringConstant(c.Constraint.raw_expr);
                if (value !== undefined) defaults.set(`${table}.${column}`, value);
              }
            }
          }
        }
        if (isObject(stmt.CommentStmt) && typeof stmt.CommentStmt.comment === 'string') {
          const object = stmt.CommentStmt.object;
          const parts = isObject(object) && isObject(object.List) ? names(object.List.items) : [];
          const key = stmt.CommentStmt.objtype === 'OBJECT_TABLE' ? parts[parts.length - 1] : parts.slice(-2).join('.');
          if (key) comments.set(`${String(stmt.CommentStmt.objtype)}:${key}`, stmt.CommentStmt.comment);
        }
      }

      for (const [table, entity] of Object.entries(doc?.entities ?? {})) {
        if (typeof entity.description === 'string') {
          expect(comments.get(`OBJECT_TABLE:${table}`), `COMMENT ON TABLE ${table}`).toBe(entity.description);
        }
        for (const [column, raw] of Object.entries(entity.fields ?? {})) {
          if (typeof raw !== 'object' || raw === null) continue;
          const field = raw as { type?: string; default?: unknown; description?: unknown };
          if (typeof field.description === 'string') {
            expect(comments.get(`OBJECT_COLUMN:${table}.${column}`), `COMMENT ON COLUMN ${table}.${column}`).toBe(field.description);
          }
          const textual = /^(text|string|varchar(\(\d+\))?|char\(\d+\))$/.test((field.type ?? '').trim());
          if (textual && typeof field.default === 'string') {
            expect(defaults.get(`${table}.${column}`), `DEFAULT of ${table}.${column}`).toBe(field.default);
          }
        }
      }
    });
  }
});
