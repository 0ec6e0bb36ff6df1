/**
 * `realtime: true` → the table's membership of the publication Supabase
 * Realtime reads, one object per table. Both statements look before they act,
 * so that running them again, on a Supabase project (whose publication
 * exists), or on a table someone already published changes nothing: the
 * add makes the publication when it is absent and adds the table when it is
 * not published yet; the removal takes out only a table the publication
 * lists by name (one defined FOR ALL TABLES, or for the whole schema, keeps
 * publishing it). The publication itself is never dropped: the project and
 * other files use it too.
 */
import type { Model, Table } from '../model/model.js';
import { REALTIME_PUBLICATION } from '../model/model.js';
import { dollarQuote, ident, literal, qualified } from '../sql/quote.js';
import { renderBlueprint } from './blueprints.js';
import { catalogKey } from './sqlObject.js';
import type { SqlObject } from './sqlObject.js';

function guarded(change: 'ADD' | 'DROP', schema: string, table: string): string {
  const publicationName = literal(REALTIME_PUBLICATION);
  const condition =
    change === 'ADD'
      ? // pg_publication_tables also lists what FOR ALL TABLES and FOR TABLES IN SCHEMA publish.
        `NOT EXISTS (SELECT FROM pg_catalog.pg_publication_tables WHERE pubname = ${publicationName} AND schemaname = ${literal(schema)} AND tablename = ${literal(table)})`
      : // Listed by name: what FOR ALL TABLES or FOR TABLES IN SCHEMA publishes cannot be dropped one table at a time.
        `EXISTS (SELECT FROM pg_catalog.pg_publication_rel AS r JOIN pg_catalog.pg_publication AS p ON p.oid = r.prpubid WHERE p.pubname = ${publicationName} AND r.prrelid = pg_catalog.to_regclass(${literal(qualified(schema, table))}))`;
  const body = renderBlueprint('realtime', {
    create: change === 'ADD',
    publication: ident(REALTIME_PUBLICATION),
    publicationName,
    condition,
    change,
    table: qualified(schema, table),
  });
  return `DO ${dollarQuote(`\n${body}`, 'realtime')};`;
}

/** `ALTER PUBLICATION supabase_realtime ADD TABLE …`, when the table is not published yet (the publication made first when absent). */
export const realtimeAddSql = (schema: string, table: string): string => guarded('ADD', schema, table);

/** `ALTER PUBLICATION supabase_realtime DROP TABLE …`, when the publication lists the table. */
export const realtimeDropSql = (schema: string, table: string): string => guarded('DROP', schema, table);

/** One object per table with `realtime: true`, in the model's table order. */
export function realtimeObjects(model: Model): SqlObject[] {
  return model.tables
    .filter((t): t is Table & { realtime: true } => t.realtime === true)
    .map((t) => ({
      kind: 'realtime',
      table: t.name,
      name: REALTIME_PUBLICATION,
      statements: [realtimeAddSql(model.schema, t.name)],
      drop: realtimeDropSql(model.schema, t.name),
      presence: [catalogKey('realtime', t.name, REALTIME_PUBLICATION)],
      meaning: { schema: model.schema, publication: REALTIME_PUBLICATION },
      path: ['entities', t.name, 'realtime'],
    }));
}
