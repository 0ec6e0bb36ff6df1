/**
 * Reading generated SQL through Postgres's own parser (libpg-query), for the
 * property tests: statement kinds, the statements a model implies, string
 * constants, and the names the SQL creates per namespace.
 */
import { parseSync } from 'libpg-query';
import type { Model } from '../../src/index.js';
import type { Expected } from './expected.js';
import { READING_SETTINGS_SQL } from '../../src/render/readingSettings.js';

export type JsonNode = null | boolean | number | string | JsonNode[] | { [key: string]: JsonNode };
export type JsonObject = { [key: string]: JsonNode };

export interface RawStatement {
  stmt: JsonObject;
  stmt_location?: number;
  stmt_len?: number;
}

export function isObject(value: JsonNode | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one node type a wrapper like `{ "CreateStmt": {...} }` holds. */
export function nodeType(node: JsonObject): string {
  return Object.keys(node)[0] ?? '';
}

export function statements(sql: string): RawStatement[] {
  const tree = parseSync(sql) as unknown as { stmts?: RawStatement[] };
  return tree.stmts ?? [];
}

/** Depth-first walk over every object in a parse tree. */
export function* walk(node: JsonNode | undefined): Generator<JsonObject> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
  } else if (isObject(node)) {
    yield node;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

export function names(list: JsonNode | undefined): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (isObject(n) && isObject(n.String) ? String(n.String.sval ?? '') : ''));
}

/** A constant as Postgres parsed it: a string, NULL, an ARRAY[...] of constants, or something else. */
export type Parsed = { kind: 'string'; value: string } | { kind: 'null' } | { kind: 'array'; items: Parsed[] } | { kind: 'other' };

export function constant(node: JsonNode | undefined): Parsed {
  if (!isObject(node)) return { kind: 'other' };
  if (isObject(node.TypeCast)) return constant(node.TypeCast.arg);
  if (isObject(node.A_ArrayExpr)) {
    const elements = node.A_ArrayExpr.elements;
    return { kind: 'array', items: Array.isArray(elements) ? elements.map((e) => constant(e)) : [] };
  }
  if (isObject(node.A_Const)) {
    if (node.A_Const.isnull === true) return { kind: 'null' };
    if (isObject(node.A_Const.sval)) return { kind: 'string', value: String(node.A_Const.sval.sval ?? '') };
  }
  return { kind: 'other' };
}

/** Whether what Postgres parsed is what the file said; a description of the difference otherwise. */
export function mismatch(expected: Expected, parsed: Parsed): string | undefined {
  const show = (p: Parsed): string => JSON.stringify(p);
  if (expected.kind === 'string') {
    return parsed.kind === 'string' && parsed.value === expected.value
      ? undefined
      : `expected string ${JSON.stringify(expected.value)}, parsed ${show(parsed)}`;
  }
  if (expected.kind === 'null') return parsed.kind === 'null' ? undefined : `expected NULL, parsed ${show(parsed)}`;
  // An empty array is written '{}'::type[] (an empty ARRAY[] has no type).
  if (expected.items.length === 0) return parsed.kind === 'string' && parsed.value === '{}' ? undefined : `expected '{}', parsed ${show(parsed)}`;
  if (parsed.kind !== 'array' || parsed.items.length !== expected.items.length) return `expected ARRAY of ${expected.items.length}, parsed ${show(parsed)}`;
  for (const [i, item] of expected.items.entries()) {
    if (item === undefined) continue;
    const problem = mismatch(item, parsed.items[i] as Parsed);
    if (problem) return `item ${i + 1}: ${problem}`;
  }
  return undefined;
}

/** Every string constant anywhere under a node, in tree order. */
export function stringConstants(node: JsonNode | undefined): string[] {
  const out: string[] = [];
  for (const n of walk(node)) {
    if (isObject(n.A_Const) && isObject(n.A_Const.sval)) out.push(String(n.A_Const.sval.sval ?? ''));
  }
  return out;
}

/** How many statements of each kind (`SelectStmt`, `CreateStmt`, ...). */
export function histogram(stmts: readonly RawStatement[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { stmt } of stmts) out[nodeType(stmt)] = (out[nodeType(stmt)] ?? 0) + 1;
  return out;
}

/**
 * The statements a model implies, by kind — counted from the model, not from
 * the SQL, so that an extra statement smuggled in through a value shows up.
 */
export function expectedHistogram(model: Model, target: 'altan' | 'supabase' = 'altan'): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    if (n > 0) out[kind] = (out[kind] ?? 0) + n;
  };
  add('TransactionStmt', 2); // BEGIN, COMMIT
  add('VariableSetStmt', READING_SETTINGS_SQL.length + 1); // SET LOCAL of the reading settings, and search_path
  if (model.schema !== 'public') {
    add('CreateSchemaStmt');
    add('GrantStmt'); // GRANT USAGE ON SCHEMA
  }
  add('CreateSchemaStmt'); // altan_private
  add('GrantStmt', 2); // REVOKE ALL ON SCHEMA, GRANT USAGE
  for (const t of model.tables) {
    add('CreateStmt');
    add('CommentStmt', (t.description !== undefined ? 1 : 0) + t.columns.filter((c) => c.description !== undefined).length);
    add('AlterTableStmt'); // ENABLE ROW LEVEL SECURITY
    add('CreatePolicyStmt', t.policies.length);
    const same = t.grants.anon.join() === t.grants.authenticated.join();
    const grants =
      2 + (same && t.grants.anon.length > 0 ? 1 : 0) + (!same && t.grants.anon.length > 0 ? 1 : 0) + (!same && t.grants.authenticated.length > 0 ? 1 : 0);
    add('GrantStmt', grants);
    add('IndexStmt', t.indexes.length);
    add('CreateTrigStmt', t.triggers.length);
    if (t.seed) add('InsertStmt');
    if (t.realtime) add('DoStmt'); // joins the publication supabase_realtime
  }
  add('AlterTableStmt', model.deferredForeignKeys.length);
  for (const f of model.functions) {
    add('CreateFunctionStmt');
    add('GrantStmt', 1 + (f.executableBy.length > 0 ? 1 : 0)); // REVOKE, GRANT EXECUTE
  }
  for (const b of model.buckets) {
    add('InsertStmt');
    add('DropStmt', b.policyNames.length);
    add('CreatePolicyStmt', b.policies.length);
  }
  for (const v of model.views) {
    add('CreateTableAsStmt');
    add('IndexStmt', (v.uniqueIndex ? 1 : 0) + v.indexes.length);
    add('GrantStmt');
    if (v.access !== 'none') {
      add('ViewStmt');
      add('GrantStmt', 2);
    }
  }
  add('SelectStmt', model.jobs.length); // SELECT cron.schedule(...)
  if (target === 'altan') {
    add('SelectStmt'); // SELECT apply_postgrest_permissions()
  } else {
    if (model.schema === 'public') add('GrantStmt');
    add('NotifyStmt');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function sortedHistogram(h: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(h).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Names the SQL creates that would collide in Postgres: relations (tables,
 * indexes, views, and the indexes behind PRIMARY KEY / UNIQUE constraints)
 * per schema; constraints, policies and triggers per table. Names come from
 * the parse tree, where Postgres has already truncated them to 63 bytes, so
 * two names that differ only after byte 63 show up as a collision here.
 */
export function nameCollisions(stmts: readonly RawStatement[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (scope: string, name: string, what: string): void => {
    const key = `${scope}\u0000${name}`;
    const previous = seen.get(key);
    if (previous !== undefined) problems.push(`${what} "${name}" collides with ${previous} in ${scope}`);
    seen.set(key, what);
  };
  const rel = (rv: JsonNode | undefined): { schema: string; name: string } => {
    const r = isObject(rv) ? rv : {};
    return { schema: String(r.schemaname ?? 'public'), name: String(r.relname ?? '') };
  };
  const constraintNames = (table: { schema: string; name: string }, node: JsonNode | undefined): void => {
    for (const n of walk(node)) {
      if (!isObject(n.Constraint) || typeof n.Constraint.conname !== 'string') continue;
      const conname = n.Constraint.conname;
      claim(`table ${table.schema}.${table.name}`, conname, 'constraint');
      if (n.Constraint.contype === 'CONSTR_PRIMARY' || n.Constraint.contype === 'CONSTR_UNIQUE') claim(`schema ${table.schema}`, conname, 'constraint index');
    }
  };
  for (const { stmt } of stmts) {
    if (isObject(stmt.CreateStmt)) {
      const t = rel(stmt.CreateStmt.relation);
      claim(`schema ${t.schema}`, t.name, 'table');
      constraintNames(t, stmt.CreateStmt.tableElts);
    } else if (isObject(stmt.AlterTableStmt)) {
      constraintNames(rel(stmt.AlterTableStmt.relation), stmt.AlterTableStmt.cmds);
    } else if (isObject(stmt.IndexStmt)) {
      claim(`schema ${rel(stmt.IndexStmt.relation).schema}`, String(stmt.IndexStmt.idxname), 'index');
    } else if (isObject(stmt.ViewStmt)) {
      const v = rel(stmt.ViewStmt.view);
      claim(`schema ${v.schema}`, v.name, 'view');
    } else if (isObject(stmt.CreateTableAsStmt)) {
      const into = stmt.CreateTableAsStmt.into;
      const v = rel(isObject(into) ? into.rel : undefined);
      claim(`schema ${v.schema}`, v.name, 'materialized view');
    } else if (isObject(stmt.CreatePolicyStmt)) {
      const t = rel(stmt.CreatePolicyStmt.table);
      claim(`table ${t.schema}.${t.name}`, String(stmt.CreatePolicyStmt.policy_name), 'policy');
    } else if (isObject(stmt.CreateTrigStmt)) {
      const t = rel(stmt.CreateTrigStmt.relation);
      claim(`table ${t.schema}.${t.name}`, String(stmt.CreateTrigStmt.trigname), 'trigger');
    }
  }
  return problems;
}

/**
 * Derived names in the model: each at most 63 bytes and unique in the
 * namespace where Postgres (or pg_cron) wants it unique.
 */
export function modelNameProblems(model: Model): string[] {
  const problems: string[] = [];
  const spaces = new Map<string, Set<string>>();
  const claim = (space: string, name: string, what: string) => {
    if (Buffer.byteLength(name, 'utf8') > 63) problems.push(`${what} "${name}" is ${Buffer.byteLength(name, 'utf8')} bytes`);
    let set = spaces.get(space);
    if (!set) spaces.set(space, (set = new Set()));
    if (set.has(name)) problems.push(`${what} "${name}" is taken twice in ${space}`);
    set.add(name);
  };
  const relations = `relations of ${model.schema}`;
  const privateRelations = `relations of ${model.privateSchema}`;
  for (const t of model.tables) {
    claim(relations, t.name, 'table');
    for (const c of t.constraints) {
      claim(`constraints of ${t.name}`, c.name, `constraint (${c.kind})`);
      if (c.kind === 'primary-key' || c.kind === 'unique') claim(relations, c.name, `index of constraint ${c.kind}`);
    }
    for (const fk of [...t.foreignKeys, ...model.deferredForeignKeys.filter((d) => d.table === t.name)])
      claim(`constraints of ${t.name}`, fk.name, 'foreign key');
    for (const i of t.indexes) claim(relations, i.name, 'index');
    for (const p of t.policies) claim(`policies of ${t.name}`, p.name, 'policy');
    for (const tr of t.triggers) claim(`triggers of ${t.name}`, tr.name, 'trigger');
  }
  for (const b of model.buckets) for (const name of b.policyNames) claim('policies of storage.objects', name, `policy of bucket ${b.id}`);
  for (const v of model.views) {
    claim(privateRelations, v.name, 'materialized view');
    if (v.access !== 'none') claim(relations, v.name, 'API view');
    for (const i of [...(v.uniqueIndex ? [v.uniqueIndex] : []), ...v.indexes]) claim(privateRelations, i.name, 'view index');
  }
  for (const j of model.jobs) claim('pg_cron jobs', j.name, 'cron job');
  for (const f of model.functions) claim(`functions of ${model.privateSchema}`, f.name, f.body.kind === 'read-check' ? 'read-check helper' : 'helper function');
  return problems;
}
