/**
 * A plan as people read it: one line per change (`+ table todos`,
 * `~ column todos.title: set not null`, `- policy todos_select on todos`),
 * what would lose data, what blocks it, then the SQL.
 */
import type { Change, Plan } from './plan.js';

const SIGN = { create: '+', alter: '~', drop: '-' } as const;

/** What a change line calls each kind of object. */
export const KIND_NAMES: Readonly<Record<Change['kind'], string>> = {
  'schema-usage': 'usage of schema',
  table: 'table',
  column: 'column',
  constraint: 'constraint',
  'foreign-key': 'foreign key',
  index: 'index',
  rls: 'row level security',
  policy: 'policy',
  grants: 'grants',
  trigger: 'trigger',
  comment: 'comment',
  seed: 'seed rows',
  function: 'function',
  bucket: 'bucket',
  'storage-policy': 'storage policy',
  view: 'materialized view',
  job: 'job',
  realtime: 'publication',
};

/** `column todos.title`, `policy todos_select on todos`, `grants on todos`: an object of the inventory (a change's, a statement's). */
export function describeObject(c: Pick<Change, 'kind' | 'table' | 'name'>): string {
  const kind = KIND_NAMES[c.kind];
  if (c.table === undefined) return `${kind} ${c.name}`;
  if (c.kind === 'realtime') return `table ${c.table} in ${kind} ${c.name}`;
  if (c.kind === 'column') return `${kind} ${c.table}.${c.name}`;
  if (c.kind === 'comment') return `${kind} on ${c.name === '' ? c.table : `${c.table}.${c.name}`}`;
  if (c.name === '') return `${kind} ${c.kind === 'seed' ? 'of' : 'on'} ${c.table}`;
  return `${kind} ${c.name} on ${c.table}`;
}

/** One line: sign, subject, details; drift says the object went missing. */
export function describeChange(c: Change): string {
  const details = [...c.details, ...(c.drift ? ['missing from the database (dropped by hand?)'] : [])];
  return `${SIGN[c.action]} ${describeObject(c)}${details.length > 0 ? `: ${details.join(', ')}` : ''}`;
}

export function formatPlan(file: string, p: Plan): string {
  const where = `${p.database}, schema ${p.schema}`;
  if (p.status === 'up-to-date') return `${file} is up to date on ${where}: nothing to do\n`;
  const lines = [
    p.fresh
      ? `plan for ${file} on ${where}: nothing applied there yet, the whole file (${p.changes.length} objects)`
      : `plan for ${file} on ${where} (last applied: ${p.lastApplied?.file} at ${p.lastApplied?.at}): ${p.changes.length} ${p.changes.length === 1 ? 'change' : 'changes'}`,
    ...p.changes.map((c) => `  ${describeChange(c)}${c.destructive ? `  [destructive: ${c.destructive}]` : ''}`),
  ];
  if (p.destructive.length > 0) lines.push('', `${p.destructive.length} may lose data: apply refuses them without --allow-destructive.`);
  if (p.blockers.length > 0) lines.push('', 'cannot be applied as it stands:', ...p.blockers.map((b) => `  - ${b}`));
  return `${lines.join('\n')}\n\n${p.sql}`;
}
