/**
 * TypeScript types for a requirements file, as `supabase gen types
 * typescript` prints them for the database the file was applied to, but
 * made from the compiled model alone: `Json`, `Database` (the file's schema
 * only) and the shorthand types (`Tables<…>`, …, `Constants`).
 *
 * Where this differs from Supabase's generator, on purpose:
 * - a field with `enum:` is the union of its values (`"open" | "done"`),
 *   where the generator, which sees a text column with a CHECK, says
 *   `string` (char(N) fields keep `string`: the database pads their values);
 * - only what the file makes is typed, not what the platform adds to the
 *   schema (apply_postgrest_permissions());
 * - an API view's column types are read from the view's query: a column the
 *   tool cannot type (an unusual function) is `unknown`, and a `*` over a
 *   relation the tool does not know makes the whole row `{ [key: string]: unknown }`.
 */
import type { Model } from '../../model/model.js';
import { key, schemaType } from './database.js';
import { helperTypes } from './helpers.js';
import { apiViewColumns } from './viewColumns.js';

export interface TypesOptions {
  /**
   * The PostgREST version of the project (`13.0.5`): written as
   * `__InternalSupabase.PostgrestVersion`, as `supabase gen types` does,
   * so that `createClient<Database>()` uses that version's features.
   */
  readonly postgrestVersion?: string;
}

const JSON_TYPE = `export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]
`;

/**
 * The types file for a compiled requirements file (`compile()`'s result: its
 * parser is loaded by then, which the API views' queries need).
 */
export function generateTypes(compiled: { readonly model: Model }, options: TypesOptions = {}): string {
  const { model } = compiled;
  const internal =
    options.postgrestVersion === undefined
      ? ''
      : // Read by supabase-js: createClient<Database>() then needs no { PostgrestVersion } of its own.
        `  __InternalSupabase: {\n    PostgrestVersion: ${JSON.stringify(options.postgrestVersion)}\n  }\n`;
  const schema = schemaType(model, apiViewColumns(model)).split('\n').join('\n  ');
  const database = `export type Database = {\n${internal}  ${key(model.schema)}: ${schema}\n}\n`;
  const constants = `export const Constants = {\n  ${key(model.schema)}: {\n    Enums: {},\n  },\n} as const\n`;
  return [JSON_TYPE, database, helperTypes(model.schema), constants].join('\n');
}
