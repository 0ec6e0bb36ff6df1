/**
 * The helper functions of the model: what altan-cloud keeps in the private
 * schema (fixed helpers, read checks, membership and ids helpers, column
 * guards). Their shapes live here, beside the model that lists them, so that
 * model.ts stays the tables, policies and objects.
 */
import type { SqlType } from './sqlTypes.js';
import type { ApiRole, Column, Condition, Model } from './model.js';

/** The names of the fixed helpers (a read-check helper's name is derived per table). */
export const HELPER = {
  setUpdatedAt: 'set_updated_at',
  memberOrgIds: 'member_org_ids',
  adminOrgIds: 'admin_org_ids',
  addOrganizationCreator: 'add_organization_creator',
  objectBucketId: 'object_bucket_id',
} as const;

/**
 * A function altan-cloud keeps in the private schema. ONE list: the
 * transaction, plan's inventory and verify's audit all read it.
 */
export interface HelperFunction {
  readonly kind: 'helper-function';
  readonly name: string;
  /** Argument types, as a signature names them (`uuid`); empty for none. */
  readonly args: readonly SqlType[];
  /** What it does: the renderer writes its body from this. */
  readonly body:
    | { readonly kind: 'set-updated-at' }
    | { readonly kind: 'member-org-ids' }
    | { readonly kind: 'admin-org-ids' }
    | { readonly kind: 'add-organization-creator' }
    | { readonly kind: 'object-bucket-id' }
    | ColumnGuard
    | ReadCheck
    | MemberIds
    | AddOwnerMember
    | IdsHelper;
  /** API roles granted EXECUTE: those whose policies call it (none for trigger functions). */
  readonly executableBy: readonly ApiRole[];
}

/** The model's read-check helpers. */
export const readChecksOf = (model: Pick<Model, 'functions'>): ReadCheck[] => model.functions.flatMap((f) => (f.body.kind === 'read-check' ? [f.body] : []));

/**
 * `<name>(key)`: may the caller read the row of `table` whose `column` is key?
 * The table's own read rule, evaluated explicitly by a SECURITY DEFINER
 * helper in the private schema, so that the table's write policies can check
 * a reference to a row of the same table: a policy that queried its own table
 * would make Postgres report infinite recursion (42P17).
 */
export interface ReadCheck {
  readonly kind: 'read-check';
  /** The function's name in the private schema. */
  readonly name: string;
  readonly table: string;
  readonly column: string;
  readonly keyType: SqlType;
  /** The table's read condition for the roles that call it (as its SELECT policy has it). */
  readonly condition: Condition;
  /**
   * The roles granted EXECUTE: those whose policies call it. It tells only
   * whether the caller may read one row, which a SELECT tells them anyway.
   */
  readonly executableBy: readonly ApiRole[];
}

/**
 * `<name>(roles text[])`: the keys of the rows of `entity` the caller is a
 * member of, holding one of `roles` (NULL: any role), read from the members
 * table past its policies, so that no policy ever queries a table with RLS.
 */
export interface MemberIds {
  readonly kind: 'member-ids';
  readonly name: string;
  readonly entity: string;
  /** The members table and its key column. */
  readonly table: string;
  readonly column: string;
  readonly keyType: SqlType;
}

/** The trigger function that makes a new row's owner its member with the first role. */
export interface AddOwnerMember {
  readonly kind: 'add-owner-member';
  readonly name: string;
  readonly entity: string;
  /** The entity's key and owner columns. */
  readonly key: string;
  readonly owner: string;
  readonly table: string;
  readonly column: string;
  readonly role: string;
}

/**
 * `<name>()`: the keys of the rows of `entity` the caller may `op`, under the
 * entity's own rule for that op (for anon: its terms that reach anon), so
 * that a child's `via` term inherits the rule instead of copying it. The
 * condition calls the helpers of the entity's own `via` parents.
 */
export interface IdsHelper {
  readonly kind: 'ids';
  readonly name: string;
  readonly entity: string;
  readonly op: 'read' | 'update' | 'delete';
  readonly role: ApiRole;
  readonly key: string;
  readonly keyType: SqlType;
  readonly condition: Condition;
}

/**
 * `<name>()`: the trigger function that keeps the API roles off a table's
 * `readonly` and `immutable` columns (and, on a table whose access uses
 * terms, its owner column). Column privileges say the same, but
 * apply_postgrest_permissions() may grant every column again; the trigger
 * survives it. Anything else (the service role, the tables' owner) writes freely.
 */
export interface ColumnGuard {
  readonly kind: 'column-guard';
  readonly name: string;
  readonly table: string;
  /** Never written by the API roles: a new row must hold the column's default. */
  readonly readonly: readonly Column[];
  /** Set on INSERT, never changed by UPDATE. */
  readonly immutable: readonly string[];
  /** The columns of both lists, with their types (json ones are compared as text). */
  readonly columns: readonly Column[];
}
