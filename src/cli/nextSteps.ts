/**
 * What to run after a first apply on the embedded database: the quick start's
 * first command, where a newcomer has a database and no idea what to do with
 * it. Later applies, real projects (scripts, CI) and --json print none of it.
 */
import { DEFAULT_FILE } from '../compile.js';

/**
 * The lines after apply's summary, for `file` as the user wrote it (`-`: none, stdin cannot be read twice).
 * `embedded`: the apply was given --embedded, so verify and plan are too (with CI or DATABASE_URL set, they would go elsewhere).
 */
export function nextStepsText(file: string, embedded = false): string {
  if (file === '-') return '';
  const arg = file === DEFAULT_FILE ? '' : ` ${shellWord(file)}`;
  const database = embedded ? ' --embedded' : '';
  const steps: [string, string][] = [
    [`altan-cloud verify${database}${arg}`, 'the requests clients make, as anon and as users A and B, against the access rules'],
    [`altan-cloud plan${database}${arg}`, 'after editing the file: what apply would change, and its SQL'],
    [`altan-cloud generate${arg}`, 'the SQL transaction itself, to read or run elsewhere'],
  ];
  const width = Math.max(...steps.map(([command]) => command.length));
  return `next:\n${steps.map(([command, why]) => `  ${command.padEnd(width)}  # ${why}`).join('\n')}\n`;
}

/** `file` as one shell word: as is when it needs no quoting, else in single quotes. */
function shellWord(file: string): string {
  return /^[\w./@%+:,=-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}
