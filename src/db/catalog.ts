/**
 * Catalog checks as boolean SQL expressions, and one round trip that answers
 * a list of them: what bootstrap and preflight both ask before they act.
 * Names are the tool's own constants, except relations, which are quoted.
 */
import { literal } from '../sql/quote.js';
import type { Database } from './database.js';

export const roleExists = (name: string) => `EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}')`;
export const schemaExists = (name: string) => `EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = '${name}')`;
/** `name` as to_regclass reads it: `schema.table`, each part quoted where it needs to be (sql/quote's `qualified`). */
export const relationExists = (name: string) => `pg_catalog.to_regclass(${literal(name)}) IS NOT NULL`;
export const routineExists = (signature: string) => `pg_catalog.to_regprocedure('${signature}') IS NOT NULL`;

/** Each expression's value, in order, from one SELECT (false where it is not true). */
export async function evaluate(db: Database, expressions: readonly string[]): Promise<boolean[]> {
  if (expressions.length === 0) return [];
  const [row] = await db.query<Record<string, boolean>>(`SELECT ${expressions.map((e, i) => `(${e}) AS c${i}`).join(', ')}`);
  return expressions.map((_e, i) => row?.[`c${i}`] === true);
}
