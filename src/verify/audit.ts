/**
 * verify's privilege audit: every privilege anon and authenticated hold, and
 * every policy on the file's tables and storage.objects, compared with what
 * the file implies (allowed.ts), what other applied files own (their records)
 * and what the platform grants (platform.ts). Anything more is a failure
 * naming the object and the privilege. Privileges on objects that belong to
 * none of them (a user's own table in the exposed schema) are a note when
 * the object guards its rows (RLS, a security-invoker view), else a failure.
 * Catalog guarantees the file makes are checked too: RLS on its tables, and
 * its `realtime` tables in the Realtime publication.
 */
import type { Database } from '../db/database.js';
import { RECORD_SCHEMA } from '../db/record.js';
import type { Command, Model, Policy } from '../model/model.js';
import { REALTIME_PUBLICATION } from '../model/model.js';
import type { Target } from '../target.js';
import { fileAllowances, otherFilesOwn } from './allowed.js';
import { guardFacts, heldColumnPrivileges, heldPrivileges, otherFiles } from './auditCatalog.js';
import type { HeldColumnPrivilege, HeldPrivilege, PolicyRow } from './auditCatalog.js';
import { PLATFORM_ALLOWANCES, PLATFORM_SCHEMAS, allowanceIndex } from './platform.js';
import type { VerifyResult } from './run.js';

export interface AuditSummary {
  /** Privileges of anon and authenticated found, all kinds. */
  readonly privileges: number;
  /** Policies on the file's tables and storage.objects. */
  readonly policies: number;
  readonly failed: number;
  readonly notes: number;
}

export interface AuditOutcome {
  readonly results: VerifyResult[];
  readonly summary: AuditSummary;
}

const NOT_GRANTED = 'not granted by the file nor the platform';

function finding(
  subject: string,
  actor: string,
  operation: string,
  expected: string,
  actual: string,
  line: string,
  status: VerifyResult['status'] = 'fail',
): VerifyResult {
  return { subject, actor, operation, expected, actual, status, audit: line, ...(status === 'not-tested' ? { reason: line } : {}) };
}

/** Held privileges of one role on one object, grouped: one line per role and object. */
function grouped(held: readonly HeldPrivilege[]): HeldPrivilege[][] {
  const groups = new Map<string, HeldPrivilege[]>();
  for (const h of held) {
    const key = `${h.role}\u0000${h.object}`;
    const group = groups.get(key);
    if (group) group.push(h);
    else groups.set(key, [h]);
  }
  return [...groups.values()];
}

function privilegeFindings(model: Model, target: Target, held: readonly HeldPrivilege[], others: ReturnType<typeof otherFilesOwn>): VerifyResult[] {
  const expected = allowanceIndex([...fileAllowances(model, target), ...others.allowances, ...PLATFORM_ALLOWANCES]);
  const strict = new Set([model.schema, model.privateSchema, RECORD_SCHEMA, ...PLATFORM_SCHEMAS]);
  const unexpected = held.filter((h) => expected.find(h) === undefined);
  return grouped(unexpected).map((group) => {
    const h = group[0] as HeldPrivilege;
    const privileges = group.map((g) => g.privilege).join(', ');
    const routes = [...new Set(group.map((g) => g.route))].join(', ');
    // Neither the file's, another file's nor the platform's, outside the schemas those own.
    const someoneElses = !strict.has(h.schema) || (h.schema === model.schema && !ownedByFile(model, h));
    const why = someoneElses ? whyOnlyANote(h, group) : undefined;
    if (why !== undefined) {
      return finding(
        h.object,
        h.role,
        privileges,
        "not the file's nor the platform's",
        `granted ${routes}`,
        `note: ${h.role} has ${privileges} on ${h.object} (${routes}): not the file's nor the platform's; ${why}`,
        'not-tested',
      );
    }
    return finding(h.object, h.role, privileges, NOT_GRANTED, `granted ${routes}`, `${h.role} has ${privileges} on ${h.object} (${routes}): ${NOT_GRANTED}`);
  });
}

/**
 * Why a privilege on someone else's object is a note, not a failure; undefined
 * when it is a failure anyway (CREATE on a schema, rows nothing guards).
 */
function whyOnlyANote(h: HeldPrivilege, group: readonly HeldPrivilege[]): string | undefined {
  if (group.some((g) => g.privilege === 'CREATE')) return undefined;
  switch (h.kind) {
    case 'schema':
      return 'a schema the file does not use';
    case 'sequence':
      // Supabase's default privileges give the API roles every sequence in public.
      return 'a sequence gives numbers, not rows';
    case 'function':
      return "a SECURITY DEFINER function runs with its owner's rights: review it";
    case 'relation':
      return h.guarded ? 'its own row-level security guards its rows, and verify does not judge those policies' : undefined;
  }
}

/**
 * On `supabase`, a table whose file keeps the API roles off some columns
 * (read-only and immutable fields) must grant INSERT and UPDATE on the other
 * columns only: any more is a failure naming table, columns and privilege.
 * (On `altan`, apply_postgrest_permissions() may grant every column: the
 * guard trigger keeps them, and the requests show it.)
 */
function columnFindings(model: Model, target: Target, held: readonly HeldColumnPrivilege[]): VerifyResult[] {
  if (target !== 'supabase') return [];
  const groups = new Map<string, HeldColumnPrivilege[]>();
  for (const h of held) {
    const table = model.tables.find((t) => t.name === h.table);
    const columns = table?.grants.columns;
    if (table === undefined || columns === undefined) continue;
    // a command the file does not grant the role at all is the table-level finding's (privilegeFindings)
    if (!table.grants[h.role].includes(h.privilege as Command)) continue;
    if ((h.privilege === 'INSERT' ? columns.insert : columns.update).includes(h.column)) continue;
    const key = `${h.table}\u0000${h.role}\u0000${h.privilege}\u0000${h.route}`;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()].map((group) => {
    const h = group[0] as HeldColumnPrivilege;
    const names = group.map((g) => g.column);
    const object = `${names.length === 1 ? 'column' : 'columns'} ${names.join(', ')} of table ${model.schema}.${h.table}`;
    return finding(
      `${model.schema}.${h.table}`,
      h.role,
      h.privilege,
      NOT_GRANTED,
      `granted ${h.route}`,
      `${h.role} has ${h.privilege} on ${object} (${h.route}): ${NOT_GRANTED}`,
    );
  });
}

/** A relation or function of the exposed schema that the file makes. */
function ownedByFile(model: Model, h: HeldPrivilege): boolean {
  if (h.kind === 'schema') return true;
  return model.tables.some((t) => t.name === h.name) || model.views.some((v) => v.name === h.name && v.access !== 'none');
}

const rolesText = (roles: readonly string[]) => roles.join(', ');

/** The file's policies on `on` must be exactly those in the catalog: no more, none missing, same command and roles. */
function policyFindings(on: string, wanted: readonly Policy[], found: readonly PolicyRow[], othersOwn: (name: string) => boolean): VerifyResult[] {
  const out: VerifyResult[] = [];
  const byName = new Map(wanted.map((p) => [p.name, p]));
  for (const f of found) {
    const shape = `${f.permissive ? '' : 'restrictive, '}FOR ${f.command} TO ${rolesText(f.roles)}`;
    const w = byName.get(f.name);
    if (w === undefined) {
      if (othersOwn(f.name)) continue;
      // A policy only for roles other than the API roles' (service_role bypasses RLS anyway) grants them nothing.
      if (!f.roles.some((r) => r === 'public' || r === 'anon' || r === 'authenticated')) continue;
      out.push(finding(on, rolesText(f.roles), `policy ${f.name}`, 'absent', shape, `policy ${f.name} on ${on} (${shape}): not the file's`));
      continue;
    }
    const wantedShape = `FOR ${w.command} TO ${rolesText([...w.roles].sort())}`;
    if (shape !== wantedShape) {
      out.push(finding(on, rolesText(f.roles), `policy ${f.name}`, wantedShape, shape, `policy ${f.name} on ${on} is ${shape}; the file says ${wantedShape}`));
    }
  }
  const present = new Set(found.map((f) => f.name));
  for (const w of wanted) {
    if (!present.has(w.name)) {
      out.push(finding(on, rolesText(w.roles), `policy ${w.name}`, `FOR ${w.command}`, 'missing', `policy ${w.name} on ${on}: the file's, missing`));
    }
  }
  return out;
}

/** The privilege audit, inside verify's transaction (it reads the catalog only). */
export async function audit(db: Database, model: Model, target: Target): Promise<AuditOutcome> {
  const [held, guards, files] = [await heldPrivileges(db, model), await guardFacts(db, model), await otherFiles(db, model.schema)];
  const columns = await heldColumnPrivileges(db, model);
  const others = otherFilesOwn(files, model.privateSchema);
  const results: VerifyResult[] = [];
  for (const { role, fact } of guards.roleFacts) {
    results.push(finding(`role ${role}`, role, fact, 'no', 'yes', `role ${role} ${fact}: ${NOT_GRANTED}`));
  }
  for (const relation of guards.rlsOff) {
    results.push(
      finding(
        relation,
        'everyone',
        'row-level security',
        'enabled',
        'disabled',
        `${relation}: row-level security is disabled; ${relation.startsWith('storage.') ? 'the platform' : 'the file'} enables it`,
      ),
    );
  }
  for (const relation of guards.unpublished) {
    results.push(
      finding(
        relation,
        'everyone',
        'realtime',
        `in publication ${REALTIME_PUBLICATION}`,
        'not in it',
        `${relation}: not in publication ${REALTIME_PUBLICATION}, so Realtime streams none of its changes; the file asks for realtime`,
      ),
    );
  }
  results.push(...privilegeFindings(model, target, held, others), ...columnFindings(model, target, columns));
  const byTable = new Map<string, PolicyRow[]>();
  for (const p of guards.policies) {
    const key = `${p.schema}.${p.table}`;
    byTable.set(key, [...(byTable.get(key) ?? []), p]);
  }
  const policiesOn = (schema: string, table: string) => byTable.get(`${schema}.${table}`) ?? [];
  for (const t of model.tables) {
    results.push(...policyFindings(`${model.schema}.${t.name}`, t.policies, policiesOn(model.schema, t.name), () => false));
  }
  const bucketPolicies = model.buckets.flatMap((b) => b.policies);
  results.push(...policyFindings('storage.objects', bucketPolicies, policiesOn('storage', 'objects'), (name) => others.storagePolicies.has(name)));
  const count = (s: VerifyResult['status']) => results.filter((r) => r.status === s).length;
  return {
    results,
    summary: { privileges: held.length, policies: guards.policies.length, failed: count('fail'), notes: count('not-tested') },
  };
}
