/**
 * The commands: each returns an exit code and leaves exiting to main.ts.
 * They call the library exactly as a library user would.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { compile, validate } from '../compile.js';
import type { CompileResult } from '../compile.js';
import { InvalidRequirementsError } from '../diagnostics.js';
import { STARTER_FILE } from '../starter.js';
import type { Target } from '../target.js';
import { EXIT, UserError, displayName, readSource, report, writeOutput } from './io.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export async function validateCommand(file: string): Promise<number> {
  const result = await validate(readSource(file), { fileName: displayName(file) });
  report(result.errors);
  report(result.warnings);
  if (result.errors.length > 0 || !result.input) return EXIT.invalid;
  const input = result.input;
  const count = (map: object | null | undefined) => Object.keys(map ?? {}).length;
  const parts = [
    plural(count(input.entities), 'entity', 'entities'),
    plural(count(input.buckets), 'bucket'),
    plural(count(input.materialized_views), 'view'),
    ...(count(input.jobs) > 0 ? [plural(count(input.jobs), 'job')] : []),
  ];
  process.stdout.write(`ok: ${parts.join(', ')}\n`);
  return EXIT.ok;
}

export interface GenerateOptions {
  readonly output?: string;
  readonly json?: boolean;
  readonly target?: Target;
}

/** The compiled file, its warnings printed; or its problems printed and undefined. */
export async function compileFile(file: string, target: Target): Promise<CompileResult | undefined> {
  try {
    const result = await compile(readSource(file), { fileName: displayName(file), target });
    report(result.warnings);
    return result;
  } catch (e) {
    if (!(e instanceof InvalidRequirementsError)) throw e;
    report(e.errors);
    report(e.warnings);
    return undefined;
  }
}

export async function generateCommand(file: string, options: GenerateOptions): Promise<number> {
  const result = await compileFile(file, options.target ?? 'altan');
  if (!result) return EXIT.invalid;
  const text = options.json
    ? `${JSON.stringify({ sql: result.sql, cron: result.cron, warnings: result.warnings }, null, 2)}\n`
    : result.sql;
  if (options.output !== undefined) {
    writeOutput(options.output, text);
    process.stderr.write(`wrote ${options.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return EXIT.ok;
}

export function initCommand(file: string): number {
  if (existsSync(file)) throw new UserError(`${file} already exists; init never overwrites a file`);
  try {
    writeFileSync(file, STARTER_FILE, { flag: 'wx' });
  } catch (e) {
    throw new UserError(`${file}: cannot write: ${(e as Error).message}`);
  }
  process.stdout.write(`wrote ${file}: edit it, then run "altan-cloud validate ${file}"\n`);
  return EXIT.ok;
}
