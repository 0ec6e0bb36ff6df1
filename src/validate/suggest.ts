/**
 * "Did you mean ...?" for misspelt keys, values and names. Typos in a
 * requirements file are mostly one slip of the finger (a swapped pair, a
 * missing letter, `-` for `_`), so a small edit distance is enough.
 */

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo;
 * `undefined` otherwise. Case is ignored when measuring, and a candidate equal
 * to `word` is never returned (it would not help anyone). Ties go to the
 * candidate listed first, so callers control the order of preference.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const wanted = word.toLowerCase();
  // Allow roughly one slip per three characters, and always at least one.
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Levenshtein distance where swapping two neighbouring characters counts as a
 * single edit ("optimal string alignment"): `feilds` is one step from `fields`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rolling rows: the one before the previous is needed for swaps.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] as number) + 1, // delete from a
        (current[j - 1] as number) + 1, // insert into a
        (previous[j - 1] as number) + cost, // substitute
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (beforePrevious[j - 2] as number) + 1); // swap neighbours
      }
      current.push(d);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
