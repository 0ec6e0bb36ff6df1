/**
 * Resource limits (issue 13, item 5): input read only up to the size limit,
 * alias expansion bounded in the nodes it produces, duplicate keys found
 * among many entities, and SQL too large for the output limit refused as a
 * problem with the file. Speed is measured in bench/ (section 7), not here.
 * The CLI is called in this process, but for what needs a real standard
 * input (an endless pipe, a FIFO), which runs the built binary from bash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, validate } from '../src/compile.js';
import { InvalidRequirementsError } from '../src/diagnostics.js';
import { expandTree, MAX_EXPANDED_NODES } from '../src/load/expand.js';
import { MAX_FILE_BYTES } from '../src/load/document.js';
import { readAtMost } from '../src/load/read.js';
import { compileBlueprint } from '../src/render/blueprints.js';
import { MAX_SQL_CHARS, renderWithinLimit } from '../src/render/sqlSize.js';
import { CLI, STACK_TRACE, cliBuilt, runCliInProcess } from './helpers.js';

const TIMEOUT = 60_000;
const FILE = 'altan.yaml';
const TOO_LARGE = /^(altan\.yaml|<stdin>|\S+): file is more than 5242880 bytes \(5 MiB\), the limit \[file-too-large\]$/m;

let dir: string;
beforeAll(() => {
  if (!cliBuilt()) throw new Error(`${CLI} does not exist: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'altan-limits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a bash script (the CLI is $CLI, node is $NODE); its exit status is the CLI's, as the script says. */
function bash(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT, env: { ...process.env, CLI, NODE: process.execPath } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('reading stops at the size limit', () => {
  it('reads at most the bytes asked for, from a device that never ends', () => {
    expect(readAtMost('/dev/zero', 1000).byteLength).toBe(1000);
    expect(readAtMost('/dev/zero', MAX_FILE_BYTES + 1).byteLength).toBe(MAX_FILE_BYTES + 1);
  });

  it(
    'validate /dev/zero is refused as too large',
    async () => {
      const r = await runCliInProcess(['validate', '/dev/zero'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(TOO_LARGE);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'an endless pipe into standard input is refused, for every command that reads a file',
    () => {
      for (const command of ['validate', 'generate', 'plan', 'apply', 'verify']) {
        // The CLI's status, not yes's (which dies of SIGPIPE once the CLI stops reading).
        const url = command === 'validate' || command === 'generate' ? '' : ' --database-url postgres://nobody@127.0.0.1:1/none';
        const r = bash(`yes 'version: 1' | "$NODE" "$CLI" ${command} -${url}; exit \${PIPESTATUS[1]}`);
        expect(r.status, `${command}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(/^<stdin>: file is more than 5242880 bytes \(5 MiB\), the limit \[file-too-large\]$/m);
        // Refused before any connection: the database URL leads nowhere and was never tried.
        expect(r.stderr).not.toMatch(/database:|connect/);
      }
    },
    TIMEOUT * 2,
  );

  it(
    'a FIFO that never ends is refused',
    () => {
      const r = bash(
        `mkfifo endless.fifo && (yes '# more' > endless.fifo 2>/dev/null &) && "$NODE" "$CLI" validate endless.fifo; s=$?; rm -f endless.fifo; exit $s`,
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^endless\.fifo: file is more than 5242880 bytes \(5 MiB\), the limit \[file-too-large\]$/m);
    },
    TIMEOUT,
  );

  it(
    'a file of exactly the limit is read whole; one byte more is refused',
    async () => {
      const head = 'version: 1\n# ';
      const exact = `${head}${'x'.repeat(MAX_FILE_BYTES - head.length - 1)}\n`;
      expect(Buffer.byteLength(exact)).toBe(MAX_FILE_BYTES);
      writeFileSync(join(dir, 'exact.yaml'), exact);
      writeFileSync(join(dir, 'over.yaml'), `${exact}\n`);
      const ok = await runCliInProcess(['validate', 'exact.yaml'], { cwd: dir });
      expect(ok.status, ok.stderr).toBe(0);
      const over = await runCliInProcess(['validate', 'over.yaml'], { cwd: dir });
      expect(over.status).toBe(1);
      expect(over.stderr).toMatch(/^over\.yaml: file is more than 5242880 bytes/m);
      // The same through standard input.
      expect((await runCliInProcess(['validate', '-'], { cwd: dir, input: exact })).status).toBe(0);
      expect((await runCliInProcess(['validate', '-'], { cwd: dir, input: `${exact}\n` })).stderr).toMatch(TOO_LARGE);
    },
    TIMEOUT,
  );
});

describe('alias expansion has a budget in nodes produced', () => {
  const aliasErrors = async (text: string) => (await validate(text, { fileName: FILE })).errors.map((d) => `${d.line}:${d.column} ${d.rule}`);

  it("the issue's wide bomb (a 200,000-item list aliased 999 times) is refused at the alias that crosses the budget", async () => {
    const text = `version: 1\nx: &a [${Array(200_000).fill('0').join(',')}]\ny: [${Array(999).fill('*a').join(', ')}]\n`;
    // 200,001 nodes a copy, after 200,007 before them: the fourth alias (column 5 + 3 × 4) takes the document past a million.
    expect(await aliasErrors(text)).toEqual(['3:17 yaml-aliases']);
    expect((await validate(text, { fileName: FILE })).errors[0]?.message).toMatch(/past 1,000,000 values .*an alias counts as everything it copies/);
  });

  it('a small wide bomb and a nested one are refused too, at their alias', async () => {
    const wide = `version: 1\nx: &a [${Array(5000).fill('0').join(',')}]\ny: [${Array(999).fill('*a').join(',')}]\n`;
    // 5,001 nodes a copy, after 5,007 before them: alias number 199 (from column 5, 3 characters each) crosses.
    expect(await aliasErrors(wide)).toEqual([`3:${5 + 198 * 3} yaml-aliases`]);
    const levels = ['a: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 6; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const nested = `version: 1\nx:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    // Level 5 copies level 4 (111,111 nodes each) after 123,467 nodes: its eighth alias passes a million.
    expect(await aliasErrors(nested)).toEqual([`8:${12 + 7 * 5} yaml-aliases`]);
  });

  it('the budget is exact: one node more than it is refused, at the alias', () => {
    const doc = parseDocument('a: &x [1, 2, 3]\nb: *x\n');
    // Root map 1, keys a and b 2, the list 4, its copy 4: 11 nodes.
    expect('tree' in expandTree(doc.contents, 11)).toBe(true);
    const refused = expandTree(doc.contents, 10);
    expect('problems' in refused && refused.problems.map((p) => [p.rule, p.offset])).toEqual([['yaml-aliases', 19]]);
    expect(MAX_EXPANDED_NODES).toBe(1_000_000);
  });

  it('a file with more values than the budget and no alias is too large, not a bomb', () => {
    const doc = parseDocument(`x: [${Array(20).fill('0').join(',')}]\n`);
    const refused = expandTree(doc.contents, 10);
    expect('problems' in refused && refused.problems.map((p) => p.rule)).toEqual(['file-too-large']);
  });

  it('an alias inside the node it names, and one without an anchor, are refused at the alias', async () => {
    expect(await aliasErrors('version: 1\nx: &a [1, *a]\n')).toEqual(['2:11 yaml-aliases']);
    expect((await validate('version: 1\nx: &a [1, *a]\n')).errors[0]?.message).toMatch(/alias \*a is inside the node it names/);
    expect(await aliasErrors('version: 1\nx: *nowhere\n')).toEqual(['2:4 yaml-aliases']);
    expect((await validate('version: 1\nx: *nowhere\n')).errors[0]?.message).toMatch(/alias \*nowhere has no anchor &nowhere before it/);
  });

  it('aliases still expand as before: shared fields compile', async () => {
    const text = 'version: 1\nentities:\n  a:\n    fields: &f\n      title: { type: text, required: true }\n  b:\n    fields: *f\n';
    const { sql } = await compile(text, { fileName: FILE });
    expect(sql.match(/title text NOT NULL/g)).toHaveLength(2);
  });
});

describe('duplicate keys are found in linear time, at their positions', () => {
  it('among 20,000 entities, every duplicate is reported at its second key', async () => {
    const lines = ['version: 1', 'entities:'];
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`  e${i}:`, '    fields:', '      title: text');
      if (i % 5000 === 4999) {
        lines.push('      title: varchar(10)');
        expected.push(`${lines.length}:7`);
      }
    }
    lines.push('  e17:', '    fields: { a: text }');
    expected.push(`${lines.length - 1}:3`);
    const errors = (await validate(`${lines.join('\n')}\n`, { fileName: FILE })).errors;
    expect(errors.map((d) => `${d.line}:${d.column}`)).toEqual(expected);
    expect(new Set(errors.map((d) => `${d.rule}: ${d.message}`))).toEqual(new Set(['yaml-syntax: duplicate key: map keys must be unique']));
  });

  it('keys that the data would merge are duplicates: 1 and "1", in flow and block maps', async () => {
    const text = 'version: 1\nentities:\n  t:\n    fields: { a: text, "a": int }\n    indexes: []\n    1: x\n    "1": y\n';
    expect((await validate(text, { fileName: FILE })).errors.map((d) => `${d.line}:${d.column} ${d.rule}`)).toEqual(['4:24 yaml-syntax', '7:5 yaml-syntax']);
  });

  it('a duplicate is reported along with the syntax errors of the same file', async () => {
    const text = 'version: 1\nentities:\n  t:\n    fields: { a: text }\n    fields: [\n';
    const rules = (await validate(text, { fileName: FILE })).errors.map((d) => `${d.line}:${d.column} ${d.rule}`);
    expect(rules).toContain('5:5 yaml-syntax');
    expect(rules.length).toBeGreaterThan(1);
  });
});

describe('SQL too large for the output limit', () => {
  /** A 1 MiB description given to `n` entities through one alias: a 1 MiB file asking for n MiB of comments. */
  const descriptions = (n: number) => {
    const lines = ['version: 1', 'entities:', `  t0: { description: &d "${'x'.repeat(2 ** 20)}", fields: { a: text } }`];
    for (let i = 1; i < n; i++) lines.push(`  t${i}: { description: *d, fields: { a: text } }`);
    return `${lines.join('\n')}\n`;
  };

  it(
    'generate refuses it with a clear problem and exit 1, before building it',
    async () => {
      writeFileSync(join(dir, 'descriptions.yaml'), descriptions(70));
      const r = await runCliInProcess(['generate', 'descriptions.yaml'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^descriptions\.yaml: the generated SQL would be larger than the limit: the file's text alone, aliases expanded, is 73,40\d,\d{3} characters; the limit is 67,108,864 characters \(64 Mi\)\. .* \[sql-too-large\]$/m,
      );
      expect(r.stderr).not.toMatch(STACK_TRACE);
    },
    TIMEOUT,
  );

  it('the library throws InvalidRequirementsError holding the problem; under the limit it compiles', async () => {
    await expect(async () => compile(descriptions(70), { fileName: FILE })).rejects.toThrow(InvalidRequirementsError);
    try {
      await compile(descriptions(70), { fileName: FILE });
    } catch (e) {
      expect((e as InvalidRequirementsError).errors.map((d) => d.rule)).toEqual(['sql-too-large']);
    }
    const { sql } = await compile(descriptions(3), { fileName: FILE });
    expect(sql.length).toBeGreaterThan(3 * 2 ** 20);
    expect(sql.length).toBeLessThan(MAX_SQL_CHARS);
  });

  it("SQL rendered over a limit, and a string past V8's maximum inside a blueprint, are the same problem", async () => {
    const source = 'version: 1\nentities:\n  t:\n    fields: { a: text }\n';
    const { sql } = await compile(source, { fileName: FILE });
    const over = renderWithinLimit(FILE, 10, () => ({ sql }), sql.length - 1);
    expect('error' in over && over.error.rule).toBe('sql-too-large');
    expect('error' in over && over.error.message).toMatch(new RegExp(`^the generated SQL is ${sql.length.toLocaleString('en-US')} characters; the limit is`));
    expect('output' in renderWithinLimit(FILE, 10, () => ({ sql }), sql.length)).toBe(true);
    // EJS's error handler used to turn any error inside a blueprint into "a blueprint used <%=".
    const template = compileBlueprint('SELECT <%- it.x %>;', 'long.sql.ejs');
    const longer = () =>
      template({
        get x(): string {
          throw new RangeError('Invalid string length');
        },
      });
    expect(longer).toThrow(RangeError);
    const caught = renderWithinLimit(FILE, 10, () => ({ sql: longer() }));
    expect('error' in caught && caught.error.message).toMatch(/^the generated SQL is longer than a JavaScript string can be; the limit is 67,108,864/);
    // Other errors are not mistaken for it.
    expect(() =>
      renderWithinLimit(FILE, 10, () => ({
        sql: template({
          get x(): string {
            throw new TypeError('bug');
          },
        }),
      })),
    ).toThrow(TypeError);
  });
});
