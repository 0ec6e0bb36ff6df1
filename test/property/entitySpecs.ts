/**
 * Random choices for entities: access levels, plain and reference fields,
 * indexes, seed-row material; the SQL defaults and CHECKs fields get; and the
 * access repairs that keep a map clear of what the `write-access` rule refuses.
 */
import fc from 'fast-check';
import { PRESETS as PRESET_ACCESS, plainLevel } from '../../src/model/resolve.js';
import { dollar, lit, nameArb, nastyString, q } from './names.js';
import { fieldFlagArb, termSpecArb } from './accessTerms.js';
import { ENUM_BASES, enumArb, sampleKey, typeArb, valueArb } from './values.js';
import type { ArbValue, TypeSpec } from './values.js';

/** An SQL default that fits the type (it must parse, and run: apply-random.test.ts inserts seed rows that use it); NULL for some types. */
export function sqlDefaultFor(t: TypeSpec, nasty: string): string {
  if (t.array) return 'NULL';
  switch (t.base) {
    case 'timestamp':
    case 'timestamptz':
      return 'now()';
    case 'date':
      return 'CURRENT_DATE';
    case 'uuid':
      return 'gen_random_uuid()';
    case 'text':
    case 'varchar':
      return t.length === undefined ? `${lit(nasty)} || ${dollar(nasty)} /* ' ; */` : `''`;
    case 'numeric':
      // numeric(1,1) holds no 2
      return t.length !== undefined && t.length - (t.scale ?? 0) < 1 ? '0 * 1' : '1 + 1';
    case 'smallint':
    case 'integer':
    case 'bigint':
      return '1 + 1';
    case 'boolean':
      return 'NOT false';
    default:
      return 'NULL';
  }
}

/**
 * A CHECK over the field itself, with literals that hold the nasty text. Only
 * variant 0 (IS NOT NULL) can be false — for a NULL — so seed rows must give
 * that column; the others hold for every value, whatever the nasty text is.
 */
export function checkFor(column: string, variant: number, nasty: string): string {
  switch (variant % 4) {
    case 0:
      return `${q(column)} IS NOT NULL`;
    case 1:
      return `${q(column)} IS NULL OR ${lit(nasty)} IS NOT NULL`;
    case 2:
      return `(${q(column)} IS NULL) OR (length(${dollar(nasty)}) >= 0) /* ( ' " */`;
    default:
      return `(E'\\'' <> ${lit(nasty)}) IS NOT NULL OR ${q(column)} IS NULL`;
  }
}

// ---------------------------------------------------------------------------
// File specs: random choices
// ---------------------------------------------------------------------------

const PRESETS = ['owner', 'public-read', 'authenticated-read', 'org', 'reference', 'private'] as const;
const LEVELS = ['public', 'authenticated', 'owner', 'org', 'none'] as const;
type Level = (typeof LEVELS)[number];
type Op = 'read' | 'create' | 'update' | 'delete';
export const OPS: readonly Op[] = ['read', 'create', 'update', 'delete'];

const accessArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(...PRESETS) },
  {
    weight: 3,
    arbitrary: fc
      .record(
        { read: fc.constantFrom(...LEVELS), create: fc.constantFrom(...LEVELS), update: fc.constantFrom(...LEVELS), delete: fc.constantFrom(...LEVELS) },
        { requiredKeys: [] },
      )
      .filter((m) => Object.keys(m).length > 0),
  },
);

const plainFieldArb = fc.tuple(nameArb, typeArb).chain(([name, type]) =>
  fc.record({
    kind: fc.constant('plain' as const),
    name: fc.constant(name),
    type: fc.constant(type),
    shorthand: fc.nat(4).map((n) => n === 0),
    required: fc.boolean(),
    unique: fc.nat(3).map((n) => n === 0),
    enumValues: ENUM_BASES.has(type.base) ? fc.option(enumArb(type), { nil: undefined }) : fc.constant(undefined),
    defaultKind: fc.constantFrom('none', 'none', 'literal', 'literal', 'null', 'sql'),
    literal: valueArb(type),
    picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    check: fc.option(fc.nat(3), { nil: undefined, freq: 3 }),
    nasty: nastyString(4),
    description: fc.option(nastyString(8), { nil: undefined }),
    flag: fieldFlagArb,
    samples: fc.uniqueArray(
      valueArb(type).filter((v) => v !== null),
      { maxLength: 4, selector: (v) => sampleKey(type, v) },
    ),
  }),
);
export type PlainFieldSpec = ArbValue<typeof plainFieldArb>;

const refFieldArb = fc.record({
  kind: fc.constant('ref' as const),
  name: nameArb,
  target: fc.nat(),
  typed: fc.boolean(),
  shorthandMap: fc.boolean(),
  required: fc.nat(3).map((n) => n === 0),
  unique: fc.nat(4).map((n) => n === 0),
  onDelete: fc.constantFrom(undefined, 'cascade', 'set null', 'restrict', 'no action'),
  check: fc.option(fc.nat(3), { nil: undefined, freq: 4 }),
  nasty: nastyString(3),
  description: fc.option(nastyString(6), { nil: undefined }),
  flag: fieldFlagArb,
});
export type RefFieldSpec = ArbValue<typeof refFieldArb>;
export type FieldSpec = PlainFieldSpec | RefFieldSpec;

/** A role of an entity's members: the usual ones, or any name (reserved words, 63 bytes, …). */
const roleArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('admin', 'editor', 'viewer', 'member') }, { weight: 1, arbitrary: nameArb });

/** `members: true`, or its map; table and column are fitted to the file by buildFile (members.ts). */
const membersSpecArb = fc.record({
  asTrue: fc.nat(3).map((n) => n === 0),
  roles: fc.option(fc.uniqueArray(roleArb, { minLength: 1, maxLength: 4 }), { nil: undefined }),
  join: fc.constantFrom(undefined, 'invite', 'open'),
  table: fc.option(nameArb, { nil: undefined, freq: 3 }),
  column: fc.option(nameArb, { nil: undefined, freq: 3 }),
});
export type MembersSpec = ArbValue<typeof membersSpecArb>;

const indexSpecArb = fc.record({
  columns: fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 3 }),
  form: fc.constantFrom('list', 'map'),
  unique: fc.boolean(),
  where: fc.option(fc.nat(), { nil: undefined }),
});

export const entitySpecArb = fc.record({
  description: fc.option(nastyString(8), { nil: undefined }),
  access: accessArb,
  /** Terms added to a map's operations once the fields are known (accessTerms.ts). */
  terms: fc.array(termSpecArb, { maxLength: 4 }),
  ownerMode: fc.constantFrom('default', 'default', 'named', 'declared', 'declared-default', 'profile'),
  ownerName: nameArb,
  ownerStyle: fc.constantFrom('uuid', 'map', 'ref-auth', 'typed-ref'),
  ownerOnDelete: fc.constantFrom(undefined, 'cascade', 'restrict', 'no action'),
  pkMode: fc.constantFrom('implicit', 'implicit', 'single', 'composite'),
  timestamps: fc.constantFrom(undefined, true, false),
  /** Mostly left out; true in about one entity of five. */
  realtime: fc.constantFrom(undefined, undefined, undefined, false, true),
  fields: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: plainFieldArb }, { weight: 1, arbitrary: refFieldArb }), {
    maxLength: 5,
    selector: (f: FieldSpec) => f.name,
  }),
  indexes: fc.array(indexSpecArb, { maxLength: 3 }),
  /** Members of each row, in about one entity of three. */
  members: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: membersSpecArb }),
  /** A reference to an entity generated before this one (or to the organizations): what via terms mostly go through. */
  parent: fc.option(refFieldArb, { nil: undefined }),
  rows: fc.nat(3),
  rowIds: fc.uniqueArray(fc.uuid(), { minLength: 3, maxLength: 3 }),
  /** Distinct: the owner column may be in a unique index. */
  rowUsers: fc.uniqueArray(fc.uuid(), { minLength: 3, maxLength: 3 }),
  rowMasks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  /** Without fields: `t: {}`, or `fields: {}`. */
  emptyForm: fc.constantFrom('map', 'fields'),
  /** A single-field primary key written as a name, or as a list of one. */
  pkAsList: fc.boolean(),
});
export type EntitySpec = ArbValue<typeof entitySpecArb>;

// ---------------------------------------------------------------------------
// Access repairs
// ---------------------------------------------------------------------------

/** `owned`: the entity has an owner column whatever its levels (it has members). */
export function repairAccess(access: EntitySpec['access'], owned = false): EntitySpec['access'] {
  if (access === undefined || typeof access === 'string') return access;
  const map: Partial<Record<Op, Level>> = { ...access };
  for (const op of ['update', 'delete'] as const) if (map[op] === 'public') map[op] = 'none';
  const values = () => OPS.map((op) => map[op]);
  if (values().includes('org')) for (const op of ['update', 'delete'] as const) if (map[op] === 'authenticated') map[op] = 'org';
  if (map.create === 'public' && (owned || values().some((l) => l === 'owner' || l === 'org'))) map.create = 'authenticated';
  return map;
}

export function effective(access: EntitySpec['access']): Record<Op, Level> {
  // The presets are the format's own table (src/model/resolve.ts): the generator plans with the same meaning.
  const levels = (preset: string): Record<Op, Level> => {
    const rules = PRESET_ACCESS[preset];
    return Object.fromEntries(OPS.map((op) => [op, (rules ? plainLevel(rules[op]) : undefined) ?? 'none'])) as Record<Op, Level>;
  };
  if (access === undefined) return levels('owner');
  if (typeof access === 'string') return levels(access);
  return { read: access.read ?? 'none', create: access.create ?? 'none', update: access.update ?? 'none', delete: access.delete ?? 'none' };
}
