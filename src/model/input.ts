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
export type AccessTermInput = AccessLevel | LevelTermInput | UserTermInput | OrgTermInput;
/** A term, or a list of terms any one of which grants (docs/format.md, "Access rules"). */
export type AccessRuleInput = AccessTermInput | AccessTermInput[];
export interface AccessMap {
  read?: AccessRuleInput;
  create?: AccessRuleInput;
  update?: AccessRuleInput;
  delete?: AccessRuleInput;
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
  fields?: Record<string, string | FieldInput>;
  indexes?: IndexInput[];
  rows?: Record<string, JsonValue>[];
}

export interface BucketInput {
  public?: boolean;
  file_size_limit?: number | string;
  allowed_mime_types?: string[];
  access?: {
    read?: 'public' | 'authenticated' | 'owner';
    upload?: 'authenticated' | 'owner';
    update?: 'owner' | 'none';
    delete?: 'owner' | 'none';
  };
}

export interface ViewInput {
  query: string;
  unique_key?: string[];
  indexes?: string[][];
  refresh?: string;
  /** `{ user: COLUMN }`: signed-in users read the rows whose column is their id. */
  access?: 'none' | 'authenticated' | 'public' | { user: string };
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
