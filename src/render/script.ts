/**
 * Lays the list of objects out as one transaction (compile's script, or a
 * plan's), remembering where each statement starts and ends and which object
 * it makes: apply maps a database error to a statement, an object and the
 * place in the file it came from with that, never by reading the SQL again.
 */
import type { Model } from '../model/model.js';
import { searchPathSchemas } from '../model/names.js';
import { ident } from '../sql/quote.js';
import type { Target } from '../target.js';
import type { ObjectKind, SqlObject } from './objects.js';
import { objectsOf } from './objects.js';
import { headerLines } from './prepare/transaction.js';
import { READING_SETTINGS_SQL } from './readingSettings.js';

/** A statement of a script: its text, where it is, and the object it makes (none for the frame's). */
export interface PlacedStatement {
  readonly sql: string;
  /** Index of its first character in the script, and just past its end. */
  readonly start: number;
  readonly end: number;
  readonly object?: SqlObject;
  /** A short name for it: its first line without what opens its body (`CREATE TABLE public.todos`). */
  readonly label: string;
}

export interface Script {
  readonly text: string;
  readonly statements: readonly PlacedStatement[];
}

/** `CREATE TABLE public.todos (` → `CREATE TABLE public.todos`; long lines are cut at 100 characters. */
function labelOf(sql: string): string {
  let first = sql.split('\n', 1)[0] ?? '';
  for (const end of [';', ' (', ' AS', '(']) if (first.endsWith(end)) first = first.slice(0, -end.length).trimEnd();
  return first.length > 100 ? `${first.slice(0, 97)}...` : first;
}

class Writer {
  private text = '';
  private readonly placed: PlacedStatement[] = [];

  /** Lines that are not statements: comments, blank lines. */
  line(text = ''): void {
    this.text += `${text}\n`;
  }

  statement(sql: string, object?: SqlObject): void {
    const start = this.text.length;
    this.text += `${sql}\n`;
    this.placed.push({ sql, start, end: start + sql.length, label: labelOf(sql), ...(object ? { object } : {}) });
  }

  object(o: SqlObject): void {
    for (const s of o.statements) this.statement(s, o);
  }

  done(): Script {
    return { text: this.text, statements: this.placed };
  }
}

/** The lines every transaction starts with: settings, search path, schemas. */
function begin(w: Writer, model: Model, header: readonly string[], usage: SqlObject | undefined): void {
  const schema = ident(model.schema);
  const privateName = ident(model.privateSchema);
  for (const line of header) w.line(line);
  w.line();
  w.statement('BEGIN;');
  w.line();
  w.line('-- How this text is read, whatever the server, database, role or connection set:');
  w.line("-- backslashes in '...' strings, bytes of characters, dates, intervals, time zones, NULL in arrays.");
  for (const s of READING_SETTINGS_SQL) w.statement(s);
  w.line();
  w.line("-- Unqualified names in the file's SQL (checks, defaults, view queries) resolve here.");
  w.statement(`SET LOCAL search_path = ${searchPathSchemas(model.schema).map(ident).join(', ')};`);
  w.line();
  w.line('-- Schemas');
  if (model.schema !== 'public') {
    w.statement(`CREATE SCHEMA IF NOT EXISTS ${schema};`);
    w.statement(`GRANT USAGE ON SCHEMA ${schema} TO anon, authenticated, service_role;`);
  }
  w.line('-- Helper functions and materialized views live in a schema PostgREST does not expose.');
  w.statement(`CREATE SCHEMA IF NOT EXISTS ${privateName};`);
  w.statement(`REVOKE ALL ON SCHEMA ${privateName} FROM PUBLIC;`);
  if (usage) w.object(usage);
}

/** The statements that end the transaction: how the API learns of the new objects. */
function end(w: Writer, model: Model, target: Target): void {
  w.line();
  if (target === 'altan') w.statement('SELECT apply_postgrest_permissions();');
  else {
    w.line("-- Plain Supabase: the grants above are the API's permissions; PostgREST reloads its schema cache.");
    if (model.schema === 'public') w.statement('GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;');
    w.statement("NOTIFY pgrst, 'reload schema';");
  }
  w.line();
  w.statement('COMMIT;');
}

/** A titled part of the script: `-- title`, then its statements. */
function section(w: Writer, title: readonly string[], show: boolean): void {
  if (!show) return;
  w.line();
  for (const t of title) w.line(`-- ${t}`);
}

/** The objects of these kinds, grouped by table (in list order), for sections laid out table by table. */
function byTable(objects: readonly SqlObject[], kinds: readonly ObjectKind[]): SqlObject[][] {
  const groups = new Map<string, SqlObject[]>();
  for (const o of objects) {
    if (o.table === undefined || !kinds.includes(o.kind)) continue;
    let g = groups.get(o.table);
    if (!g) groups.set(o.table, (g = []));
    g.push(o);
  }
  return [...groups.values()];
}

/** The whole transaction for a model: what `generate` prints and a first apply runs. */
export function transactionScript(model: Model, target: Target): Script {
  const objects = objectsOf(model);
  const of = (kind: ObjectKind) => objects.filter((o) => o.kind === kind);
  const w = new Writer();
  /** A section of one kind of object, one statement after another. */
  const flat = (title: string, kind: ObjectKind) => {
    const list = of(kind);
    section(w, [title], list.length > 0);
    for (const o of list) w.object(o);
  };
  begin(
    w,
    model,
    headerLines(model),
    objects.find((o) => o.kind === 'schema-usage'),
  );

  const tables = of('table');
  section(w, ['Tables, in foreign-key order'], tables.length > 0);
  const comments = byTable(objects, ['comment']);
  for (const t of tables) {
    w.line();
    w.object(t);
    for (const c of comments.find((g) => g[0]?.table === t.name) ?? []) w.object(c);
  }
  const deferred = objects.filter((o) => o.kind === 'foreign-key' && !o.withTable);
  section(w, ['Foreign keys that close a cycle, added once both tables exist'], deferred.length > 0);
  for (const fk of deferred) w.object(fk);

  for (const f of of('function')) {
    w.line();
    for (const c of f.comment ?? []) w.line(c);
    w.object(f);
  }

  section(w, ['Row level security, policies and grants'], tables.length > 0);
  for (const group of byTable(objects, ['rls', 'policy', 'grants'])) {
    w.line();
    for (const o of group) w.object(o);
  }
  flat('Indexes: declared ones, then every foreign key and policy column not yet covered', 'index');
  flat('Triggers', 'trigger');
  flat('Seed rows, upserted by primary key', 'seed');
  flat('Realtime: tables whose changes Supabase Realtime streams (publication supabase_realtime, made when absent)', 'realtime');

  const buckets = of('bucket');
  section(w, ['Storage buckets (upserted by id) and their policies on storage.objects'], buckets.length > 0);
  for (const bucket of buckets) {
    const b = model.buckets.find((x) => x.id === bucket.name);
    w.line();
    w.object(bucket);
    // Policies are replaced as a set, so a permission removed from the file does not linger.
    for (const name of b?.policyNames ?? []) w.statement(`DROP POLICY IF EXISTS ${ident(name)} ON storage.objects;`, bucket);
    for (const p of objects) if (p.kind === 'storage-policy' && b?.policies.some((x) => x.name === p.name)) w.object(p);
  }

  const views = of('view');
  section(
    w,
    ['Materialized views (no RLS: kept in the private schema; readable through a', 'security-invoker view only by the roles granted SELECT)'],
    views.length > 0,
  );
  for (const v of views) {
    w.line();
    w.object(v);
  }
  flat('Scheduled jobs (pg_cron): scheduling a name again replaces its job', 'job');
  end(w, model, target);
  return w.done();
}

/** One step of a plan: a statement, and the object it makes or removes. */
export interface PlanStep {
  readonly sql: string;
  readonly object?: SqlObject;
  /** Comment lines printed above it (a helper function's). */
  readonly comment?: readonly string[];
}

/** A plan's transaction: the same frame, then its steps under titled sections. */
export function planScript(
  model: Model,
  target: Target,
  header: readonly string[],
  sections: readonly { readonly title: string; readonly steps: readonly PlanStep[] }[],
): Script {
  const w = new Writer();
  // The private schema's usage is granted by every transaction, as on a first apply.
  begin(
    w,
    model,
    header,
    objectsOf(model).find((o) => o.kind === 'schema-usage'),
  );
  for (const s of sections) {
    if (s.steps.length === 0) continue;
    section(w, [s.title], true);
    for (const step of s.steps) {
      for (const c of step.comment ?? []) w.line(c);
      w.statement(step.sql, step.object);
    }
  }
  end(w, model, target);
  return w.done();
}
