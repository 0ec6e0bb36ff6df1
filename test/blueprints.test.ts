/** Blueprints can only print prepared SQL: EJS's HTML-escaping tag is refused. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBlueprint } from '../src/render/blueprints.js';
import { ROOT } from './helpers.js';

describe('blueprints', () => {
  it('refuses a template that uses <%=', () => {
    expect(() => compileBlueprint('SELECT <%= it.x %>;', 'bad.sql.ejs')).toThrow(/uses <%=/);
  });
  it('prints <%- output as it is', () => {
    expect(compileBlueprint('SELECT <%- it.x %>;', 'ok.sql.ejs')({ x: "'a&b'" })).toBe("SELECT 'a&b';");
  });
  it('every blueprint in blueprints/ compiles under these rules', () => {
    const dir = join(ROOT, 'blueprints');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql.ejs'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(() => compileBlueprint(readFileSync(join(dir, f), 'utf8'), f)).not.toThrow();
  });
});
