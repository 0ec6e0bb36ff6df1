/**
 * One request of the verification: who makes it, what it does, what the
 * access rules promise, and how to read its outcome.
 */
import { DatabaseError } from '../db/errors.js';
import type { Actor } from './world.js';

/** What a request may come to: rows seen, or a write allowed or refused. */
export type Expected = { readonly kind: 'allowed' } | { readonly kind: 'denied' } | { readonly kind: 'rows'; readonly labels: readonly string[] };

export type Actual = Expected & { readonly detail?: string };

/** Runs SQL in the request's transaction, as the actor; returns the rows. */
export type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * How a request's expected outcome is found when it depends on the row it
 * writes (a term's `where`): `sql` writes that row first as the connection's
 * own user — the tables' owner, whom RLS does not restrict — with the
 * request's claims (so a default such as auth.uid() is the caller's), in a
 * savepoint rolled back before the request; `expected` reads what it returned.
 */
export interface Oracle {
  readonly sql: string;
  /** The expected outcome, or why it cannot be known (the request is then not tested). */
  readonly expected: (rows: readonly Record<string, unknown>[]) => Expected | { readonly untested: string };
}

export interface Probe {
  /** `todos`, `bucket avatars`, `organizations`, `view stats`. */
  readonly subject: string;
  /** Undefined for a line about every actor (a table whose requests cannot be made). */
  readonly actor?: Actor;
  readonly operation: string;
  /** The outcome the rules promise; replaced by the oracle's answer when there is one. */
  readonly expected: Expected;
  readonly oracle?: Oracle;
  /** SQL run as the connection's own user in the request's savepoint first (e.g. make room for a row). */
  readonly prepare?: string;
  /** Transaction-local settings of the request besides claims and role (Storage's, for bucket requests). */
  readonly settings?: Readonly<Record<string, string>>;
  readonly run: (query: Query) => Promise<Actual>;
  /** Set when the request cannot be made: why. */
  readonly untested?: string;
}

export const allowed: Expected = { kind: 'allowed' };
export const rowsOf = (labels: readonly string[]): Expected => ({ kind: 'rows', labels: [...labels].sort() });
export const denied: Expected = { kind: 'denied' };
export const expectIf = (yes: boolean): Expected => (yes ? allowed : denied);

/** Which of the labelled rows a SELECT returned (its `key` column), sorted. */
export function seen(rows: readonly Record<string, unknown>[], labels: ReadonlyMap<string, string>): Actual {
  const found = rows.map((r) => labels.get(String(r.key)) ?? `unexpected row ${String(r.key)}`);
  return { kind: 'rows', labels: [...new Set(found)].sort() };
}

/** A write reported through `count(*)` of its RETURNING rows: 0 rows is a refusal that Postgres does not raise. */
function changed(rows: readonly Record<string, unknown>[]): Actual {
  const n = Number(rows[0]?.n ?? 0);
  return n > 0 ? { kind: 'allowed', detail: `${n} row${n === 1 ? '' : 's'}` } : { kind: 'denied', detail: '0 rows' };
}

/** An UPDATE or DELETE whose changed rows are counted (`n`). */
const counting = (statement: string): string => `WITH written AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM written`;

/** An UPDATE, counted. */
export async function updating(query: Query, statement: string): Promise<Actual> {
  return changed(await query(counting(statement)));
}

/**
 * A DELETE, counted. A foreign key that refuses (RESTRICT, NO ACTION) acts only
 * after the policies let the row go: for them, the answer was yes.
 */
export async function deleting(query: Query, statement: string): Promise<Actual> {
  try {
    return changed(await query(counting(statement)));
  } catch (e) {
    if (e instanceof DatabaseError && (e.code === '23503' || e.code === '23001')) return { kind: 'allowed', detail: 'then kept by a foreign key' };
    throw e;
  }
}

/** A request that cannot be made (the test data cannot be built): reported as not tested, never run. */
export function untested(subject: string, actor: Actor | undefined, operation: string, reason: string): Probe {
  return { subject, ...(actor ? { actor } : {}), operation, expected: denied, untested: reason, run: () => Promise.reject(new Error(`internal: ${reason}`)) };
}

export function describe(outcome: Expected): string {
  if (outcome.kind !== 'rows') return outcome.kind;
  return outcome.labels.length === 0 ? 'none' : outcome.labels.join(', ');
}

export function sameOutcome(expected: Expected, actual: Actual): boolean {
  if (expected.kind !== actual.kind) return false;
  if (expected.kind === 'rows' && actual.kind === 'rows') return expected.labels.join('\n') === [...actual.labels].join('\n');
  return true;
}
