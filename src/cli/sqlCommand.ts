/**
 * `altan-cloud sql`: look inside a database, above all the embedded one in
 * ./.altan-cloud/db that a newcomer cannot reach with psql. With a query it
 * runs it (one statement or several) and prints each result (sqlTable.ts);
 * without one it reads the SQL from standard input, or, when that is a
 * terminal, prompts for statements ended by `;` until `\q` or Ctrl-D.
 *
 * The query goes as one simple-protocol message, so several statements run
 * as one implicit transaction: an error in one applies none of them. What
 * Postgres refuses is thrown (in the prompt: printed) with its place in the
 * query, psql's way: `LINE 2: …` and a caret under the character.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openEmbedded, openPostgres } from '../db/database.js';
import type { OpenedDatabase } from '../db/database.js';
import { DatabaseError, describeDatabaseError } from '../db/errors.js';
import { AltanError } from '../problems.js';
import { chooseDatabase } from './databaseChoice.js';
import type { DatabaseChoice, DatabaseFlags } from './databaseChoice.js';
import { EMBEDDED_DIR, databaseLine } from './databaseCommands.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';
import { formatResult, jsonResult } from './sqlTable.js';

export interface SqlCommandOptions extends DatabaseFlags {
  readonly json?: boolean;
}

/** How much SQL standard input may hold: a dump of a small project, not an endless pipe. */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

const PROMPT = 'altan-cloud> ';
/** The prompt inside a statement not yet ended by `;`, as psql's `=>` becomes `->`. */
const CONTINUATION = 'altan-cloud-> ';

export async function sqlCommand(io: CliIo, query: string | undefined, options: SqlCommandOptions): Promise<Outcome> {
  const choice = chooseDatabase(io, options);
  const prompt = query === undefined && io.terminal?.isTTY === true;
  const text = query ?? (prompt ? '' : readStdinText(io));
  const db = await open(io, choice);
  try {
    if (prompt) await promptLoop(io, db, options);
    else print(io, await run(db, text), options);
    return 'ok';
  } finally {
    await db.close();
  }
}

async function open(io: CliIo, choice: DatabaseChoice): Promise<OpenedDatabase> {
  if (choice.kind === 'postgres') {
    const db = await openPostgres(choice.url);
    io.stderr.write(`${databaseLine(db, choice)}\n`);
    return db;
  }
  // Opening creates a database; an empty one here would only hide that the user is in the wrong folder.
  if (!existsSync(join(io.cwd, EMBEDDED_DIR, 'PG_VERSION'))) {
    const message = `no embedded database in ${EMBEDDED_DIR} of this folder`;
    const hint = 'run altan-cloud apply here first, or give --database-url';
    throw new AltanError(`${message}: ${hint}`, 'connection', { code: 'embedded-database-missing', message, hint });
  }
  const db = await openEmbedded(EMBEDDED_DIR, { cwd: io.cwd });
  io.stderr.write(`database: ${db.description}${choice.asked ? ' (--embedded)' : ''}\n`);
  return db;
}

function readStdinText(io: CliIo): string {
  const stdin = io.stdin;
  const bytes = stdin === undefined ? new Uint8Array(0) : typeof stdin === 'function' ? stdin(MAX_STDIN_BYTES + 1) : stdin;
  if (bytes.length > MAX_STDIN_BYTES) {
    const message = `standard input holds more than ${MAX_STDIN_BYTES / 1024 / 1024} MiB of SQL`;
    throw new AltanError(message, 'usage', { code: 'usage', message, hint: 'run a large script with psql' });
  }
  return Buffer.from(bytes).toString('utf8');
}

async function run(db: OpenedDatabase, sql: string) {
  try {
    return await db.script(sql);
  } catch (e) {
    throw e instanceof DatabaseError ? positioned(db, sql, e) : e;
  }
}

function print(io: CliIo, results: Awaited<ReturnType<typeof run>>, options: SqlCommandOptions): void {
  if (options.json) writeJson(io, jsonResult(results));
  else
    io.stdout.write(
      results
        .map(formatResult)
        .filter((t) => t !== '')
        .join('\n'),
    );
}

/** What Postgres refused, with psql's `LINE n:` and a caret under the character its position names. */
function positioned(db: OpenedDatabase, sql: string, e: DatabaseError): AltanError {
  let message = `${db.description}: ${describeDatabaseError(e)}`;
  let place: { line: number; column: number } | undefined;
  if (e.position !== undefined) {
    // Postgres counts characters (code points) from 1.
    const before = [...sql].slice(0, e.position - 1).join('');
    const lines = before.split('\n');
    const line = lines.length;
    const column = (lines.at(-1) ?? '').length + 1;
    place = { line, column };
    const label = `LINE ${line}: `;
    message += `\n${label}${sql.split('\n')[line - 1] ?? ''}\n${' '.repeat(label.length + column - 1)}^`;
  }
  return new AltanError(message, 'database', {
    code: 'database-error',
    message: e.message,
    ...(e.code !== undefined ? { sqlstate: e.code } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(place ? { sql: place } : {}),
  });
}

/**
 * The prompt: lines gather into a statement until one ends with `;` (a `;` at the end of a line
 * inside a string or a function body ends it too: psql reads the SQL, this prompt does not).
 * An error is printed and the prompt goes on; Ctrl-C drops the statement being typed.
 */
async function promptLoop(io: CliIo, db: OpenedDatabase, options: SqlCommandOptions): Promise<void> {
  const terminal = io.terminal?.open();
  if (!terminal) return;
  const rl = createInterface({ input: terminal.input, output: terminal.output, prompt: PROMPT, terminal: true });
  let pending = '';
  rl.on('SIGINT', () => {
    pending = '';
    terminal.output.write('\n');
    rl.setPrompt(PROMPT);
    rl.prompt();
  });
  io.stdout.write('statements end with ";"; \\q or Ctrl-D quits\n');
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === '\\q') break;
    pending += `${line}\n`;
    if (pending.trim() !== '' && pending.trimEnd().endsWith(';')) {
      const sql = pending;
      pending = '';
      try {
        print(io, await run(db, sql), options);
      } catch (e) {
        if (!(e instanceof AltanError) || e.category === 'internal') throw e;
        io.stderr.write(`${e.message}\n`);
      }
    }
    rl.setPrompt(pending.trim() === '' ? PROMPT : CONTINUATION);
    if (pending.trim() === '') pending = '';
    rl.prompt();
  }
  // Ctrl-D leaves the cursor after the prompt.
  terminal.output.write('\n');
  rl.close();
}
