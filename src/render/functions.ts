/**
 * The model's helper functions → objects: each a SECURITY DEFINER function
 * with its search_path pinned, executable by PUBLIC, anon and authenticated
 * only where the model says a role's policies call it. The comment printed
 * above each says why it exists.
 */
import type { ColumnGuard, HelperFunction, Model } from '../model/model.js';
import { ORGANIZATION_MEMBERS } from '../model/resolve.js';
import { dollarQuote, ident, literal, qualified } from '../sql/quote.js';
import { defaultSql } from './prepare/tables.js';
import { renderBlueprint } from './blueprints.js';
import type { SqlObject } from './sqlObject.js';
import { catalogKey } from './sqlObject.js';
import { prepareReadCheck } from './prepare/transaction.js';
import { conditionSql } from './conditions.js';

interface FunctionText {
  readonly comment: readonly string[];
  readonly params: string;
  readonly returns: string;
  readonly language: 'sql' | 'plpgsql';
  readonly stable: boolean;
  /** SECURITY INVOKER instead: a function that must see who is calling (current_user). */
  readonly invoker?: boolean;
  readonly body: string;
}

/** What each helper is, as SQL; `members` is the organization_members table. */
function textOf(f: HelperFunction, model: Model): FunctionText {
  const members = qualified(model.schema, ORGANIZATION_MEMBERS);
  switch (f.body.kind) {
    case 'set-updated-at':
      return {
        comment: ['-- Keeps updated_at current. Not executable by the API roles; search_path pinned.'],
        params: '',
        returns: 'trigger',
        language: 'plpgsql',
        stable: false,
        body: 'BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;',
      };
    case 'member-org-ids':
      return {
        comment: [
          '-- Organization membership, read by policies without recursing into the',
          '-- policies of organization_members. Each runs once per statement.',
        ],
        params: '',
        returns: 'SETOF uuid',
        language: 'sql',
        stable: true,
        body: `  SELECT m.org_id FROM ${members} AS m WHERE m.user_id = auth.uid()`,
      };
    case 'admin-org-ids':
      return {
        comment: [],
        params: '',
        returns: 'SETOF uuid',
        language: 'sql',
        stable: true,
        body: `  SELECT m.org_id FROM ${members} AS m WHERE m.user_id = auth.uid() AND m.role = 'admin'`,
      };
    case 'add-organization-creator':
      return {
        comment: [
          '-- The creator of an organization becomes its first admin. Policies never let',
          '-- anyone add members to an organization they do not administer.',
        ],
        params: '',
        returns: 'trigger',
        language: 'plpgsql',
        stable: false,
        body: `BEGIN\n  IF NEW.created_by IS NOT NULL THEN\n    INSERT INTO ${members} (org_id, user_id, role) VALUES (NEW.id, NEW.created_by, 'admin');\n  END IF;\n  RETURN NEW;\nEND;`,
      };
    case 'object-bucket-id':
      return {
        comment: [
          '-- The bucket a stored object is in, as the running statement found it (STABLE:',
          "-- it reads the statement's snapshot, so during an UPDATE it still sees the old",
          "-- row). Bucket UPDATE policies compare it with the new row's bucket: an object",
          '-- never moves into a bucket from another one. SECURITY DEFINER so that it reads',
          '-- storage.objects past RLS without recursing into the policies that call it.',
        ],
        params: 'object_id uuid',
        returns: 'text',
        language: 'sql',
        stable: true,
        body: '  SELECT o.bucket_id FROM storage.objects AS o WHERE o.id = object_id',
      };
    case 'column-guard': {
      const table = qualified(model.schema, f.body.table);
      return {
        comment: [
          `-- Keeps the API roles off the read-only and immutable columns of ${table}, with`,
          '-- the error a missing column privilege gives (42501): the column grants say the',
          '-- same, but apply_postgrest_permissions() may grant every column again. SECURITY',
          '-- INVOKER, to see the calling role; the service role and the owner write freely.',
        ],
        params: '',
        returns: 'trigger',
        language: 'plpgsql',
        stable: false,
        invoker: true,
        body: guardBody(f.body),
      };
    }
    case 'member-ids': {
      const table = qualified(model.schema, f.body.table);
      return {
        comment: [
          `-- The ${f.body.entity} rows the caller is a member of, with one of the roles given`,
          `-- (NULL: any role), read from ${table} past its policies: the policies that call`,
          '-- it never recurse, and the keys are computed once per statement.',
        ],
        params: 'roles text[]',
        returns: `SETOF ${f.body.keyType.sql}`,
        language: 'sql',
        stable: true,
        // $1, not `roles`: in an SQL function a column of that name would win over the parameter.
        body: `  SELECT m.${ident(f.body.column)} FROM ${table} AS m WHERE m.user_id = auth.uid() AND ($1 IS NULL OR m.role = ANY ($1))`,
      };
    }
    case 'add-owner-member': {
      const table = qualified(model.schema, f.body.table);
      return {
        comment: [
          `-- A new ${f.body.entity} row's owner becomes its member with the first role (${f.body.role}).`,
          '-- Read from the row, never from the request; policies never let anyone add',
          '-- members to a row they do not manage.',
        ],
        params: '',
        returns: 'trigger',
        language: 'plpgsql',
        stable: false,
        body: `BEGIN\n  INSERT INTO ${table} (${ident(f.body.column)}, user_id, role) VALUES (NEW.${ident(f.body.key)}, NEW.${ident(f.body.owner)}, ${literal(f.body.role)});\n  RETURN NEW;\nEND;`,
      };
    }
    case 'ids': {
      const c = f.body;
      return {
        comment: [
          `-- The ${c.entity} rows ${c.role === 'anon' ? 'an anonymous caller' : 'the caller'} may ${c.op}, under ${c.entity}'s own rule: the`,
          "-- children's `via` policies compare their reference with these keys, so they",
          '-- follow the rule as it is (inherited, not copied). SECURITY DEFINER: no policy',
          '-- queries a table with RLS, so none can recurse.',
        ],
        params: '',
        returns: `SETOF ${c.keyType.sql}`,
        language: 'sql',
        stable: true,
        body: `  SELECT ${ident(c.key)} FROM ${qualified(model.schema, c.entity)} WHERE ${conditionSql(c.condition, model.privateSchema)}`,
      };
    }
    case 'read-check': {
      const c = prepareReadCheck(f.body, model.schema, model.privateSchema);
      return {
        comment: [
          `-- May the caller read the row of ${c.table} with this key? The table's read`,
          '-- rule, for the write policies that check a reference to the same table (a',
          '-- policy that queried its own table would recurse). SECURITY DEFINER to read',
          "-- the table without its policies; it answers no more than the caller's own",
          '-- SELECT would. Executable by the roles whose policies call it; search_path pinned.',
        ],
        params: c.keyType,
        returns: 'boolean',
        language: 'sql',
        stable: true,
        body: `  SELECT EXISTS (SELECT 1 FROM ${c.table} WHERE ${c.column} = $1 AND ${c.condition})`,
      };
    }
  }
}

/** The guard's body: on INSERT a read-only column must hold its default; on UPDATE neither kind may change. */
function guardBody(g: ColumnGuard): string {
  const readonlyHint = 'the column is read-only: its default or the service role sets it';
  const test = (pad: string, condition: string, column: string, hint: string) => [
    `${pad}IF ${condition} THEN`,
    `${pad}  RAISE EXCEPTION USING ERRCODE = '42501',`,
    `${pad}    MESSAGE = ${literal(`permission denied for column ${column} of table ${g.table}`)},`,
    `${pad}    HINT = ${literal(hint)};`,
    `${pad}END IF;`,
  ];
  // json has no equality operator: its values are compared as the text they were given as.
  const json = new Set(g.columns.filter((c) => c.type.base === 'json').map((c) => c.name));
  const value = (column: string, sql: string) => (json.has(column) ? `(${sql})::text` : sql);
  const differs = (column: string, from: string) => `${value(column, `NEW.${ident(column)}`)} IS DISTINCT FROM ${value(column, from)}`;
  // The default as the column stores it: numeric(4) keeps -3553 of a default -3553.126206, and the row
  // a client leaves to its default must pass (a random file found the guard refusing it).
  const stored = (c: (typeof g.readonly)[number]) => (c.default ? `(${defaultSql(c.type, c.default)})::${c.type.sql}` : 'NULL');
  const onInsert = g.readonly.flatMap((c) => test('    ', differs(c.name, stored(c)), c.name, readonlyHint));
  const onUpdate = [
    ...g.readonly.map((c) => [c.name, readonlyHint] as const),
    ...g.immutable.map((c) => [c, 'the column is set when the row is created and never changes'] as const),
  ].flatMap(([c, hint]) => test('  ', differs(c, `OLD.${ident(c)}`), c, hint));
  return [
    'BEGIN',
    "  IF current_user NOT IN ('anon', 'authenticated') THEN",
    '    RETURN NEW;',
    '  END IF;',
    "  IF TG_OP = 'INSERT' THEN",
    ...onInsert,
    '    RETURN NEW;',
    '  END IF;',
    ...onUpdate,
    '  RETURN NEW;',
    'END;',
  ].join('\n');
}

/**
 * A helper shared by the files of every schema (the private schema is the tool's own): its DROP gives way
 * when another file's trigger or policy still uses it.
 */
function dropShared(signature: string): string {
  return `DO $drop$\nBEGIN\n  DROP FUNCTION IF EXISTS ${signature};\nEXCEPTION WHEN dependent_objects_still_exist THEN\n  NULL;\nEND\n$drop$;`;
}

export function helperObjects(model: Model): SqlObject[] {
  return model.functions.map((f) => {
    const name = qualified(model.privateSchema, f.name);
    const signature = `${name}(${f.args.map((a) => a.sql).join(', ')})`;
    const text = textOf(f, model);
    // $fn$ unless the body holds it (a read-only column's default may): dollarQuote picks another tag then.
    const create = renderBlueprint('function', { name, ...text, body: dollarQuote(`\n${text.body}\n`, 'fn') }).trimEnd();
    return {
      kind: 'function',
      name: f.name,
      comment: text.comment,
      statements: [
        create,
        `REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC, anon, authenticated;`,
        ...(f.executableBy.length > 0 ? [`GRANT EXECUTE ON FUNCTION ${signature} TO ${f.executableBy.join(', ')};`] : []),
      ],
      drop: dropShared(signature),
      presence: [catalogKey('function', '', f.name)],
      meaning: { ...f, text: { ...text, comment: undefined } },
    };
  });
}
