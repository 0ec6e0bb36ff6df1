/**
 * Rules about names as a whole: the target schema, and names that the tool
 * itself uses (organization tables, refresh jobs) or that share one namespace
 * in Postgres (tables and materialized views of a schema).
 */
import { ORGANIZATIONS, ORGANIZATION_MEMBERS } from '../../model/resolve.js';
import { entities } from './context.js';
import type { RuleContext } from './context.js';

/** Schemas owned by Postgres, Supabase or this tool: generating into them would clobber or expose platform objects. */
const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set([
  'auth',
  'storage',
  'cron',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  'vault',
  'supabase_functions',
  'supabase_migrations',
  'pgbouncer',
  'pgsodium',
  'pgsodium_masks',
  'net',
  '_realtime',
  'information_schema',
  'pg_catalog',
  'altan_private',
  'altan_cloud',
]);

/** The schema is one the file may not use (the `reserved-schema` rule reports it). */
export function isReservedSchema(schema: string): boolean {
  const lower = schema.toLowerCase();
  return SYSTEM_SCHEMAS.has(lower) || lower.startsWith('pg_');
}

const ORG_TABLES: readonly string[] = [ORGANIZATIONS, ORGANIZATION_MEMBERS];

export function reservedSchema(ctx: RuleContext): void {
  const schema = ctx.input.schema;
  if (schema === undefined) return;
  if (isReservedSchema(schema)) {
    ctx.error('reserved-schema', `schema "${schema}" belongs to Postgres, Supabase or altan-cloud itself; use your own schema (the default is public)`, [
      'schema',
    ]);
  }
}

export function reservedEntity(ctx: RuleContext): void {
  if (!ctx.usesOrg) return;
  for (const [name] of entities(ctx.input)) {
    if (ORG_TABLES.includes(name)) {
      ctx.error(
        'reserved-entity',
        `entity "${name}" cannot be declared: an entity uses org access, so the tool creates the ${name} table itself; rename this entity`,
        ['entities', name],
        'key',
      );
    }
  }
}

export function nameCollision(ctx: RuleContext): void {
  const views = Object.keys(ctx.input.materialized_views ?? {});
  for (const view of views) {
    if (ctx.input.entities && Object.hasOwn(ctx.input.entities, view)) {
      ctx.error(
        'name-collision',
        `materialized view "${view}" has the same name as entity "${view}"; tables and views share one namespace, so rename one of them`,
        ['materialized_views', view],
        'key',
      );
    } else if (ctx.usesOrg && ORG_TABLES.includes(view)) {
      ctx.error(
        'name-collision',
        `materialized view "${view}" collides with the ${view} table that org access creates; rename the view`,
        ['materialized_views', view],
        'key',
      );
    }
  }
  for (const job of Object.keys(ctx.input.jobs ?? {})) {
    const view = job.startsWith('refresh-') ? job.slice('refresh-'.length) : undefined;
    if (view !== undefined && views.includes(view)) {
      ctx.error(
        'name-collision',
        `job "${job}" has the name of the refresh job the tool schedules for materialized view "${view}"; rename the job`,
        ['jobs', job],
        'key',
      );
    }
  }
}
