/**
 * Values for fields that a client must send: valid for the field's type and
 * enum, tried in a few "families" so that a simple CHECK (a minimum, a
 * length, a pattern of lower-case letters) accepts one of them, and varied
 * by row where a unique key needs distinct values.
 */
import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../model/input.js';
import { sqlLiteral } from '../model/literals.js';
import type { Column, Constraint } from '../model/model.js';
import { elementType } from '../model/sqlTypes.js';
import type { SqlType } from '../model/sqlTypes.js';

/** How many alternative values a column is tried with before verify gives up on its CHECK. */
export const FAMILIES = 3;

const TEXTS = ['verify', 'v', 'A'];
const NUMBERS = [1, 0, 100];

function fitText(text: string, type: SqlType, slot: number, varying: boolean): string {
  const value = varying ? `${text}${slot}` : text;
  if (type.length === undefined || value.length <= type.length) return value;
  return varying ? String(slot).slice(-type.length) : value.slice(0, type.length);
}

function isoDate(daysAfter2030: number): string {
  return new Date(Date.UTC(2030, 0, 1 + daysAfter2030)).toISOString().slice(0, 10);
}

function scalar(type: SqlType, family: number, slot: number, varying: boolean): JsonValue {
  const pick = <T>(list: readonly T[]): T => list[family % list.length] as T;
  switch (type.base) {
    case 'text':
    case 'varchar':
    case 'char':
      return fitText(pick(TEXTS), type, slot, varying);
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'real':
    case 'double precision':
      return pick(NUMBERS) + (varying ? slot + 1 : 0);
    case 'boolean':
      return varying ? slot % 2 === 0 : family % 2 === 0;
    case 'uuid':
      return randomUUID();
    case 'date':
      return family % 2 === 0 ? isoDate(varying ? slot : 0) : '2000-01-01';
    case 'time':
      return `12:${String(varying ? slot % 60 : 0).padStart(2, '0')}:00`;
    case 'timestamp':
      return `${isoDate(varying ? slot : 0)} 12:00:00`;
    case 'timestamptz':
      return `${isoDate(varying ? slot : 0)} 12:00:00+00:00`;
    case 'interval':
      return `${(varying ? slot : 0) + 1} hours`;
    case 'json':
    case 'jsonb':
      return varying ? { verify: slot } : pick<JsonValue>([{}, [], 'verify']);
    case 'bytea':
      return varying ? `verify${slot}` : 'verify';
    case 'inet':
      return `192.0.2.${(varying ? slot : 0) + 1}`;
  }
}

export interface ValueRequest {
  readonly column: Column;
  /** A row number: rows of one table that need distinct values get distinct slots. */
  readonly slot: number;
  /** The column is part of a unique key: vary by slot. */
  readonly varying: boolean;
  readonly family: number;
  /** The column's enum values, when it has one. */
  readonly enumValues?: readonly JsonValue[];
}

/** An SQL literal for the column, or undefined when no value of this family fits the type. */
export function synthesize(request: ValueRequest): string | undefined {
  const { column, slot, varying, family, enumValues } = request;
  let value: JsonValue;
  if (enumValues !== undefined && enumValues.length > 0) {
    value = enumValues[(varying ? slot + family : family) % enumValues.length] as JsonValue;
  } else if (column.type.array) {
    // An empty list first: it passes length limits; then one element. A unique column needs an element to vary.
    value = family % 2 === 0 && !varying ? [] : [scalar(elementType(column.type), family, slot, varying)];
  } else {
    value = scalar(column.type, family, slot, varying);
  }
  const rendered = sqlLiteral(column.type, value);
  return rendered.ok ? rendered.sql : undefined;
}

/** The enum values of a column, from the table's constraints. */
export function enumOf(constraints: readonly Constraint[], column: string): readonly JsonValue[] | undefined {
  for (const c of constraints) if (c.kind === 'enum' && c.column === column) return c.values;
  return undefined;
}

/** The column a CHECK or enum constraint belongs to, by the constraint's name (as Postgres reports it). */
export function constrainedColumn(constraints: readonly Constraint[], name: string | undefined): string | undefined {
  for (const c of constraints) if ((c.kind === 'check' || c.kind === 'enum') && c.name === name) return c.column;
  return undefined;
}
