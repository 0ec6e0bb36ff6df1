/**
 * What an object of the SQL is, as render lists it (render/objects.ts makes
 * the list): its kind, key, statements, drop, place in the file and meaning;
 * how the catalog names it; and the revision of how each kind is written.
 */
import type { Path } from '../load/document.js';
import type { ApiRole } from '../model/model.js';
import type { SqlType } from '../model/sqlTypes.js';

export type ObjectKind =
  | 'schema-usage'
  | 'table'
  | 'column'
  | 'constraint'
  | 'foreign-key'
  | 'index'
  | 'rls'
  | 'policy'
  | 'grants'
  | 'trigger'
  | 'comment'
  | 'seed'
  | 'function'
  | 'bucket'
  | 'storage-policy'
  | 'view'
  | 'job'
  /** A table's membership of the publication Supabase Realtime reads (render/realtime.ts). */
  | 'realtime'
  /**
   * A members table's first rows: each row's owner as its first-role member. Only a plan runs it
   * (members added to an entity with rows); a first apply's entity has no rows yet.
   */
  | 'backfill';

/** What ALTER COLUMN needs to move a column from one definition to another. */
export interface ColumnShape {
  readonly type: SqlType;
  readonly notNull: boolean;
  /** The DEFAULT expression as rendered. */
  readonly default?: string;
}

/** A column of the file's schema. */
export interface ColumnRef {
  readonly table: string;
  readonly column: string;
}

/** SQL the file's author wrote, inside an object: a database error there points into the file. */
export interface Fragment {
  readonly sql: string;
  /** `check of field "notes.title"`. */
  readonly what: string;
  readonly path: Path;
  /** The author SQL's kind: an expression (check, default, index where) or a view's query. */
  readonly kind: 'expression' | 'query';
}

export interface SqlObject {
  readonly kind: ObjectKind;
  /** The table a part belongs to. */
  readonly table?: string;
  readonly name: string;
  /** The statements that make it, each one whole SQL statement, in the order they run. */
  readonly statements: readonly string[];
  /** Comment lines the transaction prints above it: why it exists. Not part of what it is. */
  readonly comment?: readonly string[];
  /** The statements that remove it; '' for parts that only go with their table. */
  readonly drop: string;
  /** Catalog keys (see catalogKey) that exist while it does; empty: not visible by name. */
  readonly presence: readonly string[];
  /** Made by its table's CREATE TABLE when the table itself is created. */
  readonly withTable?: boolean;
  readonly column?: ColumnShape;
  /** The materialized view a refresh job refreshes: the job comes and goes with it. */
  readonly refreshes?: string;
  /** The API roles a usage grant gives the private schema to (what verify's audit accepts from another file). */
  readonly grantsTo?: readonly ApiRole[];
  /**
   * What it is, as data: the model's node(s) and the names it is made on. Two objects of the same key
   * and equal meaning are the same object, whatever the blueprints' spacing (plan's fingerprint).
   * Author SQL in it is `{ authorSql }`, which plan compares by Postgres's parse tree.
   */
  readonly meaning: unknown;
  /** Columns of the file's schema it reads: it is made again when one of them changes type or goes. */
  readonly reads?: readonly ColumnRef[];
  /** Where the file has it (a made-up object, such as a helper function, has no place). */
  readonly path?: Path;
  /** The author's SQL inside it (checks, defaults, index conditions, a view's query). */
  readonly fragments?: readonly Fragment[];
}

/**
 * The revision of how each kind is written, part of every fingerprint. A
 * meaning is the model's nodes, so a change in what the SQL of a kind does
 * for the same nodes (a policy written AS RESTRICTIVE, another grant) would
 * not show in it: bump the kind's number with such a change, and plans make
 * every object of that kind again. Spacing and layout need no bump.
 */
export const RENDER_REVISION: Readonly<Record<ObjectKind, number>> = {
  'schema-usage': 1,
  table: 1,
  column: 1,
  constraint: 1,
  'foreign-key': 1,
  index: 1,
  rls: 1,
  policy: 1,
  grants: 1,
  trigger: 1,
  comment: 1,
  seed: 1,
  function: 1,
  bucket: 1,
  'storage-policy': 1,
  view: 1,
  job: 1,
  realtime: 1,
  backfill: 1,
};

/**
 * How an object is named in the catalog: by kind, table ('' for schema-level
 * objects) and name. NUL cannot occur in a Postgres name, so it separates the
 * parts unambiguously (and cheaply, for 30,000 entries). Presence keys are
 * stored in the record: a change of this format needs a new inventory format.
 */
export const catalogKey = (kind: string, table: string, name: string): string => `${kind}\u0000${table}\u0000${name}`;

/** The SQL that makes an object, as one text. */
export const createSql = (o: Pick<SqlObject, 'statements'>): string => o.statements.join('\n');
