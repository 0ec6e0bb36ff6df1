/**
 * The advisory lock every altan-cloud transaction takes first, so that two
 * applies (or an apply and a bootstrap) on one database run one after the other.
 */

/** 'altan' in ASCII, as a number: fixed, so that every version of the tool takes the same lock. */
export const ADVISORY_LOCK_KEY = 0x616c74616en;

export const LOCK_SQL = `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`;
