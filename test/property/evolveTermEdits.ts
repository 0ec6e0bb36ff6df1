/**
 * Edits of access terms between two versions of a file (evolve-random):
 * access maps with term lists, a `where`, `{ org: ROLES }`, and toggling a
 * field's `readonly` / `immutable`. An edit the format refuses is dropped by
 * `derive`, which validates every step.
 */
type Doc = Record<string, unknown>;

/** Access maps with terms, among the ones the edit "change access" picks from. */
export const TERM_ACCESS: readonly unknown[] = [
  { read: ['owner', { level: 'public', where: 'created_at IS NOT NULL' }], create: 'owner', update: 'owner', delete: 'owner' },
  { read: [{ org: ['admin', 'member'] }], create: 'org', update: { org: 'admin' }, delete: { org: 'admin' } },
  { read: ['org', { org: 'admin', where: 'updated_at IS NOT NULL' }], create: { org: 'member' }, update: 'org', delete: 'none' },
  { read: ['owner', 'authenticated'], create: { level: 'owner', where: 'created_at IS NOT NULL' }, update: 'owner' },
];

/** Sets, moves or clears a field's `readonly` / `immutable` flag. */
export function toggleFlag(field: Doc, n: number): string | undefined {
  const flag = n % 3 === 0 ? 'readonly' : n % 3 === 1 ? 'immutable' : undefined;
  delete field.readonly;
  delete field.immutable;
  if (flag !== undefined) field[flag] = true;
  return flag ?? 'neither readonly nor immutable';
}
