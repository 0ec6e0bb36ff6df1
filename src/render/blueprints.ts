/**
 * Runs the EJS blueprints in `blueprints/`. Templates are compiled once per
 * process. EJS's `<%=` HTML-escapes, which is never right for SQL: a
 * blueprint using it is refused when loaded, and the escape function throws
 * as a second guard. Blueprints print only prepared SQL text with `<%-`.
 */
import { readFileSync } from 'node:fs';
import ejs from 'ejs';

const BLUEPRINT_DIR = new URL('../../blueprints/', import.meta.url);
type Template = (data: Record<string, unknown>) => string;
const compiled = new Map<string, Template>();

function forbidHtmlEscape(): never {
  throw new Error('internal: a blueprint used <%= (HTML escaping); blueprints must print prepared SQL with <%-');
}

/** Compile one blueprint's text; refuses `<%=` outright. */
export function compileBlueprint(source: string, filename: string): Template {
  if (/<%=/.test(source)) throw new Error(`internal: blueprint ${filename} uses <%=; use <%- with prepared SQL`);
  return ejs.compile(source, {
    filename,
    localsName: 'it',
    _with: false,
    strict: true,
    // EJS's error handler escapes the blueprint's file name with it too: let that one through, so that
    // an error thrown while rendering (a string too long, say) arrives as itself.
    escape: (text: unknown) => (text === filename ? filename : forbidHtmlEscape()),
  }) as unknown as Template;
}

function load(name: string): Template {
  const cached = compiled.get(name);
  if (cached) return cached;
  const url = new URL(`${name}.sql.ejs`, BLUEPRINT_DIR);
  const fn = compileBlueprint(readFileSync(url, 'utf8'), url.pathname);
  compiled.set(name, fn);
  return fn;
}

/** Render `blueprints/<name>.sql.ejs`; the template sees `it` (the data) and `it.render` for sub-blueprints. */
export function renderBlueprint(name: string, data: object): string {
  return load(name)({ ...data, render: renderBlueprint });
}
