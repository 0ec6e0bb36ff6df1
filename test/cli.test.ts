/**
 * The command line: mostly called in this process (runCliInProcess), and the
 * built binary (`dist/cli/main.js`) run as users run it for what only a real
 * process shows: --help and --version, a generate from altan.yaml, an
 * invalid file's problems, standard input, and the bin entry's shebang.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES_DIR, CLI, EXAMPLES_DIR, ROOT, STACK_TRACE, cliBuilt, runCli, runCliInProcess } from './helpers.js';

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
  it(
    '--help exits 0 and lists the commands, the same in process and as the binary',
    async () => {
      const r = runCli(['--help'], { cwd: ROOT });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/validate/);
      expect(r.stdout).toMatch(/generate/);
      expect(r.stdout).toMatch(/init/);
      expect(r.stderr).toBe('');
      expect(await runCliInProcess(['--help'], { cwd: ROOT })).toEqual(r);
    },
    TIMEOUT,
  );

  it(
    '--version exits 0 and prints the package version',
    async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const r = runCli(['--version'], { cwd: ROOT });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toContain(pkg.version);
      expect(await runCliInProcess(['--version'], { cwd: ROOT })).toEqual(r);
    },
    TIMEOUT,
  );

  it(
    'the bin entry is dist/cli/main.js, a node script',
    () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string };
      expect(pkg.bin).toEqual({ 'altan-cloud': 'dist/cli/main.js' });
      expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
      // Run by what its shebang names, as a shell runs npm's link to it.
      const r = spawnSync('/usr/bin/env', ['node', CLI, '--version'], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    },
    TIMEOUT,
  );

  it(
    'an unknown command exits 64 with a message and no stack trace',
    async () => {
      const r = await runCliInProcess(['frobnicate'], { cwd: ROOT });
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/frobnicate/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'an unknown option exits 64 with a message and no stack trace',
    async () => {
      const dir = projectDir();
      const r = await runCliInProcess(['validate', '--no-such-option'], { cwd: dir });
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/no-such-option/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'an unknown global option exits 64',
    async () => {
      const r = await runCliInProcess(['--bogus'], { cwd: ROOT });
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/bogus/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    },
    TIMEOUT,
  );
});

describe('cli: init', () => {
  it(
    'writes a starter altan.yaml that validates, and refuses to overwrite it',
    async () => {
      const dir = tempDir();
      const first = await runCliInProcess(['init'], { cwd: dir });
      expect(first.status, first.stderr).toBe(0);
      const file = join(dir, 'altan.yaml');
      expect(existsSync(file)).toBe(true);
      const written = readFileSync(file);
      expect(written.toString('utf8')).toMatch(/^#/m);

      const validate = await runCliInProcess(['validate'], { cwd: dir });
      expect(validate.status, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(/^ok: /);

      const generate = await runCliInProcess(['generate'], { cwd: dir });
      expect(generate.status, generate.stderr).toBe(0);
      expect(generate.stdout).toMatch(/COMMIT;\s*$/);

      const second = await runCliInProcess(['init'], { cwd: dir });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/altan\.yaml/);
      expect(second.stderr).not.toMatch(STACK_TRACE);
      expect(readFileSync(file).equals(written)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'writes to the file it is given',
    async () => {
      const dir = tempDir();
      const r = await runCliInProcess(['init', 'backend.yaml'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(dir, 'backend.yaml'))).toBe(true);
      expect(existsSync(join(dir, 'altan.yaml'))).toBe(false);
      expect((await runCliInProcess(['validate', 'backend.yaml'], { cwd: dir })).status).toBe(0);
    },
    TIMEOUT,
  );
});

describe('cli: validate and generate', () => {
  it(
    'validate reports what the file declares',
    async () => {
      const r = await runCliInProcess(['validate', 'altan.yaml'], { cwd: projectDir() });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ok: 3 entities/);
      expect(r.stderr).toBe('');
    },
    TIMEOUT,
  );

  it(
    'without a file argument, uses altan.yaml in the working directory',
    () => {
      const dir = projectDir();
      const r = runCli(['generate'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(readFileSync(TODO_EXPECTED, 'utf8'));
    },
    TIMEOUT,
  );

  it(
    'an invalid case: the binary prints its expected.stderr and exits 1, as the CLI in process does',
    async () => {
      const dir = join(CASES_DIR, 'error-unknown-type');
      const r = runCli(['validate', 'requirements.yaml'], { cwd: dir });
      expect(r).toEqual({ status: 1, stdout: '', stderr: readFileSync(join(dir, 'expected.stderr'), 'utf8') });
      expect(await runCliInProcess(['validate', 'requirements.yaml'], { cwd: dir })).toEqual(r);
    },
    TIMEOUT,
  );

  it(
    'generate -o writes the same SQL as stdout, and prints nothing',
    async () => {
      const dir = projectDir();
      const toStdout = await runCliInProcess(['generate', 'altan.yaml'], { cwd: dir });
      expect(toStdout.status).toBe(0);
      const toFile = await runCliInProcess(['generate', 'altan.yaml', '-o', 'out.sql'], { cwd: dir });
      expect(toFile.status, toFile.stderr).toBe(0);
      expect(toFile.stdout).toBe('');
      expect(readFileSync(join(dir, 'out.sql'), 'utf8')).toBe(toStdout.stdout);
    },
    TIMEOUT,
  );

  it(
    '--json prints sql, cron and warnings',
    async () => {
      const dir = projectDir();
      const plain = await runCliInProcess(['generate', 'altan.yaml'], { cwd: dir });
      const r = await runCliInProcess(['generate', 'altan.yaml', '--json'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { sql: unknown; cron: unknown; warnings: unknown };
      expect(out.sql).toBe(plain.stdout);
      expect(Array.isArray(out.cron)).toBe(true);
      expect(out.cron).toEqual([
        expect.objectContaining({ name: 'purge-done-todos', schedule: '15 4 * * *', command: expect.stringContaining('DELETE FROM public.todos') }),
      ]);
      expect(out.warnings).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    '- reads the file from stdin',
    () => {
      const dir = tempDir();
      const input = readFileSync(TODO_EXAMPLE);
      const r = runCli(['generate', '-'], { cwd: dir, input });
      expect(r.status, r.stderr).toBe(0);
      expect(withoutHeader(r.stdout)).toBe(withoutHeader(readFileSync(TODO_EXPECTED, 'utf8')));

      const v = runCli(['validate', '-'], { cwd: dir, input });
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout).toMatch(/^ok: /);
    },
    TIMEOUT,
  );

  it(
    "a new process indexes the columns of a term's where, when that is the file's only SQL (the parser is loaded for it)",
    () => {
      const input = [
        'version: 1',
        'entities:',
        '  posts:',
        '    access: { read: [owner, { level: public, where: "status = \'published\'" }], create: owner }',
        '    fields:',
        '      status: { type: text, enum: [draft, published], default: draft, required: true }',
        '',
      ].join('\n');
      const r = runCli(['generate', '-'], { cwd: tempDir(), input });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('\nCREATE INDEX posts_status_idx ON public.posts (status);\n');
    },
    TIMEOUT,
  );

  it(
    'an invalid file from stdin is reported like any other',
    async () => {
      const r = await runCliInProcess(['validate', '-'], { cwd: tempDir(), input: 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/:5:\d+: .*\[unknown-type\]$/m);
      expect(r.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'an invalid file writes no output file',
    async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'altan.yaml'), 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n');
      const r = await runCliInProcess(['generate', '-o', 'out.sql'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^altan\.yaml:5:\d+: .*\[unknown-type\]$/m);
      expect(existsSync(join(dir, 'out.sql'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'names the file exactly as given on the command line',
    async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nentities:\n  t:\n    fields:\n      a: txt\n');
      const r = await runCliInProcess(['validate', `${dir}/./broken.yaml`], { cwd: ROOT });
      expect(r.status).toBe(1);
      expect(r.stderr.startsWith(`${dir}/./broken.yaml:5:`)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a missing file is a clear error: exit 1, the name, no stack trace',
    async () => {
      const dir = tempDir();
      for (const args of [
        ['validate', 'nope.yaml'],
        ['generate', 'nope.yaml'],
      ]) {
        const r = await runCliInProcess(args, { cwd: dir });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/nope\.yaml/);
        expect(r.stderr).not.toMatch(STACK_TRACE);
        expect(r.stdout).toBe('');
      }
      const noDefault = await runCliInProcess(['validate'], { cwd: dir });
      expect(noDefault.status).toBe(1);
      expect(noDefault.stderr).toMatch(/altan\.yaml/);
      expect(noDefault.stderr).not.toMatch(STACK_TRACE);
    },
    TIMEOUT,
  );

  it(
    'a directory instead of a file is a clear error',
    async () => {
      const dir = tempDir();
      const r = await runCliInProcess(['validate', '.'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    },
    TIMEOUT,
  );

  it(
    'a file over the size limit is refused before parsing (file-too-large)',
    async () => {
      // Built here rather than stored in test/cases: the limit is 5 MiB.
      const dir = tempDir();
      const padding = `# ${'x'.repeat(1000)}\n`;
      writeFileSync(join(dir, 'altan.yaml'), `version: 1\n${padding.repeat(Math.ceil((5 * 1024 * 1024) / padding.length) + 1)}`);
      const r = await runCliInProcess(['validate'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^altan\.yaml(:\d+:\d+)?: .*\[file-too-large\]$/m);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    },
    TIMEOUT,
  );
});
