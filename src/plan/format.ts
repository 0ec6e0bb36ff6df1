/**
 * A plan as people read it: one line per change (`+ table todos`,
 * `~ column todos.title: set not null`, `- policy todos_select on todos`),
 * what would lose data, what blocks it, then the SQL.
 */
import type { AdoptedObject, Change, Plan, UnownedObject } from './plan.js';

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
  backfill: 'members of existing rows',
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

/** Kinds an adoption summary counts: a table's RLS, grants, comments and seed rows go with it. */
const SUMMARIZED = new Set<Change['kind']>([
  'table',
  'column',
  'constraint',
  'foreign-key',
  'index',
  'policy',
  'trigger',
  'function',
  'bucket',
  'storage-policy',
  'view',
  'job',
]);

const pluralOf = (name: string) => (name.endsWith('x') ? `${name}es` : name.endsWith('y') ? `${name.slice(0, -1)}ies` : `${name}s`);

/** `2 tables, 7 columns, 1 index`: the adopted objects by kind, in the order kinds first come. */
export function adoptedSummary(adopted: readonly AdoptedObject[]): string {
  const counts = new Map<Change['kind'], number>();
  for (const a of adopted) if (SUMMARIZED.has(a.kind)) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${n === 1 ? KIND_NAMES[kind] : pluralOf(KIND_NAMES[kind])}`).join(', ');
}

/** What an adoption took over, and what it left alone, as plan and apply print it. */
export function adoptionLines(adopted: readonly AdoptedObject[], unowned: readonly UnownedObject[]): string[] {
  const lines: string[] = [];
  if (adopted.length > 0) {
    const changed = adopted.filter((a) => a.changed).length;
    const how = changed === 0 ? 'all as the file describes them' : `${changed} not as the file describes them, changed in place (~)`;
    lines.push(`adopted (already there, now altan-cloud's): ${adoptedSummary(adopted) || `${adopted.length} objects`}; ${how}`);
  }
  if (unowned.length > 0) {
    lines.push("left as they are (not in the file, so not altan-cloud's):", ...unowned.map((u) => `  ${describeObject(u)}`));
    if (unowned.some((u) => u.kind === 'policy'))
      lines.push(
        'note: a policy not in the file still grants what it allows (Postgres ORs permissive policies); drop it, or check the rules with `altan-cloud verify`',
      );
  }
  return lines;
}

export function formatPlan(file: string, p: Plan): string {
  const where = `${p.database}, schema ${p.schema}`;
  if (p.status === 'up-to-date') return `${file} is up to date on ${where}: nothing to do\n`;
  const last = p.lastApplied ? ` (last applied: ${p.lastApplied.file} at ${p.lastApplied.at})` : '';
  const lines = [
    p.fresh
      ? `plan for ${file} on ${where}: nothing applied there yet, the whole file (${p.changes.length} objects)`
      : `plan for ${file} on ${where}${last}: ${p.changes.length} ${p.changes.length === 1 ? 'change' : 'changes'}`,
    ...p.changes.map((c) => `  ${describeChange(c)}${c.destructive ? `  [destructive: ${c.destructive}]` : ''}`),
  ];
  const adoption = adoptionLines(p.adopted ?? [], p.unowned ?? []);
  if (adoption.length > 0) lines.push('', ...adoption);
  if (p.sql === '' && (p.adopted?.length ?? 0) > 0) lines.push('', 'No SQL to run: apply --adopt only records them.');
  if (p.destructive.length > 0) lines.push('', `${p.destructive.length} may lose data: apply refuses them without --allow-destructive.`);
  if (p.blockers.length > 0) lines.push('', 'cannot be applied as it stands:', ...p.blockers.map((b) => `  - ${b}`));
  if (p.adoptable !== undefined)
    lines.push('', 'What already exists can be taken over instead: `altan-cloud plan --adopt` shows what that changes, `apply --adopt` does it.');
  return `${lines.join('\n')}\n${p.sql === '' ? '' : `\n${p.sql}`}`;
}
