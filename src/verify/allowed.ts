/**
 * What the file implies the API roles hold, derived from the model (never
 * from the generated SQL: the audit is an independent check of it), and what
 * the other files applied to the database own, read from their records.
 */
import type { ApiRole, Command, Model } from '../model/model.js';
import type { Target } from '../target.js';
import type { Allowance } from './platform.js';

/**
 * The helper functions the file's SQL creates in the private schema, and
 * who may execute each: the model's list of helpers. Trigger functions are
 * executed by no API role.
 */
interface Helper {
  readonly name: string;
  readonly executors: readonly ApiRole[];
}

/** The helpers the model has, with their executors. */
export function helpersOf(model: Model): Helper[] {
  return model.functions.map((f) => ({ name: f.name, executors: f.executableBy }));
}

const ROLES: readonly ApiRole[] = ['anon', 'authenticated'];

/** Readers of a materialized view by its access. */
function viewReaders(access: Model['views'][number]['access']): ApiRole[] {
  return access === 'public' ? ['anon', 'authenticated'] : access === 'authenticated' ? ['authenticated'] : [];
}

/**
 * Every privilege the file implies. On `altan`, apply_postgrest_permissions()
 * may grant the API roles everything in the exposed schema: there the rows
 * are guarded by RLS and the policies (audited exactly), so any privilege on
 * the file's tables and views is expected. On `supabase` the grants are
 * exactly the file's.
 */
export function fileAllowances(model: Model, target: Target): Allowance[] {
  const by = `the file ${model.source.fileName}`;
  const { schema, privateSchema } = model;
  const out: Allowance[] = [
    { kind: 'schema', schema, name: schema, roles: ROLES, privileges: ['USAGE'], by },
    {
      kind: 'schema',
      schema: privateSchema,
      name: privateSchema,
      roles: ROLES.filter((r) => model.privateSchemaUsage[r]),
      privileges: ['USAGE'],
      by,
    },
  ];
  const exposed = (name: string, roles: readonly ApiRole[], privileges: readonly Command[]): Allowance =>
    target === 'altan'
      ? { kind: 'relation', schema, name, roles: ROLES, privileges: '*', by: `${by} and apply_postgrest_permissions()` }
      : { kind: 'relation', schema, name, roles, privileges, by };
  for (const t of model.tables) {
    for (const role of ROLES) out.push(exposed(t.name, [role], t.grants[role]));
  }
  for (const v of model.views) {
    const readers = viewReaders(v.access);
    out.push({ kind: 'relation', schema: privateSchema, name: v.name, roles: readers, privileges: ['SELECT'], by });
    if (v.access !== 'none') out.push(exposed(v.name, readers, ['SELECT']));
  }
  for (const h of helpersOf(model)) {
    out.push({ kind: 'function', schema: privateSchema, name: h.name, roles: h.executors, privileges: ['EXECUTE'], by });
  }
  return out;
}

/** The parts of a recorded inventory the audit reads (src/plan/inventory.ts writes them). */
interface RecordedEntry {
  readonly kind: string;
  readonly name: string;
  /** Format 2: the API roles of a usage grant. */
  readonly grantsTo?: readonly string[];
  /** Format 1: the SQL that made it. */
  readonly create?: string;
}

/** What another applied file owns: accepted here, audited by that file's own verify. */
export interface OtherFile {
  readonly schema: string;
  /** Without an inventory (a record of an old version): everything in its schema is taken as its. */
  readonly entries?: readonly RecordedEntry[];
}

export interface OtherOwned {
  readonly allowances: Allowance[];
  /** Policy names on storage.objects the other files made. */
  readonly storagePolicies: Set<string>;
}

/**
 * Another file's objects: its schema, tables and views, its views in the
 * private schema, its helpers there, and the roles its record says may use
 * the private schema. Any privilege on them is that file's to audit.
 */
export function otherFilesOwn(files: readonly OtherFile[], privateSchema: string): OtherOwned {
  const allowances: Allowance[] = [];
  const storagePolicies = new Set<string>();
  for (const f of files) {
    const by = `the file applied to schema ${f.schema}`;
    const any = (kind: Allowance['kind'], schema: string, name: string): Allowance => ({ kind, schema, name, roles: ROLES, privileges: '*', by });
    allowances.push(any('schema', f.schema, f.schema));
    if (f.entries === undefined) {
      for (const kind of ['relation', 'sequence', 'function'] as const) allowances.push(any(kind, f.schema, '*'));
      continue;
    }
    for (const e of f.entries) {
      if (e.kind === 'table') allowances.push(any('relation', f.schema, e.name));
      if (e.kind === 'view') allowances.push(any('relation', f.schema, e.name), any('relation', privateSchema, e.name));
      if (e.kind === 'function') for (const name of e.name.split(', ')) allowances.push(any('function', privateSchema, name));
      if (e.kind === 'storage-policy') storagePolicies.add(e.name);
      if (e.kind === 'schema-usage') {
        // Format 2 records the roles; format 1 the grant, which names them: `GRANT USAGE ON SCHEMA … TO anon, authenticated, service_role;`
        const roles =
          e.grantsTo ??
          /\bTO ([^;]*);/
            .exec(e.create ?? '')?.[1]
            ?.split(',')
            .map((r) => r.trim()) ??
          [];
        const api = ROLES.filter((r) => roles.includes(r));
        allowances.push({ kind: 'schema', schema: privateSchema, name: privateSchema, roles: api, privileges: ['USAGE'], by });
      }
    }
  }
  return { allowances, storagePolicies };
}
