/** The errors of talking to a database, the same for pg and PGlite. */

/** An error Postgres reported, with the fields both drivers expose, positions as numbers. */
export class DatabaseError extends Error {
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
    super(message);
    this.name = 'DatabaseError';
  }
}

/** The database could not be reached or opened: nothing was run. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
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
