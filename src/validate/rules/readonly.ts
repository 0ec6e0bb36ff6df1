/**
 * Rules about `readonly` fields. The API roles never write one: a new row
 * gets its default, and the column guard (a trigger) refuses an insert whose
 * value differs from that default, computed again inside the guard. So a
 * readonly field needs a default unless it may stay NULL, and that default
 * must give the same value twice in one transaction (now() does;
 * gen_random_uuid() does not, and every insert through the API would fail).
 */
import { isSqlDefault } from '../../model/resolve.js';
import { checkSqlFragment } from '../../sql/fragment.js';
import { isSqlObject, parseSql, walkSql } from '../../sql/parser.js';
import { eachField, fieldKeyPath, fieldLabel } from './context.js';
import type { RuleContext } from './context.js';

/** Functions whose every call gives a new value (VOLATILE and not a transaction's constant). */
const VOLATILE = new Set([
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'random',
  'random_normal',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
]);

/** The first volatile function an SQL default calls, if any. */
function volatileCall(sql: string): string | undefined {
  if (!checkSqlFragment(sql, 'expression').ok) return undefined; // sql-fragment reports it
  const parsed = parseSql(`SELECT (${sql.trim()}\n)`);
  if (!parsed.ok) return undefined;
  for (const node of walkSql(parsed.statements.map((s) => s.stmt))) {
    const call = node.FuncCall;
    if (!isSqlObject(call) || !Array.isArray(call.funcname)) continue;
    const last = call.funcname[call.funcname.length - 1];
    const name = isSqlObject(last) && isSqlObject(last.String) ? last.String.sval : undefined;
    if (typeof name === 'string' && VOLATILE.has(name)) return name;
  }
  return undefined;
}

export function readonlyDefault(ctx: RuleContext): void {
  eachField(ctx.input, (f) => {
    if (f.spec.readonly !== true) return;
    const label = fieldLabel(f.entityName, f.fieldName);
    const def = f.spec.default;
    if (f.spec.required === true && (def === undefined || def === null)) {
      ctx.error(
        'readonly-default',
        `${label} is readonly and required but has no default: the API roles never write it, so every insert through the API would fail; give it a default, or drop required`,
        fieldKeyPath(f, 'readonly'),
      );
    }
    if (!isSqlDefault(def) || def.sql.includes('\u0000')) return;
    const call = volatileCall(def.sql);
    if (call === undefined) return;
    ctx.error(
      'readonly-default',
      `${label} is readonly, but its default calls ${call}(), which gives a new value each time: the guard compares a new row's value with the default computed again, so every insert through the API would be refused; use a default that is the same within a transaction (like now()), or drop readonly`,
      [...fieldKeyPath(f, 'default'), 'sql'],
    );
  });
}

/** `readonly` already keeps the field from changing: `immutable` beside it says nothing more (a warning, not an error: the file means what it says). */
export function readonlyImmutable(ctx: RuleContext): void {
  eachField(ctx.input, (f) => {
    if (f.spec.readonly !== true || f.spec.immutable !== true) return;
    ctx.warn(
      'readonly-immutable',
      `${fieldLabel(f.entityName, f.fieldName)} is readonly, which already keeps the API roles from changing it: immutable adds nothing; remove it`,
      fieldKeyPath(f, 'immutable'),
    );
  });
}
