/**
 * Postgres's own parser (libpg-query: the PG 18 grammar compiled to WASM),
 * for the SQL that authors write into a file. Loaded once, on demand: it costs
 * ~50 ms, which a file without author SQL never pays. Loading is async; after
 * `loadSqlParser()` has resolved, parsing is synchronous.
 *
 * The parser reads SQL as a server with standard_conforming_strings = on
 * does; every connection and transaction the tool opens pins that setting
 * (src/db/database.ts, blueprints/begin.sql.ejs), so the server reads the
 * text the way it was checked here.
 */
export type SqlNode = null | boolean | number | string | SqlNode[] | { [key: string]: SqlNode };
export type SqlObject = { [key: string]: SqlNode };

/** One statement of a parsed text: its tree, and where it stands (JavaScript string indexes). */
export interface ParsedStatement {
  readonly stmt: SqlObject;
  readonly start: number;
  readonly end: number;
}

export type ParseOutcome =
  | { readonly ok: true; readonly statements: readonly ParsedStatement[] }
  | { readonly ok: false; readonly message: string /** JavaScript index into the text, when Postgres gave one. */; readonly index?: number };

export interface SqlToken {
  /** Postgres's token name: `SCONST`, `IDENT`, `ASCII_40` for `(`, `SQL_COMMENT`, ... */
  readonly kind: string;
  readonly text: string;
  readonly start: number;
}

type LibPgQuery = typeof import('libpg-query');
let loading: Promise<LibPgQuery> | undefined;
let library: LibPgQuery | undefined;

/** Loads the parser once; later calls return at once. */
export async function loadSqlParser(): Promise<void> {
  loading ??= (async () => {
    const lib = await import('libpg-query');
    await lib.loadModule();
    library = lib;
    return lib;
  })();
  await loading;
}

function loaded(): LibPgQuery {
  if (!library) throw new Error('internal: the SQL parser is used before loadSqlParser() resolved');
  return library;
}

/** Byte offset (what libpg-query reports for statements and tokens) → JavaScript index, for one text. */
function byteIndexer(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text, 'utf8') === text.length) return (b) => b;
  const index: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < size; k++) index.push(i);
    if (cp > 0xffff) i++;
  }
  index.push(text.length);
  return (b) => index[Math.min(b, index.length - 1)] as number;
}

/** Character (code point) offset, what Postgres's error cursor counts → JavaScript index. */
function indexOfCodePoint(text: string, position: number): number {
  let index = 0;
  for (let n = 0; n < position && index < text.length; n++) index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  return index;
}

/** The statements Postgres finds in `text`, or its syntax error. */
export function parseSql(text: string): ParseOutcome {
  let tree: { stmts?: { stmt: SqlObject; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = loaded().parseSync(text) as unknown as typeof tree;
  } catch (e) {
    const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (e as Error).message;
    const cursor = details?.cursorPosition;
    return typeof cursor === 'number' && cursor >= 0 ? { ok: false, message, index: indexOfCodePoint(text, cursor) } : { ok: false, message };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const indexOfByte = byteIndexer(text);
  const statements = (tree.stmts ?? []).map((s) => {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len === undefined || s.stmt_len === 0 ? bytes : from + s.stmt_len;
    return { stmt: s.stmt, start: indexOfByte(from), end: indexOfByte(to) };
  });
  return { ok: true, statements };
}

/**
 * Postgres's tokens for a text that parses (comments included). Control
 * characters other than tab and line ends are scanned as spaces: libpg-query
 * returns tokens as JSON without escaping them. Postgres itself reads \f and
 * \v as white space, and any other one outside a literal is a syntax error
 * the parser reports, so the token boundaries are the same.
 */
export function scanSql(text: string): SqlToken[] {
  const indexOfByte = byteIndexer(text);
  return loaded()
    .scanSync(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' '))
    .tokens.map((t) => ({ kind: t.tokenName, text: t.text, start: indexOfByte(t.start) }));
}

export function isSqlObject(node: SqlNode | undefined): node is SqlObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** The one node type a wrapper like `{ "SelectStmt": {...} }` holds. */
export const nodeKind = (node: SqlObject): string => Object.keys(node)[0] ?? '';

/** Depth-first walk over every object of a parse tree. */
export function* walkSql(node: SqlNode | undefined): Generator<SqlObject> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walkSql(item);
  } else if (isSqlObject(node)) {
    yield node;
    for (const value of Object.values(node)) yield* walkSql(value);
  }
}
