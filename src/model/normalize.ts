/**
 * A validated requirements file → the model. Assumes `validateDocument`
 * accepted the input; it resolves, it does not judge.
 */
import type { RequirementsInput } from './input.js';
import type { AddOwnerMember, ColumnGuard, ForeignKey, HelperFunction, Model, ReadCheck, Table } from './model.js';
import { AccessHelpers } from './accessHelpers.js';
import type { MembersParts } from './membersTables.js';
import { membersOf } from './members.js';
import { HELPER, PRIVATE_SCHEMA } from './model.js';
import { UUID } from './sqlTypes.js';
import { NameRegistry } from './names.js';
import { foreignKeyOrder } from './order.js';
import { organizationTables } from './organizations.js';
import { DEFAULT_SCHEMA, ORGANIZATION_MEMBERS, ORGANIZATIONS, usesOrganizations } from './resolve.js';
import { bucketModel, usesCondition } from './storage.js';
import { CRON_JOB_SPACE, relationSpace } from './names.js';
import { FUNCTION_SPACE, entityTable } from './tables.js';
import { jobModels, viewModels } from './views.js';

export interface Source {
  readonly fileName: string;
  readonly sha256: string;
}

export function normalize(input: RequirementsInput, source: Source): Model {
  const schema = input.schema ?? DEFAULT_SCHEMA;
  const names = new NameRegistry();
  const entities = input.entities ?? {};
  const views = input.materialized_views ?? {};
  const withOrgs = usesOrganizations(input);

  // Names from the file come first: derived names step aside for them.
  const tableNames = Object.keys(entities).sort();
  for (const t of tableNames) names.reserve(relationSpace(schema), t);
  for (const t of tableNames) {
    const members = membersOf(t, entities[t] as NonNullable<(typeof entities)[string]>);
    if (members !== undefined) names.reserve(relationSpace(schema), members.table);
  }
  if (withOrgs) for (const t of [ORGANIZATIONS, ORGANIZATION_MEMBERS]) names.reserve(relationSpace(schema), t);
  for (const [v, view] of Object.entries(views)) {
    names.reserve(relationSpace(PRIVATE_SCHEMA), v);
    if ((view.access ?? 'none') !== 'none') names.reserve(relationSpace(schema), v);
  }
  for (const job of Object.keys(input.jobs ?? {})) names.reserve(CRON_JOB_SPACE, job);

  // The tool's fixed helpers keep their names; a read-check helper steps aside.
  for (const fn of [HELPER.setUpdatedAt, HELPER.memberOrgIds, HELPER.adminOrgIds, HELPER.addOrganizationCreator]) names.reserve(FUNCTION_SPACE, fn);
  const readChecks: ReadCheck[] = [];
  const guards: ColumnGuard[] = [];
  const helpers = new AccessHelpers(input, schema, names);
  const members: MembersParts[] = [];
  const ctx = { input, schema, names, readChecks, guards, helpers, members };
  const built: Table[] = [...(withOrgs ? organizationTables(schema, names) : [])];
  for (const t of tableNames) {
    built.push(entityTable(ctx, t, entities[t] as NonNullable<(typeof entities)[string]>));
    // Right after its entity: the foreign-key order keeps the file's order where it can.
    const made = members.find((m) => m.addOwner.entity === t);
    if (made) built.push(made.table);
  }
  const accessHelpers = helpers.functions();
  const byName = new Map(built.map((t) => [t.name, t]));
  const references = new Map(
    built.map((t) => [t.name, t.foreignKeys.filter((fk) => fk.target.schema === schema).map((fk) => ({ column: fk.column, target: fk.target.table }))]),
  );
  const { order, deferred } = foreignKeyOrder([...byName.keys()], references, withOrgs ? [ORGANIZATIONS, ORGANIZATION_MEMBERS] : []);
  const deferredForeignKeys: ForeignKey[] = [];
  const tables = order.map((name) => {
    const table = byName.get(name) as Table;
    const later = table.foreignKeys.filter((fk) => deferred.has(`${fk.table}.${fk.column}`));
    deferredForeignKeys.push(...later);
    return later.length === 0 ? table : { ...table, foreignKeys: table.foreignKeys.filter((fk) => !later.includes(fk)) };
  });

  const buckets = Object.keys(input.buckets ?? {})
    .sort()
    .map((id) => bucketModel(id, input.buckets?.[id] ?? {}, names));
  // Bucket UPDATE policies read an object's bucket before the statement through this helper.
  const objectBucketUsed = buckets.some((b) => b.policies.some((p) => usesCondition(p.check, 'stays-in-bucket')));
  const viewResult = viewModels(views, PRIVATE_SCHEMA, names);
  const exposedViews = viewResult.views.filter((v) => v.access !== 'none');
  return {
    kind: 'model',
    source,
    schema,
    privateSchema: PRIVATE_SCHEMA,
    tables,
    deferredForeignKeys,
    functions: helperFunctions(
      tables.some((t) => t.triggers.some((tr) => tr.function === HELPER.setUpdatedAt)),
      withOrgs,
      objectBucketUsed,
      accessHelpers,
      readChecks,
      guards,
      members.map((m) => m.addOwner),
    ),
    privateSchemaUsage: {
      anon:
        exposedViews.some((v) => v.access === 'public') ||
        readChecks.some((c) => c.executableBy.includes('anon')) ||
        accessHelpers.some((f) => f.executableBy.includes('anon')),
      authenticated:
        withOrgs ||
        exposedViews.length > 0 ||
        objectBucketUsed ||
        readChecks.some((c) => c.executableBy.includes('authenticated')) ||
        accessHelpers.some((f) => f.executableBy.includes('authenticated')),
    },
    buckets,
    views: viewResult.views,
    jobs: [...viewResult.jobs, ...jobModels(input.jobs ?? {})],
  };
}

/** The helpers the model uses, in the order the transaction creates them. */
function helperFunctions(
  updatedAt: boolean,
  organizations: boolean,
  objectBucket: boolean,
  accessHelpers: readonly HelperFunction[],
  readChecks: readonly ReadCheck[],
  guards: readonly ColumnGuard[],
  addOwners: readonly AddOwnerMember[],
): HelperFunction[] {
  const helper = (
    name: string,
    body: HelperFunction['body'],
    executableBy: HelperFunction['executableBy'] = [],
    args: HelperFunction['args'] = [],
  ): HelperFunction => ({ kind: 'helper-function', name, args, body, executableBy });
  return [
    ...(updatedAt ? [helper(HELPER.setUpdatedAt, { kind: 'set-updated-at' })] : []),
    ...(organizations
      ? [
          helper(HELPER.memberOrgIds, { kind: 'member-org-ids' }, ['authenticated']),
          helper(HELPER.adminOrgIds, { kind: 'admin-org-ids' }, ['authenticated']),
          helper(HELPER.addOrganizationCreator, { kind: 'add-organization-creator' }),
        ]
      : []),
    // Bucket UPDATE policies of signed-in users call it.
    ...(objectBucket ? [helper(HELPER.objectBucketId, { kind: 'object-bucket-id' }, ['authenticated'], [UUID])] : []),
    // member_ids and ids helpers, each after those it calls (read checks may call them too).
    ...accessHelpers,
    ...[...readChecks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => helper(c.name, c, c.executableBy, [c.keyType])),
    // Trigger functions: no API role executes them.
    ...[...guards].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((g) => helper(g.name, g)),
    ...addOwners.map((a) => helper(a.name, a)),
  ];
}
