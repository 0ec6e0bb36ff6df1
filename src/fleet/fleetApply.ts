/**
 * One compiled file to many databases from one process: `concurrency`
 * targets at a time, each with applyTarget (its own connection, lock,
 * transaction and record, retried when the failure passes), and a report
 * with every target's result in the targets' order, whatever order they
 * finished in. An abort starts no further target and cancels the running
 * ones (their transactions roll back); the report then says what finished.
 */
import type { CompileResult } from '../compile.js';
import { applyTarget } from './applyTarget.js';
import type { ApplyTargetOptions, TargetResult, TargetStatus } from './applyTarget.js';
import type { FleetTarget } from './targets.js';

export const DEFAULT_CONCURRENCY = 4;

export interface FleetApplyOptions extends Omit<ApplyTargetOptions, 'signal'> {
  /** How many targets are applied at once (default DEFAULT_CONCURRENCY); each holds one connection, two while it is cancelled. */
  readonly concurrency?: number;
  /** Called as each target finishes, in the order they finish; `index` is the target's place in the list. */
  readonly onResult?: (result: TargetResult, index: number) => void;
  /** Aborted: no further target starts, the running ones are cancelled and end `failed` with code `interrupted`. */
  readonly signal?: AbortSignal;
}

export interface FleetReport {
  /** The requirements file's name, as compiled. */
  readonly file: string;
  readonly fileSha256: string;
  /** When the fleet apply started (ISO 8601, UTC). */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** Every target ended applied, up to date (or, dry run, would be applied), and nothing was interrupted. */
  readonly ok: boolean;
  /** The abort came before every target finished. */
  readonly interrupted: boolean;
  /** Each target that was started, in the targets' order. */
  readonly targets: readonly TargetResult[];
  /** The names of the targets never started (after an abort), in the targets' order. */
  readonly notStarted: readonly string[];
  /** How many targets ended in each status. */
  readonly counts: Readonly<Record<TargetStatus, number>>;
}

/** The statuses that count as ending well. */
export const GOOD_STATUSES: ReadonlySet<TargetStatus> = new Set(['applied', 'up-to-date', 'dry-run']);

/** Applies `compiled` to every target, `concurrency` at a time; never throws for a target's failure. */
export async function fleetApply(compiled: CompileResult, targets: readonly FleetTarget[], options: FleetApplyOptions = {}): Promise<FleetReport> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const { concurrency = DEFAULT_CONCURRENCY, onResult, ...perTarget } = options;
  const results: (TargetResult | undefined)[] = new Array(targets.length).fill(undefined);
  let next = 0;
  // A pool of `concurrency` loops, each taking the next target as it finishes one: a slow target holds one slot only.
  const worker = async () => {
    while (next < targets.length && !options.signal?.aborted) {
      const index = next++;
      const result = await applyTarget(compiled, targets[index] as FleetTarget, perTarget);
      results[index] = result;
      onResult?.(result, index);
    }
  };
  const slots = Math.max(1, Math.min(Math.floor(concurrency), targets.length));
  await Promise.all(Array.from({ length: slots }, worker));

  const finished = results.filter((r): r is TargetResult => r !== undefined);
  const notStarted = targets.filter((_, i) => results[i] === undefined).map((t) => t.name);
  const counts: Record<TargetStatus, number> = { applied: 0, 'dry-run': 0, 'up-to-date': 0, destructive: 0, failed: 0 };
  for (const r of finished) counts[r.status]++;
  const interrupted = notStarted.length > 0 || finished.some((r) => r.code === 'interrupted');
  return {
    file: compiled.model.source.fileName,
    fileSha256: compiled.model.source.sha256,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    dryRun: options.dryRun === true,
    ok: !interrupted && finished.every((r) => GOOD_STATUSES.has(r.status)),
    interrupted,
    targets: finished,
    notStarted,
    counts,
  };
}
