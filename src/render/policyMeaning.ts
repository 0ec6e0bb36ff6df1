/**
 * What a table's policy is, for plan's fingerprint, and the author's SQL in
 * it: each term's `where` is author SQL, compared by Postgres's parse tree
 * (respacing a where changes no policy), and a fragment of the policy.
 */
import type { Condition, Policy, Table } from '../model/model.js';
import type { Fragment } from './sqlObject.js';

/** A policy's condition with each term's `where` as author SQL (the form objects.ts gives checks and defaults). */
function conditionMeaning(c: Condition | undefined): unknown {
  if (c === undefined) return undefined;
  if (c.kind === 'where') return { ...c, sql: { authorSql: c.sql, as: 'expression' } };
  if (c.kind === 'all' || c.kind === 'any') return { ...c, of: c.of.map(conditionMeaning) };
  return c;
}

/** The policy's meaning: its node, with its conditions' where as author SQL, and the schema its helpers live in. */
export const policyMeaning = (pol: Policy, privateSchema: string) => ({
  ...pol,
  using: conditionMeaning(pol.using),
  check: conditionMeaning(pol.check),
  privateSchema,
});

const OPERATION_OF = { SELECT: 'read', INSERT: 'create', UPDATE: 'update', DELETE: 'delete' } as const;

/** The `where` of each term of the operation a policy serves: plan loads the parser for them. */
export function whereFragments(t: Table, command: Policy['command']): Fragment[] {
  const op = OPERATION_OF[command];
  return (t.access?.[op] ?? []).flatMap((term): Fragment[] =>
    term.where === undefined
      ? []
      : [
          {
            sql: term.where,
            what: `where of ${term.at !== undefined ? `term ${term.at + 1} of ` : ''}access.${op} of entity "${t.name}"`,
            path: ['entities', t.name, 'access', op, ...(term.at !== undefined ? [term.at] : []), 'where'],
            kind: 'expression',
          },
        ],
  );
}
