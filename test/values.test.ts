/** Literal values of each type, schedules and derived names. */
import { describe, expect, it } from 'vitest';
import { sqlLiteral } from '../src/model/literals.js';
import { NameRegistry } from '../src/model/names.js';
import { parseSchedule } from '../src/model/schedule.js';
import { parseType } from '../src/model/sqlTypes.js';
import type { SqlType } from '../src/model/sqlTypes.js';

const type = (written: string): SqlType => {
  const parsed = parseType(written);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.type;
};
const sql = (t: string, v: Parameters<typeof sqlLiteral>[1]) => sqlLiteral(type(t), v);

describe('parseType', () => {
  it('canonicalizes aliases, parameters and arrays', () => {
    expect(type('string').sql).toBe('text');
    expect(type('decimal( 10 , 2 )').sql).toBe('numeric(10,2)');
    expect(type('float[]').sql).toBe('double precision[]');
    expect(type('datetime').sql).toBe('timestamptz');
  });
  it('refuses unknown types with the list of allowed ones, and bad parameters', () => {
    expect(parseType('money')).toMatchObject({ ok: false, message: expect.stringContaining('allowed: text, varchar') });
    expect(parseType('char')).toMatchObject({ ok: false });
    expect(parseType('numeric(2,3)')).toMatchObject({ ok: false });
    expect(parseType('integer(4)')).toMatchObject({ ok: false });
  });
});

describe('sqlLiteral', () => {
  it('writes each type', () => {
    expect(sql('text', "it's")).toEqual({ ok: true, sql: "'it''s'" });
    expect(sql('bigint', '9223372036854775807')).toEqual({ ok: true, sql: '9223372036854775807' });
    expect(sql('double precision', Number.NEGATIVE_INFINITY)).toEqual({ ok: true, sql: "'-Infinity'" });
    expect(sql('double precision', -0)).toEqual({ ok: true, sql: "'-0'" });
    expect(sql('real[]', [-0, 0])).toEqual({ ok: true, sql: "ARRAY['-0', 0]::real[]" });
    expect(sql('jsonb', { a: [1, "x'"] })).toEqual({ ok: true, sql: `'{"a":[1,"x''"]}'` });
    expect(sql('bytea', 'hé')).toEqual({ ok: true, sql: "E'\\\\x68c3a9'" });
    expect(sql('text[]', ['a', null])).toEqual({ ok: true, sql: "ARRAY['a', NULL]::text[]" });
    expect(sql('integer[]', [])).toEqual({ ok: true, sql: "'{}'::integer[]" });
  });
  it('refuses values that do not fit', () => {
    expect(sql('text', 5)).toMatchObject({ ok: false, message: expect.stringContaining('quote it') });
    expect(sql('varchar(2)', 'abc')).toMatchObject({ ok: false });
    expect(sql('smallint', 40000)).toMatchObject({ ok: false });
    expect(sql('bigint', 2 ** 60)).toMatchObject({ ok: false, message: expect.stringContaining('quoted string') });
    expect(sql('date', '2023-02-29')).toMatchObject({ ok: false });
    expect(sql('uuid', 'not-a-uuid')).toMatchObject({ ok: false });
    expect(sql('boolean', 'yes')).toMatchObject({ ok: false });
    expect(sql('inet', '999.1.1.1')).toMatchObject({ ok: false });
    expect(sql('interval', 'banana 1')).toMatchObject({ ok: false });
  });
  it('checks numeric precision by digits, also beyond 1e21', () => {
    expect(sql('numeric(25,0)', '1234567890123456789012345')).toMatchObject({ ok: true });
    expect(sql('numeric(25,0)', '12345678901234567890123456')).toMatchObject({ ok: false });
    expect(sql('numeric(5,2)', 999.99)).toMatchObject({ ok: true });
    expect(sql('numeric(5,2)', '1e3')).toMatchObject({ ok: false });
    expect(sql('numeric(3)', '0.000123')).toMatchObject({ ok: true });
  });
  it('checks numeric precision after rounding to the scale, as Postgres rounds before it checks', () => {
    for (const [t, v] of [
      ['numeric(1,1)', 0.96],
      ['numeric(5,2)', '999.995'],
      ['numeric(1)', '9.5'],
      ['numeric(3,1)', '-99.96'],
      ['numeric(2,1)', '9.99e0'],
    ] as const) {
      expect(sql(t, v), `${v} in ${t}`).toMatchObject({ ok: false, message: expect.stringContaining('does not fit') });
    }
    for (const [t, v] of [
      ['numeric(1,1)', 0.94],
      ['numeric(5,2)', '999.994'],
      ['numeric(1)', '9.4'],
      ['numeric(2,1)', '0.0000000000000000000009e22'],
      ['numeric(1)', '0.05'],
    ] as const) {
      expect(sql(t, v), `${v} in ${t}`).toMatchObject({ ok: true });
    }
  });
  it('accepts common interval and inet spellings', () => {
    for (const v of ['90 days', '1 hour 30 minutes', '01:30:00', 'P1DT2H']) expect(sql('interval', v)).toMatchObject({ ok: true });
    for (const v of ['10.0.0.1/8', '::1', '2001:db8::/32']) expect(sql('inet', v)).toMatchObject({ ok: true });
  });
  it('refuses intervals Postgres refuses although they look right: a unit twice, milliseconds next to fractional seconds', () => {
    for (const v of ['1 day 2 days', '1 hr 3 hours', '2 min 3 mins', '1 mon 2 months', '1.5 seconds 3 milliseconds', '3 microseconds 0.5 sec']) {
      expect(sql('interval', v), v).toMatchObject({ ok: false, message: expect.stringContaining('is not one Postgres accepts') });
    }
    for (const v of ['1 week 2 days', '1 second 3 milliseconds', '1.5 milliseconds 2 microseconds', '1 year 2 decades 3 centuries', 'P1Y2M3W4DT5H6M7.5S']) {
      expect(sql('interval', v), v).toMatchObject({ ok: true });
    }
  });
});

describe('parseSchedule', () => {
  it('reads the shorthand forms', () => {
    expect(parseSchedule('hourly')).toEqual({ ok: true, schedule: { kind: 'hourly' } });
    expect(parseSchedule('every 15 minutes')).toEqual({ ok: true, schedule: { kind: 'cron', cron: '*/15 * * * *' } });
    expect(parseSchedule('every 1 minute')).toEqual({ ok: true, schedule: { kind: 'cron', cron: '* * * * *' } });
  });
  it('refuses N that does not divide 60, and bad cron fields', () => {
    expect(parseSchedule('every 7 minutes')).toMatchObject({ ok: false });
    expect(parseSchedule('61 * * * *')).toMatchObject({ ok: false });
    expect(parseSchedule('5-1 * * * *')).toMatchObject({ ok: false, message: expect.stringContaining('backwards') });
    expect(parseSchedule('@hourly')).toMatchObject({ ok: false });
  });
  it('accepts ranges, steps, lists and names', () => {
    expect(parseSchedule('0,30 9-17/2 * jan-jun mon-fri')).toMatchObject({ ok: true });
  });
});

describe('NameRegistry', () => {
  it('keeps short names and shortens long ones to 63 bytes with a hash', () => {
    const names = new NameRegistry();
    expect(names.derive('r', ['todos', 'user_id'], 'idx')).toBe('todos_user_id_idx');
    const long = names.derive('r', ['a'.repeat(63)], 'pkey');
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a+_[0-9a-f]{8}_pkey$/);
  });
  it('never hands out the same name twice, nor a reserved one', () => {
    const names = new NameRegistry();
    names.reserve('r', 'todos_pkey');
    const a = names.derive('r', ['todos'], 'pkey');
    expect(a).not.toBe('todos_pkey');
    const x = names.derive('r', ['a_b', 'c'], 'idx');
    const y = names.derive('r', ['a', 'b_c'], 'idx');
    expect(x).toBe('a_b_c_idx');
    expect(y).not.toBe(x);
  });
  it('distinguishes names that differ only after byte 63', () => {
    const names = new NameRegistry();
    const stem = 'x'.repeat(60);
    const a = names.derive('r', [stem, 'first_column'], 'idx');
    const b = names.derive('r', [stem, 'first_columm'], 'idx');
    expect(a).not.toBe(b);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
  });
  it('is deterministic', () => {
    const run = () => new NameRegistry().derive('r', ['é'.repeat(40)], 'idx');
    expect(run()).toBe(run());
    expect(Buffer.byteLength(run())).toBeLessThanOrEqual(63);
  });
  it('fits whole names (pg_cron job names) into 63 bytes, keeping those that fit', () => {
    const names = new NameRegistry();
    expect(names.fit('cron', 'refresh-stats')).toBe('refresh-stats');
    // Two refresh jobs of views whose names share their first 55 characters: pg_cron would truncate both to one name.
    const stem = `refresh-${'v'.repeat(55)}`;
    const a = names.fit('cron', `${stem}_first`);
    const b = names.fit('cron', `${stem}_other`);
    expect(a).not.toBe(b);
    expect([Buffer.byteLength(a), Buffer.byteLength(b)]).toEqual([63, 63]);
    expect(a.startsWith(stem.slice(0, 54))).toBe(true);
    // A taken name gets a hash too.
    expect(names.fit('cron', 'refresh-stats')).toMatch(/^refresh-stats_[0-9a-f]{8}$/);
  });
});
