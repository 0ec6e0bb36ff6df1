/** Which platform the SQL is for. */

/**
 * `altan`: an Altan Cloud project, whose `apply_postgrest_permissions()` ends the transaction.
 * `supabase`: a plain Supabase project: the explicit grants stand alone and PostgREST is told to reload.
 */
export type Target = 'altan' | 'supabase';
export const TARGETS: readonly Target[] = ['altan', 'supabase'];
