/**
 * The targets of a fleet apply: the databases one file goes to, read from a
 * targets file. Two forms: one connection URL per line (`#` comments and
 * blank lines skipped), or YAML/JSON, a list of `{ name, url }` (or an
 * object whose `targets` is that list). Every problem is reported at once,
 * each at its line, and none of them shows a password: a targets file holds
 * the secrets of many databases, and its problems end up in CI logs.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import { DatabaseUrlError, checkDatabaseUrl, redactUrl } from '../db/url.js';
import { AltanError } from '../problems.js';
import type { ProblemInput } from '../problems.js';

export interface FleetTarget {
  /** Unique within the fleet; what the reports call the target. Never holds a password. */
  readonly name: string;
  /** A postgres:// connection URL, password included: never shown (redactUrl is). */
  readonly url: string;
}

/** One problem of a targets file, at its 1-based line (0: the file as a whole). */
interface TargetsProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** The targets file cannot be used (problem code `targets-invalid`, category `invalid`: exit 1). Nothing was run. */
export class TargetsError extends AltanError {
  constructor(origin: string, problems: readonly TargetsProblem[]) {
    const at = (p: TargetsProblem) => (p.line > 0 ? `${origin}:${p.line}:${p.column}` : origin);
    const list: ProblemInput[] = problems.map((p) => ({
      code: 'targets-invalid',
      message: p.message,
      file: origin,
      ...(p.line > 0 ? { line: p.line, column: p.column } : {}),
    }));
    super(`invalid targets file:\n${problems.map((p) => `${at(p)}: ${p.message}`).join('\n')}`, 'invalid', list);
    this.name = 'TargetsError';
  }
}

/** A line that starts a YAML/JSON document rather than a URL: `[`, `{`, `- `, or a key such as `targets:`. */
const STRUCTURED_START = /^(\[|\{|-(\s|$)|[A-Za-z_][\w-]*\s*:(\s|$))/;

/**
 * The targets in `text`, in the file's order; `origin` names the file in problems (`targets.txt`, `<stdin>`).
 * Throws a TargetsError listing every problem: a URL that cannot be used, a name or URL given twice, no targets at all.
 */
export function readTargets(text: string, origin: string): FleetTarget[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (first === undefined) throw new TargetsError(origin, [{ line: 0, column: 0, message: 'no targets: the file lists no database URL' }]);
  const found = STRUCTURED_START.test(first.trim()) ? structuredTargets(body) : lineTargets(body);
  const problems = [...found.problems, ...duplicates(found.entries)];
  if (problems.length > 0)
    throw new TargetsError(
      origin,
      problems.sort((a, b) => a.line - b.line || a.column - b.column),
    );
  return named(found.entries);
}

/** A target as the file gives it, where it gives it; `name` only when the file names it. */
interface Entry {
  readonly url: string;
  readonly name?: string;
  readonly line: number;
  readonly column: number;
}

interface Found {
  readonly entries: Entry[];
  readonly problems: TargetsProblem[];
}

/** The URL's problem (DatabaseUrlError's sentence, which never quotes the URL); undefined when it can be used. */
function urlProblem(url: string): string | undefined {
  try {
    checkDatabaseUrl(url);
    return undefined;
  } catch (e) {
    if (e instanceof DatabaseUrlError) return e.problems[0]?.message ?? 'the database URL cannot be used';
    throw e;
  }
}

function lineTargets(text: string): Found {
  const entries: Entry[] = [];
  const problems: TargetsProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const url = raw.trim();
    if (url === '' || url.startsWith('#')) return;
    const line = i + 1;
    const column = raw.indexOf(url) + 1;
    // A URL never holds white space (a password's is written %20): two things on a line are not one URL.
    const problem = /\s/.test(url) ? 'one database URL per line, without spaces (a space in a password is written %20)' : urlProblem(url);
    if (problem !== undefined) problems.push({ line, column, message: problem });
    else entries.push({ url, line, column });
  });
  return { entries, problems };
}

function structuredTargets(text: string): Found {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    // The parser's own message quotes the line, which may hold a password: its first sentence only.
    return { entries: [], problems: doc.errors.map((e) => ({ ...at(e.pos[0]), message: `not valid YAML/JSON: ${firstSentence(e.message)}` })) };
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get('targets', true) : root;
  if (!isSeq(list) || (isMap(root) && root.items.length !== 1)) {
    return {
      entries: [],
      problems: [{ ...at(root?.range?.[0]), message: 'expected a list of { name, url } (or an object with only `targets:`, that list)' }],
    };
  }
  const found: Found = { entries: [], problems: [] };
  for (const item of list.items as (YamlNode | null)[]) readItem(item, at, found);
  return found;
}

type At = (offset: number | undefined) => { line: number; column: number };

function readItem(item: YamlNode | null, at: At, found: Found): void {
  const where = at(item?.range?.[0]);
  if (!isMap(item)) {
    found.problems.push({ ...where, message: 'a target is { name, url } (a name is optional)' });
    return;
  }
  let url: string | undefined;
  let name: string | undefined;
  for (const pair of item.items as Pair<YamlNode, YamlNode | null>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    const place = at(value?.range?.[0] ?? pair.key?.range?.[0]);
    const text = isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
    if (key !== 'url' && key !== 'name') {
      // The key may be anything, a pasted URL too: not quoted.
      found.problems.push({ ...at(pair.key?.range?.[0]), message: 'unknown key: a target has only `name` and `url`' });
    } else if (text === undefined || text.trim() === '') {
      found.problems.push({ ...place, message: `\`${key}\` must be a non-empty string` });
    } else if (key === 'url') {
      const problem = urlProblem(text.trim());
      if (problem !== undefined) found.problems.push({ ...place, message: problem });
      else url = text.trim();
    } else if (/[\u0000-\u001f\u007f]/.test(text)) {
      found.problems.push({ ...place, message: '`name` must not hold control characters (it is printed on a line of its own)' });
    } else {
      name = text.trim();
    }
  }
  if (url === undefined) {
    if (!item.items.some((p) => isScalar(p.key) && p.key.value === 'url')) found.problems.push({ ...where, message: 'a target needs a `url`' });
    return;
  }
  found.entries.push({ url, line: where.line, column: where.column, ...(name !== undefined ? { name } : {}) });
}

/** `Nested mappings are not allowed in compact mappings at line 1, column 7:\n\n<the line>` → its first part. */
function firstSentence(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** The same URL twice, or the same name twice: the second is reported, naming the first's line. */
function duplicates(entries: readonly Entry[]): TargetsProblem[] {
  const problems: TargetsProblem[] = [];
  const urls = new Map<string, Entry>();
  const names = new Map<string, Entry>();
  for (const e of entries) {
    const sameUrl = urls.get(e.url);
    if (sameUrl) problems.push({ line: e.line, column: e.column, message: `the same database URL as line ${sameUrl.line}` });
    else urls.set(e.url, e);
    if (e.name === undefined) continue;
    const sameName = names.get(e.name);
    if (sameName) problems.push({ line: e.line, column: e.column, message: `the name ${JSON.stringify(e.name)} is also line ${sameName.line}'s` });
    else names.set(e.name, e);
  }
  return problems;
}

/**
 * `host:port/database` of a URL, from its redacted form (so never a password); `host` alone
 * without a database, `localhost` for an empty host (node-postgres's default).
 */
export function targetNameOf(url: string): string {
  const redacted = redactUrl(url).replace(/^postgres(ql)?:\/\//i, '');
  const rest = redacted.slice(redacted.lastIndexOf('@') + 1).replace(/\?.*$/, '');
  const slash = rest.indexOf('/');
  const host = (slash >= 0 ? rest.slice(0, slash) : rest) || 'localhost';
  const database = slash >= 0 ? rest.slice(slash + 1) : '';
  return database === '' ? host : `${host}/${database}`;
}

/** Every entry with its name: the file's, else its URL's (targetNameOf), `#2`, `#3`… after a name already taken. */
function named(entries: readonly Entry[]): FleetTarget[] {
  const taken = new Set(entries.flatMap((e) => (e.name !== undefined ? [e.name] : [])));
  return entries.map((e) => {
    if (e.name !== undefined) return { name: e.name, url: e.url };
    const base = targetNameOf(e.url);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}#${n}`;
    taken.add(name);
    return { name, url: e.url };
  });
}

/**
 * The secrets a URL holds (its password, as written and decoded; password query parameters' values),
 * for scrubbing them from any message a driver might echo.
 */
export function secretsOf(url: string): string[] {
  const secrets: string[] = [];
  const rest = url.replace(/^postgres(ql)?:\/\//i, '');
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) secrets.push(userinfo.slice(colon + 1));
  }
  for (const m of url.matchAll(/[?&](?:password|sslpassword|sslkey)=([^&#]*)/gi)) secrets.push(m[1] as string);
  const decoded = secrets.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  // Short ones would scrub ordinary words: a password of under 4 characters is not looked for.
  return [...new Set([...secrets, ...decoded])].filter((s) => s.length >= 4);
}

/** `text` with every secret of `url` replaced by `***`. */
export function scrubSecrets(text: string, url: string): string {
  let scrubbed = text;
  for (const s of secretsOf(url).sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(s).join('***');
  return scrubbed;
}
