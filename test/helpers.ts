/**
 * Shared helpers of the test suite: where the corpus lives, how to read a
 * case, and how to run the CLI: in this process (`runCliInProcess`, most
 * tests) or as the built binary in a process of its own (`runCli`, a few).
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CASES_DIR = join(ROOT, 'test', 'cases');
export const EXAMPLES_DIR = join(ROOT, 'examples');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** Set UPDATE_GOLDEN=1 to (re)write the expected files instead of comparing with them. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export const CASE_FILE = 'requirements.yaml';
export const EXAMPLE_FILE = 'altan.yaml';
export const EXPECTED_SQL = 'expected.sql';
export const EXPECTED_STDERR = 'expected.stderr';
/** Warnings of a valid case, formatted as the CLI prints them; absent when there are none. */
export const EXPECTED_WARNINGS = 'expected.warnings';

export interface CorpusEntry {
  /** Folder name, e.g. `fk-cycle`. */
  readonly name: string;
  readonly dir: string;
  /** File name passed to `compile` and to the CLI (relative to `dir`). */
  readonly file: string;
  readonly path: string;
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

export function listCases(): CorpusEntry[] {
  return subdirectories(CASES_DIR).map((name) => {
    const dir = join(CASES_DIR, name);
    return { name, dir, file: CASE_FILE, path: join(dir, CASE_FILE) };
  });
}

export function listExamples(): CorpusEntry[] {
  return subdirectories(EXAMPLES_DIR).map((name) => {
    const dir = join(EXAMPLES_DIR, name);
    return { name, dir, file: EXAMPLE_FILE, path: join(dir, EXAMPLE_FILE) };
  });
}

/** The input exactly as stored: bytes, so that non-UTF-8 and binary cases reach the loader unchanged. */
export function readInput(entry: CorpusEntry): Buffer {
  return readFileSync(entry.path);
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Every corpus entry (case or example) that has a golden SQL file. */
export function entriesWithExpectedSql(): { entry: CorpusEntry; sql: string }[] {
  const out: { entry: CorpusEntry; sql: string }[] = [];
  for (const entry of [...listCases(), ...listExamples()]) {
    const sql = readIfExists(join(entry.dir, EXPECTED_SQL));
    if (sql !== undefined) out.push({ entry, sql });
  }
  return out;
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cliBuilt(): boolean {
  return existsSync(CLI);
}

export interface CliOptions {
  readonly cwd: string;
  /** Standard input, read for the file `-`. */
  readonly input?: string | Buffer;
  /** Added to this process's environment less CI (cliEnvironment); undefined removes a variable (DATABASE_URL). */
  readonly env?: Record<string, string | undefined>;
  /** In this process only: stderr taken for a terminal (progress lines), shown after this many ms. */
  readonly progressAfterMs?: number;
}

/**
 * The environment the CLI runs with in the tests: this process's, without CI (the CI machine runs
 * the suite with CI=true, under which the embedded database must be asked for with --embedded;
 * a test about that sets CI itself), colours off, then `extra` (undefined removes a variable).
 */
export function cliEnvironment(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const { CI: _ci, ...rest } = process.env;
  return { ...rest, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

/**
 * The CLI called in this process (src/cli/run.ts's runCli), with the same result as `runCli`: the
 * exit code and everything written to stdout and stderr. No Node start, no module loading per call.
 */
export async function runCliInProcess(args: readonly string[], options: CliOptions = { cwd: ROOT }): Promise<CliResult> {
  const { runCli: run } = await import('../src/cli/run.js');
  let stdout = '';
  let stderr = '';
  const input = options.input;
  const status = await run(args, {
    stdout: { write: (text: string) => void (stdout += text) },
    stderr: { write: (text: string) => void (stderr += text) },
    ...(input !== undefined ? { stdin: typeof input === 'string' ? Buffer.from(input) : input } : {}),
    env: cliEnvironment(options.env),
    cwd: options.cwd,
    ...(options.progressAfterMs !== undefined ? { progress: true, progressAfterMs: options.progressAfterMs } : {}),
  });
  return { status, stdout, stderr };
}

/** Run the built CLI with `node`, never through a shell. */
export function runCli(args: readonly string[], options: CliOptions = { cwd: ROOT }): CliResult {
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd,
    encoding: 'utf8',
    env: cliEnvironment(options.env),
    timeout: 60_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  };
  const result = spawnSync(process.execPath, [CLI, ...args], spawnOptions);
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/** A Node stack trace line (`    at foo (file.js:1:2)`), which users must never see. */
export const STACK_TRACE = /^\s+at\s.+[:(]/m;

const made: string[] = [];

/** A new temporary directory, removed by `removeTemporaryDirectories` (a file calls it in its afterAll). */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory `temporaryDirectory` and `exampleProject` made in this file. */
export function removeTemporaryDirectories(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new directory holding examples/<example>/altan.yaml: a project of its own (and a new embedded database). */
export function exampleProject(example: string): string {
  const dir = temporaryDirectory(`altan-${example}-`);
  copyFileSync(join(EXAMPLES_DIR, example, EXAMPLE_FILE), join(dir, EXAMPLE_FILE));
  return dir;
}
