/**
 * Timing and statistics for the benchmark. Every figure is taken as a ratio to
 * a floor measured in the same run, right beside it (alternating which goes
 * first), so that a busy or slow machine moves both and the ratio holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
const USAGE_HOOK = new URL('./usage.mjs', import.meta.url).href;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A fresh directory under the system's temporary directory; removed by `cleanup`. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `altan-bench-${prefix}-`));
}

export const cleanup = (dir) => rmSync(dir, { recursive: true, force: true });

/**
 * Runs a command to its end; returns its wall time in ms (spawn to exit) and,
 * for node processes, its CPU time (user + system, ms) and peak RSS (MiB). A failing command stops the
 * benchmark: a figure of a run that did not do its work would be meaningless. `options.status`: the
 * exit status that means it did (default 0; 1 for a file that must be refused).
 */
export function run(command, args, options = {}) {
  const isNode = command === process.execPath;
  const usageDir = isNode ? tempDir('usage') : undefined;
  const usageFile = usageDir && join(usageDir, 'usage.json');
  const fullArgs = isNode ? ['--import', USAGE_HOOK, ...args] : args;
  const started = performance.now();
  const result = spawnSync(command, fullArgs, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env, ...(usageFile ? { BENCH_USAGE_FILE: usageFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  let usage;
  if (usageDir) {
    try {
      usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    } catch {
      usage = undefined;
    }
    cleanup(usageDir);
  }
  if (result.error || result.status !== (options.status ?? 0)) {
    const why = result.error?.message ?? `exit ${result.status}`;
    throw new Error(`bench: ${[command, ...args].join(' ')} failed (${why}):\n${String(result.stderr).slice(0, 2000)}`);
  }
  return { ms: wallMs, cpuMs: usage && usage.cpu / 1000, rssMiB: usage && usage.maxRSS / 1024, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export const node = (args, options) => run(process.execPath, args, options);

/**
 * `runs` pairs of (subject, floor), each pair timed back to back with the order
 * alternating between runs; `warmup` unmeasured pairs first fill the file cache.
 * `subject` and `floor` return a number (ms, MiB, ...) for run `i`.
 */
export async function paired(runs, warmup, subject, floor) {
  for (let i = 0; i < warmup; i++) {
    await subject(-1 - i);
    await floor(-1 - i);
  }
  const subjects = [];
  const floors = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      subjects.push(await subject(i));
      floors.push(await floor(i));
    } else {
      floors.push(await floor(i));
      subjects.push(await subject(i));
    }
  }
  return { subjects, floors };
}

/**
 * One line of the results table. `subjects` and `floors` are per-run values
 * (same length); `unit` formats them; `check(subjectMedian, ratioMedian)` says
 * whether the target is met (undefined when the row has no target).
 */
export function row({ section, measure, unit, subjects, floors, floorName, target, check }) {
  const ratios = floors ? subjects.map((s, i) => s / floors[i]) : undefined;
  const subject = median(subjects);
  const ratio = ratios && median(ratios);
  return {
    section,
    measure,
    unit,
    subject,
    subjectRange: [Math.min(...subjects), Math.max(...subjects)],
    floor: floors && median(floors),
    floorName,
    ratio,
    ratioRange: ratios && [Math.min(...ratios), Math.max(...ratios)],
    runs: subjects.length,
    target,
    pass: check ? check(subject, ratio) : undefined,
  };
}
