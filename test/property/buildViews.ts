/**
 * The materialized views and jobs of a generated file, written over the
 * file's own tables so that they run: a view's unique_key and indexes name
 * columns its query returns (a unique key only where the rows are distinct:
 * a grouped column, a table's primary key, a one-row query), no GROUP BY or
 * index on a json column (json has no equality), and job statements that
 * name existing tables and change no row.
 */
import { put } from './documents.js';
import type { JobSpec, ViewSpec } from './fileSpec.js';
import { dollar, lit, q } from './names.js';

/** What a view or job may use of a generated table. */
export interface TableInfo {
  readonly name: string;
  /** Every column, in table order. */
  readonly columns: readonly string[];
  /** Columns without equality or a btree operator class (json, json[]): no GROUP BY, no index. */
  readonly unordered: ReadonlySet<string>;
  /**
   * Arrays with a type modifier (varchar(N)[], char(N)[], numeric(P,S)[]): Postgres 15 cannot
   * REFRESH … CONCURRENTLY through a unique index on one ("cannot determine element type of
   * anyarray argument"), so they are never a view's unique key.
   */
  readonly modifiedArrays: ReadonlySet<string>;
  /** The primary key's columns. */
  readonly key: readonly string[];
  readonly timestamps: boolean;
}

interface Shape {
  readonly query: string;
  readonly columns: readonly string[];
  /** Column sets whose values are distinct in every row the query returns. */
  readonly uniqueSets: readonly (readonly string[])[];
  readonly indexable: readonly string[];
}

const pickFrom = <T>(items: readonly T[], n: number): T | undefined => items[n % Math.max(1, items.length)];

function shapeOf(v: ViewSpec, table: TableInfo | undefined, qualified: string): Shape {
  const [a0, a1] = v.aliases as [string, string];
  const comment = v.nasty.replace(/[\r\n\u2028\u2029\u0085]/g, ' ');
  const oneRow = (query: string, columns: string[]): Shape => ({
    query,
    columns,
    // one row: any column set is unique
    uniqueSets: [columns, ...columns.map((c) => [c])],
    indexable: columns,
  });
  switch (table === undefined ? 1 : v.variant) {
    case 0: {
      const groupable = (table as TableInfo).columns.filter((c) => !(table as TableInfo).unordered.has(c));
      const column = pickFrom(groupable, v.column);
      if (column === undefined) return oneRow(`SELECT count(*) AS ${q(a1)} FROM ${qualified}`, [a1]);
      return {
        query: `SELECT ${q(column)} AS ${q(a0)}, count(*) AS ${q(a1)} FROM ${qualified} GROUP BY ${q(column)}`,
        columns: [a0, a1],
        uniqueSets: (table as TableInfo).modifiedArrays.has(column) ? [] : [[a0], [a0, a1]],
        indexable: [a0, a1],
      };
    }
    case 1:
      return oneRow(`SELECT ${lit(v.nasty)} AS ${q(a0)}, 1 AS ${q(a1)} -- ${comment}\n`, [a0, a1]);
    case 2:
      return oneRow(`WITH x AS (SELECT ${lit(v.nasty)} AS ${q(a0)}) SELECT * FROM x;`, [a0]);
    case 3:
      return oneRow(`VALUES (1, ${lit(v.nasty)})`, ['column1', 'column2']);
    case 4: {
      const t = table as TableInfo;
      return { query: `TABLE ${qualified}`, columns: t.columns, uniqueSets: [t.key], indexable: t.columns.filter((c) => !t.unordered.has(c)) };
    }
    default:
      return oneRow(`SELECT ${dollar(v.nasty)} AS ${q(a0)} /* ${comment.replace(/\/\*|\*\//g, '')} */`, [a0]);
  }
}

/** The `materialized_views` section: views named like no table. */
export function buildViews(specs: readonly ViewSpec[], tables: readonly TableInfo[], schema: string, taken: ReadonlySet<string>): Record<string, unknown> {
  const views: Record<string, unknown> = {};
  for (const v of specs) {
    if (taken.has(v.name)) continue;
    const table = tables.length === 0 ? undefined : pickFrom(tables, v.entity);
    const shape = shapeOf(v, table, table ? `${q(schema)}.${q(table.name)}` : '');
    const view: Record<string, unknown> = { query: shape.query };
    if (v.uniqueKey !== undefined && shape.uniqueSets.length > 0) view.unique_key = pickFrom(shape.uniqueSets, v.uniqueKey);
    if (v.indexes !== undefined && shape.indexable.length > 0) {
      // An index repeated is an error (duplicate-index): each set of columns once.
      const lists = v.indexes.map((picks) => [...new Set(picks.map((p) => pickFrom(shape.indexable, p) as string))]);
      view.indexes = lists.filter((cols, i) => lists.findIndex((other) => other.join(',') === cols.join(',')) === i);
    }
    if (v.refresh !== undefined) view.refresh = v.refresh;
    if (v.access !== undefined) view.access = v.access;
    put(views, v.name, view);
  }
  return views;
}

/**
 * A job's SQL. Statements that name a table delete nothing (`WHERE 'x' <> 'x'`):
 * running them must neither fail on a foreign key nor lose the seed rows.
 * VACUUM only alone: pg_cron runs a command of several statements as one
 * transaction, where VACUUM is refused.
 */
export function jobSql(sql: JobSpec['sql'], tables: readonly TableInfo[], schema: string): string {
  const statements = sql.parts.map(([variant, s, pick]) => {
    const table = tables.length === 0 ? undefined : pickFrom(tables, pick);
    const qualified = table ? `${q(schema)}.${q(table.name)}` : undefined;
    switch (variant) {
      case 0:
        return `SELECT ${lit(s)}`;
      case 1:
        return `SELECT ${dollar(s, 'job')}`;
      case 2:
        return `SELECT 'a $job$ b', $$it's$$`;
      case 3:
        if (table === undefined) return `SELECT count(*) FROM pg_catalog.pg_class WHERE relname = ${lit(s)}`;
        return `DELETE FROM ${qualified} WHERE ${table.timestamps ? `created_at < now() - interval '90 days' AND ` : ''}${lit(s)} <> ${lit(s)}`;
      case 4:
        return `SELECT ${dollar(s, 'q')} AS "$job$"`;
      default:
        return sql.parts.length === 1 && qualified !== undefined ? `VACUUM ${qualified}` : 'SELECT 1';
    }
  });
  return `${sql.lead}${statements.join('; ')}${sql.tail}`;
}
