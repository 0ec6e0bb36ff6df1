/**
 * The built CLI (`dist/cli/main.js`), run as users run it.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EXAMPLES_DIR, ROOT, STACK_TRACE, cliBuilt, runCli } from './helpers.js';

const TIMEOUT = 60_000;
const TODO_EXAMPLE = join(EXAMPLES_DIR, 'todo', 'altan.yaml');
const TODO_EXPECTED = join(EXAMPLES_DIR, 'todo', 'expected.sql');

const scratch: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'altan-cloud-cli-'));
  scratch.push(dir);
  return dir;
}

/** A directory holding a copy of the todo example as `altan.yaml`. */
function projectDir(): string {
  const dir = tempDir();
  copyFileSync(TODO_EXAMPLE, join(dir, 'altan.yaml'));
  return dir;
}

/** SQL without its leading `--` header lines (which name the source file). */
function withoutHeader(sql: string): string {
  const lines = sql.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i]?.startsWith('--') || lines[i] === '')) i++;
  return lines.slice(i).join('\n');
}

beforeAll(() => {
  if (!cliBuilt()) throw new Error(`${CLI} does not exist: run \`npm run build\` first`);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('cli: help, version, usage errors', () => {
  it('--help exits 0 and lists the commands', () => {
    const r = runCli(['--help'], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/validate/);
    expect(r.stdout).toMatch(/generate/);
    expect(r.stdout).toMatch(/init/);
  }, TIMEOUT);

  it('--version exits 0 and prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = runCli(['--version'], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toContain(pkg.version);
  }, TIMEOUT);

  it('an unknown command exits 64 with a message and no stack trace', () => {
    const r = runCli(['frobnicate'], { cwd: ROOT });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/frobnicate/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe('');
  }, TIMEOUT);

  it('an unknown option exits 64 with a message and no stack trace', () => {
    const dir = projectDir();
    const r = runCli(['validate', '--no-such-option'], { cwd: dir });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/no-such-option/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe('');
  }, TIMEOUT);

  it('an unknown global option exits 64', () => {
    const r = runCli(['--bogus'], { cwd: ROOT });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/bogus/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  }, TIMEOUT);
});

describe('cli: init', () => {
  it('writes a starter altan.yaml that validates, and refuses to overwrite it', () => {
    const dir = tempDir();
    const first = runCli(['init'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    const file = join(dir, 'altan.yaml');
    expect(existsSync(file)).toBe(true);
    const written = readFileSync(file);
    expect(written.toString('utf8')).toMatch(/^#/m);

    const validate = runCli(['validate'], { cwd: dir });
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^ok: /);

    const generate = runCli(['generate'], { cwd: dir });
    expect(generate.status, generate.stderr).toBe(0);
    expect(generate.stdout).toMatch(/COMMIT;\s*$/);

    const second = runCli(['init'], { cwd: dir });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/altan\.yaml/);
    expect(second.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(file).equals(written)).toBe(true);
  }, TIMEOUT);

  it('writes to the file it is given', () => {
    const dir = tempDir();
    const r = runCli(['init', 'backend.yaml'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'backend.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'altan.yaml'))).toBe(false);
    expect(runCli(['validate', 'backend.yaml'], { cwd: dir }).status).toBe(0);
  }, TIMEOUT);
});

describe('cli: validate and generate', () => {
  it('validate reports what the file declares', () => {
    const r = runCli(['validate', 'altan.yaml'], { cwd: projectDir() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: 3 entities/);
    expect(r.stderr).toBe('');
  }, TIMEOUT);

  it('without a file argument, uses altan.yaml in the working directory', () => {
    const dir = projectDir();
    const r = runCli(['generate'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(TODO_EXPECTED, 'utf8'));
  }, TIMEOUT);

  it('generate -o writes the same SQL as stdout, and prints nothing', () => {
    const dir = projectDir();
    const toStdout = runCli(['generate', 'altan.yaml'], { cwd: dir });
    expect(toStdout.status).toBe(0);
    const toFile = runCli(['generate', 'altan.yaml', '-o', 'out.sql'], { cwd: dir });
    expect(toFile.status, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(join(dir, 'out.sql'), 'utf8')).toBe(toStdout.stdout);
  }, TIMEOUT);

  it('--json prints sql, cron and warnings', () => {
    const dir = projectDir();
    const plain = runCli(['generate', 'altan.yaml'], { cwd: dir });
    const r = runCli(['generate', 'altan.yaml', '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { sql: unknown; cron: unknown; warnings: unknown };
    expect(out.sql).toBe(plain.stdout);
    expect(Array.isArray(out.cron)).toBe(true);
    expect(out.cron).toEqual([
      expect.objectContaining({ name: 'purge-done-todos', schedule: '15 4 * * *', command: expect.stringContaining('DELETE FROM public.todos') }),
    ]);
    expect(out.warnings).toEqual([]);
  }, TIMEOUT);

  it('- reads the file from stdin', () => {
    const dir = tempDir();
    const input = readFileSync(TODO_EXAMPLE);
    const r = runCli(['generate', '-'], { cwd: dir, input });
    expect(r.status, r.stderr).toBe(0);
    expect(withoutHeader(r.stdout)).toBe(withoutHeader(readFileSync(TODO_EXPECTED, 'utf8')));

    const v = runCli(['validate', '-'], { cwd: dir, input });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^ok: /);
  }, TIMEOUT);

  it('an invalid file from stdin is reported like any other', () => {
    const r = runCli(['validate', '-'], { cwd: tempDir(), input: 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/:5:\d+: .*\[unknown-type\]$/m);
    expect(r.stdout).toBe('');
  }, TIMEOUT);

  it('an invalid file writes no output file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n');
    const r = runCli(['generate', '-o', 'out.sql'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^altan\.yaml:5:\d+: .*\[unknown-type\]$/m);
    expect(existsSync(join(dir, 'out.sql'))).toBe(false);
  }, TIMEOUT);

  it('names the file exactly as given on the command line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n');
    const r = runCli(['validate', `${dir}/./broken.yaml`], { cwd: ROOT });
    expect(r.status).toBe(1);
    expect(r.stderr.startsWith(`${dir}/./broken.yaml:5:`)).toBe(true);
  }, TIMEOUT);

  it('a missing file is a clear error: exit 1, the name, no stack trace', () => {
    const dir = tempDir();
    for (const args of [['validate', 'nope.yaml'], ['generate', 'nope.yaml']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/nope\.yaml/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout).toBe('');
    }
    const noDefault = runCli(['validate'], { cwd: dir });
    expect(noDefault.status).toBe(1);
    expect(noDefault.stderr).toMatch(/altan\.yaml/);
    expect(noDefault.stderr).not.toMatch(STACK_TRACE);
  }, TIMEOUT);

  it('a directory instead of a file is a clear error', () => {
    const dir = tempDir();
    const r = runCli(['validate', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  }, TIMEOUT);

  it('a file over the size limit is refused before parsing (file-too-large)', () => {
    // Built here rather than stored in test/cases: the limit is 5 MiB.
    const dir = tempDir();
    const padding = `# ${'x'.repeat(1000)}\n`;
    writeFileSync(join(dir, 'altan.yaml'), `version: 1\n${padding.repeat(Math.ceil((5 * 1024 * 1024) / padding.length) + 1)}`);
    const r = runCli(['validate'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^altan\.yaml(:\d+:\d+)?: .*\[file-too-large\]$/m);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  }, TIMEOUT);
});
