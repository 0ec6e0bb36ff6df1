/**
 * The terms of the access rules as written, with where each sits in the file:
 * what the rules about terms walk. Only the map form has terms of its own (a
 * preset is a fixed set of plain levels, nothing to report on).
 */
import type { Path } from '../../load/document.js';
import type { AccessTermInput, EntityInput, RequirementsInput } from '../../model/input.js';
import { OPERATIONS, resolveTerm } from '../../model/resolve.js';
import type { AccessTerm, Operation } from '../../model/resolve.js';
import { sqlMeaning } from '../../sql/meaning.js';
import { describePath } from '../location.js';
import { entities } from './context.js';

export interface TermVisit {
  readonly entityName: string;
  readonly entity: EntityInput;
  readonly op: Operation;
  readonly written: AccessTermInput;
  /** The term resolved; undefined for `none`. */
  readonly term: AccessTerm | undefined;
  /** Its place in the rule's list; undefined when the rule is this one term. */
  readonly index?: number;
  /** `entities.<e>.access.<op>`, then the index in a list. */
  readonly path: Path;
}

export interface RuleVisit {
  readonly entityName: string;
  readonly entity: EntityInput;
  readonly op: Operation;
  /** Whether the rule is written as a list. */
  readonly listed: boolean;
  readonly terms: readonly TermVisit[];
  readonly path: Path;
}

export function eachAccessRule(input: RequirementsInput, visit: (rule: RuleVisit) => void): void {
  for (const [entityName, entity] of entities(input)) {
    const access = entity.access;
    if (access === undefined || typeof access === 'string') continue;
    for (const op of OPERATIONS) {
      const written = access[op];
      if (written === undefined) continue;
      const path: Path = ['entities', entityName, 'access', op];
      const list = Array.isArray(written) ? written : [written];
      const terms = list.map((w, i): TermVisit => {
        const index = Array.isArray(written) ? { index: i } : {};
        return { entityName, entity, op, written: w, term: resolveTerm(w), ...index, path: Array.isArray(written) ? [...path, i] : path };
      });
      visit({ entityName, entity, op, listed: Array.isArray(written), terms, path });
    }
  }
}

export function eachTerm(input: RequirementsInput, visit: (term: TermVisit) => void): void {
  eachAccessRule(input, (rule) => {
    for (const t of rule.terms) visit(t);
  });
}

/** `"access.read" in entity "posts"`, `item 2 of "access.read" in entity "posts"`. */
export const termLabel = (t: TermVisit): string => describePath(t.path);

/** A term in words, for messages: `owner`, `{ user: seller_id }`, `{ org: admin }`, with ` where ...` when it has one. */
export function termWords(term: AccessTerm): string {
  const roles = (rs: readonly string[]) => (rs.length === 1 ? (rs[0] as string) : `[${rs.join(', ')}]`);
  let who: string;
  if (term.kind === 'level') who = term.level;
  else if (term.kind === 'user') who = `{ user: ${term.column} }`;
  else if (term.kind === 'org-role') who = `{ org: ${roles(term.roles)} }`;
  else if (term.kind === 'member') who = term.roles === undefined ? 'member' : `{ member: ${roles(term.roles)} }`;
  else {
    const can = term.can === 'read' ? '' : `, can: ${term.can}`;
    const member = term.roles === undefined ? '' : `, member: ${roles(term.roles)}`;
    who = `{ via: ${term.column}${can}${member} }`;
  }
  return term.where === undefined ? who : `${who} where ${JSON.stringify(term.where)}`;
}

/**
 * What a term grants, for comparing terms: its kind and who (roles as a set:
 * resolveTerm keeps them in one order), and its condition as Postgres reads it
 * (spacing, comments and redundant parentheses do not count).
 */
export function termKey(term: AccessTerm): string {
  const sorted = (rs: readonly string[] | undefined) => (rs === undefined ? '*' : [...rs].sort().join(' '));
  let who: string;
  if (term.kind === 'level') who = `level ${term.level}`;
  else if (term.kind === 'user') who = `user ${term.column}`;
  else if (term.kind === 'org-role') who = `org ${term.roles.join(' ')}`;
  else if (term.kind === 'member') who = `member ${sorted(term.roles)}`;
  else who = `via ${term.column} ${term.can} ${sorted(term.roles)}`;
  return term.where === undefined ? who : `${who} where ${sqlMeaning(term.where, 'expression')}`;
}
