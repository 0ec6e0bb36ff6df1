/**
 * Rules about who may write. The presets never open writes beyond the owner;
 * only the map form can, and there a broad level is either never what is
 * meant (anon changing every row) or worth a second look. Each term of a rule
 * is judged alone: a list grants what any of its terms grants, so one term
 * that opens too much opens the whole rule. A `where` narrows the rows, not
 * the callers: `public` with a condition still lets anyone write those rows.
 */
import { effectiveAccess, hasMembers, involvesOrg, ownerField } from '../../model/resolve.js';
import type { RuleContext } from './context.js';
import { eachTerm } from './terms.js';

export function writeAccess(ctx: RuleContext): void {
  eachTerm(ctx.input, (t) => {
    const { entityName: name, entity, op, term, path } = t;
    if (op === 'read' || term?.kind !== 'level') return;
    const level = term.level;
    const where = term.where === undefined ? '' : ' (with a where condition)';
    if (level === 'public' && op === 'create' && ownerField(entity) !== undefined) {
      ctx.error(
        'write-access',
        `entity "${name}" gives create access to public${where}, but its rows have an owner column: an anonymous caller has no id to own a row; use authenticated or owner`,
        path,
      );
    } else if (level === 'authenticated' && op !== 'create' && involvesOrg(effectiveAccess(entity))) {
      ctx.error(
        'write-access',
        `entity "${name}" uses org access but gives ${op} access to authenticated${where}: any signed-in user could ${op} the rows of every organization; use org or owner`,
        path,
      );
    } else if (level === 'public' && op !== 'create') {
      const rows = term.where === undefined ? 'every row' : 'every row where it holds';
      ctx.error(
        'write-access',
        `entity "${name}" gives ${op} access to public${where}: anyone, even without signing in, could ${op} ${rows}; use owner, org, authenticated or none`,
        path,
      );
    } else if (level === 'public' || level === 'authenticated') {
      const who = level === 'public' ? 'any caller, even without signing in,' : 'any signed-in user';
      // Anyone signed in may start a row of an entity with members (a project, a room): they become its first member.
      if (level === 'authenticated' && op === 'create' && hasMembers(entity)) return;
      if (term.where === undefined) {
        const what = op === 'create' ? 'insert rows' : `${op} any row, including other users' rows`;
        ctx.warn('open-write', `entity "${name}" gives ${op} access to ${level}: ${who} may ${what}; use owner or org unless that is intended`, path);
      } else {
        // The condition narrows the rows; the callers are still everyone of that level.
        const what = op === 'create' ? 'insert rows that meet its where' : `${op} the rows that meet its where, including other users' rows`;
        ctx.warn(
          'open-write',
          `entity "${name}" gives ${op} access to ${level} with a where condition: ${who} may ${what}; use owner or org unless that is intended`,
          path,
        );
      }
    }
  });
}
