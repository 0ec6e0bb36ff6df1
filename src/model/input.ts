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
}

export type AccessLevel = 'public' | 'authenticated' | 'owner' | 'org' | 'none';
export type AccessPreset = 'owner' | 'public-read' | 'authenticated-read' | 'org' | 'reference' | 'private';
export interface AccessMap {
  read?: AccessLevel;
  create?: AccessLevel;
  update?: AccessLevel;
  delete?: AccessLevel;
}

export type IndexInput = string[] | { fields: string[]; unique?: boolean; where?: string };

export interface EntityInput {
  description?: string;
  access?: AccessPreset | AccessMap;
  owner?: string;
  primary_key?: string | string[];
  timestamps?: boolean;
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
  access?: 'none' | 'authenticated' | 'public';
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
