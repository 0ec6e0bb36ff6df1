/** The errors of talking to a database, the same for pg and PGlite. */
import { AltanError } from '../problems.js';

/** The first line of what Postgres said, with its SQLSTATE, detail, hint and context, one per line. */
export function describeDatabaseError(e: DatabaseError): string {
  const lines = [`${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`];
  if (e.detail) lines.push(`detail: ${e.detail}`);
  if (e.hint) lines.push(`hint: ${e.hint}`);
  if (e.internalQuery) lines.push(`in: ${e.internalQuery.trim().split('\n')[0]}`);
  if (e.where) lines.push(`context: ${e.where.split('\n')[0]}`);
  return lines.join('\n');
}

/** SQLSTATE 42501: the connecting role lacks a privilege (to create a role, a schema, to read a table, …). */
export const INSUFFICIENT_PRIVILEGE = '42501';

/** What to do about an INSUFFICIENT_PRIVILEGE outside the file's own SQL. */
export const PRIVILEGE_HINT = "the role altan-cloud connects as lacks a privilege this needs: connect as the database's owner (on Supabase: postgres)";

/** An error Postgres reported, with the fields both drivers expose, positions as numbers (problem code `database-error`). */
export class DatabaseError extends AltanError {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly detail: string | undefined,
    readonly hint: string | undefined,
    /** 1-based character offset in the query that was sent. */
    readonly position: number | undefined,
    readonly internalQuery: string | undefined,
    readonly internalPosition: number | undefined,
    readonly where: string | undefined,
    /** The constraint a violation names (23xxx errors). */
    readonly constraint?: string,
  ) {
    super(message, 'database', {
      code: 'database-error',
      message,
      ...(code !== undefined ? { sqlstate: code } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
    this.name = 'DatabaseError';
  }
}

/** The codes of a `ConnectionError`: what failed, so a caller knows whether trying again can help. */
export type ConnectionProblemCode = 'connection-failed' | 'server-unreachable' | 'authentication-failed' | 'database-in-use';

/**
 * The database could not be reached or opened: nothing was run. Codes:
 * `server-unreachable` (refused, unknown host, timed out: worth retrying),
 * `authentication-failed` (a wrong password or user: retrying cannot help),
 * `connection-failed` (anything else),
 * `database-in-use` (the embedded database, held by another process). A URL that
 * cannot be used is a `DatabaseUrlError` (url.ts).
 */
export class ConnectionError extends AltanError {
  constructor(message: string, code: ConnectionProblemCode = 'connection-failed', hint?: string, sqlstate?: string) {
    super(message, 'connection', { code, message, ...(hint !== undefined ? { hint } : {}), ...(sqlstate !== undefined ? { sqlstate } : {}) });
    this.name = 'ConnectionError';
  }
}

/** SQLSTATEs of a refused login: a wrong password (28P01); a role that does not exist or may not log in, no pg_hba.conf entry (28000). */
const AUTHENTICATION_SQLSTATES = new Set(['28P01', '28000']);
/** Node's codes for a server that cannot be reached (refused, no such host, no route, timed out). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Why connecting to `description` (a URL without its password) failed, as a coded `ConnectionError`. */
export function connectFailure(description: string, e: unknown): ConnectionError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && AUTHENTICATION_SQLSTATES.has(code)) {
    return new ConnectionError(
      `cannot connect to ${description}: ${message} (SQLSTATE ${code})`,
      'authentication-failed',
      'check the user name and password of the database URL',
      code,
    );
  }
  // node-postgres's own connect timeout has no code, only its message.
  if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || /timeout/i.test(message)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : message;
    return new ConnectionError(`cannot connect to ${description}: ${why}`, 'server-unreachable', 'check the host and port, and that the server is running');
  }
  return new ConnectionError(
    `cannot connect to ${description}: ${message}`,
    'connection-failed',
    undefined,
    typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined,
  );
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number.parseInt(v, 10) : typeof v === 'number' ? v : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Errors from pg and PGlite as a `DatabaseError`; anything without an SQLSTATE is returned as it is. */
export function asDatabaseError(e: unknown): unknown {
  if (e instanceof DatabaseError || typeof e !== 'object' || e === null) return e;
  const f = e as Record<string, unknown>;
  if (typeof f.code !== 'string' || !/^[0-9A-Z]{5}$/.test(f.code)) return e;
  return new DatabaseError(
    String(f.message ?? 'database error'),
    f.code,
    text(f.detail),
    text(f.hint),
    num(f.position),
    text(f.internalQuery),
    num(f.internalPosition),
    text(f.where),
    text(f.constraint),
  );
}
