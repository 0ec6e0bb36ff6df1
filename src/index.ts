/**
 * altan-cloud as a library: the same functions the CLI calls.
 *
 *   import { compile } from 'altan-cloud';
 *   const { sql, cron, warnings } = await compile(readFileSync('altan.yaml'), { fileName: 'altan.yaml' });
 */
export { compile, validate } from './compile.js';
export type { CompileOptions, CompileResult, CronEntry, FilePosition, SourceOptions, ValidateResult } from './compile.js';
export type { ObjectKind, SqlObject } from './render/objects.js';
export type { PlacedStatement } from './render/script.js';
export { TARGETS } from './target.js';
export type { Target } from './target.js';
export { apply, ApplyError } from './execute/apply.js';
export { RECORD_SCHEMA } from './db/record.js';
export { plan, planBetween, PlanError } from './plan/plan.js';
export type { AdoptedObject, Change, Plan, PlanOptions, UnownedObject } from './plan/plan.js';
export { history } from './plan/history.js';
export type { HistoryEntry, HistoryOptions, HistoryReport } from './plan/history.js';
export { formatPlan } from './plan/format.js';
export { generateTypes, type TypesOptions } from './render/typescript/index.js';
export type { ApplyOptions, ApplyReport } from './execute/apply.js';
export { bootstrap, BootstrapError } from './execute/bootstrap.js';
export type { BootstrapOptions, BootstrapReport } from './execute/bootstrap.js';
export { DEFAULT_TIMEOUTS } from './db/timeouts.js';
export type { Timeouts } from './db/timeouts.js';
export type { TimeoutOptions } from './db/sessionTimeouts.js';
export { openEmbedded, openMemory, openPostgres } from './db/database.js';
export type { Database } from './db/database.js';
export { ConnectionError, DatabaseError } from './db/errors.js';
export { DatabaseUrlError, redactUrl } from './db/url.js';
export { preflight } from './db/preflight.js';
export type { Missing } from './db/preflight.js';
export { verify, VerifyError } from './verify/run.js';
export type { VerifyOptions, VerifyReport, VerifyResult } from './verify/run.js';
export type { AuditSummary } from './verify/audit.js';
export { formatReport as formatVerifyReport } from './verify/report.js';
export { loadDocument as load } from './load/document.js';
export type { LoadedDocument, LoadResult, Position } from './load/document.js';
export { AltanError } from './problems.js';
export type { Problem, ProblemCategory, ProblemInput } from './problems.js';
export { InvalidRequirementsError, formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export type { RequirementsInput } from './model/input.js';
export type { Model } from './model/model.js';
export { normalize } from './model/normalize.js';
export { STARTER_FILE } from './starter.js';
export { VERSION } from './version.js';
export { newMigration, MigrationError } from './migration/migration.js';
export type { MigrationBase, MigrationReport, NewMigrationOptions } from './migration/migration.js';
