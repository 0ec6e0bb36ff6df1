/**
 * Which database a command talks to, decided once before anything runs:
 * --database-url, else DATABASE_URL from the environment, else DATABASE_URL
 * from ./.env, else the embedded database in ./.altan-cloud/db; --embedded
 * asks for the embedded one whatever the environment holds.
 *
 * The embedded default is for a person trying the tool. A CI job whose
 * secret is missing gets an empty or unset DATABASE_URL, and an apply to a
 * throw-away embedded database would pass without deploying anything; so an
 * empty URL (from any source) is refused, and with CI set the embedded
 * database is used only when --embedded asks for it (`database-url-missing`, exit 64).
 */
import { join } from 'node:path';
import { readAtMost } from '../load/read.js';
import { AltanError } from '../problems.js';
import { DatabaseUrlError, checkDatabaseUrl } from '../db/url.js';
import { parseDotenv } from './dotenv.js';
import type { CliIo } from './io.js';

/** The command's options that choose a database (commander refuses the two together: run.ts). */
export interface DatabaseFlags {
  readonly databaseUrl?: string;
  /** --embedded: the embedded database on purpose, even with CI or DATABASE_URL set. */
  readonly embedded?: boolean;
}

/** Where a server's URL came from, as the `database:` line on stderr names it. */
export type UrlSource = '--database-url' | 'DATABASE_URL' | '.env';

export type DatabaseChoice =
  | { readonly kind: 'postgres'; readonly url: string; readonly source: UrlSource }
  /** `asked`: --embedded was given (the commands it suggests next carry it too). */
  | { readonly kind: 'embedded'; readonly asked: boolean };

export const ENV_FILE = '.env';
/** A .env larger than this is refused: it is a few lines of settings, not a data file. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/**
 * CI is set as CI services set it (GitHub Actions, GitLab, CircleCI, Travis, Buildkite: `true`);
 * empty, `false` and `0` say it is not.
 */
export function runsInCi(env: CliIo['env']): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

export function chooseDatabase(io: CliIo, flags: DatabaseFlags): DatabaseChoice {
  if (flags.embedded) return { kind: 'embedded', asked: true };
  const given = givenServer(io, flags);
  if (given !== undefined) return given;
  if (runsInCi(io.env)) throw missing('CI is set and no database was given (DATABASE_URL is not set, nor in .env)');
  return { kind: 'embedded', asked: false };
}

/**
 * The server --database-url, DATABASE_URL or ./.env names, in that order (an empty URL refused);
 * undefined when none names one. `migration new` works without one (it replays its folder).
 */
export function givenServer(io: CliIo, flags: Pick<DatabaseFlags, 'databaseUrl'>): DatabaseChoice | undefined {
  if (flags.databaseUrl !== undefined) return server(flags.databaseUrl, '--database-url');
  // Present in the environment, even empty, it wins over .env: an empty one is then refused.
  const fromEnvironment = io.env.DATABASE_URL;
  if (fromEnvironment !== undefined) return server(fromEnvironment, 'DATABASE_URL');
  const fromFile = readEnvFile(io)?.get('DATABASE_URL');
  return fromFile !== undefined ? server(fromFile, '.env') : undefined;
}

/** What the `database:` line says of where a server's URL came from. */
export function sourceLabel(source: UrlSource): string {
  return source === '.env' ? `DATABASE_URL from ${ENV_FILE}` : source;
}

const EMPTY: Readonly<Record<UrlSource, string>> = {
  '--database-url': '--database-url is empty',
  DATABASE_URL: 'DATABASE_URL is set but empty',
  '.env': `DATABASE_URL in ${ENV_FILE} is empty`,
};

function server(url: string, source: UrlSource): DatabaseChoice {
  if (url.trim() === '') throw missing(EMPTY[source]);
  if (source === '.env') {
    // The URL's problem, said of the file it came from (never with the URL: it may hold the password).
    try {
      checkDatabaseUrl(url);
    } catch (e) {
      if (!(e instanceof DatabaseUrlError)) throw e;
      throw new DatabaseUrlError(`DATABASE_URL in ${ENV_FILE}: ${e.problems[0]?.message ?? 'the database URL cannot be read'}`);
    }
  }
  return { kind: 'postgres', url, source };
}

const MISSING_HINT =
  'set DATABASE_URL (or give --database-url) to the database to use, e.g. from your CI secret; ' +
  'give --embedded to use the embedded database ./.altan-cloud/db on purpose';

function missing(why: string): AltanError {
  return new AltanError(`${why}: ${MISSING_HINT}`, 'usage', { code: 'database-url-missing', message: why, hint: MISSING_HINT });
}

/** ./.env's assignments; undefined when there is no such file. */
function readEnvFile(io: CliIo): Map<string, string> | undefined {
  let bytes: Buffer;
  try {
    bytes = readAtMost(join(io.cwd, ENV_FILE), MAX_ENV_FILE_BYTES + 1);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw unreadable(code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message);
  }
  if (bytes.length > MAX_ENV_FILE_BYTES) throw unreadable(`it is more than ${MAX_ENV_FILE_BYTES / 1024 / 1024} MiB`);
  return parseDotenv(bytes.toString('utf8'));
}

function unreadable(why: string): AltanError {
  const message = `${ENV_FILE}: ${why}`;
  const hint = `altan-cloud reads DATABASE_URL from ${ENV_FILE} in the working folder; fix or remove the file, or set DATABASE_URL`;
  return new AltanError(`${message}\nhint: ${hint}`, 'usage', { code: 'env-file-unreadable', message, hint });
}
