/**
 * Reading a generated types file (ours, or Supabase's generator's) with the
 * TypeScript compiler, for comparisons that do not depend on layout: the
 * `Database` type flattened to one line per leaf, `path: type`, in the order
 * written (`public.Tables.todos.Insert.title?: string`), each type printed by
 * the compiler's printer; and the file's top-level declarations. Also:
 * type-checking a few files against the project's node_modules.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers.js';

export interface TypesFile {
  /** Each top-level declaration: `export type Tables<2>`, `type DefaultSchema`, `export const Constants`. */
  readonly declarations: readonly string[];
  /** `Database`, one leaf a line, in order. */
  readonly database: readonly string[];
  /** The other declarations' text as the printer writes them (whitespace aside), by name. */
  readonly printed: ReadonlyMap<string, string>;
  readonly syntaxErrors: readonly string[];
}

const printer = ts.createPrinter({ removeComments: true });

function keyText(name: ts.PropertyName, file: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : name.getText(file);
}

/** The leaves under `type`, each `path: printed type`; object members and tuple items are paths, not leaves. */
function flatten(type: ts.TypeNode, path: string, file: ts.SourceFile, out: string[]): void {
  if (ts.isTypeLiteralNode(type) && type.members.length > 0) {
    for (const member of type.members) {
      if (ts.isPropertySignature(member) && member.type !== undefined) {
        flatten(member.type, `${path}.${keyText(member.name, file)}${member.questionToken ? '?' : ''}`, file, out);
      } else {
        out.push(`${path}: ${printer.printNode(ts.EmitHint.Unspecified, member, file)}`);
      }
    }
    return;
  }
  if (ts.isTupleTypeNode(type) && type.elements.length > 0) {
    type.elements.forEach((element, i) => flatten(element, `${path}[${i}]`, file, out));
    return;
  }
  out.push(`${path}: ${printer.printNode(ts.EmitHint.Unspecified, type, file).replace(/\s+/g, ' ')}`);
}

/**
 * A type alias's parameters and body as the printer writes them, its type
 * parameters and `infer` variables renamed by position (`$0`, `$1`, `$infer`):
 * their names are the writer's choice, not part of what the type means.
 */
function printedAlias(alias: ts.TypeAliasDeclaration, file: ts.SourceFile): string {
  const print = (node: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, node, file);
  const parameters = alias.typeParameters ?? [];
  let text = `${parameters.length > 0 ? `<${parameters.map(print).join(', ')}> ` : ''}= ${print(alias.type)}`.replace(/\s+/g, ' ');
  parameters.forEach((p, i) => (text = text.replace(new RegExp(`\\b${p.name.text}\\b`, 'g'), `$${i}`)));
  for (const [, inferred] of text.matchAll(/\binfer (\w+)/g)) text = text.replace(new RegExp(`\\b${inferred}\\b`, 'g'), '$infer');
  return text;
}

export function readTypesFile(text: string): TypesFile {
  const file = ts.createSourceFile('types.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  const declarations: string[] = [];
  const printed = new Map<string, string>();
  let database: string[] = [];
  for (const statement of file.statements) {
    const exported = ts.getModifiers(statement as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true;
    const lead = exported ? 'export ' : '';
    if (ts.isTypeAliasDeclaration(statement)) {
      const name = statement.name.text;
      const parameters = statement.typeParameters?.length ?? 0;
      declarations.push(`${lead}type ${name}${parameters > 0 ? `<${parameters}>` : ''}`);
      if (name === 'Database') {
        database = [];
        flatten(statement.type, '', file, database);
        database = database.map((line) => line.slice(1));
      } else {
        printed.set(name, printedAlias(statement, file));
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const name = d.name.getText(file);
        declarations.push(`${lead}const ${name}`);
        if (d.initializer) printed.set(name, printer.printNode(ts.EmitHint.Expression, d.initializer, file).replace(/\s+/g, ' ').replace(/,\s*}/g, ' }'));
      }
    } else {
      declarations.push(ts.SyntaxKind[statement.kind]);
    }
  }
  return { declarations, database, printed, syntaxErrors: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) };
}

/**
 * Type-checks `files` (relative paths → text) written under `dir`, as `tsc
 * --noEmit --strict` would, resolving packages from the project's
 * node_modules; returns each file's errors as `line: message`.
 */
export function typeCheck(dir: string, files: Readonly<Record<string, string>>): Map<string, string[]> {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    // The files are outside the project: its packages are found where they are installed.
    paths: { '@supabase/*': [join(ROOT, 'node_modules', '@supabase', '*')] },
  };
  const program = ts.createProgram(
    Object.keys(files).map((name) => join(dir, name)),
    options,
  );
  const errors = new Map<string, string[]>(Object.keys(files).map((name) => [name, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file ? d.file.fileName.slice(dir.length + 1) : '(global)';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const list = errors.get(name) ?? [];
    list.push(`${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    errors.set(name, list);
  }
  return errors;
}
