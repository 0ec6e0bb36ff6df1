/**
 * The objects a compiled file owns, one entry each, with the SQL that creates
 * and removes it. apply records the inventory next to the SQL it ran; the
 * next plan compares the file's new inventory with the recorded one (equal
 * `create` text means unchanged) and with the catalog (presence), so it
 * touches only objects altan-cloud created.
 */
import type { Condition, Model, Table } from '../model/model.js';
import type { SqlType } from '../model/sqlTypes.js';
import { renderBlueprint } from '../render/blueprints.js';
import { ident, literal, qualified } from '../sql/quote.js';
import { defaultSql } from '../render/prepare/tables.js';
import type { PreparedTable } from '../render/prepare/tables.js';
import { preparedFor } from '../render/prepare/transaction.js';
import type { PreparedTransaction } from '../render/prepare/transaction.js';
import type { Target } from '../target.js';

export type EntryKind =
  | 'schema-usage' | 'table' | 'column' | 'constraint' | 'foreign-key' | 'index' | 'rls' | 'policy' | 'grants'
  | 'trigger' | 'comment' | 'seed' | 'function' | 'bucket' | 'storage-policy' | 'view' | 'job';

/** What ALTER COLUMN needs to move a column from one definition to another. */
export interface ColumnShape {
  readonly type: SqlType;
  readonly notNull: boolean;
  /** The DEFAULT expression as rendered. */
  readonly default?: string;
}

export interface Entry {
  readonly kind: EntryKind;
  /** The table a part belongs to. */
  readonly table?: string;
  readonly name: string;
  /** The statements that create it; the same text in two inventories means the same object. */
  readonly create: string;
  /** The statements that remove it; '' for parts that only go with their table. */
  readonly drop: string;
  /** Catalog keys (see catalogKey) that exist while it does; empty: not visible by name. */
  readonly presence: readonly string[];
  /** Made by its table's CREATE TABLE when the table itself is created. */
  readonly withTable?: boolean;
  readonly column?: ColumnShape;
  /**
   * Tables of the schema a policy or a CHECK reads: it is dropped before their column types change
   * and made again after (Postgres refuses to alter a column a policy reads, and re-parses a
   * CHECK's text against the new types, into another expression than a fresh CREATE gives).
   */
  readonly refs?: readonly string[];
  /** The materialized view a refresh job refreshes: the job comes and goes with it. */
  readonly refreshes?: string;
}

export interface Inventory {
  readonly format: 1;
  readonly entries: readonly Entry[];
}

/**
 * How an object is named in the catalog: by kind, table ('' for schema-level
 * objects) and name. NUL cannot occur in a Postgres name, so it separates the
 * parts unambiguously (and cheaply, for 30,000 entries). Presence keys are
 * stored in the record: a change of this format needs a new inventory format.
 */
export const catalogKey = (kind: string, table: string, name: string): string => `${kind}\u0000${table}\u0000${name}`;
export const entryKey = (e: Pick<Entry, 'kind' | 'table' | 'name'>): string => `${e.kind}\u0000${e.table ?? ''}\u0000${e.name}`;

const FUNCTION_GROUPS = {
  updatedAt: ['set_updated_at'],
  organizations: ['member_org_ids', 'admin_org_ids', 'add_organization_creator'],
  objectBucket: ['object_bucket_id'],
} as const;

/** Tables a condition looks into besides its own (parents whose visibility it checks). */
function parentsOf(c: Condition | undefined, schema: string): string[] {
  if (c === undefined) return [];
  if (c.kind === 'visible-parent') return c.target.schema === schema ? [c.target.table] : [];
  if (c.kind === 'all' || c.kind === 'any') return c.of.flatMap((x) => parentsOf(x, schema));
  return [];
}

function tableEntries(model: Model, t: Table, p: PreparedTable): Entry[] {
  const { schema } = model;
  const q = p.qname;
  const part = (kind: EntryKind, name: string, create: string, drop: string, presence: readonly string[], extra: Partial<Entry> = {}): Entry => ({
    kind, table: t.name, name, create, drop, presence, ...extra,
  });
  const constraintDrop = (name: string) => `ALTER TABLE ${q} DROP CONSTRAINT IF EXISTS ${ident(name)};`;
  // The lines of the prepared CREATE TABLE, in order: columns, constraints, foreign keys.
  const lines = new Map<object, string>([...t.columns, ...t.constraints, ...t.foreignKeys].map((node, i) => [node, p.lines[i] as string]));
  const lineOf = (node: object) => lines.get(node) as string;
  return [
    { kind: 'table', name: t.name, create: renderBlueprint('table', p).trimEnd(), drop: `DROP TABLE IF EXISTS ${q};`, presence: [catalogKey('table', '', t.name)] },
    ...t.columns.map((c) =>
      part('column', c.name, `ALTER TABLE ${q} ADD COLUMN ${lineOf(c)};`, `ALTER TABLE ${q} DROP COLUMN IF EXISTS ${ident(c.name)};`, [catalogKey('column', t.name, c.name)], {
        withTable: true,
        column: { type: c.type, notNull: c.notNull, ...(c.default ? { default: defaultSql(c.type, c.default) } : {}) },
      }),
    ),
    ...t.constraints.map((c) =>
      part('constraint', c.name, `ALTER TABLE ${q} ADD ${lineOf(c)};`, constraintDrop(c.name), [catalogKey('constraint', t.name, c.name)], {
        withTable: true,
        ...(c.kind === 'check' || c.kind === 'enum' ? { refs: [t.name] } : {}),
      }),
    ),
    ...t.foreignKeys.map((fk) => part('foreign-key', fk.name, `ALTER TABLE ${q} ADD ${lineOf(fk)};`, constraintDrop(fk.name), [catalogKey('constraint', t.name, fk.name)], { withTable: true })),
    ...(t.description !== undefined ? [part('comment', '', `COMMENT ON TABLE ${q} IS ${literal(t.description)};`, `COMMENT ON TABLE ${q} IS NULL;`, [])] : []),
    ...t.columns
      .filter((c) => c.description !== undefined)
      .map((c) => part('comment', c.name, `COMMENT ON COLUMN ${q}.${ident(c.name)} IS ${literal(c.description as string)};`, `COMMENT ON COLUMN ${q}.${ident(c.name)} IS NULL;`, [])),
    part('rls', '', `ALTER TABLE ${q} ENABLE ROW LEVEL SECURITY;`, '', [catalogKey('rls', '', t.name)]),
    ...t.policies.map((pol, n) =>
      part('policy', pol.name, renderBlueprint('policy', { policy: p.policies[n], on: q }).trimEnd(), `DROP POLICY IF EXISTS ${ident(pol.name)} ON ${q};`, [catalogKey('policy', t.name, pol.name)], {
        refs: [...new Set([t.name, ...parentsOf(pol.using, schema), ...parentsOf(pol.check, schema)])],
      }),
    ),
    part('grants', '', p.grants.join('\n'), '', []),
    ...t.indexes.map((i, n) => part('index', i.name, p.indexes[n] as string, `DROP INDEX IF EXISTS ${qualified(schema, i.name)};`, [catalogKey('index', t.name, i.name)])),
    ...t.triggers.map((tr, n) => part('trigger', tr.name, p.triggers[n] as string, `DROP TRIGGER IF EXISTS ${ident(tr.name)} ON ${q};`, [catalogKey('trigger', t.name, tr.name)])),
    ...(p.seed ? [part('seed', '', renderBlueprint('seed', p.seed).trimEnd(), '', [])] : []),
  ];
}

/**
 * Helper functions live in the private schema, which files for other schemas
 * share: one still used there (by a trigger or policy) stays.
 */
/** Argument types of the fixed helpers that take any (a DROP FUNCTION names the signature). */
const FUNCTION_ARGUMENTS: Readonly<Record<string, string>> = { object_bucket_id: 'uuid' };

function dropSharedFunction(qname: string, args = ''): string {
  return `DO $drop$\nBEGIN\n  DROP FUNCTION IF EXISTS ${qname}(${args});\nEXCEPTION WHEN dependent_objects_still_exist THEN\n  NULL;\nEND\n$drop$;`;
}

/** Every object the model's SQL creates, in the order the generated script creates them. */
export function inventoryOf(model: Model, target: Target): Inventory {
  const { schema, privateSchema } = model;
  const prepared = preparedFor(model, target);
  const entries: Entry[] = [
    {
      kind: 'schema-usage',
      name: privateSchema,
      create: `GRANT USAGE ON SCHEMA ${prepared.private.name} TO ${prepared.private.usage};`,
      // Run before the new grant, and only while no file for another schema shares the private schema.
      drop: `REVOKE USAGE ON SCHEMA ${prepared.private.name} FROM anon, authenticated;`,
      presence: [],
    },
  ];
  model.tables.forEach((t, i) => entries.push(...tableEntries(model, t, prepared.tables[i] as PreparedTable)));
  model.deferredForeignKeys.forEach((fk, i) => {
    entries.push({
      kind: 'foreign-key', table: fk.table, name: fk.name,
      create: prepared.deferred[i] as string,
      drop: `ALTER TABLE ${qualified(schema, fk.table)} DROP CONSTRAINT IF EXISTS ${ident(fk.name)};`,
      presence: [catalogKey('constraint', fk.table, fk.name)],
    });
  });
  for (const group of ['updatedAt', 'organizations', 'objectBucket'] as const) {
    if (!model.functions[group]) continue;
    const names = FUNCTION_GROUPS[group];
    const only = { updatedAt: group === 'updatedAt', organizations: group === 'organizations', objectBucket: group === 'objectBucket' };
    entries.push({
      kind: 'function',
      name: names.join(', '),
      create: renderBlueprint('functions', { ...prepared, functions: only, readChecks: [] }).trim(),
      drop: names.map((n) => dropSharedFunction(qualified(privateSchema, n), FUNCTION_ARGUMENTS[n])).join('\n'),
      presence: names.map((n) => catalogKey('function', '', n)),
    });
  }
  model.functions.readChecks.forEach((c, i) => {
    const p = prepared.readChecks[i] as PreparedTransaction['readChecks'][number];
    entries.push({
      kind: 'function',
      name: c.name,
      create: renderBlueprint('functions', { ...prepared, functions: { updatedAt: false, organizations: false, objectBucket: false }, readChecks: [p] }).trim(),
      drop: dropSharedFunction(qualified(privateSchema, c.name), c.keyType.sql),
      presence: [catalogKey('function', '', c.name)],
    });
  });
  model.buckets.forEach((b, i) => {
    const p = prepared.buckets[i] as PreparedTransaction['buckets'][number];
    entries.push({
      kind: 'bucket', name: b.id, create: [p.insert, p.values, p.update].join('\n'),
      // Storage refuses a direct DELETE of a bucket: one removed from the file stays, with its files (its policies go).
      drop: '',
      presence: [catalogKey('bucket', '', b.id)],
    });
    b.policies.forEach((pol, n) => {
      entries.push({
        kind: 'storage-policy', name: pol.name,
        create: renderBlueprint('policy', { policy: p.policies[n], on: 'storage.objects' }).trimEnd(),
        drop: `DROP POLICY IF EXISTS ${ident(pol.name)} ON storage.objects;`,
        presence: [catalogKey('storage-policy', '', pol.name)],
      });
    });
  });
  model.views.forEach((v, i) => {
    const p = prepared.views[i] as PreparedTransaction['views'][number];
    entries.push({
      kind: 'view', name: v.name,
      create: renderBlueprint('view', p).trimEnd(),
      drop: [...(p.exposed ? [`DROP VIEW IF EXISTS ${p.exposed};`] : []), `DROP MATERIALIZED VIEW IF EXISTS ${p.qname};`].join('\n'),
      presence: [catalogKey('view', '', v.name)],
    });
  });
  model.jobs.forEach((j, i) => {
    entries.push({
      kind: 'job', name: j.name,
      create: prepared.jobs[i] as string,
      // pg_cron raises for a name it does not know: a job unscheduled by hand is not an error.
      drop: `SELECT cron.unschedule(jobname) FROM cron.job WHERE jobname = ${literal(j.name)};`,
      presence: [catalogKey('job', '', j.name)],
      ...(j.action.kind === 'refresh' ? { refreshes: j.action.view } : {}),
    });
  });
  return { format: 1, entries };
}
