/**
 * `--lock-timeout 10s` and `--statement-timeout 5min`: a duration as the
 * options take it, in milliseconds. The unit is required (except for 0, no
 * limit), since a bare number would mean seconds to some and milliseconds to
 * Postgres.
 */
import { InvalidArgumentError } from 'commander';

export type { Timeouts } from '../db/timeouts.js';
// The options' defaults (README, `apply`) are the library's too.
export { DEFAULT_TIMEOUTS } from '../db/timeouts.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000 };

/** Milliseconds; throws commander's InvalidArgumentError (a usage error, exit 64) on anything else. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)?\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  if (m && value === 0) return 0;
  const unit = m?.[2];
  if (!m || unit === undefined) throw new InvalidArgumentError('expected a duration with its unit, such as 500ms, 10s or 2min (0: no limit)');
  const ms = Math.round(value * (UNITS[unit] as number));
  // Postgres keeps these settings as a 32-bit count of milliseconds.
  if (ms > 2_147_483_647) throw new InvalidArgumentError('at most 24 days (0: no limit)');
  return ms;
}
