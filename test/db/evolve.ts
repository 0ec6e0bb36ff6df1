/**
 * What the evolution tests share (evolve-*.test.ts): the fixture versions of
 * test/evolve/<project>/, a ledger of rows inserted between applies that
 * checks their values survive, the objects of a user that altan-cloud must
 * never touch, and catalog snapshots comparable between a database that got
 * there step by step and one that got a single fresh apply.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import { apply, ApplyError } from '../../src/execute/apply.js';
import type { ApplyOptions } from '../../src/execute/apply.js';
import type { Model } from '../../src/model/model.js';
import type { Database } from '../../src/db/database.js';
import { describeChange } from '../../src/plan/format.js';
import { plan } from '../../src/plan/plan.js';
import type { Change } from '../../src/plan/plan.js';
import { ROOT } from '../helpers.js';
import type { Project } from './evolve-projects.js';
import { catalogSnapshot } from './snapshot.js';
import type { CatalogSnapshot } from './snapshot.js';

export const EVOLVE_DIR = join(ROOT, 'test', 'evolve');

/** test/evolve/<project>/<version>.yaml, compiled under its own file name. */
export async function version(project: string, name: string): Promise<CompileResult> {
  const file = `${name}.yaml`;
  return await compile(readFileSync(join(EVOLVE_DIR, project, file)), { fileName: file });
}

/** The catalog without what differs between two histories by design: the apply records and auth.users. */
/**
 * The catalog without the record and the users; with `model`, only the buckets
 * of its file: a bucket removed from the file stays (Storage refuses a direct
 * DELETE), where a fresh apply of the file never made it.
 */
export async function comparableSnapshot(db: Database, model?: Model): Promise<CatalogSnapshot> {
  const { applied: _applied, users: _users, ...rest } = await catalogSnapshot(db);
  if (model) {
    const ids = new Set(model.buckets.map((b) => b.id));
    rest.buckets = (rest.buckets ?? []).filter((row) => ids.has(String((row as { id: unknown }).id)));
  }
  return rest;
}

/** A plan's destructive changes, as the refusal lists them. */
export const destructiveLines = (changes: readonly Change[]): string[] =>
  changes.filter((c) => c.destructive !== undefined).map((c) => `${describeChange(c)}: ${c.destructive}`);

/** Runs `run`, which must throw an ApplyError, and checks the catalog did not change; returns the error. */
export async function expectRefused(db: Database, run: () => Promise<unknown>): Promise<ApplyError> {
  const before = await catalogSnapshot(db);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplyError);
  expect(await catalogSnapshot(db)).toEqual(before);
  return error as ApplyError;
}

/** Applies and checks that planning again finds nothing to do. */
export async function applyAndSettle(db: Database, compiled: CompileResult, options: ApplyOptions = {}) {
  const report = await apply(db, compiled, options);
  expect(report.status).toBe('applied');
  const again = await plan(db, compiled);
  expect(again.changes.map(describeChange)).toEqual([]);
  expect(again.status).toBe('up-to-date');
  expect(again.sql).toBe('');
  return report;
}

// ---------------------------------------------------------------------------
// A user's own objects in the exposed schema: altan-cloud did not make them.

export const USER_OBJECTS = `
CREATE TABLE public.my_notes (id integer PRIMARY KEY, body text NOT NULL);
ALTER TABLE public.my_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY my_notes_read ON public.my_notes FOR SELECT TO authenticated USING (true);
CREATE FUNCTION public.my_answer() RETURNS integer LANGUAGE sql AS 'SELECT 42';
INSERT INTO public.my_notes VALUES (1, 'mine'), (2, 'also mine');
-- what the platform does to everything in the exposed schema (every apply ends with it too)
SELECT public.apply_postgrest_permissions();`;

/** Everything about the user's objects: catalog rows that mention them, and the table's rows. */
export async function userObjects(db: Database): Promise<Record<string, unknown>> {
  const snapshot = await catalogSnapshot(db);
  const mine = (row: unknown) => /my_notes|my_answer/.test(JSON.stringify(row));
  const parts = Object.fromEntries(Object.entries(snapshot).map(([k, rows]) => [k, rows.filter(mine)]));
  return { ...parts, rows: await db.query('SELECT id, body FROM public.my_notes ORDER BY id') };
}

// ---------------------------------------------------------------------------
// Rows inserted as the table owner (the connection bypasses RLS), and kept.

interface Kept {
  readonly table: string;
  readonly id: string;
  /** The row as read back after the insert, minus columns that were dropped since. */
  values: Record<string, unknown>;
}

export class Ledger {
  private readonly rows: Kept[] = [];
  /** Rows whose table a later version dropped (their loss was allowed). */
  gone = 0;

  /** Inserts `values` into public.<table> (text parameters, cast by Postgres); returns the new row's id. */
  async insert(db: Database, table: string, values: Record<string, string | number | boolean | null>): Promise<string> {
    const columns = Object.keys(values);
    const [row] = await db.query<{ id: string; row: Record<string, unknown> }>(
      `INSERT INTO public.${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
       RETURNING id::text AS id, to_jsonb(${table}.*) AS row`,
      columns.map((c) => values[c]),
    );
    if (row === undefined) throw new Error(`no row inserted into ${table}`);
    this.rows.push({ table, id: row.id, values: row.row });
    return row.id;
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * Every kept row, read again: [] when each still holds its values in every
   * column that still exists. A column or table that is gone forgets its
   * values for good (a column added again later starts afresh).
   */
  async problems(db: Database): Promise<string[]> {
    const columns = await db.query<{ table: string; column: string }>(
      `SELECT c.relname::text AS table, a.attname::text AS column FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const live = new Set(columns.map((c) => `${c.table}.${c.column}`));
    const problems: string[] = [];
    for (const kept of [...this.rows]) {
      if (!live.has(`${kept.table}.id`)) {
        this.rows.splice(this.rows.indexOf(kept), 1);
        this.gone++;
        continue;
      }
      for (const key of Object.keys(kept.values)) if (!live.has(`${kept.table}.${key}`)) delete kept.values[key];
      const [found] = await db.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t.*) AS row FROM public.${kept.table} AS t WHERE id = $1`, [kept.id]);
      if (found === undefined) {
        problems.push(`${kept.table} ${kept.id} is gone`);
        continue;
      }
      for (const [key, value] of Object.entries(kept.values)) {
        if (JSON.stringify(found.row[key]) !== JSON.stringify(value))
          problems.push(`${kept.table} ${kept.id}.${key} was ${JSON.stringify(value)}, is ${JSON.stringify(found.row[key])}`);
      }
    }
    return problems;
  }
}

// ---------------------------------------------------------------------------
// A whole sequence, on either backend.

export interface Backend {
  readonly db: Database;
  reset(): Promise<unknown>;
  createUser(): Promise<string>;
}

/**
 * Each version of `project` applied fresh (to a reset database holding the
 * user's objects), then the sequence step by step on one database with rows
 * inserted after each step: each step's destructive changes are refused
 * without allowDestructive (catalog unchanged), then applied; after each the
 * kept rows hold their values, the catalog equals the fresh apply's, the
 * user's objects are as they were, and planning again finds nothing.
 */
export async function runSequence(backend: Backend, project: Project, after?: (version: string) => Promise<void>): Promise<Ledger> {
  const { db } = backend;
  const fresh = new Map<string, CatalogSnapshot>();
  for (const { version: v } of project.steps) {
    if (fresh.has(v)) continue;
    await backend.reset();
    await db.exec(USER_OBJECTS);
    expect((await apply(db, await version(project.name, v))).status).toBe('applied');
    fresh.set(v, await comparableSnapshot(db));
  }
  // so that "equals the fresh apply" tells the versions apart
  const versions = [...fresh.values()];
  for (const [i, a] of versions.entries()) for (const b of versions.slice(i + 1)) expect(a).not.toEqual(b);

  await backend.reset();
  await db.exec(USER_OBJECTS);
  const user = await backend.createUser();
  const ledger = new Ledger();
  const mine = await userObjects(db);
  for (const [i, step] of project.steps.entries()) {
    const label = `${project.name} step ${i + 1} (${step.version})`;
    const compiled = await version(project.name, step.version);
    const planned = await plan(db, compiled);
    expect(planned.fresh, label).toBe(i === 0);
    expect(planned.blockers, label).toEqual([]);
    expect(destructiveLines(planned.changes), label).toEqual(step.destructive);
    if (step.destructive.length > 0) {
      const refused = await expectRefused(db, () => apply(db, compiled));
      expect(refused.reason, label).toBe('destructive');
      for (const line of step.destructive) expect(refused.message, label).toContain(`\n  ${line}\n`);
    }
    const report = await applyAndSettle(db, compiled, { allowDestructive: step.destructive.length > 0 });
    expect(report.changes.length, label).toBeGreaterThan(0);
    expect(await comparableSnapshot(db, compiled.model), label).toEqual(fresh.get(step.version));
    expect(await ledger.problems(db), label).toEqual([]);
    expect(await userObjects(db), label).toEqual(mine);
    await after?.(step.version);
    await project.fill(db, ledger, step.version, user);
    expect(await ledger.problems(db), label).toEqual([]);
  }
  return ledger;
}
