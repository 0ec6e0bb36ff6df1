/**
 * The one list of what a model's SQL makes: every object, in the order the
 * transaction creates them, with its kind and key, the statements that make
 * it, the statement that removes it, where the file wrote it, and what it
 * is (its meaning, which plan fingerprints). The transaction's layout, plan's
 * inventory and apply's error mapping all read this list.
 */
import type { Model, Table } from '../model/model.js';
import type { Path } from '../load/document.js';
import { ident, literal, qualified } from '../sql/quote.js';
import { sqlReads } from '../sql/meaning.js';
import { helperObjects } from './functions.js';
import { realtimeObjects } from './realtime.js';
import { policyMeaning, whereFragments } from './policyMeaning.js';
import { catalogKey } from './sqlObject.js';
import type { ColumnRef, Fragment, ObjectKind, SqlObject } from './sqlObject.js';

// The types live in sqlObject.ts (functions.ts makes objects too); importers of this module keep finding them here.
export { catalogKey, createSql, RENDER_REVISION } from './sqlObject.js';
export type { ColumnRef, ColumnShape, Fragment, ObjectKind, SqlObject } from './sqlObject.js';
import { renderBlueprint } from './blueprints.js';
import { bucketSql, cronEntry, privateSchemaUsers, scheduleSql, viewSql } from './prepare/transaction.js';
import { columnLine, constraintLine, defaultSql, foreignKeySql, grantLines, indexSql, preparePolicy, seedSql, triggerSql } from './prepare/tables.js';

/** Author SQL in a meaning: plan compares it by Postgres's parse tree, not by its spacing. */
const authorSql = (sql: string, as: Fragment['kind'] = 'expression') => ({ authorSql: sql, as });

function tableObjects(model: Model, t: Table): SqlObject[] {
  const { schema, privateSchema } = model;
  const q = qualified(schema, t.name);
  const entity: Path = ['entities', t.name];
  const fieldPath = (column: string): Path => (t.role === 'entity' ? ['entities', t.name, 'fields', column] : entity);
  const part = (
    kind: ObjectKind,
    name: string,
    statements: readonly string[],
    drop: string,
    presence: readonly string[],
    meaning: unknown,
    extra: Partial<SqlObject> = {},
  ): SqlObject => ({
    kind,
    table: t.name,
    name,
    statements,
    drop,
    presence,
    meaning,
    path: entity,
    ...extra,
  });
  const constraintDrop = (name: string) => `ALTER TABLE ${q} DROP CONSTRAINT IF EXISTS ${ident(name)};`;
  const label = (column: string) => `field "${t.name}.${column}"`;
  const columnFragments = t.columns.flatMap((c): Fragment[] =>
    c.default?.kind === 'sql'
      ? [{ sql: c.default.sql, what: `SQL default of ${label(c.name)}`, path: [...fieldPath(c.name), 'default', 'sql'], kind: 'expression' }]
      : [],
  );
  const checkFragments = t.constraints.flatMap((c): Fragment[] =>
    c.kind === 'check' ? [{ sql: c.sql, what: `check of ${label(c.column)}`, path: [...fieldPath(c.column), 'check'], kind: 'expression' }] : [],
  );
  // Only indexes the file declares have a condition, and they come first, in the file's order.
  const indexFragments = t.indexes.flatMap((i, n): Fragment[] =>
    i.where !== undefined
      ? [{ sql: i.where, what: `where of index ${n + 1} of entity "${t.name}"`, path: ['entities', t.name, 'indexes', n, 'where'], kind: 'expression' }]
      : [],
  );
  const columnMeaning = (c: Table['columns'][number]) => ({
    type: c.type.sql,
    notNull: c.notNull,
    default: c.default?.kind === 'sql' ? authorSql(c.default.sql) : c.default,
  });
  return [
    {
      kind: 'table',
      name: t.name,
      statements: [
        renderBlueprint('table', {
          qname: q,
          lines: [...t.columns.map(columnLine), ...t.constraints.map(constraintLine), ...t.foreignKeys.map(foreignKeySql)],
        }).trimEnd(),
      ],
      drop: `DROP TABLE IF EXISTS ${q};`,
      presence: [catalogKey('table', '', t.name)],
      meaning: { schema },
      path: entity,
      fragments: [...columnFragments, ...checkFragments],
    },
    ...t.columns.map((c) =>
      part(
        'column',
        c.name,
        [`ALTER TABLE ${q} ADD COLUMN ${columnLine(c)};`],
        `ALTER TABLE ${q} DROP COLUMN IF EXISTS ${ident(c.name)};`,
        [catalogKey('column', t.name, c.name)],
        columnMeaning(c),
        {
          withTable: true,
          column: { type: c.type, notNull: c.notNull, ...(c.default ? { default: defaultSql(c.type, c.default) } : {}) },
          path: fieldPath(c.name),
          fragments: columnFragments.filter((f) => f.path[3] === c.name),
        },
      ),
    ),
    ...t.constraints.map((c) =>
      part(
        'constraint',
        c.name,
        [`ALTER TABLE ${q} ADD ${constraintLine(c)};`],
        constraintDrop(c.name),
        [catalogKey('constraint', t.name, c.name)],
        c.kind === 'check' ? { ...c, sql: authorSql(c.sql) } : c,
        {
          withTable: true,
          ...(c.kind === 'check' || c.kind === 'enum' ? { reads: [{ table: t.name, column: c.column }], path: fieldPath(c.column) } : {}),
          ...(c.kind === 'check' ? { fragments: checkFragments.filter((f) => f.path[3] === c.column) } : {}),
        },
      ),
    ),
    ...t.foreignKeys.map((fk) =>
      part('foreign-key', fk.name, [`ALTER TABLE ${q} ADD ${foreignKeySql(fk)};`], constraintDrop(fk.name), [catalogKey('constraint', t.name, fk.name)], fk, {
        withTable: true,
        path: fieldPath(fk.column),
      }),
    ),
    ...(t.description !== undefined
      ? [part('comment', '', [`COMMENT ON TABLE ${q} IS ${literal(t.description)};`], `COMMENT ON TABLE ${q} IS NULL;`, [], t.description)]
      : []),
    ...t.columns
      .filter((c) => c.description !== undefined)
      .map((c) =>
        part(
          'comment',
          c.name,
          [`COMMENT ON COLUMN ${q}.${ident(c.name)} IS ${literal(c.description as string)};`],
          `COMMENT ON COLUMN ${q}.${ident(c.name)} IS NULL;`,
          [],
          c.description,
          { path: fieldPath(c.name) },
        ),
      ),
    part('rls', '', [`ALTER TABLE ${q} ENABLE ROW LEVEL SECURITY;`], '', [catalogKey('rls', '', t.name)], true),
    ...t.policies.map((pol) =>
      part(
        'policy',
        pol.name,
        [renderBlueprint('policy', { policy: preparePolicy(pol, privateSchema), on: q }).trimEnd()],
        `DROP POLICY IF EXISTS ${ident(pol.name)} ON ${q};`,
        [catalogKey('policy', t.name, pol.name)],
        policyMeaning(pol, privateSchema),
        {
          reads: policyReads(t.name, pol, schema),
          path: [...entity, 'access'],
          fragments: whereFragments(t, pol.command),
        },
      ),
    ),
    part('grants', '', grantLines(q, t.grants), '', [], t.grants),
    ...t.indexes.map((i) =>
      part(
        'index',
        i.name,
        [indexSql(i, q)],
        `DROP INDEX IF EXISTS ${qualified(schema, i.name)};`,
        [catalogKey('index', t.name, i.name)],
        { ...i, where: i.where === undefined ? undefined : authorSql(i.where) },
        {
          fragments: indexFragments.filter((f) => f.sql === i.where),
        },
      ),
    ),
    ...t.triggers.map((tr) =>
      part(
        'trigger',
        tr.name,
        [triggerSql(tr, q, privateSchema)],
        `DROP TRIGGER IF EXISTS ${ident(tr.name)} ON ${q};`,
        [catalogKey('trigger', t.name, tr.name)],
        { ...tr, privateSchema },
      ),
    ),
    ...(t.seed ? [part('seed', '', [renderBlueprint('seed', seedSql(q, t.seed)).trimEnd()], '', [], t.seed, { path: [...entity, 'rows'] })] : []),
  ];
}

/** The columns a policy compares: its own table's, and the referenced column of a parent it looks into. */
function policyReads(table: string, pol: Table['policies'][number], schema: string): ColumnRef[] {
  const out: ColumnRef[] = [];
  const walk = (c: typeof pol.using): void => {
    if (c === undefined) return;
    switch (c.kind) {
      case 'owner':
      case 'org-member':
      case 'org-admin':
      case 'org-plain-member':
      case 'user':
      case 'member-ids':
      case 'ids':
      case 'not-null':
      case 'equals':
        out.push({ table, column: c.column });
        return;
      case 'where':
        for (const column of sqlReads(c.sql, 'expression')?.columns ?? []) out.push({ table, column });
        return;
      case 'visible-parent':
        out.push({ table: c.table, column: c.column });
        if (c.target.schema === schema) out.push({ table: c.target.table, column: c.target.column });
        return;
      case 'readable-parent':
        out.push({ table: c.table, column: c.column }, { table: c.table, column: c.key });
        return;
      case 'no-parent':
        out.push({ table: c.table, column: c.column });
        return;
      case 'all':
      case 'any':
        c.of.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(pol.using);
  walk(pol.check);
  return out;
}

/** Every object the model's SQL makes, in the order the transaction makes them (tables in foreign-key order). */
export function objectsOf(model: Model): readonly SqlObject[] {
  let list = objectsByModel.get(model);
  if (!list) objectsByModel.set(model, (list = buildObjects(model)));
  return list;
}

/** Made once per model (a model is never changed): compile lays them out, plan inventories them. */
const objectsByModel = new WeakMap<Model, readonly SqlObject[]>();

function buildObjects(model: Model): SqlObject[] {
  const { schema, privateSchema } = model;
  const objects: SqlObject[] = [
    {
      kind: 'schema-usage',
      name: privateSchema,
      statements: [`GRANT USAGE ON SCHEMA ${ident(privateSchema)} TO ${privateSchemaUsers(model)};`],
      // Run before the new grant, and only while no file for another schema shares the private schema.
      drop: `REVOKE USAGE ON SCHEMA ${ident(privateSchema)} FROM anon, authenticated;`,
      presence: [],
      meaning: model.privateSchemaUsage,
      grantsTo: (['anon', 'authenticated'] as const).filter((r) => model.privateSchemaUsage[r]),
    },
  ];
  for (const t of model.tables) objects.push(...tableObjects(model, t));
  for (const fk of model.deferredForeignKeys) {
    const q = qualified(schema, fk.table);
    objects.push({
      kind: 'foreign-key',
      table: fk.table,
      name: fk.name,
      statements: [`ALTER TABLE ${q} ADD ${foreignKeySql(fk)};`],
      drop: `ALTER TABLE ${q} DROP CONSTRAINT IF EXISTS ${ident(fk.name)};`,
      presence: [catalogKey('constraint', fk.table, fk.name)],
      meaning: fk,
      path: ['entities', fk.table, 'fields', fk.column],
    });
  }
  objects.push(...helperObjects(model), ...realtimeObjects(model));
  for (const b of model.buckets) {
    const path: Path = ['buckets', b.id];
    objects.push({
      kind: 'bucket',
      name: b.id,
      statements: [bucketSql(b)],
      // Storage refuses a direct DELETE of a bucket: one removed from the file stays, with its files (its policies go).
      drop: '',
      presence: [catalogKey('bucket', '', b.id)],
      meaning: { public: b.public, fileSizeLimit: b.fileSizeLimit, allowedMimeTypes: b.allowedMimeTypes },
      path,
    });
    for (const pol of b.policies) {
      objects.push({
        kind: 'storage-policy',
        name: pol.name,
        statements: [renderBlueprint('policy', { policy: preparePolicy(pol, privateSchema), on: 'storage.objects' }).trimEnd()],
        drop: `DROP POLICY IF EXISTS ${ident(pol.name)} ON storage.objects;`,
        presence: [catalogKey('storage-policy', '', pol.name)],
        meaning: { ...pol, privateSchema },
        path: [...path, 'access'],
      });
    }
  }
  for (const v of model.views) {
    const sql = viewSql(v, schema, privateSchema);
    const path: Path = ['materialized_views', v.name];
    objects.push({
      kind: 'view',
      name: v.name,
      statements: sql.statements,
      drop: [...(sql.exposed ? [`DROP VIEW IF EXISTS ${sql.exposed};`] : []), `DROP MATERIALIZED VIEW IF EXISTS ${sql.qname};`].join('\n'),
      presence: [catalogKey('view', '', v.name)],
      meaning: { ...v, query: authorSql(v.query, 'query'), schema, privateSchema },
      path,
      fragments: [{ sql: v.query, what: `query of materialized view "${v.name}"`, path: [...path, 'query'], kind: 'query' }],
    });
  }
  for (const j of model.jobs) {
    const entry = cronEntry(j, schema, privateSchema);
    objects.push({
      kind: 'job',
      name: j.name,
      statements: [scheduleSql(j, entry)],
      // pg_cron raises for a name it does not know: a job unscheduled by hand is not an error.
      drop: `SELECT cron.unschedule(jobname) FROM cron.job WHERE jobname = ${literal(j.name)};`,
      presence: [catalogKey('job', '', j.name)],
      meaning: { schedule: j.schedule, command: entry.command },
      path: j.action.kind === 'refresh' ? ['materialized_views', j.action.view] : ['jobs', j.name],
      ...(j.action.kind === 'refresh' ? { refreshes: j.action.view } : {}),
    });
  }
  return objects;
}
