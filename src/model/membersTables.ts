/**
 * An entity with `members` (../shared/access-rules.md §4) → its members table,
 * made like organization_members: who belongs to which row, with which role.
 * Its policies read membership through the entity's member_ids helper (never
 * the table itself, which would recurse); the creator's membership comes from
 * a trigger on the entity that reads the new row's owner, never the request.
 */
import { AccessHelpers } from './accessHelpers.js';
import type { AddOwnerMember, Column, Condition, Policy, Table, Trigger } from './model.js';
import type { Members } from './members.js';
import { FUNCTION_SPACE, relationSpace, tableSpace } from './names.js';
import type { NameRegistry } from './names.js';
import { policyFor } from './policies.js';
import { TEXT, TIMESTAMPTZ, UUID } from './sqlTypes.js';

export interface MembersTableInput {
  readonly schema: string;
  readonly names: NameRegistry;
  readonly helpers: AccessHelpers;
  readonly entity: string;
  readonly members: Members;
  /** The entity's key column (its type is the members table's key type) and owner column. */
  readonly key: Column;
  readonly owner: string;
}

export interface MembersParts {
  readonly table: Table;
  /** The AFTER INSERT trigger on the entity, and the function it runs. */
  readonly trigger: Trigger;
  readonly addOwner: AddOwnerMember;
}

export function membersTable(m: MembersTableInput): MembersParts {
  const { schema, names, helpers, entity, members } = m;
  const name = members.table;
  const first = members.roles[0] as string;
  const last = members.roles[members.roles.length - 1] as string;
  const con = tableSpace(schema, name, 'constraint');
  const policyName = (command: Policy['command']) => names.derive(tableSpace(schema, name, 'policy'), [name], command.toLowerCase());
  const key = members.column;

  const memberOf = (roles: readonly string[] | undefined) => helpers.member(entity, key, roles, 'authenticated');
  const manager = memberOf([first]);
  const self: Condition = { kind: 'user', column: 'user_id' };
  // join: open: a signed-in user adds themselves, with the last role only, to a row they may read.
  const joins: Condition = {
    kind: 'all',
    of: [
      self,
      { kind: 'equals', column: 'role', value: last },
      AccessHelpers.keyCondition(key, helpers.keySource(entity, 'read', undefined, 'authenticated', 'authenticated')),
    ],
  };
  const insert: Condition = members.join === 'open' ? { kind: 'any', of: [manager, joins] } : manager;
  const policies: Policy[] = [
    // Members see the members of their rows.
    policyFor(policyName('SELECT'), 'SELECT', ['authenticated'], memberOf(undefined)),
    policyFor(policyName('INSERT'), 'INSERT', ['authenticated'], insert),
    // Only the first role changes roles, and the new row too must be one it manages: a member who is not a
    // manager cannot update any row, their own included, so nobody raises their own role (a manager may step down).
    policyFor(policyName('UPDATE'), 'UPDATE', ['authenticated'], manager),
    // Managers remove members; anyone may leave.
    policyFor(policyName('DELETE'), 'DELETE', ['authenticated'], { kind: 'any', of: [self, manager] }),
  ];

  const column = (n: string, type: Column['type'], dflt?: Column['default']): Column => ({
    kind: 'column',
    name: n,
    type,
    notNull: true,
    ...(dflt ? { default: dflt } : {}),
  });
  const fk = (col: string, target: { schema: string; table: string; column: string }) => ({
    kind: 'foreign-key' as const,
    name: names.derive(con, [name, col], 'fkey'),
    table: name,
    column: col,
    target,
    onDelete: 'cascade' as const,
  });
  const table: Table = {
    kind: 'table',
    name,
    role: 'members',
    membersOf: entity,
    description: `Who belongs to which ${entity} row, with which role (${members.roles.join(', ')}).`,
    columns: [
      column(key, m.key.type),
      column('user_id', UUID),
      column('role', TEXT, { kind: 'literal', value: last }),
      column('created_at', TIMESTAMPTZ, { kind: 'now' }),
    ],
    constraints: [
      { kind: 'primary-key', name: names.derive(relationSpace(schema), [name], 'pkey'), columns: [key, 'user_id'] },
      { kind: 'enum', name: names.derive(con, [name, 'role'], 'enum'), column: 'role', type: TEXT, values: [...members.roles] },
    ],
    foreignKeys: [fk(key, { schema, table: entity, column: m.key.name }), fk('user_id', { schema: 'auth', table: 'users', column: 'id' })],
    // The key column is covered by the primary key; user_id is what the membership helper looks up.
    indexes: [{ kind: 'index', name: names.derive(relationSpace(schema), [name, 'user_id'], 'idx'), columns: ['user_id'], unique: false }],
    policies,
    grants: { anon: [], authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
    triggers: [],
  };

  const fnName = names.derive(FUNCTION_SPACE, [schema, entity], 'add_owner_member');
  const addOwner: AddOwnerMember = { kind: 'add-owner-member', name: fnName, entity, key: m.key.name, owner: m.owner, table: name, column: key, role: first };
  const trigger: Trigger = {
    kind: 'trigger',
    name: names.derive(tableSpace(schema, entity, 'trigger'), [entity], 'add_owner_member'),
    timing: 'AFTER INSERT',
    function: fnName,
  };
  return { table, trigger, addOwner };
}
