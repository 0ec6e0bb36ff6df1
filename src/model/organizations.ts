/**
 * The tables that `org` access brings: `organizations` and
 * `organization_members`. Their policies never query the table they protect;
 * membership is read through SECURITY DEFINER helpers in the private schema,
 * so nothing recurses, and only admins add members (a creator becomes the
 * first admin through a trigger, never through a policy).
 */
import type { Column, Condition, Constraint, Index, Policy, Table } from './model.js';
import type { NameRegistry } from './names.js';
import { policyFor } from './policies.js';
import { ORGANIZATION_MEMBERS, ORGANIZATIONS } from './resolve.js';
import { TEXT, TIMESTAMPTZ, UUID } from './sqlTypes.js';
import { relationSpace, tableSpace } from './names.js';

export const MEMBER_ROLES = ['admin', 'member'] as const;

const column = (name: string, type: Column['type'], notNull: boolean, dflt?: Column['default']): Column => ({
  kind: 'column',
  name,
  type,
  notNull,
  ...(dflt ? { default: dflt } : {}),
});

export function organizationTables(schema: string, names: NameRegistry): Table[] {
  const rel = relationSpace(schema);
  const con = (t: string) => tableSpace(schema, t, 'constraint');
  const pol = (t: string, command: Policy['command']) => names.derive(tableSpace(schema, t, 'policy'), [t], command.toLowerCase());
  const fk = (table: string, col: string, target: { schema: string; table: string }, onDelete: 'cascade' | 'set null') => ({
    kind: 'foreign-key' as const,
    name: names.derive(con(table), [table, col], 'fkey'),
    table,
    column: col,
    target: { ...target, column: 'id' },
    onDelete,
  });
  const index = (table: string, col: string): Index => ({
    kind: 'index',
    name: names.derive(rel, [table, col], 'idx'),
    columns: [col],
    unique: false,
  });

  const member = (col: string): Condition => ({ kind: 'org-member', column: col });
  const admin = (col: string): Condition => ({ kind: 'org-admin', column: col });
  const self = (col: string): Condition => ({ kind: 'owner', column: col });
  const users = { schema: 'auth', table: 'users' };
  const orgs = { schema, table: ORGANIZATIONS };

  const organizations: Table = {
    kind: 'table',
    name: ORGANIZATIONS,
    role: 'organizations',
    description: 'Organizations (tenants); the creator becomes their first admin.',
    columns: [
      column('id', UUID, true, { kind: 'random-uuid' }),
      column('name', TEXT, true),
      // Nullable so that deleting the creator's account keeps the organization.
      column('created_by', UUID, false, { kind: 'auth-uid' }),
      column('created_at', TIMESTAMPTZ, true, { kind: 'now' }),
    ],
    constraints: [{ kind: 'primary-key', name: names.derive(rel, [ORGANIZATIONS], 'pkey'), columns: ['id'] }],
    foreignKeys: [fk(ORGANIZATIONS, 'created_by', users, 'set null')],
    indexes: [index(ORGANIZATIONS, 'created_by')],
    policies: [
      // The creator keeps seeing the row, so `insert ... returning` works before the trigger's membership is visible.
      policyFor(pol(ORGANIZATIONS, 'SELECT'), 'SELECT', ['authenticated'], { kind: 'any', of: [member('id'), self('created_by')] }),
      policyFor(pol(ORGANIZATIONS, 'INSERT'), 'INSERT', ['authenticated'], self('created_by')),
      policyFor(pol(ORGANIZATIONS, 'UPDATE'), 'UPDATE', ['authenticated'], admin('id')),
      policyFor(pol(ORGANIZATIONS, 'DELETE'), 'DELETE', ['authenticated'], admin('id')),
    ],
    grants: { anon: [], authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
    triggers: [
      {
        kind: 'trigger',
        name: names.derive(tableSpace(schema, ORGANIZATIONS, 'trigger'), [ORGANIZATIONS], 'add_creator'),
        timing: 'AFTER INSERT',
        function: 'add_organization_creator',
      },
    ],
  };

  const roleCheck: Constraint = {
    kind: 'enum',
    name: names.derive(con(ORGANIZATION_MEMBERS), [ORGANIZATION_MEMBERS, 'role'], 'enum'),
    column: 'role',
    type: TEXT,
    values: [...MEMBER_ROLES],
  };
  const members: Table = {
    kind: 'table',
    name: ORGANIZATION_MEMBERS,
    role: 'organization_members',
    description: 'Who belongs to which organization, as admin or member.',
    columns: [
      column('org_id', UUID, true),
      column('user_id', UUID, true),
      column('role', TEXT, true, { kind: 'literal', value: 'member' }),
      column('created_at', TIMESTAMPTZ, true, { kind: 'now' }),
    ],
    constraints: [{ kind: 'primary-key', name: names.derive(rel, [ORGANIZATION_MEMBERS], 'pkey'), columns: ['org_id', 'user_id'] }, roleCheck],
    foreignKeys: [fk(ORGANIZATION_MEMBERS, 'org_id', orgs, 'cascade'), fk(ORGANIZATION_MEMBERS, 'user_id', users, 'cascade')],
    // org_id is covered by the primary key; user_id is what the membership helpers look up.
    indexes: [index(ORGANIZATION_MEMBERS, 'user_id')],
    policies: [
      policyFor(pol(ORGANIZATION_MEMBERS, 'SELECT'), 'SELECT', ['authenticated'], member('org_id')),
      policyFor(pol(ORGANIZATION_MEMBERS, 'INSERT'), 'INSERT', ['authenticated'], admin('org_id')),
      policyFor(pol(ORGANIZATION_MEMBERS, 'UPDATE'), 'UPDATE', ['authenticated'], admin('org_id')),
      // Admins remove members; anyone may leave.
      policyFor(pol(ORGANIZATION_MEMBERS, 'DELETE'), 'DELETE', ['authenticated'], { kind: 'any', of: [self('user_id'), admin('org_id')] }),
    ],
    grants: { anon: [], authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
    triggers: [],
  };
  return [organizations, members];
}
