/**
 * The floor processes the benchmark times beside altan-cloud, each doing the
 * least any tool would have to do for the same result:
 *   node bench/floors.mjs parse <file.yaml>   read and parse the YAML, nothing else
 *   node bench/floors.mjs parse-document <f>  read and parse it into yaml's tree, aliases not
 *                                             expanded (the floor of refusing an alias bomb)
 *   node bench/floors.mjs pglite <dir>        open the embedded database (creating it
 *                                             when the directory is new) and close it
 */
import { readFileSync } from 'node:fs';

const [what, path] = process.argv.slice(2);
if (what === 'parse') {
  const { parse } = await import('yaml');
  parse(readFileSync(path, 'utf8'));
} else if (what === 'parse-document') {
  const { parseDocument } = await import('yaml');
  parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: false });
} else if (what === 'pglite') {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(path);
  await db.close();
} else {
  throw new Error(`usage: node bench/floors.mjs parse <file> | parse-document <file> | pglite <dir>`);
}
