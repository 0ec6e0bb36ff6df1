/**
 * Random choices for a whole file: buckets, materialized views, jobs, the
 * YAML output style, and `fileSpecArb` that gathers them with the entities.
 */
import fc from 'fast-check';
import { nameArb, nastyString, slugArb } from './names.js';
import { digitsText } from './values.js';
import type { ArbValue } from './values.js';
import { entitySpecArb } from './entitySpecs.js';

const MIME_CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-'];
const mimeName = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), fc.array(fc.constantFrom(...MIME_CHARS), { maxLength: 8 }), fc.boolean())
  .map(([h, t, upper]) => (upper ? (h + t.join('')).toUpperCase() : h + t.join('')));
const mimeArb = fc.tuple(mimeName, fc.oneof(mimeName, fc.constant('*'))).map(([a, b]) => `${a}/${b}`);

const bucketSpecArb = fc.record({
  public: fc.option(fc.boolean(), { nil: undefined }),
  size: fc.option(
    fc.oneof(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc
        .tuple(fc.integer({ min: 1, max: 1023 }), fc.option(digitsText(1, 3)), fc.constantFrom(' ', ''), fc.constantFrom('B', 'KB', 'mb', 'Gb', 'kB'))
        .map(([n, f, sp, unit]) => `${n}${f === null ? '' : `.${f}`}${sp}${unit}`),
    ),
    { nil: undefined },
  ),
  mimes: fc.option(fc.uniqueArray(mimeArb, { minLength: 1, maxLength: 3, selector: (m) => m.toLowerCase() }), { nil: undefined }),
  access: fc.option(
    fc.record(
      {
        read: fc.constantFrom('public', 'authenticated', 'owner'),
        upload: fc.constantFrom('authenticated', 'owner'),
        update: fc.constantFrom('owner', 'none'),
        delete: fc.constantFrom('owner', 'none'),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

const refreshArb = fc.oneof(
  fc.constantFrom('hourly', 'daily', ' Hourly ', 'DAILY', 'every 1 minute', 'every 15 minutes', 'every 60 minutes', 'every  5 minutes'),
  fc.constantFrom('*/10 8-18 * * mon-fri', '0 0 * * *', '5,35 * * * *', '0  3 1 jan,jul *', '* * * * 0-7', '0 12 * * SUN'),
);

/**
 * A view: which query shape over which table, the names of its output columns
 * (random names, so that derived index names are stressed), and picks among
 * those columns for unique_key and indexes (buildViews.ts).
 */
const viewSpecArb = fc.record({
  name: nameArb,
  variant: fc.nat(5),
  entity: fc.nat(),
  column: fc.nat(),
  nasty: nastyString(4),
  aliases: fc.uniqueArray(nameArb, { minLength: 2, maxLength: 2 }),
  uniqueKey: fc.option(fc.nat(), { nil: undefined }),
  indexes: fc.option(fc.array(fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 2 }), { maxLength: 2 }), { nil: undefined }),
  refresh: fc.option(refreshArb, { nil: undefined }),
  access: fc.option(fc.constantFrom('none', 'authenticated', 'public'), { nil: undefined }),
});
export type ViewSpec = ArbValue<typeof viewSpecArb>;

/** Job SQL, as choices (buildViews.ts writes it over the generated tables): several statements, quotes, `$$`, `$job$`, and sometimes ending in `$job` (in a comment). */
const jobSqlArb = fc.record({
  parts: fc.array(fc.tuple(fc.nat(5), nastyString(3), fc.nat()), { minLength: 1, maxLength: 3 }),
  tail: fc.constantFrom('', ';', ' -- ends in $job', ' -- $job$', '\n'),
  lead: fc.constantFrom('', '  ', '\n'),
});

const jobSpecArb = fc.record({ name: slugArb, schedule: refreshArb, sql: jobSqlArb });
export type JobSpec = ArbValue<typeof jobSpecArb>;

const styleArb = fc.record({
  // Not BLOCK_LITERAL: yaml 2.9's stringify mis-indents block scalars that start with spaces.
  defaultStringType: fc.constantFrom('PLAIN', 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
  collectionStyle: fc.constantFrom('any', 'any', 'block', 'flow'),
  indent: fc.constantFrom(2, 2, 4),
  // Block scalars or not (see toYaml).
  blockQuote: fc.constantFrom<boolean | 'literal' | 'folded'>(true, 'literal', false),
});

export const fileSpecArb = fc.record({
  schema: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant('public') }, { weight: 2, arbitrary: nameArb }),
  dollarSchema: fc.option(nastyString(3), { nil: undefined, freq: 5 }),
  entityNames: fc.uniqueArray(nameArb, { maxLength: 4 }),
  entities: fc.array(entitySpecArb, { minLength: 4, maxLength: 4 }),
  buckets: fc.uniqueArray(fc.tuple(slugArb, bucketSpecArb), { maxLength: 2, selector: ([id]) => id }),
  views: fc.uniqueArray(viewSpecArb, { maxLength: 2, selector: (v) => v.name }),
  jobs: fc.uniqueArray(jobSpecArb, { maxLength: 2, selector: (j) => j.name }),
  empty: fc.constantFrom('omit', 'null', 'map'),
  style: styleArb,
});
export type FileSpec = ArbValue<typeof fileSpecArb>;
