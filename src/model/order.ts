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
  const remaining = new Set(tables);
  const done = new Set<string>();
  const order: string[] = [];
  const deferred = new Set<string>();
  const dependencies = (t: string) =>
    (references.get(t) ?? []).filter((r) => r.target !== t && remaining.has(r.target) && !done.has(r.target));
  const emit = (t: string) => {
    for (const r of dependencies(t)) deferred.add(`${t}.${r.column}`);
    remaining.delete(t);
    done.add(t);
    order.push(t);
  };
  for (const t of first) if (remaining.has(t)) emit(t);
  while (remaining.size > 0) {
    const sorted = [...remaining].sort();
    const ready = sorted.find((t) => dependencies(t).length === 0);
    emit(ready ?? (sorted[0] as string));
  }
  return { order, deferred };
}
