/**
 * Schedules of materialized-view refreshes and jobs: `hourly`, `daily`,
 * `every N minutes` (N divides 60) or a five-field cron expression, as
 * pg_cron 1.4 understands it.
 */
export type Schedule = { readonly kind: 'hourly' | 'daily' } | { readonly kind: 'cron'; readonly cron: string };

export type ParsedSchedule = { ok: true; schedule: Schedule } | { ok: false; message: string };

const FIELDS = [
  { name: 'minute', min: 0, max: 59, names: [] as string[] },
  { name: 'hour', min: 0, max: 23, names: [] as string[] },
  { name: 'day of month', min: 1, max: 31, names: [] as string[] },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

const EVERY = /^every\s+(\d+)\s+minutes?$/;
const ITEM = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/;

export function parseSchedule(written: string): ParsedSchedule {
  const text = written.trim().toLowerCase();
  if (text === 'hourly' || text === 'daily') return { ok: true, schedule: { kind: text } };
  const every = EVERY.exec(text);
  if (every) {
    const n = Number(every[1]);
    if (n < 1 || n > 60 || 60 % n !== 0) {
      return { ok: false, message: `"every ${n} minutes" needs N to divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)` };
    }
    const minute = n === 1 ? '*' : n === 60 ? '0' : `*/${n}`;
    return { ok: true, schedule: { kind: 'cron', cron: `${minute} * * * *` } };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    return { ok: false, message: `schedule ${JSON.stringify(written)} is not hourly, daily, "every N minutes" or a five-field cron expression` };
  }
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i] as (typeof FIELDS)[number];
    const problem = checkField(part, field);
    if (problem) return { ok: false, message: `schedule ${JSON.stringify(written)}: ${field.name} field ${JSON.stringify(part)} ${problem}` };
  }
  return { ok: true, schedule: { kind: 'cron', cron: parts.join(' ') } };
}

function checkField(part: string, field: (typeof FIELDS)[number]): string | undefined {
  const value = (v: string): number | undefined => {
    const named = (field.names as readonly string[]).indexOf(v);
    if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
    return /^\d+$/.test(v) ? Number(v) : undefined;
  };
  for (const item of part.split(',')) {
    const m = ITEM.exec(item);
    if (!m) return 'is not valid cron syntax';
    if (m[2] !== undefined && Number(m[2]) < 1) return 'has a step below 1';
    if (m[1] === '*') continue;
    const bounds = (m[1] as string).split('-').map(value);
    for (const n of bounds) {
      if (n === undefined || n < field.min || n > field.max) return `must be within ${field.min}-${field.max}`;
    }
    if (bounds.length === 2 && (bounds[0] as number) > (bounds[1] as number)) return 'has a range that runs backwards';
  }
  return undefined;
}
