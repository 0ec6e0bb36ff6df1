/**
 * Rules about a rule written as a list of terms, any of which grants: `none`
 * has no place in one, a term written twice is a slip, and a term that grants
 * nothing the others do not is probably not what was meant.
 */
import type { AccessTerm, Operation } from '../../model/resolve.js';
import type { RuleContext } from './context.js';
import { eachAccessRule, termKey, termLabel, termWords } from './terms.js';
import type { TermVisit } from './terms.js';

export function accessNoneInList(ctx: RuleContext): void {
  eachAccessRule(ctx.input, (rule) => {
    if (!rule.listed) return;
    for (const t of rule.terms) {
      if (t.written !== 'none') continue;
      const alone = rule.terms.length === 1;
      ctx.error(
        'access-none-in-list',
        `${termLabel(t)} is none inside a list: none grants nothing and stands alone; ${alone ? `write ${rule.op}: none` : 'remove it (the other terms decide)'}`,
        t.path,
      );
    }
  });
}

export function accessDuplicateTerm(ctx: RuleContext): void {
  eachAccessRule(ctx.input, (rule) => {
    const first = new Map<string, TermVisit>();
    for (const t of rule.terms) {
      if (t.term === undefined) continue;
      const key = termKey(t.term);
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, t);
        continue;
      }
      ctx.error(
        'access-duplicate-term',
        `${termLabel(t)} repeats item ${(earlier.index ?? 0) + 1} (${termWords(t.term)}): a list grants what any of its terms grants, so the second adds nothing; remove one`,
        t.path,
      );
    }
  });
}

/** Every role of `inner` (undefined: any role) is among `outer` (undefined: any role). */
const holdsAll = (outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean =>
  outer === undefined || (inner?.every((r) => outer.includes(r)) ?? false);

function withoutWhere(term: AccessTerm): AccessTerm {
  const { where: _where, ...rest } = term;
  return rest;
}

/**
 * Does term `a` grant everything term `b` grants, for `op`? Only the cases that
 * are certain without reading SQL: a level that takes in every caller of the
 * other, the organization or membership terms that contain one another, and a
 * term that is the other without its condition.
 */
function covers(a: AccessTerm, b: AccessTerm, op: Operation): boolean {
  if (a.where !== undefined) return false;
  if (b.where !== undefined && termKey(withoutWhere(b)) === termKey(a)) return true;
  const level = (t: AccessTerm, l: string) => t.kind === 'level' && t.level === l;
  const roles = (t: AccessTerm, r: string) => t.kind === 'org-role' && t.roles.join(' ') === r;
  // Every caller, or every signed-in caller (each term but public is one of them, and via,
  // which grants anon too when the parent's rule does).
  if (level(a, 'public')) return true;
  if (level(a, 'authenticated')) return !level(b, 'public') && !(b.kind === 'via' && b.roles === undefined);
  // Members holding any of a's roles (a's roles undefined: any role) of the same row, or of the same parent.
  if (a.kind === 'member' && b.kind === 'member') return holdsAll(a.roles, b.roles);
  if (a.kind === 'via' && b.kind === 'via' && a.column === b.column && a.roles !== undefined && b.roles !== undefined) return holdsAll(a.roles, b.roles);
  // Any member of the row's organization: its owners (who must be members) and its admins.
  if (roles(a, 'admin member')) return level(b, 'owner') || level(b, 'org') || roles(b, 'admin');
  // org: members read every row and create their own; admins, or the owner still a member, change them.
  if (level(a, 'org')) return level(b, 'owner') || roles(b, 'admin') || (roles(b, 'admin member') && (op === 'read' || op === 'create'));
  return false;
}

export function accessRedundantTerm(ctx: RuleContext): void {
  eachAccessRule(ctx.input, (rule) => {
    const terms = rule.terms.filter((t): t is TermVisit & { term: AccessTerm } => t.term !== undefined);
    const keys = terms.map((t) => termKey(t.term));
    terms.forEach((b, j) => {
      // A repeated term is access-duplicate-term's; of two terms that grant the same, the later one is reported.
      if (keys.indexOf(keys[j] as string) !== j) return;
      const a = terms.find((x, i) => i !== j && keys[i] !== keys[j] && covers(x.term, b.term, rule.op) && !(i > j && covers(b.term, x.term, rule.op)));
      if (a === undefined) return;
      ctx.warn(
        'access-redundant-term',
        `${termLabel(b)} (${termWords(b.term)}) grants nothing that item ${(a.index ?? 0) + 1} (${termWords(a.term)}) does not: remove it, or narrow item ${(a.index ?? 0) + 1} with where`,
        b.path,
      );
    });
  });
}
