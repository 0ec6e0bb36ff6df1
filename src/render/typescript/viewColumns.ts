/**
 * The columns of the API views (a materialized view with `access` gets a view
 * of the same name in the exposed schema, `SELECT *` of it): told from the
 * materialized view's query over the model's tables, since the types are made
 * without a database.
 */
import type { Model } from '../../model/model.js';
import { isSqlObject, parseSql } from '../../sql/parser.js';
import { catalogName } from './pgTypes.js';
import { selectColumns } from './queryColumns.js';
import type { Columns, RelationLookup } from './queryColumns.js';

export type { Columns, OutputColumn } from './queryColumns.js';

/** Each API view's columns, by name (undefined: the tool cannot name them). */
export function apiViewColumns(model: Pick<Model, 'schema' | 'privateSchema' | 'tables' | 'views'>): Map<string, Columns> {
  const tables = new Map(model.tables.map((t) => [t.name, t.columns.map((c) => ({ name: c.name, type: catalogName(c.type) }))]));
  const views = new Map(model.views.map((v) => [v.name, v]));
  const known = new Map<string, Columns>();
  const resolving = new Set<string>();

  const materialized = (name: string): Columns => {
    if (known.has(name)) return known.get(name);
    const view = views.get(name);
    // A view that reads itself, around a loop, cannot be typed (Postgres would refuse it anyway).
    if (view === undefined || resolving.has(name)) return undefined;
    resolving.add(name);
    const parsed = parseSql(view.query);
    const stmt = parsed.ok ? parsed.statements[0]?.stmt : undefined;
    const select = isSqlObject(stmt) && isSqlObject(stmt.SelectStmt) ? stmt.SelectStmt : undefined;
    const columns = select === undefined ? undefined : selectColumns(select, lookup);
    resolving.delete(name);
    known.set(name, columns);
    return columns;
  };

  const lookup: RelationLookup = (schema, name) => {
    if (schema === undefined || schema === model.schema) {
      const table = tables.get(name);
      if (table !== undefined) return table;
      const exposed = views.get(name);
      if (exposed !== undefined && exposed.access !== 'none') return materialized(name);
    }
    return schema === undefined || schema === model.privateSchema ? materialized(name) : undefined;
  };

  return new Map(model.views.filter((v) => v.access !== 'none').map((v) => [v.name, materialized(v.name)]));
}
