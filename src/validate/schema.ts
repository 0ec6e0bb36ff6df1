/**
 * Structural check of a requirements file against schemas/requirements.schema.json.
 *
 * The JSON Schema is the single description of the file's shape (editors use
 * it too); this module only turns ajv's raw errors into messages a person can
 * act on, each pointing at the key or value it is about.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.js';
import { sortDiagnostics } from '../diagnostics.js';
import type { LoadedDocument, Path } from '../load/document.js';
import { pickBranches } from './branches.js';
import { asCommaSplitIssue } from './flowComma.js';
import type { BranchChoice } from './branches.js';
import { describePath, dottedPath, insidePath, isPlainMap, pointerToPath, quote, valueAt } from './location.js';
import type { Issue, SchemaNode } from './schemaWords.js';
import { describeValue, resolveRef as resolve, showValue, typeNoun } from './schemaWords.js';
import { suggest } from './suggest.js';

const SCHEMA_URL = new URL('../../schemas/requirements.schema.json', import.meta.url);
const require = createRequire(import.meta.url);

/**
 * The build (scripts/build-schema-validator.mjs) writes a precompiled copy of
 * the schema's validator beside this module. It only answers "well-formed or
 * not", but that is all a valid file needs, and it spares loading and
 * compiling ajv (about 100 ms, most of a small file's run). Where it is missing
 * (tests running src/ directly) the compiled validator answers alone.
 */
let precompiled: ((data: unknown) => boolean) | null | undefined;

function quickCheck(): ((data: unknown) => boolean) | null {
  if (precompiled === undefined) {
    try {
      precompiled = require('./requirements.validate.cjs') as (data: unknown) => boolean;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
      precompiled = null;
    }
  }
  return precompiled;
}

let compiled: { validate: ValidateFunction; root: SchemaNode } | undefined;

/**
 * The validator whose errors become messages; compiled once, only when first
 * needed. Its errors point at the schema objects of `root` (by identity), which
 * is why a file that fails the precompiled check is validated again here.
 */
function validator(): { validate: ValidateFunction; root: SchemaNode } {
  if (!compiled) {
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const root = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaNode;
    // verbose: errors then carry the schema objects they came from, which is how
    // branch errors of a oneOf are told apart (see pickBranches).
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    compiled = { validate: ajv.compile(root), root };
  }
  return compiled;
}

export function checkSchema(doc: LoadedDocument): Diagnostic[] {
  const issues = topLevelIssue(doc) ?? schemaIssues(doc.data);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const issue of issues) {
    const path = dottedPath(issue.path);
    const key = `${issue.rule}\u0000${path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // An empty file has no place to point at; the Diagnostic contract uses 0:0 for that.
    const at = issue.rule === 'empty-file' ? { line: 0, column: 0 } : doc.locate(issue.path, issue.part ?? 'value');
    diagnostics.push({ severity: 'error', rule: issue.rule, message: issue.message, file: doc.fileName, line: at.line, column: at.column, path });
  }
  return sortDiagnostics(diagnostics);
}

/** A file that is not a map at all gets one clear sentence instead of ajv noise. */
function topLevelIssue(doc: LoadedDocument): Issue[] | undefined {
  const data = doc.data;
  if (isPlainMap(data)) return undefined;
  if (data === null && !hasContent(doc.text)) {
    return [{ rule: 'empty-file', message: 'the file is empty: expected a map with "version: 1"', path: [] }];
  }
  return [{ rule: 'wrong-type', message: `expected a map at the top level, got ${describeValue(data)}`, path: [] }];
}

/** Anything but blank lines, comments and document markers. */
function hasContent(text: string): boolean {
  return text.split(/\r?\n/).some((line) => {
    const t = line.trim();
    return t !== '' && !t.startsWith('#') && t !== '---' && t !== '...';
  });
}

function schemaIssues(data: unknown): Issue[] {
  if (quickCheck()?.(data) === true) return [];
  const { validate, root } = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const paths = new Map(errors.map((e) => [e, pointerToPath(e.instancePath, data)] as const));
  const dropped = new Set<ErrorObject>();
  const issues: Issue[] = [];
  /** Per value: map forms also taken where a string was written (for the enum's message). */
  const alternatives = new Map<string, NonNullable<BranchChoice['alternatives']>>();
  // ajv lists a oneOf's error after those of its branches, nested oneOfs first: sort out the
  // outermost first, so that a value no branch takes is one sentence, not one per level.
  for (const e of [...errors].reverse()) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    if (!dropped.has(e)) {
      const path = paths.get(e) ?? [];
      const choice = pickBranches(e, errors, dropped, root, valueAt(data, path), path);
      issues.push(...choice.issues);
      if (choice.alternatives) alternatives.set(e.instancePath, choice.alternatives);
    }
    dropped.add(e);
  }
  for (const e of errors) {
    // `if` only says "the then-branch failed"; the then-branch's own errors say why.
    // A propertyNames sub-error repeats what the propertyNames error reports.
    if (e.keyword === 'if' || e.propertyName !== undefined) dropped.add(e);
    // A value with a fixed list of choices is best answered with the choices,
    // which the enum error lists, whatever type was written.
    if (e.keyword === 'type' && Array.isArray((e.parentSchema as { enum?: unknown }).enum)) dropped.add(e);
  }
  const typed = new Set(errors.filter((e) => e.keyword === 'type' && !dropped.has(e)).map((e) => e.instancePath));
  for (const e of errors) {
    if (dropped.has(e)) continue;
    // enum and const also fire on a value of the wrong type; the type error says it better.
    if ((e.keyword === 'enum' || e.keyword === 'const') && typed.has(e.instancePath)) continue;
    const also = alternatives.get(e.instancePath);
    issues.push(describeError(e, paths.get(e) ?? [], data, root, also !== undefined && also.schema === e.parentSchema ? also : undefined));
  }
  return issues.map((i) => asCommaSplitIssue(i, data) ?? i);
}

/** `alternative`: the other forms also taken here, for a string outside its allowed set (`member, or a map { level | … }`). */
function describeError(e: ErrorObject, path: Path, data: unknown, root: SchemaNode, alternative?: NonNullable<BranchChoice['alternatives']>): Issue {
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as SchemaNode | undefined;
  const value = valueAt(data, path);
  const subject = describePath(path);
  const issue = (rule: string, message: string, at: Path = path, part: 'key' | 'value' = 'value'): Issue => ({ rule, message, path: at, part });

  if (path.length === 1 && path[0] === 'version' && (e.keyword === 'type' || e.keyword === 'const')) {
    return typeof value === 'number'
      ? issue('invalid-value', `unsupported version ${value}: only version 1 exists`)
      : issue('wrong-type', `expected "version: 1", got ${describeValue(value)}`);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const hint = suggest(key, allowed);
      const mean = hint === undefined ? '' : ` (did you mean ${quote(hint)}?)`;
      return issue('unknown-key', `unknown key ${quote(key)} ${insidePath(path)}${mean}; allowed: ${allowed.join(', ')}`, [...path, key], 'key');
    }
    case 'required':
      return issue('missing-key', `missing required key ${quote(String(params.missingProperty))} ${insidePath(path)}`);
    case 'type': {
      const expected = parent?.title ?? typeNoun(String(params.type).split(','));
      return issue('wrong-type', `expected ${expected} for ${subject}, got ${describeValue(value)}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? suggest(value, [...allowed, ...(alternative?.words ?? [])]) : undefined;
      const mean = hint === undefined ? '' : ` (did you mean ${quote(hint)}?)`;
      const or = alternative === undefined ? '' : `, ${alternative.text}`;
      return issue('invalid-value', `${subject} must be one of ${allowed.join(', ')}${or}; got ${showValue(value)}${mean}`);
    }
    case 'const':
      return issue('invalid-value', `${subject} must be ${showValue(params.allowedValue)}; got ${showValue(value)}`);
    case 'propertyNames': {
      const name = String(params.propertyName);
      const rules = nameRules(resolve(e.schema as SchemaNode, root), root);
      return issue('invalid-name', `${nameNoun(path)} ${quote(name)}${nameWhere(path)} must be ${rules}`, [...path, name], 'key');
    }
    case 'pattern':
    case 'maxLength': {
      const rules = parent ? nameRules(parent, root) : undefined;
      if (rules) return issue('invalid-name', `${subject} must be ${rules}; got ${showValue(value)}`);
      return issue('invalid-value', `${subject} must be ${parent?.title ?? `a string matching ${String(params.pattern)}`}; got ${showValue(value)}`);
    }
    case 'minLength':
      return issue('invalid-value', `${subject} must not be empty`);
    case 'minItems':
      // An access rule's list: "nobody" has its own word.
      if (parent?.items?.$ref === '#/$defs/accessTerm') return issue('invalid-value', `${subject} must not be an empty list; write none to grant nobody`);
      return issue('invalid-value', `${subject} must not be an empty list`);
    case 'minProperties':
      return issue('invalid-value', `${subject} must set at least one of ${Object.keys(parent?.properties ?? {}).join(', ')}`);
    case 'minimum':
      return issue('invalid-value', `${subject} must be at least ${String(params.limit)}; got ${showValue(value)}`);
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(value) ? value[later] : undefined;
      return issue('duplicate-item', `${subject} lists ${showValue(item)} more than once`, [...path, later]);
    }
    default:
      // Every keyword the schema uses is handled above; this keeps a future
      // keyword from being silently ignored.
      return issue('schema', `${subject} ${e.message ?? 'is invalid'}`);
  }
}

/** The naming rule, when `schema` is one of the name definitions; undefined otherwise. */
function nameRules(schema: SchemaNode, root: SchemaNode): string | undefined {
  const end = 'starting with a letter or _, at most 63 bytes';
  if (schema === root.$defs?.name || schema === root.$defs?.memberRole) return `lower-case letters, digits and _, ${end}`;
  if (schema === root.$defs?.slugName) return `lower-case letters, digits, _ and -, ${end}`;
  return undefined;
}

/** What the keys of the map at `path` name. */
function nameNoun(path: Path): string {
  const nouns: Record<string, string> = { entities: 'entity name', buckets: 'bucket name', materialized_views: 'view name', jobs: 'job name' };
  return path.length === 1 ? (nouns[String(path[0])] ?? 'name') : 'field name';
}

function nameWhere(path: Path): string {
  if (path.length <= 1) return '';
  // The map of fields is `"fields" in entity "x"`: name the entity, not the map.
  const owner = path[path.length - 1] === 'fields' ? path.slice(0, -1) : path;
  return ` in ${describePath(owner)}`;
}
