/**
 * Which type changes keep every value (the rest need --allow-destructive),
 * and the ALTER COLUMN statements a change of definition becomes.
 */
import { describe, expect, it } from 'vitest';
import { parseType } from '../src/model/sqlTypes.js';
import type { SqlType } from '../src/model/sqlTypes.js';
import { alterColumn, usingCast, widens } from '../src/plan/columns.js';

function type(written: string): SqlType {
  const parsed = parseType(written);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.type;
}

describe('widens', () => {
  it.each([
    ['varchar(50)', 'varchar(200)'],
    ['varchar(50)', 'varchar'],
    ['varchar(50)', 'text'],
    ['char(3)', 'varchar(3)'],
    ['smallint', 'integer'],
    ['integer', 'bigint'],
    ['smallint', 'bigint'],
    ['bigint', 'numeric'],
    ['integer', 'numeric(12,2)'],
    ['numeric(8,2)', 'numeric(10,2)'],
    ['numeric(8,2)', 'numeric(9,3)'],
    ['numeric(8,2)', 'numeric'],
    ['real', 'double precision'],
    ['date', 'text'],
    ['uuid', 'text'],
    ['integer[]', 'bigint[]'],
    ['integer[]', 'text[]'],
  ])('%s → %s keeps every value', (from, to) => {
    expect(widens(type(from), type(to))).toBe(true);
  });

  it.each([
    ['varchar(200)', 'varchar(50)'],
    ['text', 'varchar(50)'],
    ['bigint', 'integer'],
    ['integer', 'smallint'],
    ['numeric', 'bigint'],
    ['numeric(10,2)', 'numeric(8,2)'],
    ['numeric(8,2)', 'numeric(8,3)'],
    ['integer', 'numeric(5,0)'],
    ['double precision', 'real'],
    ['text', 'integer'],
    ['timestamptz', 'date'],
    ['date', 'timestamptz'],
    ['json', 'jsonb'],
    ['text[]', 'text'],
    ['text', 'text[]'],
  ])('%s → %s may lose values', (from, to) => {
    expect(widens(type(from), type(to))).toBe(false);
  });
});

describe('alterColumn', () => {
  const q = 'public.todos';
  it('a type change takes the default off first and puts the new one back after', () => {
    const a = alterColumn(q, 'n', { type: type('integer'), notNull: true, default: '0' }, { type: type('bigint'), notNull: true, default: '1' });
    expect(a.sql).toEqual([
      'ALTER TABLE public.todos ALTER COLUMN n DROP DEFAULT;',
      'ALTER TABLE public.todos ALTER COLUMN n TYPE bigint USING n::bigint;',
      'ALTER TABLE public.todos ALTER COLUMN n SET DEFAULT 1;',
    ]);
    expect(a.details).toEqual(['type integer → bigint', 'default 1']);
    expect(a.destructive).toBeUndefined();
    expect(a.setsNotNull).toBe(false);
  });

  it('narrowing is destructive; NOT NULL is asked to be checked; quoted names stay quoted', () => {
    const a = alterColumn(q, 'Title', { type: type('text'), notNull: false }, { type: type('varchar(10)'), notNull: true });
    expect(a.sql).toEqual([
      'ALTER TABLE public.todos ALTER COLUMN "Title" TYPE varchar(10) USING "Title"::varchar(10);',
      'ALTER TABLE public.todos ALTER COLUMN "Title" SET NOT NULL;',
    ]);
    expect(a.destructive).toBe('type text → varchar(10) may not hold every value');
    expect(a.setsNotNull).toBe(true);
  });

  it('dropping a default and NOT NULL', () => {
    const a = alterColumn(q, 'n', { type: type('text'), notNull: true, default: "'x'::text" }, { type: type('text'), notNull: false });
    expect(a.sql).toEqual(['ALTER TABLE public.todos ALTER COLUMN n DROP DEFAULT;', 'ALTER TABLE public.todos ALTER COLUMN n DROP NOT NULL;']);
    expect(a.details).toEqual(['drop default', 'drop not null']);
  });
});

describe('usingCast', () => {
  it.each([
    ['integer', 'bigint', 'n::bigint'],
    ['text', 'integer', 'n::integer'],
    ['uuid', 'text', 'n::text'],
    ['boolean', 'integer', 'n::integer'],
    ['timestamptz', 'date', 'n::date'],
    ['json', 'jsonb', 'n::jsonb'],
    ['integer[]', 'text[]', 'n::text[]'],
    ['text', 'text[]', 'n::text[]'],
  ])('%s → %s: a cast Postgres has', (from, to, sql) => {
    expect(usingCast('n', type(from), type(to))).toBe(sql);
  });

  it.each([
    ['time', 'numeric(4,1)', 'n::text::numeric(4,1)'],
    ['boolean', 'bigint', 'n::text::bigint'],
    ['uuid', 'integer', 'n::text::integer'],
    ['integer[]', 'integer', 'n::text::integer'],
    ['date', 'date[]', 'n::text::date[]'],
    ['time[]', 'numeric[]', 'n::text::numeric[]'],
  ])('%s → %s: none, so through the text of the values (an empty or NULL column converts; other values as their text allows)', (from, to, sql) => {
    expect(usingCast('n', type(from), type(to))).toBe(sql);
  });
});
