/**
 * Inventories recorded by earlier versions, read as today's format.
 *
 * Format 1 (altan-cloud 0.1 before fingerprints) kept each object's SQL text
 * in `create`, and the helper functions as groups (the three organization
 * helpers were one entry). An object of the file whose SQL is, today, the
 * text format 1 recorded is the same object: it takes today's fingerprint.
 * Any other keeps a fingerprint that matches nothing, so it is made again
 * (replaced, or updated) as the old text-comparing plan would have done.
 */
import { createHash } from 'node:crypto';
import type { ColumnShape } from '../render/objects.js';
import { createSql } from '../render/objects.js';
import type { Entry, EntryKind, Inventory } from './inventory.js';
import { entryKey, INVENTORY_FORMAT } from './inventory.js';

interface FormatOneEntry {
  readonly kind: EntryKind;
  readonly table?: string;
  readonly name: string;
  readonly create: string;
  readonly drop: string;
  readonly presence: readonly string[];
  readonly withTable?: boolean;
  readonly column?: ColumnShape;
  readonly refreshes?: string;
}

/** The text format 1 recorded for an object of today's list (a helper function: with its comment). */
function formatOneText(e: Entry): string | undefined {
  if (!e.object) return undefined;
  return e.kind === 'function' ? [...(e.object.comment ?? []), ...e.object.statements].join('\n') : createSql(e.object);
}

const unmatched = (create: string) => `format-1:${createHash('sha256').update(create).digest('hex').slice(0, 32)}`;

/** Format 1's entries as format 2's, fingerprinted against the file being planned (`next`). */
function fromFormatOne(entries: readonly FormatOneEntry[], next: Inventory): Inventory {
  const byKey = new Map(next.entries.map((e) => [entryKey(e), e]));
  const out: Entry[] = [];
  for (const old of entries) {
    const base = {
      kind: old.kind,
      ...(old.table !== undefined ? { table: old.table } : {}),
      drop: old.drop,
      ...(old.withTable ? { withTable: true } : {}),
      ...(old.column ? { column: old.column } : {}),
      ...(old.refreshes !== undefined ? { refreshes: old.refreshes } : {}),
    };
    if (old.kind !== 'function') {
      const now = byKey.get(entryKey(old));
      const same = now !== undefined && formatOneText(now) === old.create;
      out.push({
        ...base,
        name: old.name,
        presence: old.presence,
        fingerprint: same ? now.fingerprint : unmatched(old.create),
        ...(same && now.grantsTo !== undefined ? { grantsTo: now.grantsTo } : {}),
      });
      continue;
    }
    // A group of helpers (`member_org_ids, admin_org_ids, add_organization_creator`): one entry per function today.
    // Its text was theirs, each with its comment, a blank line apart.
    const names = old.name.split(', ');
    const members = names.map((n) => byKey.get(entryKey({ kind: 'function', name: n })));
    const texts = members.map((m) => (m ? formatOneText(m) : undefined));
    const same = texts.every((t) => t !== undefined) && texts.join('\n\n') === old.create;
    names.forEach((name, i) => {
      const now = members[i];
      out.push({
        kind: 'function',
        name,
        fingerprint: same && now ? now.fingerprint : unmatched(old.create),
        // Each function's own DROP where the file still has it; otherwise the group's, which drops them all.
        drop: now?.drop ?? (i === 0 ? old.drop : ''),
        presence: old.presence.filter((k) => k.endsWith(`\u0000${name}`)),
      });
    });
  }
  return { format: INVENTORY_FORMAT, entries: out };
}

/** A recorded inventory in today's format; undefined when it is not one altan-cloud wrote. */
export function readInventory(stored: string, next: Inventory): Inventory | undefined {
  const parsed = JSON.parse(stored) as { format?: unknown; entries?: unknown };
  if (!Array.isArray(parsed.entries)) return undefined;
  if (parsed.format === INVENTORY_FORMAT) return parsed as Inventory;
  if (parsed.format === 1) return fromFormatOne(parsed.entries as FormatOneEntry[], next);
  return undefined;
}
