/**
 * What to write instead of an unknown field type.
 *
 * Most unknown types are either a typo (`varchr`) or a name from Postgres or
 * another database for something the format spells differently (`int4`,
 * `timestamp with time zone`, `double`) or does not have (`serial`). A list of
 * sixty allowed types does not tell which: this module does.
 */
import { TYPE_NAMES, parseType } from '../model/sqlTypes.js';
import { suggest } from './suggest.js';

/** Other names for supported types: written the format's way, same column. */
const SAME_TYPE: Readonly<Record<string, string>> = {
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time without time zone': 'time',
  'character varying': 'varchar',
  character: 'char',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  double: 'double precision',
  bpchar: 'char',
};

const SERIAL =
  'serial types are not supported (the format creates no sequences or identity columns): ' +
  'without primary_key every entity gets id uuid DEFAULT gen_random_uuid(); ' +
  'for a number you assign, use integer or bigint';

/** Names of other types (or other databases' names), with the closest supported type and why. */
const CLOSEST: Readonly<Record<string, string>> = {
  serial: SERIAL,
  serial4: SERIAL,
  serial2: SERIAL,
  smallserial: SERIAL,
  bigserial: SERIAL,
  serial8: SERIAL,
  'time with time zone': 'time with time zone is not supported (Postgres advises against it): use timestamptz, or time',
  timetz: 'timetz is not supported (Postgres advises against it): use timestamptz, or time',
  money: 'money is not supported (its format depends on the server locale): use numeric(P,S), e.g. "numeric(12,2)"',
  tinyint: 'use smallint, the smallest integer type',
  mediumint: 'use integer',
  long: 'use bigint',
  number: 'use numeric, or integer for whole numbers',
  blob: 'use bytea for binary data',
  binary: 'use bytea for binary data',
  varbinary: 'use bytea for binary data',
  bytes: 'use bytea for binary data',
  nvarchar: 'use varchar (Postgres text is always Unicode)',
  varchar2: 'use varchar',
  citext: 'citext (an extension) is not supported: use text',
  cidr: 'use inet, which also holds networks (192.168.0.0/24)',
  enum: 'an enum is a list of values on a field: write { type: text, enum: [a, b] }',
  object: 'use jsonb',
  map: 'use jsonb',
  array: 'an array is its element type followed by [], e.g. "text[]"',
  list: 'an array is its element type followed by [], e.g. "text[]"',
};

/** The written type as name, parameters and array suffix (`varchr`, `(20)`, `[]`). */
const WRITTEN = /^\s*(.*?)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*(\[\])?\s*$/s;

/**
 * A short hint for an unknown type, to go before the list of allowed types:
 * ` (did you mean "varchar(20)"?)`, `: write "timestamptz", the same type`, or
 * `: serial is not supported ...`. Empty when nothing helpful is known.
 */
export function unknownTypeHint(written: string): string {
  const lower = written.toLowerCase();
  if (lower !== written && parseType(lower).ok) return `: type names are lower case, write "${lower.trim()}"`;
  const m = WRITTEN.exec(lower);
  const name = (m?.[1] ?? lower).replace(/\s+/g, ' ');
  const params = (m?.[2] ?? '').replace(/\s+/g, '');
  const array = m?.[3] ?? '';
  const same = SAME_TYPE[name];
  if (same !== undefined) {
    const proposed = `${same}${params}${array}`;
    if (parseType(proposed).ok) return `: write "${proposed}", the same type`;
  }
  const closest = CLOSEST[name];
  if (closest !== undefined) return `: ${closest}`;
  const typo = suggest(name, TYPE_NAMES);
  if (typo !== undefined && parseType(`${typo}${params}${array}`).ok) return ` (did you mean "${typo}${params}${array}"?)`;
  return '';
}
