/**
 * The requirements file as written (version 1), after the JSON Schema has
 * accepted it. Nothing here is normalized yet: shorthand forms, defaults and
 * implicit columns are resolved by `normalize`.
 */
export type Scalar = string | number | boolean | null;
export type JsonValue = Scalar | JsonValue[] | { [key: string]: JsonValue };

export type OnDelete = 'cascade' | 'set null' | 'restrict' | 'no action';

/** `{ sql: "now()" }`: an SQL expression written by the file's author. */
export interface SqlDefault {
  sql: string;
}

export interface FieldInput {
  type?: string;
  required?: boolean;
  unique?: boolean;
  default?: JsonValue | SqlDefault;
  references?: string;
  on_delete?: OnDelete;
  enum?: Scalar[];
  check?: string;
  description?: string;
  /** The API roles never write it; its default (or the service role) sets it. */
  readonly?: boolean;
  /** The API roles set it when they create the row, never change it. */
  immutable?: boolean;
}

export type AccessLevel = 'public' | 'authenticated' | 'owner' | 'org' | 'none';
export type AccessPreset = 'owner' | 'public-read' | 'authenticated-read' | 'org' | 'reference' | 'private';
/** The roles of an organization's members. */
export type OrgRole = 'admin' | 'member';
/** `{ level: public, where: "status = 'published'" }`: that level, on the rows where the SQL holds. */
export interface LevelTermInput {
  level: 'public' | 'authenticated' | 'owner';
  where?: string;
}
/** `{ user: seller_id }`: the user whose id is in the field. */
export interface UserTermInput {
  user: string;
  where?: string;
}
/** `{ org: admin }`: members of the row's organization with one of the roles. */
export interface OrgTermInput {
  org: OrgRole | OrgRole[];
  where?: string;
}
/** `{ member: [admin, editor] }`: members of this row holding one of the roles (the entity declares `members`). */
export interface MemberTermInput {
  member: string | string[];
  where?: string;
}
/**
 * `{ via: project_id }`: whoever may read (with `can`: update, delete) the row
 * the field references; with `member`: that row's members holding one of the roles.
 */
export interface ViaTermInput {
  via: string;
  can?: 'update' | 'delete';
  member?: string | string[];
  where?: string;
}
/** `member` alone (a member of this row, any role) is written as a string term. */
export type AccessTermInput = AccessLevel | 'member' | LevelTermInput | UserTermInput | OrgTermInput | MemberTermInput | ViaTermInput;
/** A term, or a list of terms any one of which grants (docs/format.md, "Access rules"). */
export type AccessRuleInput = AccessTermInput | AccessTermInput[];
export interface AccessMap {
  read?: AccessRuleInput;
  create?: AccessRuleInput;
  update?: AccessRuleInput;
  delete?: AccessRuleInput;
}

/** `members: true` or its map (../shared/access-rules.md §4): who belongs to each row, with which role. */
export interface MembersInput {
  /** Default [admin, member]; the first role manages the members, new members get the last. */
  roles?: string[];
  /** invite (default): only the first role adds members; open: a signed-in user may add themselves with the last role. */
  join?: 'invite' | 'open';
  /** Default `<entity>_members`. */
  table?: string;
  /** The key column in that table; default: the entity name made singular + `_id` (src/model/members.ts). */
  column?: string;
}

export type IndexInput = string[] | { fields: string[]; unique?: boolean; where?: string };

export interface EntityInput {
  description?: string;
  access?: AccessPreset | AccessMap;
  owner?: string;
  primary_key?: string | string[];
  timestamps?: boolean;
  /** Supabase Realtime streams its changes: the table joins the `supabase_realtime` publication. */
  realtime?: boolean;
  members?: boolean | MembersInput;
  fields?: Record<string, string | FieldInput>;
  indexes?: IndexInput[];
  rows?: Record<string, JsonValue>[];
}

/**
 * `{ via: projects }`: the object's first folder is the id of a `projects` row the
 * caller may read (with `can`: update, delete; with `member`: is a member of with one of the roles).
 */
export interface BucketViaInput {
  via: string;
  can?: 'update' | 'delete';
  member?: string | string[];
}

export interface BucketInput {
  public?: boolean;
  file_size_limit?: number | string;
  allowed_mime_types?: string[];
  access?: {
    read?: 'public' | 'authenticated' | 'owner' | BucketViaInput;
    upload?: 'authenticated' | 'owner' | BucketViaInput;
    update?: 'owner' | 'none' | BucketViaInput;
    delete?: 'owner' | 'none' | BucketViaInput;
  };
}

export interface ViewInput {
  query: string;
  unique_key?: string[];
  indexes?: string[][];
  refresh?: string;
  /** `{ user: COLUMN }`: signed-in users read the rows whose column is their id. */
  /** `{ via: COLUMN, references: ENTITY }`: rows whose column is the id of an ENTITY row the caller may read. */
  access?: 'none' | 'authenticated' | 'public' | { user: string } | { via: string; references: string };
}

export interface JobInput {
  schedule: string;
  sql: string;
}

export interface RequirementsInput {
  $schema?: string;
  version: 1;
  schema?: string;
  /** An empty section (`entities:` with nothing under it) is null: none. */
  entities?: Record<string, EntityInput> | null;
  buckets?: Record<string, BucketInput> | null;
  materialized_views?: Record<string, ViewInput> | null;
  jobs?: Record<string, JobInput> | null;
}
