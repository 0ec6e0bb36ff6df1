/**
 * Progress on a terminal (src/cli/progress.ts): a step still running after its
 * delay shows one line on stderr, cleared when it ends; nothing when stderr is
 * not a terminal, with --json, or for a step quicker than the delay. The
 * command-line cases take stderr for a terminal with a delay of 0 ms, so any
 * step that gives the event loop a turn is "slow".
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { progressFor } from '../src/cli/progress.js';
import { exampleProject, removeTemporaryDirectories, runCliInProcess } from './helpers.js';

afterAll(removeTemporaryDirectories);

const CLEAR = '\r\x1b[K';
const env = { DATABASE_URL: undefined };
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function fakeIo(progress: boolean, progressAfterMs: number): { io: CliIo; stderr: () => string } {
  let stderr = '';
  const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => void (stderr += t) }, env: {}, cwd: '.', progress, progressAfterMs };
  return { io, stderr: () => stderr };
}

describe('progressFor', () => {
  it('shows a slow step once its delay has passed, and clears it when it ends', async () => {
    const { io, stderr } = fakeIo(true, 20);
    const progress = progressFor(io, false);
    expect(
      await progress.step(
        'applying…',
        sleep(150).then(() => 42),
      ),
    ).toBe(42);
    expect(stderr()).toBe(`applying…${CLEAR}`);
  });

  it('shows nothing for a step quicker than its delay', async () => {
    const { io, stderr } = fakeIo(true, 500);
    await progressFor(io, false).step('applying…', sleep(10));
    await sleep(600); // the timer is gone: nothing comes late
    expect(stderr()).toBe('');
  });

  it('shows nothing when stderr is not a terminal, or with --json', async () => {
    for (const [tty, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const { io, stderr } = fakeIo(tty, 0);
      await progressFor(io, json).step('applying…', sleep(50));
      expect(stderr()).toBe('');
    }
  });

  it('clears a shown line before anything else is written to stderr, and when the step fails', async () => {
    const { io, stderr } = fakeIo(true, 0);
    const progress = progressFor(io, false);
    const failing = progress.step(
      'opening the embedded database…',
      sleep(100).then(() => {
        progress.io.stderr.write('warning: x\n');
        throw new Error('refused');
      }),
    );
    await expect(failing).rejects.toThrow('refused');
    expect(stderr()).toBe(`opening the embedded database…${CLEAR}warning: x\n`);
  });
});

describe('progress on the command line', () => {
  // PGlite runs a query without giving the event loop a turn, so on the embedded database the timer
  // fires during its open (files, WebAssembly) only; the server's steps: test/db/progress-server.test.ts.
  it('an embedded apply on a terminal shows its open, the line cleared; nothing with --json or without a terminal', { timeout: 120_000 }, async () => {
    const dir = exampleProject('todo');
    const shown = await runCliInProcess(['apply'], { cwd: dir, env, progressAfterMs: 0 });
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stderr).toMatch(/^opening the embedded database…\r\x1b\[Kdatabase: embedded database \.altan-cloud\/db \(PGlite\)/);
    expect(shown.stdout).not.toContain('\x1b');

    const json = await runCliInProcess(['apply', '--json'], { cwd: dir, env, progressAfterMs: 0 });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stderr).not.toContain('…');
    expect(json.stderr).not.toContain('\x1b');

    // An existing database opens while the file compiles: an invalid file closes it unused, lock file and all.
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nentities:\n  todos:\n    fields:\n      title: txet\n');
    const invalid = await runCliInProcess(['apply', 'bad.yaml'], { cwd: dir, env, progressAfterMs: 0 });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).not.toContain('database:');
    expect(existsSync(join(dir, '.altan-cloud', 'db.lock'))).toBe(false);

    const notTerminal = await runCliInProcess(['plan'], { cwd: dir, env });
    expect(notTerminal.status, notTerminal.stderr).toBe(0);
    expect(notTerminal.stderr).not.toContain('…');
    expect(notTerminal.stderr).not.toContain('\x1b');
  });
});
