/**
 * Rules about scheduled work: materialized-view refreshes and the author's own
 * pg_cron jobs.
 */
import { parseSchedule } from '../../model/schedule.js';
import type { RuleContext } from './context.js';

export function schedule(ctx: RuleContext): void {
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if (view.refresh === undefined) continue;
    const r = parseSchedule(view.refresh);
    if (!r.ok) {
      ctx.error('schedule', `refresh of materialized view "${name}": ${r.message}`, ['materialized_views', name, 'refresh']);
    }
  }
  for (const [name, job] of Object.entries(ctx.input.jobs ?? {})) {
    const r = parseSchedule(job.schedule);
    if (!r.ok) ctx.error('schedule', `schedule of job "${name}": ${r.message}`, ['jobs', name, 'schedule']);
  }
}

export function viewRefresh(ctx: RuleContext): void {
  for (const [name, view] of Object.entries(ctx.input.materialized_views ?? {})) {
    if (view.unique_key !== undefined && view.unique_key.length > 0) continue;
    ctx.warn(
      'view-refresh',
      `materialized view "${name}" has no unique_key, so each refresh locks it and blocks readers until it ends; ` +
        'add unique_key (columns that identify a row) to refresh it concurrently',
      ['materialized_views', name],
      'key',
    );
  }
}
