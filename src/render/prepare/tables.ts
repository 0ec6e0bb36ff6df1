/**
 * The nodes of a table (columns, constraints, policies, grants, indexes,
 * triggers, seed rows) → SQL text, one node at a time. Every string produced
 * here is built by the quoting module.
 */
import type { Column, ColumnDefault, Constraint, ForeignKey, Grants, Index, Policy, SeedRows, Trigger } from '../../model/model.js';
import { sqlLiteral } from '../../model/literals.js';
import { elementType } from '../../model/sqlTypes.js';
import type { JsonValue } from '../../model/input.js';
import type { SqlType } from '../../model/sqlTypes.js';
import { policyConditionSql } from '../conditions.js';
import { ident, qualified } from '../../sql/quote.js';

/** A value the file gave, as SQL; the validator has already checked that it fits. */
export function valueSql(type: SqlType, value: JsonValue): string {
  const r = sqlLiteral(type, value);
  if (!r.ok) throw new Error(`internal: a value that validation accepted does not render: ${r.message}`);
  return r.sql;
}

/** Author SQL in DEFAULT is wrapped in parentheses unless it is a bare call such as now(). */
export function defaultSql(type: SqlType, d: ColumnDefault): string {
  switch (d.kind) {
    case 'literal':
      return valueSql(type, d.value);
    case 'sql':
      return /^[A-Za-z_][A-Za-z0-9_.]*\(\)$/.test(d.sql) ? d.sql : `(${d.sql})`;
    case 'auth-uid':
      return 'auth.uid()';
    case 'now':
      return 'now()';
    case 'random-uuid':
      return 'gen_random_uuid()';
  }
}

/** A column as CREATE TABLE and ADD COLUMN write it. */
export function columnLine(c: Column): string {
  const parts = [ident(c.name), c.type.sql];
  if (c.notNull) parts.push('NOT NULL');
  if (c.default) parts.push(`DEFAULT ${defaultSql(c.type, c.default)}`);
  return parts.join(' ');
}

const columnList = (columns: readonly string[]) => columns.map(ident).join(', ');

/** A constraint as CREATE TABLE and ADD write it. */
export function constraintLine(c: Constraint): string {
  const head = `CONSTRAINT ${ident(c.name)}`;
  switch (c.kind) {
    case 'primary-key':
      return `${head} PRIMARY KEY (${columnList(c.columns)})`;
    case 'unique':
      return `${head} UNIQUE (${columnList(c.columns)})`;
    case 'check':
      return `${head} CHECK (${c.sql})`;
    case 'enum': {
      const element = elementType(c.type);
      const values = c.values.map((v) => valueSql(element, v));
      return c.type.array
        ? `${head} CHECK (${ident(c.column)} <@ ARRAY[${values.join(', ')}]::${c.type.sql})`
        : `${head} CHECK (${ident(c.column)} IN (${values.join(', ')}))`;
    }
  }
}

export function foreignKeySql(fk: ForeignKey): string {
  const target = `${qualified(fk.target.schema, fk.target.table)} (${ident(fk.target.column)})`;
  const onDelete = fk.onDelete === 'no action' ? '' : ` ON DELETE ${fk.onDelete.toUpperCase()}`;
  return `CONSTRAINT ${ident(fk.name)} FOREIGN KEY (${ident(fk.column)}) REFERENCES ${target}${onDelete}`;
}

export function indexSql(index: Index, on: string): string {
  const where = index.where === undefined ? '' : ` WHERE (${index.where})`;
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ident(index.name)} ON ${on} (${columnList(index.columns)})${where};`;
}

export interface PreparedPolicy {
  readonly name: string;
  readonly command: string;
  readonly roles: string;
  readonly using?: string;
  readonly check?: string;
}

export function preparePolicy(p: Policy, privateSchema: string): PreparedPolicy {
  return {
    name: ident(p.name),
    command: p.command,
    roles: p.roles.join(', '),
    ...(p.using ? { using: policyConditionSql(p.using, privateSchema) } : {}),
    ...(p.check ? { check: policyConditionSql(p.check, privateSchema) } : {}),
  };
}

/** The API roles' privileges on a table, from nothing. */
export function grantLines(qname: string, grants: Grants): string[] {
  // Start from nothing: Supabase's default privileges give the API roles everything on new tables.
  const lines = [`REVOKE ALL ON TABLE ${qname} FROM anon, authenticated;`];
  // INSERT and UPDATE on the writable columns only, when some are read-only or immutable.
  const privileges = (commands: readonly string[]) =>
    commands
      .map((c) =>
        grants.columns && c === 'INSERT'
          ? `INSERT (${columnList(grants.columns.insert)})`
          : grants.columns && c === 'UPDATE'
            ? `UPDATE (${columnList(grants.columns.update)})`
            : c,
      )
      .join(', ');
  const same = grants.anon.join() === grants.authenticated.join();
  if (same && grants.anon.length > 0) lines.push(`GRANT ${privileges(grants.anon)} ON TABLE ${qname} TO anon, authenticated;`);
  if (!same && grants.anon.length > 0) lines.push(`GRANT ${privileges(grants.anon)} ON TABLE ${qname} TO anon;`);
  if (!same && grants.authenticated.length > 0) lines.push(`GRANT ${privileges(grants.authenticated)} ON TABLE ${qname} TO authenticated;`);
  lines.push(`GRANT ALL ON TABLE ${qname} TO service_role;`);
  return lines;
}

/** The seed blueprint's pieces: an upsert of the file's rows by primary key. */
export function seedSql(qname: string, seed: SeedRows): { head: string; rows: string[]; conflict: string } {
  const rows = seed.rows.map(
    (row) => `(${row.map((v, i) => (v === undefined ? 'DEFAULT' : valueSql((seed.columns[i] as { type: SqlType }).type, v))).join(', ')})`,
  );
  const updatable = seed.columns.map((c) => c.name).filter((c) => !seed.conflictColumns.includes(c));
  const action = updatable.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updatable.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ')}`;
  return {
    head: `INSERT INTO ${qname} (${columnList(seed.columns.map((c) => c.name))}) VALUES`,
    rows,
    conflict: `ON CONFLICT (${columnList(seed.conflictColumns)}) ${action};`,
  };
}

export function triggerSql(tr: Trigger, qname: string, privateSchema: string): string {
  return `CREATE TRIGGER ${ident(tr.name)} ${tr.timing} ON ${qname} FOR EACH ROW EXECUTE FUNCTION ${qualified(privateSchema, tr.function)}();`;
}
