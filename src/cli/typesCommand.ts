/**
 * `altan-cloud types [file]`: the TypeScript types of the file's schema
 * (`generateTypes`, src/render/typescript), for `createClient<Database>()`;
 * from the file alone, no database.
 */
import { problemOf } from '../diagnostics.js';
import { generateTypes } from '../render/typescript/index.js';
import { compileFile } from './commands.js';
import { displayName, writeOutput } from './io.js';
import type { CliIo, Outcome } from './io.js';
import { writeJson } from './jsonDocuments.js';

export interface TypesCommandOptions {
  readonly output?: string;
  readonly json?: boolean;
  readonly postgrestVersion?: string;
}

export async function typesCommand(io: CliIo, file: string, options: TypesCommandOptions = {}): Promise<Outcome> {
  const compiled = await compileFile(io, file, 'altan', options.json);
  if (!compiled) return 'invalid';
  const types = generateTypes(compiled, options.postgrestVersion === undefined ? {} : { postgrestVersion: options.postgrestVersion });
  if (options.output !== undefined) writeOutput(io, options.output, types);
  if (options.json) {
    const { model } = compiled;
    writeJson(io, {
      status: 'ok',
      file: displayName(file),
      ...(options.output !== undefined ? { output: options.output } : {}),
      schema: model.schema,
      tables: model.tables.map((t) => t.name),
      views: model.views.filter((v) => v.access !== 'none').map((v) => v.name),
      types,
      warnings: compiled.warnings.map(problemOf),
    });
  } else if (options.output !== undefined) {
    io.stderr.write(`wrote ${options.output}\n`);
  } else {
    io.stdout.write(types);
  }
  return 'ok';
}
