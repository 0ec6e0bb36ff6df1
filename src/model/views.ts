/**
 * Materialized views and scheduled jobs. Views live in the private schema
 * (a materialized view has no RLS); those with `access` get a
 * security-invoker view of the same name in the exposed schema, readable only
 * by the roles granted SELECT on the materialized view. Hourly and daily
 * refreshes are staggered over minutes 0, 5, 10, … in view-name order.
 */
import type { JobInput, ViewInput } from './input.js';
import type { AccessHelpers } from './accessHelpers.js';
import type { CronJob, Index, MaterializedView } from './model.js';
import type { NameRegistry } from './names.js';
import { parseSchedule } from './schedule.js';
import type { Schedule } from './schedule.js';
import { CRON_JOB_SPACE, relationSpace } from './names.js';
import { checkSqlFragment } from '../sql/fragment.js';
import { columnKey, reachedKeys } from './viaKeys.js';

export const refreshJobName = (view: string) => `refresh-${view}`;
const STAGGER_MINUTES = 5;

/** `hourly` and `daily` become cron at a given minute; cron expressions pass as they are. */
function cronOf(schedule: Schedule, minute: number): string {
  if (schedule.kind === 'cron') return schedule.cron;
  return schedule.kind === 'hourly' ? `${minute} * * * *` : `${minute} 0 * * *`;
}

function scheduleOf(written: string | undefined): Schedule {
  const parsed = parseSchedule(written ?? 'hourly');
  return parsed.ok ? parsed.schedule : { kind: 'hourly' };
}

export function viewModels(
  views: Readonly<Record<string, ViewInput>>,
  privateSchema: string,
  names: NameRegistry,
  helpers: AccessHelpers,
): { views: MaterializedView[]; jobs: CronJob[] } {
  const out: MaterializedView[] = [];
  const jobs: CronJob[] = [];
  let staggered = 0;
  for (const name of Object.keys(views).sort()) {
    const view = views[name] as ViewInput;
    const query = checkSqlFragment(view.query, 'query');
    const index = (columns: readonly string[], unique: boolean): Index => ({
      kind: 'index',
      name: names.derive(relationSpace(privateSchema), [name, ...columns], unique ? 'key' : 'idx'),
      columns,
      unique,
    });
    const source = scheduleOf(view.refresh);
    const minute = source.kind === 'cron' ? 0 : (staggered++ * STAGGER_MINUTES) % 60;
    // `refresh-` plus a 63-byte view name can exceed pg_cron's 63-byte job name.
    const job = names.fit(CRON_JOB_SPACE, refreshJobName(name));
    out.push({
      kind: 'materialized-view',
      name,
      query: query.ok ? query.sql : view.query.trim(),
      ...(view.unique_key ? { uniqueIndex: index(view.unique_key, true) } : {}),
      indexes: [
        ...(view.indexes ?? []).map((cols) => index(cols, false)),
        // The per-user (per-row) filter compares this column on every read: indexed unless a key or index leads with it.
        ...(filterColumnOf(view) !== undefined && ![view.unique_key ?? [], ...(view.indexes ?? [])].some((cols) => cols[0] === filterColumnOf(view))
          ? [index([filterColumnOf(view) as string], false)]
          : []),
      ],
      ...viewAccess(view.access, helpers),
    });
    jobs.push({
      kind: 'cron-job',
      name: job,
      schedule: cronOf(source, minute),
      action: { kind: 'refresh', view: name, concurrently: view.unique_key !== undefined },
    });
  }
  return { views: out, jobs };
}

export function jobModels(input: Readonly<Record<string, JobInput>>): CronJob[] {
  return Object.keys(input)
    .sort()
    .map((name) => {
      const job = input[name] as JobInput;
      const source = scheduleOf(job.schedule);
      return { kind: 'cron-job', name, schedule: cronOf(source, 0), action: { kind: 'sql', sql: job.sql.trim() } };
    });
}

/**
 * The readers of a view's API view, and what filters it: the column compared with the caller, or
 * with the keys of the rows the caller may read (each role asked apart: anon reads only when the
 * entity's read rule reaches anon, through the helpers anon may run).
 */
function viewAccess(access: ViewInput['access'], helpers: AccessHelpers): Pick<MaterializedView, 'access' | 'userColumn' | 'via'> {
  if (access === undefined) return { access: 'none' };
  if (typeof access === 'string') return { access };
  if ('user' in access) return { access: 'authenticated', userColumn: access.user };
  const filter = (role: 'anon' | 'authenticated', caller: 'anon' | 'authenticated' = role) => {
    const keys = reachedKeys(helpers, access.references, 'read', undefined, role, caller);
    return keys === undefined ? undefined : columnKey(access.via, keys);
  };
  const anon = filter('anon');
  const authenticated = filter('authenticated');
  // Where anon's helpers differ, the API view picks by role (CASE): Postgres checks EXECUTE on every
  // function a query names before running it, so each role also needs it on the branch it never takes.
  if (anon !== undefined && JSON.stringify(anon) !== JSON.stringify(authenticated)) {
    filter('authenticated', 'anon');
    filter('anon', 'authenticated');
  }
  return {
    access: anon !== undefined ? 'public' : authenticated !== undefined ? 'authenticated' : 'none',
    via: {
      column: access.via,
      entity: access.references,
      filter: { ...(anon !== undefined ? { anon } : {}), ...(authenticated !== undefined ? { authenticated } : {}) },
    },
  };
}

/** The column a per-user or per-row view compares on every read. */
const filterColumnOf = (view: ViewInput): string | undefined =>
  typeof view.access !== 'object' ? undefined : 'user' in view.access ? view.access.user : view.access.via;
