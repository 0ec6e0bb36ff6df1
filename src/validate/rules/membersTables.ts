/**
 * Rules about the members table an entity with `members` gets: its name
 * shares the schema's namespace of relations (entities, materialized views,
 * other members tables, the organization tables), its key column sits beside
 * the columns every members table has, and names the tool makes must fit
 * Postgres's 63 bytes (it would cut them silently). The key column references
 * the entity's key, which must be one field.
 */
import type { Path } from '../../load/document.js';
import type { EntityInput } from '../../model/input.js';
import { membersOf } from '../../model/members.js';
import type { Members } from '../../model/members.js';
import { MAX_IDENTIFIER_BYTES } from '../../model/names.js';
import { ORGANIZATIONS, ORGANIZATION_MEMBERS, declaredPrimaryKey } from '../../model/resolve.js';
import { entities } from './context.js';
import type { RuleContext } from './context.js';

/** The columns of every members table beside its key column. */
const MEMBERS_COLUMNS: readonly string[] = ['user_id', 'role', 'created_at'];

interface MembersVisit {
  readonly name: string;
  readonly entity: EntityInput;
  readonly members: Members;
  /** Where `table` (`column`) is written, or `members` itself when the name is the default. */
  readonly at: (key: 'table' | 'column') => Path;
  readonly written: (key: 'table' | 'column') => boolean;
}

function eachMembers(ctx: RuleContext, visit: (m: MembersVisit) => void): void {
  for (const [name, entity] of entities(ctx.input)) {
    const members = membersOf(name, entity);
    if (members === undefined) continue;
    const spec = typeof entity.members === 'object' ? entity.members : {};
    const written = (key: 'table' | 'column') => spec[key] !== undefined;
    visit({ name, entity, members, written, at: (key) => (written(key) ? ['entities', name, 'members', key] : ['entities', name, 'members']) });
  }
}

const tooLong = (name: string) => Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES;

export function membersTable(ctx: RuleContext): void {
  const views = Object.keys(ctx.input.materialized_views ?? {});
  const firstTable = new Map<string, string>();
  eachMembers(ctx, (m) => {
    const { table } = m.members;
    const what = m.written('table') ? `members table "${table}" of entity "${m.name}"` : `entity "${m.name}" gets members table "${table}", which`;
    const rename = m.written('table') ? 'choose another table' : 'set members.table to another name';
    let clash: string | undefined;
    if (tooLong(table)) clash = `is longer than ${MAX_IDENTIFIER_BYTES} bytes, and Postgres would cut it`;
    else if (Object.hasOwn(ctx.input.entities ?? {}, table)) clash = `has the name of entity "${table}"`;
    else if (views.includes(table)) clash = `has the name of materialized view "${table}"`;
    else if (ctx.usesOrg && (table === ORGANIZATIONS || table === ORGANIZATION_MEMBERS)) clash = `collides with the ${table} table that org access creates`;
    else if (firstTable.has(table)) clash = `is also the members table of entity "${firstTable.get(table)}"`;
    if (!firstTable.has(table)) firstTable.set(table, m.name);
    if (clash === undefined) return;
    ctx.error('members-table', `${what} ${clash}; ${rename}`, m.at('table'));
  });
}

export function membersColumn(ctx: RuleContext): void {
  eachMembers(ctx, (m) => {
    const { column, table } = m.members;
    const what = m.written('column')
      ? `key column "${column}" of members table "${table}"`
      : `entity "${m.name}" gets "${column}" as the key column of members table "${table}", which`;
    const rename = m.written('column') ? 'choose another column' : 'set members.column to another name';
    const pk = declaredPrimaryKey(m.entity);
    if (pk !== undefined && pk.length > 1) {
      ctx.error(
        'members-column',
        `entity "${m.name}" has members, whose key column references the entity's key, but its primary key has ${pk.length} fields (${pk.join(', ')}); give it a single-field key (or drop primary_key to get an id)`,
        ['entities', m.name, 'members'],
      );
    }
    let clash: string | undefined;
    if (tooLong(column)) clash = `is longer than ${MAX_IDENTIFIER_BYTES} bytes, and Postgres would cut it`;
    else if (MEMBERS_COLUMNS.includes(column)) clash = `is one of the columns every members table has (${MEMBERS_COLUMNS.join(', ')})`;
    if (clash === undefined) return;
    ctx.error('members-column', `${what} ${clash}; ${rename}`, m.at('column'));
  });
}
