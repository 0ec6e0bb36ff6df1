/**
 * The commands: each returns an outcome (io.ts) or throws a problem, and
 * leaves exit codes to run.ts. They call the library exactly as a library
 * user would, and reach the process only through `io`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { compile, validate } from '../compile.js';
import type { CompileResult } from '../compile.js';
import { InvalidRequirementsError } from '../diagnostics.js';
import { STARTER_FILE } from '../starter.js';
import type { Target } from '../target.js';
import { ignoreEmbeddedDatabase } from './gitignore.js';
import { UserError, displayName, fsMessage, pathIn, readSource, report, writeOutput } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { validDocument, writeJson } from './jsonDocuments.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export async function validateCommand(io: CliIo, file: string, options: { readonly json?: boolean } = {}): Promise<Outcome> {
  const result = await validate(readSource(io, file), { fileName: displayName(file) });
  // With --json the problems are the failure document run.ts prints.
  if (options.json && (result.errors.length > 0 || !result.input)) throw new InvalidRequirementsError(result.errors, result.warnings);
  report(io, result.errors);
  report(io, result.warnings);
  if (result.errors.length > 0 || !result.input) return 'invalid';
  const input = result.input;
  const count = (map: object | null | undefined) => Object.keys(map ?? {}).length;
  if (options.json) {
    const counts = { entities: count(input.entities), buckets: count(input.buckets), views: count(input.materialized_views), jobs: count(input.jobs) };
    writeJson(io, validDocument(displayName(file), counts, result.warnings));
    return 'ok';
  }
  const parts = [
    plural(count(input.entities), 'entity', 'entities'),
    plural(count(input.buckets), 'bucket'),
    plural(count(input.materialized_views), 'view'),
    ...(count(input.jobs) > 0 ? [plural(count(input.jobs), 'job')] : []),
  ];
  io.stdout.write(`ok: ${parts.join(', ')}\n`);
  return 'ok';
}

export interface GenerateOptions {
  readonly output?: string;
  readonly json?: boolean;
  readonly target?: Target;
}

/**
 * The compiled file, its warnings printed; or its problems printed and undefined. With `json`, an
 * invalid file is thrown instead, for run.ts to print as the failure document.
 */
export async function compileFile(io: CliIo, file: string, target: Target, json = false): Promise<CompileResult | undefined> {
  return compileSource(io, readSource(io, file), file, target, json);
}

/** compileFile for a source already read (`fleet apply --queue` stores the very bytes it compiled). */
export async function compileSource(
  io: CliIo,
  source: Parameters<typeof compile>[0],
  file: string,
  target: Target,
  json = false,
): Promise<CompileResult | undefined> {
  try {
    const result = await compile(source, { fileName: displayName(file), target });
    report(io, result.warnings);
    return result;
  } catch (e) {
    if (!(e instanceof InvalidRequirementsError) || json) throw e;
    report(io, e.errors);
    report(io, e.warnings);
    return undefined;
  }
}

export async function generateCommand(io: CliIo, file: string, options: GenerateOptions): Promise<Outcome> {
  const result = await compileFile(io, file, options.target ?? 'altan', options.json);
  if (!result) return 'invalid';
  const text = options.json ? `${JSON.stringify({ sql: result.sql, cron: result.cron, warnings: result.warnings }, null, 2)}\n` : result.sql;
  if (options.output !== undefined) {
    writeOutput(io, options.output, text);
    io.stderr.write(`wrote ${options.output}\n`);
  } else {
    io.stdout.write(text);
  }
  return 'ok';
}

export function initCommand(io: CliIo, file: string): Outcome {
  const path = pathIn(io, file);
  if (existsSync(path)) throw new UserError(`${file} already exists; init never overwrites a file`, 'file-exists', 'edit it, or give init another file name');
  try {
    writeFileSync(path, STARTER_FILE, { flag: 'wx' });
  } catch (e) {
    throw new UserError(`${file}: cannot write: ${fsMessage(e, path, file)}`, 'output-unwritable');
  }
  io.stdout.write(`wrote ${file}: edit it, then run "altan-cloud validate ${file}"\n`);
  try {
    const change = ignoreEmbeddedDatabase(io.cwd);
    if (change !== 'present')
      io.stdout.write(`${change === 'created' ? 'wrote' : 'added .altan-cloud/ to'} .gitignore: the embedded database stays out of git\n`);
  } catch (e) {
    // The starter file is written; an unwritable .gitignore is the user's to fix, not a failed init.
    io.stderr.write(`note: could not add .altan-cloud/ to .gitignore: ${(e as Error).message}\n`);
  }
  return 'ok';
}
