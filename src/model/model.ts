/**
 * The intermediate model: what the database must contain, fully resolved
 * (implicit columns added, types known, derived names assigned, order fixed)
 * but still free of SQL text except the fragments the file's author wrote.
 * Every node is readonly and tagged with `kind`.
 */
import type { SqlType } from './sqlTypes.js';
import type { JsonValue, OnDelete } from './input.js';
import type { EffectiveAccess } from './resolve.js';
import type { Members } from './members.js';
import type { HelperFunction } from './helperFunctions.js';

export * from './helperFunctions.js';

export const PRIVATE_SCHEMA = 'altan_private';

export interface Model {
  readonly kind: 'model';
  readonly source: { readonly fileName: string; readonly sha256: string };
  /** The schema entities go to (exposed through PostgREST). */
  readonly schema: string;
  /** Holds helper functions and materialized views; never exposed. */
  readonly privateSchema: string;
  /** In foreign-key order, the organization tables first when used. */
  readonly tables: readonly Table[];
  /** Constraints that close a foreign-key cycle, added once every table exists. */
  readonly deferredForeignKeys: readonly ForeignKey[];
  /** Helper functions in the private schema, each made when something uses it, in the order they are created. */
  readonly functions: readonly HelperFunction[];
  readonly privateSchemaUsage: { readonly anon: boolean; readonly authenticated: boolean };
  readonly buckets: readonly Bucket[];
  readonly views: readonly MaterializedView[];
  readonly jobs: readonly CronJob[];
}

export type ColumnDefault =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'sql'; readonly sql: string }
  | { readonly kind: 'auth-uid' }
  | { readonly kind: 'now' }
  | { readonly kind: 'random-uuid' };

export interface Column {
  readonly kind: 'column';
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  readonly default?: ColumnDefault;
  readonly description?: string;
}

export interface ForeignKey {
  readonly kind: 'foreign-key';
  readonly name: string;
  readonly table: string;
  readonly column: string;
  readonly target: { readonly schema: string; readonly table: string; readonly column: string };
  readonly onDelete: OnDelete;
}

export type Constraint =
  | { readonly kind: 'primary-key'; readonly name: string; readonly columns: readonly string[] }
  | { readonly kind: 'unique'; readonly name: string; readonly columns: readonly string[] }
  | { readonly kind: 'check'; readonly name: string; readonly column: string; readonly sql: string }
  | { readonly kind: 'enum'; readonly name: string; readonly column: string; readonly type: SqlType; readonly values: readonly JsonValue[] };

export interface Index {
  readonly kind: 'index';
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly where?: string;
}

/** What a policy expression tests; rendered to SQL by the renderer. */
export type Condition =
  | { readonly kind: 'always' }
  /** The request carries a user id: a real signed-in user, not just the authenticated role. */
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'owner'; readonly column: string }
  | { readonly kind: 'org-member'; readonly column: string }
  | { readonly kind: 'org-admin'; readonly column: string }
  /** A member of the row's organization whose role is `member` (not an admin). */
  | { readonly kind: 'org-plain-member'; readonly column: string }
  /** `{ user: FIELD }`: the caller's id is in the column. */
  | { readonly kind: 'user'; readonly column: string }
  /** Nobody: a `via` term whose parent grants the op to nobody. */
  | { readonly kind: 'never' }
  /** The column holds a value (a `via` whose parent grants every row: a NULL reference still grants nothing). */
  | { readonly kind: 'not-null'; readonly column: string }
  /** The column is one of the keys a helper returns: `member_ids(roles)` (roles undefined: any) or an ids helper (no roles argument). */
  | { readonly kind: 'member-ids'; readonly column: string; readonly helper: string; readonly roles?: readonly string[] }
  | { readonly kind: 'ids'; readonly column: string; readonly helper: string }
  /** The column holds this text (a members table's role). */
  | { readonly kind: 'equals'; readonly column: string; readonly value: string }
  /** A term's `where`: the author's boolean expression over the row's columns. */
  | { readonly kind: 'where'; readonly sql: string }
  /** The referenced row is one the caller can see (its SELECT policies apply inside the subquery). */
  | {
      readonly kind: 'visible-parent';
      readonly table: string;
      readonly column: string;
      readonly target: { readonly schema: string; readonly table: string; readonly column: string };
    }
  /** The referenced row of the same table is one the caller may read, asked through the table's read-check helper. */
  | { readonly kind: 'readable-parent'; readonly table: string; readonly column: string; readonly key: string; readonly check: string }
  /** The reference is unset: for a parent whose rows the policy's roles may not read, so no written row may point at one. */
  | { readonly kind: 'no-parent'; readonly table: string; readonly column: string }
  | { readonly kind: 'bucket'; readonly bucket: string }
  | { readonly kind: 'owner-folder' }
  /**
   * storage.objects: the first folder is, as text, one of the keys `helper` returns (`roles`: its
   * member_ids argument, null for any role, absent for a helper without one; `except`: a helper whose keys are taken out).
   */
  | { readonly kind: 'folder-key'; readonly helper: string; readonly roles?: readonly string[] | null; readonly except?: string }
  /** storage.objects: the caller uploaded the file (Storage sets owner_id to the uploader's id). */
  | { readonly kind: 'uploader' }
  /** storage.objects: the row was in this bucket before the statement (no moves between buckets). */
  | { readonly kind: 'stays-in-bucket'; readonly bucket: string }
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] };

export type Command = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
export type ApiRole = 'anon' | 'authenticated';

export interface Policy {
  readonly kind: 'policy';
  readonly name: string;
  readonly command: Command;
  readonly roles: readonly ApiRole[];
  /** Rows the command may see (SELECT, UPDATE, DELETE). */
  readonly using?: Condition;
  /** Rows the command may write (INSERT, UPDATE). */
  readonly check?: Condition;
}

export interface Grants {
  readonly anon: readonly Command[];
  readonly authenticated: readonly Command[];
  /**
   * When some columns are `readonly` or `immutable`: the only columns the API
   * roles may INSERT (UPDATE); their INSERT (UPDATE) is granted on these alone.
   */
  readonly columns?: { readonly insert: readonly string[]; readonly update: readonly string[] };
}

export interface SeedRows {
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  /** One entry per row and column; `undefined` means the column default. */
  readonly rows: readonly (readonly (JsonValue | undefined)[])[];
  readonly conflictColumns: readonly string[];
}

export interface Table {
  readonly kind: 'table';
  readonly name: string;
  readonly role: 'entity' | 'organizations' | 'organization_members' | 'members';
  readonly description?: string;
  readonly access?: EffectiveAccess;
  /** The `user` fields its access names (each indexed like the owner column). */
  readonly userColumns?: readonly string[];
  /** The column policies compare with auth.uid(), when the access involves an owner. */
  readonly owner?: string;
  /** The organization column, for `org` access. */
  readonly org?: string;
  /** Its members (an entity with `members`, or the generated organizations): who belongs to each row, with which role. */
  readonly members?: Members;
  /** A members table: the entity whose members it holds. */
  readonly membersOf?: string;
  readonly columns: readonly Column[];
  readonly constraints: readonly Constraint[];
  /** Foreign keys created with the table (cycle-closing ones are in `Model.deferredForeignKeys`). */
  readonly foreignKeys: readonly ForeignKey[];
  readonly indexes: readonly Index[];
  readonly policies: readonly Policy[];
  readonly grants: Grants;
  readonly triggers: readonly Trigger[];
  readonly seed?: SeedRows;
  /** `realtime: true`: the table is in the REALTIME_PUBLICATION, whose changes Supabase Realtime streams. */
  readonly realtime?: true;
}

/** The publication Supabase Realtime reads (postgres_changes); every Supabase project has it, empty at first. */
export const REALTIME_PUBLICATION = 'supabase_realtime';

export interface Trigger {
  readonly kind: 'trigger';
  readonly name: string;
  /** set_updated_at runs on INSERT too: a client's updated_at is never kept. */
  readonly timing: 'BEFORE INSERT OR UPDATE' | 'AFTER INSERT';
  /** A fixed helper, or the table's column guard (its name is derived per table). */
  readonly function: string;
}

export interface Bucket {
  readonly kind: 'bucket';
  readonly id: string;
  readonly public: boolean;
  readonly fileSizeLimit?: number;
  readonly allowedMimeTypes?: readonly string[];
  /** The access map with its defaults filled in: what the policies promise. */
  readonly access: BucketAccess;
  readonly policies: readonly Policy[];
  /** Every policy name this bucket may own, created or not: dropped before re-creating. */
  readonly policyNames: readonly string[];
}

export interface BucketAccess {
  readonly read: 'public' | 'authenticated' | 'owner' | BucketVia;
  readonly upload: 'authenticated' | 'owner' | BucketVia;
  readonly update: 'owner' | 'none' | BucketVia;
  readonly delete: 'owner' | 'none' | BucketVia;
}

/**
 * `{ via: ENTITY … }` in a bucket's access: the object's first folder is the key of an
 * `entity` row the caller may `can` (with `roles`: is a member of with one of them).
 * `entity` may be the generated organizations (membership).
 */
export interface BucketVia {
  readonly kind: 'via';
  readonly entity: string;
  readonly can: 'read' | 'update' | 'delete';
  readonly roles?: readonly string[];
}

export interface MaterializedView {
  readonly kind: 'materialized-view';
  readonly name: string;
  readonly query: string;
  readonly uniqueIndex?: Index;
  readonly indexes: readonly Index[];
  readonly access: 'none' | 'authenticated' | 'public';
  /** `access: { user: COLUMN }` (then `access` is `authenticated`): the API view serves the caller's rows only. */
  readonly userColumn?: string;
  /**
   * `access: { via: COLUMN, references: ENTITY }`: the API view serves the rows whose column is the key
   * of an ENTITY row the caller may read; per API role, the filter (absent: that role reads nothing,
   * and `access` names only the roles that read).
   */
  readonly via?: { readonly column: string; readonly entity: string; readonly filter: { readonly anon?: Condition; readonly authenticated?: Condition } };
}

export interface CronJob {
  readonly kind: 'cron-job';
  readonly name: string;
  readonly schedule: string;
  /** A view refresh (run after `SET search_path = <schema>;`), or the author's SQL as written. */
  readonly action: { readonly kind: 'refresh'; readonly view: string; readonly concurrently: boolean } | { readonly kind: 'sql'; readonly sql: string };
}
