/**
 * Rules about files that are valid SQL but would not work as their author
 * expects through PostgREST: writes that can never find a row, a `json`
 * column where Postgres needs an equality operator, a schema the API does
 * not expose by default.
 */
import type { Path } from '../../load/document.js';
import { effectiveAccess, resolveFieldType } from '../../model/resolve.js';
import { eachField, entities } from './context.js';
import { isReservedSchema } from './names.js';
import { searchPathSchemas } from '../../model/names.js';
import { checkSqlFragment, readsRelation } from '../../sql/fragment.js';
import type { RuleContext } from './context.js';

/**
 * UPDATE and DELETE with a filter read the rows they touch: Postgres applies
 * the SELECT policies too, and the role needs SELECT on the filtered columns.
 */
export function writeWithoutRead(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const access = effectiveAccess(entity);
    if (access.read.length > 0) continue;
    for (const op of ['update', 'delete'] as const) {
      if (access[op].length === 0) continue;
      const path: Path = typeof entity.access === 'object' ? ['entities', name, 'access', op] : ['entities', name, 'access'];
      ctx.warn(
        'write-without-read',
        `entity "${name}" allows ${op} but not read: a filtered ${op} through the API sees no rows (SELECT policies apply to it too); give read the same level`,
        path,
      );
    }
  }
}

/** `json` (unlike `jsonb`) has no equality operator: no unique constraint, index or enum on it. */
export function jsonEquality(ctx: RuleContext): void {
  const isJson = (entity: string, field: string) => resolveFieldType(ctx.input, entity, field)?.base === 'json';
  const hint = 'json has no equality operator; use jsonb';
  eachField(ctx.input, (f) => {
    if (!isJson(f.entityName, f.fieldName)) return;
    if (f.spec.unique) ctx.error('json-equality', `field "${f.entityName}.${f.fieldName}" is unique, but ${hint}`, [...f.path, 'unique']);
    if (f.spec.enum) ctx.error('json-equality', `field "${f.entityName}.${f.fieldName}" has an enum, but ${hint}`, [...f.path, 'enum']);
  });
  for (const [name, entity] of entities(ctx.input)) {
    (entity.indexes ?? []).forEach((index, i) => {
      const fields = Array.isArray(index) ? index : index.fields;
      const json = fields.find((f) => isJson(name, f));
      if (json !== undefined)
        ctx.error('json-equality', `index ${i + 1} of entity "${name}" includes "${json}", but ${hint}`, ['entities', name, 'indexes', i]);
    });
  }
}

/** PostgREST serves only the schemas in its db-schemas setting; Supabase's default is public. */
export function exposedSchema(ctx: RuleContext): void {
  const schema = ctx.input.schema;
  if (schema === undefined || schema === 'public' || isReservedSchema(schema)) return;
  ctx.warn('exposed-schema', `schema "${schema}" is reachable through the API only if PostgREST's db-schemas lists it (Supabase exposes public by default)`, [
    'schema',
  ]);
}

/** Supabase's advisors flag any API-readable view over auth.users: it exposes every user's email and metadata. */
export function viewOverAuthUsers(ctx: RuleContext): void {
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if ((view.access ?? 'none') === 'none') continue;
    // By the names Postgres resolves, whatever quoting or U&"..." escapes spell them; an
    // unparsable query is the sql-fragment rule's to report.
    const parsed = checkSqlFragment(view.query, 'query');
    if (!parsed.ok || !readsRelation(parsed.statements, 'auth', 'users', searchPathSchemas(ctx.input.schema ?? 'public'))) continue;
    ctx.error(
      'view-over-auth-users',
      `materialized view "${name}" reads auth.users and is readable through the API (access: ${typeof view.access !== 'object' ? view.access : 'user' in view.access ? `{ user: ${view.access.user} }` : `{ via: ${view.access.via}, references: ${view.access.references} }`}): that exposes every user's account data; use access: none, or read a profiles table instead`,
      ['materialized_views', name, 'query'],
    );
  }
}

/** A public bucket serves every file by URL: read access narrower than public limits listing, not reading. */
export function publicBucketRead(ctx: RuleContext): void {
  for (const [name, bucket] of Object.entries(ctx.input.buckets ?? {})) {
    const read = bucket.access?.read;
    if (bucket.public !== true || read === undefined || read === 'public') continue;
    const words = typeof read === 'string' ? read : `{ via: ${read.via} }`;
    ctx.warn(
      'public-bucket-read',
      `bucket "${name}" is public, so anyone with a file's URL can download it; read: ${words} only limits who can list and read through the API — make the bucket private to restrict downloads`,
      ['buckets', name, 'access', 'read'],
    );
  }
}
