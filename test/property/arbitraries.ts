/**
 * fast-check arbitraries for requirements files.
 *
 * `fileArb` draws a `FileSpec` — plain random choices (names, types, values,
 * access levels, numbers that pick a referenced entity or an enum value) —
 * and `buildFile` turns it into a requirements object that follows the
 * format's rules (docs/format.md): names that fit the patterns, values that
 * fit their types, references to generated entities (chains, cycles and
 * self-references included), owner fields that are uuids, access maps
 * without the combinations the `write-access` rule refuses, seed rows with
 * unique keys, and so on. Building from choices (rather than chaining
 * generators on each other) keeps shrinking effective: a failure shrinks to
 * a file with few entities, few fields and short strings.
 *
 * The files also apply (apply-random.test.ts): author SQL — checks, SQL
 * defaults, index conditions, view queries and their keys, job SQL — is valid
 * for the schema generated with it, and seed rows satisfy every constraint
 * (values fit their scale, unique columns get values distinct as Postgres
 * compares them, no rows where a foreign key could not be met).
 *
 * The object is written with the `yaml` package's `stringify`, so strings
 * with quotes, backslashes, newlines, `$$`, emoji and control characters are
 * encoded as YAML says, in a randomly chosen string and collection style.
 *
 * Besides the document, `buildFile` records what the SQL must contain
 * (`LiteralCheck`s): descriptions, literal defaults, enum values, seed
 * values, bucket ids and mime types, job names and commands.
 *
 * The pieces live in names.ts (strings, names, quoting), values.ts (types
 * and values), pgValues.ts (values as Postgres holds them), entitySpecs.ts
 * and fileSpec.ts (the random choices), expected.ts (the checks),
 * buildFile.ts, buildRows.ts (seed rows), buildViews.ts (views and jobs), and
 * documents.ts (`put`, `sameData`, `toYaml`); this module assembles `fileArb`
 * and reads FUZZ_RUNS.
 */
import fc from 'fast-check';
import { buildFile } from './buildFile.js';
import type { GeneratedFile } from './expected.js';
import { fileSpecArb } from './fileSpec.js';

// ---------------------------------------------------------------------------
// Run counts
// ---------------------------------------------------------------------------

const fuzzRuns = Number(process.env.FUZZ_RUNS ?? '');
/** `FUZZ_RUNS=N` (a positive integer) runs every property N times, for long local runs. */
export const FUZZ_RUNS: number | undefined = Number.isInteger(fuzzRuns) && fuzzRuns > 0 ? fuzzRuns : undefined;

/** Runs of one property: its default, or FUZZ_RUNS. */
export function numRuns(defaultRuns: number): number {
  return FUZZ_RUNS ?? defaultRuns;
}

/**
 * `FUZZ_SEED=S FUZZ_PATH=P` replays the run a failure printed (`{ seed: S, path: "P" }`), for the
 * properties that pass `replay()` to fc.assert (the database ones, whose failures are not shrunk).
 */
export function replay(): { seed?: number; path?: string } {
  const seed = Number(process.env.FUZZ_SEED ?? '');
  if (process.env.FUZZ_SEED === undefined || !Number.isInteger(seed)) return {};
  return { seed, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) };
}

/** A test timeout that grows with FUZZ_RUNS (the default fits the default run count). */
export function timeoutFor(defaultRuns: number, defaultTimeout = 30_000): number {
  return Math.max(defaultTimeout, Math.ceil((defaultTimeout * numRuns(defaultRuns)) / defaultRuns));
}

/** Counterexamples print as the YAML file itself: ready to save and replay with the CLI. */
function printable(file: GeneratedFile): GeneratedFile {
  return Object.assign(file, { [fc.toStringMethod]: () => `requirements file:\n${file.text}` });
}

/** A generated, (meant to be) valid requirements file. */
export const fileArb: fc.Arbitrary<GeneratedFile> = fileSpecArb.map((spec) => printable(buildFile(spec)));
