/**
 * The harness's own promises: fresh databases are bootstrapped clones that
 * dropDatabase() removes, and it refuses to drop anything else.
 */
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/database.js';
import { connect, dropDatabase, freshDatabase, testDatabaseUrl } from './harness.js';
import { databaseOf, databaseUrl, templateName } from './names.js';

const exists = async (name: string) => {
  const db = await openPostgres(databaseUrl(testDatabaseUrl(), 'postgres'));
  try {
    return (await db.query('SELECT FROM pg_database WHERE datname = $1', [name])).length === 1;
  } finally {
    await db.close();
  }
};

describe('freshDatabase and dropDatabase', () => {
  it('clone the bootstrapped template into a database of their own, then drop it', async () => {
    const [a, b] = await Promise.all([freshDatabase('harness a'), freshDatabase('harness b')]);
    expect(a).not.toBe(b);
    expect(databaseOf(a)).toMatch(new RegExp(`^altan_t_${process.pid}_\\d+_harness_a$`));
    expect(await exists(templateName())).toBe(true);
    const db = await connect(a);
    const [row] = await db.query(`SELECT to_regclass('storage.objects') IS NOT NULL AS storage, to_regprocedure('auth.uid()') IS NOT NULL AS uid`);
    expect(row).toEqual({ storage: true, uid: true });
    // dropDatabase ends whatever is still connected
    await Promise.all([dropDatabase(a), dropDatabase(b)]);
    expect(await exists(databaseOf(a))).toBe(false);
    expect(await exists(databaseOf(b))).toBe(false);
  });

  it('refuses to drop a database it did not make', async () => {
    await expect(dropDatabase(testDatabaseUrl())).rejects.toThrow(/was not made by freshDatabase/);
  });
});
