/**
 * A `.env` file read the way dotenv (Prisma) and godotenv (the Supabase CLI)
 * read one, for the one key altan-cloud wants from it: DATABASE_URL.
 *
 * Node's own `util.parseEnv` is not used: Node 20 has it only from 20.12, and
 * there it reads a line without `=` as the start of the next key (a stray
 * `STRAY` line turns `DATABASE_URL=…` below it into the key `STRAY\nDATABASE_URL`)
 * and keeps the spaces before a key in its name.
 *
 * What is read: `KEY=value` lines, with an optional `export ` in front and spaces
 * around `=`; `# comments` on their own lines and after an unquoted value (a `#`
 * starts one at the value's start or after a space, so `p#w` stays whole);
 * 'single' and `backtick` quotes keep their text as it is, "double" quotes
 * read \n, \r, \t, \", \\ and \$ and may span lines. Lines that are none of
 * these are skipped; a key given twice takes its last value. No `${VAR}`
 * expansion: the text is taken as written.
 */

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*("(?:\\[\s\S]|[^"\\])*"|'[^']*'|`[^`]*`|[^\r\n]*)/gm;

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

/** The value as written after `=`: unquoted (up to a comment, trimmed) or quoted. */
function valueText(raw: string): string {
  const quote = raw[0];
  if (raw.length >= 2 && (quote === "'" || quote === '`') && raw.endsWith(quote)) return raw.slice(1, -1);
  if (raw.length >= 2 && quote === '"' && raw.endsWith('"')) return raw.slice(1, -1).replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c);
  const comment = /(^|[ \t])#/.exec(raw);
  return (comment ? raw.slice(0, comment.index) : raw).trim();
}

/** Every assignment of a .env file's text, the last one of each key winning. */
export function parseDotenv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  for (const m of body.matchAll(ASSIGNMENT)) values.set(m[1] as string, valueText(m[2] as string));
  return values;
}
