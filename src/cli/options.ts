/**
 * The options several commands share, and the parsers of option values: one definition each, so that
 * `apply`, `plan`, `fleet apply`… say the same thing the same way.
 */
import { InvalidArgumentError, Option } from 'commander';
import { TARGETS } from '../target.js';
import { DEFAULT_TIMEOUTS, parseDuration } from './durations.js';

export const targetOption = () =>
  new Option('--target <platform>', 'altan: end with apply_postgrest_permissions(); supabase: explicit grants and a schema reload')
    .choices(TARGETS)
    .default('altan');
export const databaseOption = () =>
  new Option(
    '--database-url <url>',
    'a Postgres connection URL (default: DATABASE_URL, else DATABASE_URL in ./.env, else the embedded database unless CI is set)',
  );
// With CI set the embedded database is refused unless asked for (databaseChoice.ts).
export const embeddedOption = () =>
  new Option('--embedded', 'use the embedded database ./.altan-cloud/db, even with CI or DATABASE_URL set').conflicts('databaseUrl');
export const lockTimeoutOption = () =>
  new Option('--lock-timeout <duration>', 'give up waiting for a lock another session holds after this long, naming it and its holder (0: wait for ever)')
    .argParser(parseDuration)
    .default(DEFAULT_TIMEOUTS.lockTimeoutMs, '10s');
export const statementTimeoutOption = () =>
  new Option('--statement-timeout <duration>', 'cancel any one statement that runs longer than this, naming it (0: no limit)')
    .argParser(parseDuration)
    .default(DEFAULT_TIMEOUTS.statementTimeoutMs, '0');

/** A whole number of at least 1 (`--limit`). */
export function parsePositive(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('a whole number of at least 1');
  return Number(value);
}

/** A whole number of at least 0 (`--retries`). */
export function parseCount(value: string): number {
  if (!/^(0|[1-9]\d*)$/.test(value)) throw new InvalidArgumentError('a whole number of at least 0');
  return Number(value);
}
