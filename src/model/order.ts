/**
 * Tables in foreign-key order: a table comes after the tables it references.
 * Ties are broken by name so the order never depends on the file's key order.
 * A cycle is broken at the smallest name: that table is created first and its
 * foreign keys to tables not yet created are added afterwards.
 */
export interface OrderResult {
  readonly order: readonly string[];
  /** `table.column` pairs whose foreign key must be added after all tables exist. */
  readonly deferred: ReadonlySet<string>;
}

export function foreignKeyOrder(
  tables: readonly string[],
  references: ReadonlyMap<string, readonly { column: string; target: string }[]>,
  first: readonly string[] = [],
): OrderResult {
  const known = new Set(tables);
  const done = new Set<string>();
  const order: string[] = [];
  const deferred = new Set<string>();
  // Kahn's algorithm: how many references to tables not yet created each table still has, and who
  // references whom. The same order as picking, at every step, the smallest name that is ready, in
  // O(n log n) rather than a sort of the remaining tables per step.
  const waiting = new Map<string, number>();
  const referencedBy = new Map<string, string[]>();
  for (const t of tables) {
    let n = 0;
    for (const r of references.get(t) ?? []) {
      if (r.target === t || !known.has(r.target)) continue;
      n++;
      const list = referencedBy.get(r.target);
      if (list) list.push(t);
      else referencedBy.set(r.target, [t]);
    }
    waiting.set(t, n);
  }
  const ready = new MinHeap();
  for (const t of tables) if (waiting.get(t) === 0) ready.push(t);
  const byName = [...known].sort();
  let smallest = 0;
  const emit = (t: string) => {
    for (const r of references.get(t) ?? []) {
      if (r.target !== t && known.has(r.target) && !done.has(r.target)) deferred.add(`${t}.${r.column}`);
    }
    done.add(t);
    order.push(t);
    for (const u of referencedBy.get(t) ?? []) {
      const n = (waiting.get(u) ?? 0) - 1;
      waiting.set(u, n);
      if (n === 0 && !done.has(u)) ready.push(u);
    }
  };
  for (const t of first) if (known.has(t) && !done.has(t)) emit(t);
  while (done.size < known.size) {
    let next = ready.pop();
    while (next !== undefined && done.has(next)) next = ready.pop();
    if (next === undefined) {
      // A cycle: the smallest name not yet created goes first; its references wait (deferred).
      while (done.has(byName[smallest] as string)) smallest++;
      next = byName[smallest] as string;
    }
    emit(next);
  }
  return { order, deferred };
}

/** Names, smallest first (code-unit order, as Array.prototype.sort compares strings). */
class MinHeap {
  private readonly items: string[] = [];

  push(item: string): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as string) <= item) break;
      a[i] = a[parent] as string;
      a[parent] = item;
      i = parent;
    }
  }

  pop(): string | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && (a[l] as string) < (a[m] as string)) m = l;
      if (r < a.length && (a[r] as string) < (a[m] as string)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as string, a[i] as string];
      i = m;
    }
    return top;
  }
}
