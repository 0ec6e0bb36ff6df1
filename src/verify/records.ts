/** Reading the plain records verify keeps by column name. */

/**
 * `record[key]` when the record has it as its own: a column may be named `__proto__` (or
 * `constructor`), which a plain object otherwise answers from its prototype.
 */
export const ownValue = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
