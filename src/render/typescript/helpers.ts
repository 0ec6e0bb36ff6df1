/**
 * The shorthand types that follow `Database` in Supabase's generated file,
 * with the same names, parameters and meaning, so that code written against
 * `supabase gen types typescript` output compiles against ours:
 * `Tables<'todos'>` (a row of a table or view), `TablesInsert<'todos'>`,
 * `TablesUpdate<'todos'>`, `Enums<…>`, `CompositeTypes<…>`, each also as
 * `<{ schema: 'other' }, 'name'>`; and `Constants`, the enums' values at run
 * time. `defaultSchema` is the schema the one-argument forms read.
 */

/**
 * One shorthand: its first parameter is a name of `parts` in the default
 * schema, or `{ schema }` followed by a name of that schema's `parts`; it
 * stands for the entry (or its `read` member: Row, Insert, Update).
 */
function helper(name: string, parts: readonly string[], read: string | undefined): string {
  const of = (schema: string) => (parts.length === 1 ? `${schema}["${parts[0]}"]` : `(${parts.map((p) => `${schema}["${p}"]`).join(' & ')})`);
  const chosen = 'DatabaseWithoutInternals[NameOrSchema["schema"]]';
  const pick = (from: string, depth: string) => (read === undefined ? from : `${from} extends { ${read}: infer Part }\n${depth}  ? Part\n${depth}  : never`);
  return `export type ${name}<
  NameOrSchema extends
    | keyof ${of('DefaultSchema')}
    | { schema: keyof DatabaseWithoutInternals },
  Name extends (NameOrSchema extends { schema: keyof DatabaseWithoutInternals }
    ? keyof ${of(chosen)}
    : never) = never,
> = NameOrSchema extends { schema: keyof DatabaseWithoutInternals }
  ? ${pick(`${of(chosen)}[Name]`, '  ')}
  : NameOrSchema extends keyof ${of('DefaultSchema')}
    ? ${pick(`${of('DefaultSchema')}[NameOrSchema]`, '    ')}
    : never
`;
}

export function helperTypes(defaultSchema: string): string {
  return [
    `type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">\n`,
    `type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, ${JSON.stringify(defaultSchema)}>]\n`,
    helper('Tables', ['Tables', 'Views'], 'Row'),
    helper('TablesInsert', ['Tables'], 'Insert'),
    helper('TablesUpdate', ['Tables'], 'Update'),
    helper('Enums', ['Enums'], undefined),
    helper('CompositeTypes', ['CompositeTypes'], undefined),
  ].join('\n');
}
