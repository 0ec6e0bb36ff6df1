/**
 * Rules about who may write. The presets never open writes beyond the owner;
 * only the map form can, and there a broad level is either never what is
 * meant (anon changing every row) or worth a second look.
 */
import { effectiveAccess, involvesOrg, ownerField } from '../../model/resolve.js';
import { entities } from './context.js';
import type { RuleContext } from './context.js';

const WRITES = ['create', 'update', 'delete'] as const;

export function writeAccess(ctx: RuleContext): void {
  for (const [name, entity] of entities(ctx.input)) {
    const access = entity.access;
    if (access === undefined || typeof access === 'string') continue;
    for (const op of WRITES) {
      const level = access[op];
      const path = ['entities', name, 'access', op];
      if (level === 'public' && op === 'create' && ownerField(entity) !== undefined) {
        ctx.error(
          'write-access',
          `entity "${name}" gives create access to public, but its rows have an owner column: an anonymous caller has no id to own a row; use authenticated or owner`,
          path,
        );
      } else if (level === 'authenticated' && op !== 'create' && involvesOrg(effectiveAccess(entity))) {
        ctx.error(
          'write-access',
          `entity "${name}" uses org access but gives ${op} access to authenticated: any signed-in user could ${op} the rows of every organization; use org or owner`,
          path,
        );
      } else if (level === 'public' && op !== 'create') {
        ctx.error(
          'write-access',
          `entity "${name}" gives ${op} access to public: anyone, even without signing in, could ${op} every row; use owner, org, authenticated or none`,
          path,
        );
      } else if (level === 'public' || level === 'authenticated') {
        const who = level === 'public' ? 'any caller, even without signing in,' : 'any signed-in user';
        const what = op === 'create' ? 'insert rows' : `${op} any row, including other users' rows`;
        ctx.warn('open-write', `entity "${name}" gives ${op} access to ${level}: ${who} may ${what}; use owner or org unless that is intended`, path);
      }
    }
  }
}
