/**
 * What a generated file promises: the literals the SQL must contain
 * (`LiteralCheck`s) and the constant Postgres must see for a value.
 */
import { elementOf } from './values.js';
import type { Json, TypeSpec } from './values.js';

/** What the SQL must contain, as Postgres parses it. */
export type Expected = { kind: 'string'; value: string } | { kind: 'null' } | { kind: 'array'; items: (Expected | undefined)[] };

export type LiteralCheck =
  | { kind: 'table-comment'; table: string; value: string }
  | { kind: 'column-comment'; table: string; column: string; value: string }
  | { kind: 'default'; table: string; column: string; expected: Expected }
  | { kind: 'enum'; table: string; column: string; values: string[] }
  | { kind: 'row'; table: string; row: number; column: string; expected: Expected }
  | { kind: 'bucket'; id: string; mimes?: string[] }
  | { kind: 'job'; name: string; command: string };

export interface GeneratedFile {
  readonly doc: Record<string, unknown>;
  readonly text: string;
  readonly checks: readonly LiteralCheck[];
}

/** The string constant Postgres must see for a value of the type, when it is a string; undefined when not checked. */
export function expectedConstant(t: TypeSpec, v: Json): Expected | undefined {
  if (v === null) return { kind: 'null' };
  if (t.array) {
    const items = (v as Json[]).map((item) => expectedConstant(elementOf(t), item));
    return { kind: 'array', items };
  }
  switch (t.base) {
    case 'text':
    case 'varchar':
    case 'char':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
    case 'inet':
      return { kind: 'string', value: v as string };
    case 'uuid':
      return { kind: 'string', value: (v as string).toLowerCase() };
    case 'json':
    case 'jsonb':
      return { kind: 'string', value: JSON.stringify(v) };
    case 'bytea':
      return { kind: 'string', value: `\\x${Buffer.from(v as string, 'utf8').toString('hex')}` };
    case 'real':
    case 'double precision':
      if (Number.isNaN(v)) return { kind: 'string', value: 'NaN' };
      if (v === Infinity) return { kind: 'string', value: 'Infinity' };
      if (v === -Infinity) return { kind: 'string', value: '-Infinity' };
      return undefined;
    default:
      return undefined;
  }
}
