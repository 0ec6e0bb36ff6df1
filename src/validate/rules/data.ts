/**
 * Rules about the file's data as a whole, whatever key it sits under.
 */
import type { Path } from '../../load/document.js';
import type { RuleContext } from './context.js';

/**
 * Postgres text cannot hold U+0000, and quoting refuses it; YAML's "\0"
 * escape is the usual way one gets in (the loader already refuses raw NUL bytes).
 */
export function nulCharacter(ctx: RuleContext): void {
  const visit = (value: unknown, path: Path): void => {
    if (typeof value === 'string') {
      if (value.includes('\u0000')) report(path, 'value');
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) report([...path, key], 'key');
        visit(item, [...path, key]);
      }
    }
  };
  const report = (path: Path, part: 'key' | 'value'): void => {
    const where = path.length === 0 ? 'the document' : `"${path.join('.')}"`;
    ctx.error(
      'nul-character',
      `the ${part} at ${where} contains a NUL character (U+0000, written "\\0" in YAML), which Postgres text cannot hold; remove it`,
      path,
      part,
    );
  };
  // Without a backslash escape that can mean NUL (\0, \x00, \u0000, \U00000000) in the text there
  // is none in the data: the usual file skips the walk over every value.
  if (/\\(?:0|x00|u0000|U00000000)/.test(ctx.doc.text)) visit(ctx.doc.data, []);
}
