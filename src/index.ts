/**
 * altan-cloud as a library: the same functions the CLI calls.
 *
 *   import { compile } from 'altan-cloud';
 *   const { sql, cron, warnings } = compile(readFileSync('altan.yaml'), { fileName: 'altan.yaml' });
 */
export { compile, validate } from './compile.js';
export type { CompileResult, CronEntry, SourceOptions, ValidateResult } from './compile.js';
export { loadDocument as load } from './load/document.js';
export type { LoadedDocument, LoadResult, Position } from './load/document.js';
export { InvalidRequirementsError, formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export type { RequirementsInput } from './model/input.js';
export type { Model } from './model/model.js';
export { normalize } from './model/normalize.js';
export { STARTER_FILE } from './starter.js';
export { VERSION } from './version.js';
