/**
 * `verify`: the requests clients make, run as PostgREST runs them — a
 * transaction, the JWT's claims, SET LOCAL ROLE — against the test world,
 * each in a savepoint that is rolled back, the whole in a transaction (or a
 * savepoint of the caller's) that is rolled back too: nothing is left behind.
 */
import type { CompileResult } from '../compile.js';
import { evaluate, relationExists } from '../db/catalog.js';
import { withDatabaseErrors } from '../db/database.js';
import type { Database } from '../db/database.js';
import { isRefusal, resolveTimeouts, withTimeouts } from '../db/sessionTimeouts.js';
import type { TimeoutOptions } from '../db/sessionTimeouts.js';
import { AltanError } from '../problems.js';
import type { ProblemCategory } from '../problems.js';
import { loadSqlParser } from '../sql/parser.js';
import { literal, qualified } from '../sql/quote.js';
import { audit } from './audit.js';
import type { AuditSummary } from './audit.js';
import { entityProbes } from './entityProbes.js';
import { referenceProbes } from './referenceProbes.js';
import { createFixtures, createWorld, hasOrganizationTables } from './fixtures.js';
import { memberProbes } from './memberProbes.js';
import { organizationProbes } from './orgProbes.js';
import { describe, sameOutcome } from './probe.js';
import type { Actual, Expected, Oracle, Probe } from './probe.js';
import { usesVia } from './bucketFolders.js';
import { bucketProbes, createTestFiles } from './storageProbes.js';
import { bucketViaProbes } from './storageViaProbes.js';
import { viewProbes, viewUserProbes } from './viewProbes.js';
import { viewViaProbes } from './viewViaProbes.js';
import { tableWheres } from './whereFacts.js';
import { claimsOf, newWorld } from './world.js';
import type { World } from './world.js';

/** `timeouts`: as apply's (ApplyOptions); a timeout ends verify with its coded error rather than failing a request. */
export interface VerifyOptions extends TimeoutOptions {
  /** The caller has a transaction open (apply --dry-run --verify): work in a savepoint of it. */
  readonly insideTransaction?: boolean;
}

export interface VerifyResult {
  readonly subject: string;
  readonly actor: string;
  readonly operation: string;
  readonly expected: string;
  /** What happened; empty when not tested. */
  readonly actual: string;
  readonly status: 'pass' | 'fail' | 'not-tested';
  /** Why it was not tested. */
  readonly reason?: string;
  /** Set on the privilege audit's findings: the finding in one line (`anon has SELECT on table auth.users …`). */
  readonly audit?: string;
}

export interface VerifyReport {
  readonly status: 'passed' | 'failed';
  readonly database: string;
  readonly passed: number;
  readonly failed: number;
  readonly notTested: number;
  readonly results: readonly VerifyResult[];
  /** The privilege audit's counts; its failures and notes are in `results`. */
  readonly audit: AuditSummary;
  readonly durationMs: number;
}

type VerifyProblem = 'not-applied' | 'storage-missing' | 'database-error';
const VERIFY_CATEGORY: Readonly<Record<VerifyProblem, ProblemCategory>> = {
  'not-applied': 'not-applied',
  'storage-missing': 'preflight',
  'database-error': 'database',
};

/**
 * The database cannot be verified (nothing was run): what is missing (`not-applied`: the file's
 * tables, its buckets, the API roles; `storage-missing`), or what Postgres refused (`database-error`).
 */
export class VerifyError extends AltanError {
  constructor(message: string, code: VerifyProblem = 'not-applied', hint?: string) {
    super(message, VERIFY_CATEGORY[code], { code, message, ...(hint !== undefined ? { hint } : {}) });
    this.name = 'VerifyError';
  }
}

/** Codes of test data the database refused: not a policy's answer, so the request is not tested. */
const DATA_REFUSED: Readonly<Record<string, string>> = {
  '23505': 'the test row collides with a unique key',
  '23514': 'the test row fails a check',
  '23503': 'the test row breaks a foreign key',
};

async function prerequisites(db: Database, compiled: CompileResult): Promise<void> {
  const { model } = compiled;
  const regclass = (schema: string, name: string) => relationExists(qualified(schema, name));
  const checks: [string, string][] = [
    ...(['anon', 'authenticated'] as const).map((role): [string, string] => [
      `role ${role}, which ${db.kind === 'embedded' ? 'this user' : 'the connecting user'} can switch to`,
      `EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = '${role}' AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))`,
    ]),
    ['auth.users', regclass('auth', 'users')],
    ...model.tables.map((t): [string, string] => [`table ${model.schema}.${t.name}`, regclass(model.schema, t.name)]),
    ...model.buckets.map((b): [string, string] => [`bucket ${b.id}`, `EXISTS (SELECT FROM storage.buckets WHERE id = ${literal(b.id)})`]),
  ];
  // Buckets need storage.buckets before its rows can be looked up: a missing schema is its own message.
  if (model.buckets.length > 0) {
    const [storage] = await evaluate(db, [`${regclass('storage', 'buckets')} AND ${regclass('storage', 'objects')}`]);
    if (!storage) {
      throw new VerifyError(
        'storage.buckets and storage.objects are missing: run `altan-cloud bootstrap`, or use a Supabase project',
        'storage-missing',
        'run `altan-cloud bootstrap`, or use a Supabase project',
      );
    }
  }
  const present = await evaluate(
    db,
    checks.map(([, sql]) => sql),
  );
  const missing = checks.filter((_c, i) => !present[i]).map(([what]) => what);
  if (missing.length > 0) {
    throw new VerifyError(
      `cannot verify ${db.description}: missing ${missing.join(', ')} (apply the file first: altan-cloud apply)`,
      'not-applied',
      'apply the file first: altan-cloud apply',
    );
  }
}

function result(world: World, probe: Probe, status: VerifyResult['status'], actual: string, reason?: string): VerifyResult {
  return {
    subject: probe.subject,
    actor: probe.actor === undefined ? 'everyone' : world.labels[probe.actor],
    operation: probe.operation,
    expected: describe(probe.expected),
    actual,
    status,
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** A policy's refusal, shortly (the matrix names the table already); other refusals as Postgres says them. */
function brief(message: string): string {
  return message.startsWith('new row violates row-level security policy') ? 'row-level security' : message;
}

const shown = (a: Actual): string => `${describe(a)}${a.detail ? ` (${a.detail})` : ''}`;

/** The oracle's row, written as the connection's own user and rolled back: the expected outcome, or why there is none. */
async function askOracle(db: Database, oracle: Oracle): Promise<Expected | { readonly untested: string }> {
  await db.exec('SAVEPOINT altan_verify_oracle');
  try {
    return oracle.expected(await db.query(oracle.sql));
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return { untested: `the row it writes could not be made to judge its where: ${e.message}` };
  } finally {
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_oracle; RELEASE SAVEPOINT altan_verify_oracle');
  }
}

async function runProbe(db: Database, world: World, request: Probe): Promise<VerifyResult> {
  let probe = request;
  if (probe.untested !== undefined) return result(world, probe, 'not-tested', '', probe.untested);
  const actor = probe.actor ?? 'anon';
  const role = actor === 'anon' ? 'anon' : 'authenticated';
  // Savepoint, the owner's preparation, then the request's claims and role: one round trip
  // (the role comes after the oracle's row, when there is one).
  const enter = [
    'SAVEPOINT altan_verify_request',
    ...(probe.prepare !== undefined ? [probe.prepare] : []),
    `SELECT pg_catalog.set_config('request.jwt.claims', ${literal(claimsOf(world, actor))}, true)`,
    ...Object.entries(probe.settings ?? {}).map(([name, value]) => `SELECT pg_catalog.set_config(${literal(name)}, ${literal(value)}, true)`),
    ...(probe.oracle === undefined ? [`SET LOCAL ROLE ${role}`] : []),
  ].join(';\n');
  try {
    try {
      await db.exec(enter);
    } catch (e) {
      // Only the preparation can fail here (setting claims and an API role cannot).
      if (probe.prepare !== undefined && isRefusal(e)) return result(world, probe, 'not-tested', '', `could not make room for the request: ${e.message}`);
      throw e;
    }
    if (probe.oracle !== undefined) {
      const judged = await askOracle(db, probe.oracle);
      if ('untested' in judged) return result(world, probe, 'not-tested', '', judged.untested);
      probe = { ...probe, expected: judged };
      await db.exec(`SET LOCAL ROLE ${role}`);
    }
    let actual: Actual;
    try {
      actual = await probe.run((sql) => db.query(sql));
    } catch (e) {
      if (!isRefusal(e)) throw e;
      const dataRefused = e.code !== undefined ? DATA_REFUSED[e.code] : undefined;
      if (dataRefused !== undefined) return result(world, probe, 'not-tested', '', `${dataRefused}: ${e.message}`);
      if (e.code !== '42501') return result(world, probe, 'fail', `error ${e.code ?? ''}: ${e.message}`);
      const detail = brief(e.message);
      actual = probe.expected.kind === 'rows' ? { kind: 'rows', labels: [], detail } : { kind: 'denied', detail };
    }
    return result(world, probe, sameOutcome(probe.expected, actual) ? 'pass' : 'fail', shown(actual));
  } finally {
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_request; RELEASE SAVEPOINT altan_verify_request');
  }
}

/** All requests for the compiled file's entities, organizations, buckets and views. */
async function probesFor(db: Database, compiled: CompileResult, world: World): Promise<Probe[]> {
  const { model } = compiled;
  // which columns a term's `where` reads is Postgres's parser's answer (whereFacts.ts)
  if (model.tables.some((t) => tableWheres(t).length > 0)) await loadSqlParser();
  await createWorld(db, model, world);
  const fixtures = await createFixtures(db, model, world);
  const ctx = { schema: model.schema, world, fixtures, deferredForeignKeys: model.deferredForeignKeys };
  const probes = [...fixtures.values()].flatMap((f) => [...entityProbes(ctx, f), ...referenceProbes(ctx, f), ...memberProbes(ctx, f)]);
  if (hasOrganizationTables(model)) probes.push(...organizationProbes(model.schema, world));
  let filesRefused: string | undefined;
  await db.exec('SAVEPOINT altan_verify_files');
  try {
    await createTestFiles(db, model.buckets, world, fixtures);
    await db.exec('RELEASE SAVEPOINT altan_verify_files');
  } catch (e) {
    if (!isRefusal(e)) throw e;
    await db.exec('ROLLBACK TO SAVEPOINT altan_verify_files; RELEASE SAVEPOINT altan_verify_files');
    filesRefused = `cannot create test files as ${db.kind === 'embedded' ? 'this user' : 'the connecting user'}: ${e.message}`;
  }
  for (const bucket of model.buckets) {
    const others = model.buckets.filter((b) => b !== bucket);
    const requests = usesVia(bucket) ? bucketViaProbes(bucket, world, fixtures, others) : bucketProbes(bucket, world, others);
    probes.push(...requests.map((p) => (filesRefused ? { ...p, untested: filesRefused } : p)));
  }
  for (const view of model.views) {
    probes.push(...viewProbes(model.schema, view), ...(await viewUserProbes(db, model.schema, model.privateSchema, view, world.users.a)));
    probes.push(...(await viewViaProbes(db, model, view, world, fixtures)));
  }
  return probes;
}

/** Runs every request the file's clients make and compares each outcome with the access rules. */
export async function verify(given: Database, compiled: CompileResult, options: VerifyOptions = {}): Promise<VerifyReport> {
  const db = withDatabaseErrors(given);
  // A lock another session holds (a long apply elsewhere) is waited for as long as timeouts say, rather than for ever.
  return withTimeouts(db, resolveTimeouts(options.timeouts), 'nothing was changed', () => verifyWith(db, compiled, options.insideTransaction === true));
}

async function verifyWith(db: Database, compiled: CompileResult, inside: boolean): Promise<VerifyReport> {
  const started = performance.now();
  try {
    await prerequisites(db, compiled);
  } catch (e) {
    if (isRefusal(e)) throw new VerifyError(`cannot verify ${db.description}: ${e.message}`, 'database-error');
    throw e;
  }
  await db.exec(inside ? 'SAVEPOINT altan_verify' : 'BEGIN');
  const results: VerifyResult[] = [];
  let audited: Awaited<ReturnType<typeof audit>>;
  try {
    const world = newWorld(hasOrganizationTables(compiled.model));
    for (const probe of await probesFor(db, compiled, world)) results.push(await runProbe(db, world, probe));
    // After the requests: what the API roles hold beyond what the file and the platform grant.
    audited = await audit(db, compiled.model, compiled.target);
    results.push(...audited.results);
  } catch (e) {
    // The test world itself was refused (say, no INSERT on auth.users for this user): nothing to compare.
    if (isRefusal(e)) throw new VerifyError(`verify stopped on ${db.description}: ${e.message}`, 'database-error');
    throw e;
  } finally {
    await db.exec(inside ? 'ROLLBACK TO SAVEPOINT altan_verify; RELEASE SAVEPOINT altan_verify' : 'ROLLBACK').catch(() => {});
  }
  const count = (s: VerifyResult['status']) => results.filter((r) => r.status === s).length;
  const failed = count('fail');
  return {
    status: failed > 0 ? 'failed' : 'passed',
    database: db.description,
    passed: count('pass'),
    failed,
    notTested: count('not-tested'),
    results,
    audit: audited.summary,
    durationMs: Math.round(performance.now() - started),
  };
}
