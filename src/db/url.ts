/**
 * Connection URLs: the one place that reads them for problems and the one
 * function that shows them (`redactUrl`). A password lands in CI logs through
 * any message that echoes the URL, so nothing else prints a URL, and the
 * redaction does not rely on the URL being well formed: a password holding
 * an unencoded `@`, `#`, `/` or `?` makes a URL that parsers split in the
 * wrong place, with part of the password as the host, port, path or fragment.
 */
import { AltanError } from '../problems.js';

/** How to write a password into a URL: said by every URL problem. */
export const PASSWORD_ENCODING_HINT =
  'percent-encode the user name and password (encodeURIComponent in JavaScript, ' +
  'urllib.parse.quote(password, safe="") in Python): @ → %40, : → %3A, / → %2F, ? → %3F, # → %23, % → %25, space → %20, ' +
  'e.g. the password my@pass/word as postgres://postgres:my%40pass%2Fword@db.example.com:5432/postgres';

const EXAMPLE = 'postgres://user:password@host:5432/database';

/**
 * The database URL cannot be used as it is written (problem code `database-url-invalid`, category
 * `usage`: exit 64). The message never holds the URL's password; it ends with how to encode one.
 */
export class DatabaseUrlError extends AltanError {
  constructor(what: string) {
    const message = `${what}\nhint: ${PASSWORD_ENCODING_HINT}`;
    super(message, 'usage', { code: 'database-url-invalid', message: what, hint: PASSWORD_ENCODING_HINT });
    this.name = 'DatabaseUrlError';
  }
}

const SCHEME = /^(postgres(?:ql)?:\/\/)(.*)$/is;
/** Query parameters node-postgres reads as secrets. */
const SECRET_PARAMETER = /^(password|sslpassword|sslkey)$/i;

/**
 * `url` without its secrets, for messages: `postgres://user:secret@host/db` → `postgres://user@host/db`.
 * The user information ends at the LAST `@` (a host never holds one), so an unencoded `@`, `#`, `/`
 * or `?` in a password is hidden with it; password query parameters lose their values, a fragment
 * is dropped, a port that is not a number (a `user:password` without its `@`) is hidden, and
 * control characters cannot start a new line of output. Anything that is not a postgres:// URL
 * is not shown at all.
 */
export function redactUrl(url: string): string {
  const m = SCHEME.exec(url);
  if (!m) return '(a database URL that is not postgres://…)';
  const scheme = m[1] as string;
  let rest = m[2] as string;
  let user = '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    // The user name ends at the first `:` (user information without one is a user name alone).
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    user = `${colon >= 0 ? userinfo.slice(0, colon) : userinfo}@`;
    rest = rest.slice(at + 1);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const location = question >= 0 ? rest.slice(0, question) : rest;
  const query = question >= 0 ? `?${redactQuery(rest.slice(question + 1))}` : '';
  const slash = location.indexOf('/');
  const authority = slash >= 0 ? location.slice(0, slash) : location;
  const path = slash >= 0 ? location.slice(slash) : '';
  return `${scheme}${user}${redactPort(authority)}${path}${query}`.replace(/[\u0000-\u001f\u007f]/g, '?');
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && SECRET_PARAMETER.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
}

/** `host:5432` as it is, `[::1]:5432` too; `user:secret` (a URL without its `@`) as `user:***`. */
function redactPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || authority.slice(colon).includes(']')) return authority;
  return /^\d*$/.test(authority.slice(colon + 1)) ? authority : `${authority.slice(0, colon)}:***`;
}

/**
 * Throws a `DatabaseUrlError` unless `url` is a postgres:// URL that node-postgres reads as its
 * user meant it: the user information (up to the last `@`) holds no unencoded `@`, `/`, `?` or `#`
 * and only valid percent-encodings, and the rest is a URL (a host, a numeric port). An empty host
 * (`postgres://user:pw@/db`) is node-postgres's default host and is accepted.
 */
export function checkDatabaseUrl(url: string): void {
  const m = SCHEME.exec(url);
  if (!m) throw new DatabaseUrlError(`the database URL must start with postgres:// or postgresql:// (${EXAMPLE})`);
  const rest = m[2] as string;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    if (/[@/?#]/.test(userinfo)) {
      throw new DatabaseUrlError(
        'the user name or password in the database URL holds an @, /, ? or # that is not percent-encoded, so the URL cannot be read as meant',
      );
    }
    if (/%(?![0-9a-f]{2})/i.test(userinfo) || !decodes(userinfo)) {
      throw new DatabaseUrlError('the user name or password in the database URL holds a % that is not a valid percent-encoding (%XX, UTF-8)');
    }
  }
  // An empty host is written `@/`, which the URL standard refuses with credentials: read it with a placeholder.
  const readable = at >= 0 && /^[/?]|^$/.test(rest.slice(at + 1)) ? `${m[1]}${rest.slice(0, at + 1)}localhost${rest.slice(at + 1)}` : url;
  try {
    new URL(readable);
  } catch {
    throw new DatabaseUrlError(`the database URL cannot be read: check the host and the port (a number) after the @ (${EXAMPLE})`);
  }
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
