/**
 * What every semantic rule receives: the loaded document (for positions), the
 * input already accepted by the JSON Schema, and a way to report problems.
 * Also the small iteration and wording helpers the rule files share, so that
 * each rule file holds only its own logic.
 */
import type { Diagnostic, Severity } from '../../diagnostics.js';
import type { LoadedDocument, Path } from '../../load/document.js';
import type { EntityInput, FieldInput, JsonValue, RequirementsInput } from '../../model/input.js';
import { sqlLiteral } from '../../model/literals.js';
import type { LiteralResult } from '../../model/literals.js';
import { ORGANIZATIONS, fieldSpec, usesOrganizations } from '../../model/resolve.js';
import type { SqlType } from '../../model/sqlTypes.js';
import { suggest } from '../suggest.js';

export type Part = 'key' | 'value';

export interface RuleContext {
  readonly doc: LoadedDocument;
  readonly input: RequirementsInput;
  /** Whether any entity uses `org` access (the tool then creates the organization tables). */
  readonly usesOrg: boolean;
  error(rule: string, message: string, path: Path, part?: Part): void;
  warn(rule: string, message: string, path: Path, part?: Part): void;
}

export type Rule = (ctx: RuleContext) => void;

/** A NUL that slipped into a name must not reach a terminal raw (the `nul-character` rule reports it). */
function visible(text: string): string {
  return text.replace(/\u0000/g, '\\0');
}

export function createContext(doc: LoadedDocument, input: RequirementsInput, sink: Diagnostic[]): RuleContext {
  const report =
    (severity: Severity) =>
    (rule: string, message: string, path: Path, part: Part = 'value') => {
      const { line, column } = doc.locate(path, part);
      sink.push({ severity, rule, message: visible(message), file: doc.fileName, line, column, path: visible(path.join('.')) });
    };
  return { doc, input, usesOrg: usesOrganizations(input), error: report('error'), warn: report('warning') };
}

export interface FieldVisit {
  readonly entityName: string;
  readonly entity: EntityInput;
  readonly fieldName: string;
  /** The field in map form (shorthand expanded). */
  readonly spec: FieldInput;
  /** Whether it was written as `name: type`. */
  readonly shorthand: boolean;
  /** Path of the field's value: `entities.<e>.fields.<f>`. */
  readonly path: Path;
}

const entityLists = new WeakMap<RequirementsInput, readonly [string, EntityInput][]>();

/** The entities of a file, listed once per input: Object.entries of a map of 40,000 keys costs ~30 ms, and a dozen rules ask. */
export function entities(input: RequirementsInput): readonly [string, EntityInput][] {
  let list = entityLists.get(input);
  if (list === undefined) {
    list = Object.entries(input.entities ?? {});
    entityLists.set(input, list);
  }
  return list;
}

/** The fields of a file, built once per input (which is never mutated): every rule walks them. */
const fieldLists = new WeakMap<RequirementsInput, readonly FieldVisit[]>();

function fieldsOf(input: RequirementsInput): readonly FieldVisit[] {
  let fields = fieldLists.get(input);
  if (fields === undefined) {
    const list: FieldVisit[] = [];
    for (const [entityName, entity] of entities(input)) {
      for (const [fieldName, raw] of Object.entries(entity.fields ?? {})) {
        list.push({
          entityName,
          entity,
          fieldName,
          spec: fieldSpec(raw),
          shorthand: typeof raw === 'string',
          path: ['entities', entityName, 'fields', fieldName],
        });
      }
    }
    fields = list;
    fieldLists.set(input, fields);
  }
  return fields;
}

export function eachField(input: RequirementsInput, visit: (field: FieldVisit) => void): void {
  for (const field of fieldsOf(input)) visit(field);
}

/**
 * Path of one key of a field. The shorthand form has only a type, so its
 * `type` is the field's value itself.
 */
export function fieldKeyPath(field: FieldVisit, key: keyof FieldInput): Path {
  return field.shorthand && key === 'type' ? field.path : [...field.path, key];
}

export function fieldLabel(entityName: string, fieldName: string): string {
  return `field "${entityName}.${fieldName}"`;
}

/** ` (did you mean "x"?)`, or nothing when no candidate is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = suggest(word, candidates);
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/** After "… is not an entity": why the organizations are not one here, or the closest candidate. */
export function unknownEntityHint(target: string, candidates: readonly string[]): string {
  return target === ORGANIZATIONS ? '; the organizations table exists only when some entity uses org access' : didYouMean(target, candidates);
}

/** Any string inside the value (keys too) contains NUL; the `nul-character` rule reports those. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  }
  return false;
}

/**
 * `sqlLiteral`, except that values holding NUL are left to `nul-character`
 * (quoting refuses them by throwing): undefined means "not checked here".
 */
export function literalFor(type: SqlType, value: JsonValue): LiteralResult | undefined {
  return containsNul(value) ? undefined : sqlLiteral(type, value);
}
