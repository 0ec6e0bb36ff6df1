import { describe, expect, it } from 'vitest';
import { parseType } from '../src/model/sqlTypes.js';
import { unknownTypeHint } from '../src/validate/typeHints.js';

describe('unknownTypeHint', () => {
  it('suggests the closest type name for a typo, keeping parameters and []', () => {
    expect(unknownTypeHint('varchr')).toBe(' (did you mean "varchar"?)');
    expect(unknownTypeHint('varchr(20)')).toBe(' (did you mean "varchar(20)"?)');
    expect(unknownTypeHint('timestmptz[]')).toBe(' (did you mean "timestamptz[]"?)');
    expect(unknownTypeHint('numric(12,2)')).toBe(' (did you mean "numeric(12,2)"?)');
  });

  it('names the format spelling of another name for a supported type', () => {
    expect(unknownTypeHint('timestamp with time zone')).toBe(': write "timestamptz", the same type');
    expect(unknownTypeHint('timestamp  without time zone')).toBe(': write "timestamp", the same type');
    expect(unknownTypeHint('int4')).toBe(': write "integer", the same type');
    expect(unknownTypeHint('int8[]')).toBe(': write "bigint[]", the same type');
    expect(unknownTypeHint('double')).toBe(': write "double precision", the same type');
    expect(unknownTypeHint('character varying(30)')).toBe(': write "varchar(30)", the same type');
    expect(unknownTypeHint('character(3)')).toBe(': write "char(3)", the same type');
  });

  it('says when only the case is wrong', () => {
    expect(unknownTypeHint('TEXT')).toBe(': type names are lower case, write "text"');
    expect(unknownTypeHint('Numeric(10,2)[]')).toBe(': type names are lower case, write "numeric(10,2)[]"');
  });

  it('gives the closest supported type, and why, for a type the format does not have', () => {
    for (const serial of ['serial', 'bigserial', 'smallserial', 'serial8']) {
      expect(unknownTypeHint(serial)).toContain('serial types are not supported (the format creates no sequences or identity columns)');
    }
    expect(unknownTypeHint('serial')).toContain('id uuid DEFAULT gen_random_uuid()');
    expect(unknownTypeHint('time with time zone')).toBe(': time with time zone is not supported (Postgres advises against it): use timestamptz, or time');
    expect(unknownTypeHint('money')).toContain('use numeric(P,S), e.g. "numeric(12,2)"');
    expect(unknownTypeHint('blob')).toBe(': use bytea for binary data');
  });

  it('says nothing rather than guess', () => {
    expect(unknownTypeHint('banana')).toBe('');
    expect(unknownTypeHint('x')).toBe('');
  });

  it('only ever proposes a type the format accepts', () => {
    const written = ['varchr(20)', 'int4', 'int2[]', 'float4', 'float8', 'bpchar(2)', 'TIMESTAMPTZ', 'strin', 'jsonn', 'booleen', 'intger'];
    for (const w of written) {
      const proposed = /"([^"]+)"/.exec(unknownTypeHint(w))?.[1];
      expect(proposed, w).toBeDefined();
      expect(parseType(proposed as string).ok, `${w} → ${proposed}`).toBe(true);
    }
  });
});
