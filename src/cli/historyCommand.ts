/**
 * `altan-cloud history`: the applies of a schema, newest first, from the
 * tool's record (src/plan/history.ts), as text or --json. Reads only; a
 * folder without an embedded database has applied nothing, and gets none made.
 */
import { holdsDatabase } from '../db/embeddedSnapshot.js';
import { describeChange, KIND_NAMES } from '../plan/format.js';
import { DEFAULT_HISTORY_LIMIT, history } from '../plan/history.js';
import type { HistoryEntry, HistoryReport } from '../plan/history.js';
import type { Change } from '../plan/plan.js';
import { chooseDatabase } from './databaseChoice.js';
import { EMBEDDED_DIR, withDatabase } from './databaseCommands.js';
import type { DatabaseOptions } from './databaseCommands.js';
import { pathIn } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';
import { progressFor } from './progress.js';

export interface HistoryCommandOptions extends DatabaseOptions {
  readonly schema?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

export async function historyCommand(cliIo: CliIo, options: HistoryCommandOptions): Promise<Outcome> {
  const choice = chooseDatabase(cliIo, options);
  const progress = progressFor(cliIo, options.json);
  const io = progress.io;
  const query = { schema: options.schema ?? 'public', limit: options.limit ?? DEFAULT_HISTORY_LIMIT };
  if (choice.kind === 'embedded' && !holdsDatabase(pathIn(io, EMBEDDED_DIR))) {
    // Opening would make an empty database, only to find nothing in it.
    const none: HistoryReport = { database: `embedded database ${EMBEDDED_DIR} (PGlite)`, schema: query.schema, total: 0, entries: [] };
    if (options.json) writeJson(io, none);
    else io.stdout.write(`nothing applied here: this folder has no embedded database (${EMBEDDED_DIR})\n`);
    return 'ok';
  }
  return withDatabase(progress, choice, options, false, 'nothing was changed', async (db) => {
    const report = await progress.step('reading the record…', history(db, query));
    if (options.json) writeJson(io, report);
    else io.stdout.write(historyText(report));
    return 'ok';
  });
}

/** The report for a person: a heading, then each apply (its when, file and sha256, then what it changed). */
export function historyText(r: HistoryReport): string {
  const where = `schema ${r.schema} on ${r.database}`;
  if (r.entries.length === 0) return `nothing applied to ${where} yet\n`;
  const shown = r.entries.length < r.total ? `the last ${r.entries.length} of ${r.total} applies` : plural(r.total, 'apply', 'applies');
  return [`history of ${where}: ${shown}, newest first`, ...r.entries.flatMap(entryLines)].join('\n') + '\n';
}

function entryLines(e: HistoryEntry): string[] {
  const head = `#${e.id} ${e.appliedAt} ${e.file} sha256 ${e.fileSha256}`;
  const how = `altan-cloud ${e.toolVersion}, target ${e.target}, ${e.durationMs} ms`;
  if (e.changes === null) return [head, `    ${how}: what changed is not known (its record, or the one before it, is from an earlier altan-cloud)`];
  // A first apply made everything: counts say it better than a line per object, as apply's own report does.
  if (e.fresh) return [head, `    ${how}: first apply, created ${createdCounts(e.changes)}`];
  if (e.changes.length === 0) return [head, `    ${how}: no change to the file's objects`];
  return [
    head,
    `    ${how}: ${plural(e.changes.length, 'change', 'changes')}`,
    ...e.changes.map((c) => `    ${describeChange(c)}${c.destructive ? `  [destructive: ${c.destructive}]` : ''}`),
  ];
}

/** `3 tables, 12 policies, 4 indexes`: the kinds in the order they were made. */
function createdCounts(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(KIND_NAMES[c.kind], (counts.get(KIND_NAMES[c.kind]) ?? 0) + 1);
  if (counts.size === 0) return 'nothing';
  return [...counts]
    .map(([name, n]) => plural(n, name, name.endsWith('y') ? `${name.slice(0, -1)}ies` : name.endsWith('x') ? `${name}es` : `${name}s`))
    .join(', ');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
