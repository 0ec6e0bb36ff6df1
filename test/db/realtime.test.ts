/**
 * `realtime: true` on PostgreSQL and on PGlite: the table joins the
 * supabase_realtime publication, which is made when absent and never
 * dropped; removing realtime (or the entity) takes the table out, and only
 * it; a table already published, or a publication FOR ALL TABLES, is no
 * conflict; a table taken out by hand is drift that plan reports and apply
 * mends, and that verify fails on; the table keeps the default replica
 * identity; preflight names the missing right to change the publication.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { Database } from '../../src/db/database.js';
import { preflight } from '../../src/db/preflight.js';
import { apply } from '../../src/execute/apply.js';
import { plan } from '../../src/plan/plan.js';
import { verify } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, resetDatabase } from './harness.js';

const FILE = 'chat.yaml';
const file = (realtime: { messages?: boolean; typing?: boolean }, withMessages = true) =>
  [
    'version: 1',
    'entities:',
    '  rooms:',
    '    access: authenticated-read',
    '    fields:',
    '      name: { type: text, required: true }',
    ...(withMessages
      ? [
          '  messages:',
          ...(realtime.messages !== undefined ? [`    realtime: ${realtime.messages}`] : []),
          '    access: { read: authenticated, create: owner, delete: owner }',
          '    fields:',
          '      room_id: { references: rooms, required: true, on_delete: cascade }',
          '      body: { type: text, required: true }',
        ]
      : []),
    '  typing:',
    ...(realtime.typing !== undefined ? [`    realtime: ${realtime.typing}`] : []),
    '    primary_key: [room_id, user_id]',
    '    access: { read: authenticated, create: owner, delete: owner }',
    '    fields:',
    '      room_id: { references: rooms, required: true, on_delete: cascade }',
    '      user_id: { type: uuid, references: auth.users, on_delete: cascade }',
    '',
  ].join('\n');

const compiled = (text: string) => compile(text, { fileName: FILE, target: 'supabase' });

/** `schema.table` of every table the publication publishes, sorted; undefined when there is no publication. */
async function published(db: Database): Promise<string[] | undefined> {
  const [pub] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime'");
  if (pub?.n === 0) return undefined;
  const rows = await db.query<{ t: string }>(
    "SELECT schemaname || '.' || tablename AS t FROM pg_catalog.pg_publication_tables WHERE pubname = 'supabase_realtime' ORDER BY 1",
  );
  return rows.map((r) => r.t);
}

const changeLines = async (db: Database, text: string) =>
  (await plan(db, await compiled(text))).changes.map((c) =>
    [c.action, c.kind, c.table, c.name, c.drift ? '(drift)' : undefined].filter((w) => w !== undefined).join(' '),
  );

const backends: readonly { readonly name: string; readonly open: () => Promise<{ db: Database; close: () => Promise<void> }> }[] = [
  {
    name: 'PostgreSQL',
    open: async () => {
      const url = await freshDatabase('realtime');
      return { db: await connect(url), close: () => dropDatabase(url) };
    },
  },
  { name: 'PGlite', open: async () => ({ db: await memoryDatabase(), close: async () => {} }) },
];

for (const backend of backends) {
  describe(`realtime on ${backend.name}`, () => {
    let db: Database;
    let close: () => Promise<void> = async () => {};
    beforeAll(async () => {
      ({ db, close } = await backend.open());
    }, 60_000);
    afterAll(async () => close());
    beforeEach(async () => {
      await resetDatabase(db);
    }, 60_000);

    it('makes the publication, publishes exactly the realtime tables, and is up to date when applied again', async () => {
      expect(await published(db)).toBeUndefined();
      const on = await compiled(file({ messages: true, typing: false }));
      const report = await apply(db, on);
      expect(report.status).toBe('applied');
      expect(report.created).toContain('1 realtime table');
      expect(report.changes.map((c) => `${c.action} ${c.kind} ${c.table ?? ''}`)).toContain('create realtime messages');
      expect(await published(db)).toEqual(['public.messages']);
      // The default replica identity (the primary key): with RLS on, Realtime sends no more of an old row anyway.
      const identity = await db.query<{ relname: string; relreplident: string }>(
        "SELECT relname::text, relreplident::text FROM pg_catalog.pg_class WHERE relname IN ('messages', 'typing') AND relnamespace = 'public'::regnamespace ORDER BY 1",
      );
      expect(identity).toEqual([
        { relname: 'messages', relreplident: 'd' },
        { relname: 'typing', relreplident: 'd' },
      ]);
      expect((await verify(db, on)).results.filter((r) => r.status === 'fail')).toEqual([]);
      expect((await plan(db, on)).status).toBe('up-to-date');
      expect((await apply(db, on)).status).toBe('up-to-date');
      // The generated script, run again by hand on top (a second CREATE TABLE aside), adds nothing twice.
      const again = on.statements.filter((s) => s.object?.kind === 'realtime').map((s) => s.sql);
      expect(again).toHaveLength(1);
      for (const sql of again) await db.exec(sql);
      expect(await published(db)).toEqual(['public.messages']);
    });

    it('removing realtime takes the table out and leaves the publication and the tables others published', async () => {
      await db.exec('CREATE TABLE public.audit_log (id bigint PRIMARY KEY); CREATE PUBLICATION supabase_realtime FOR TABLE public.audit_log');
      await apply(db, await compiled(file({ messages: true, typing: true })));
      expect(await published(db)).toEqual(['public.audit_log', 'public.messages', 'public.typing']);

      const off = file({ typing: true });
      expect(await changeLines(db, off)).toEqual(['drop realtime messages supabase_realtime']);
      const report = await apply(db, await compiled(off)); // not destructive: no --allow-destructive
      expect(report.status).toBe('applied');
      expect(await published(db)).toEqual(['public.audit_log', 'public.typing']);

      await apply(db, await compiled(file({})));
      expect(await published(db)).toEqual(['public.audit_log']);
      expect((await plan(db, await compiled(file({})))).status).toBe('up-to-date');

      await apply(db, await compiled(file({ messages: true })));
      expect(await published(db)).toEqual(['public.audit_log', 'public.messages']);
    });

    it('an entity removed goes with its table; the publication stays', async () => {
      await apply(db, await compiled(file({ messages: true, typing: true })));
      const gone = file({ typing: true }, false);
      expect(await changeLines(db, gone)).toEqual(['drop table messages']);
      await apply(db, await compiled(gone), { allowDestructive: true });
      expect(await published(db)).toEqual(['public.typing']);
      await apply(db, await compiled(file({}, false)));
      expect(await published(db)).toEqual([]);
    });

    it('a table published before the file asked for it is kept there, no conflict; a publication FOR ALL TABLES is left alone', async () => {
      await apply(db, await compiled(file({})));
      await db.exec('CREATE PUBLICATION supabase_realtime FOR TABLE public.messages');
      const on = await compiled(file({ messages: true }));
      const p = await plan(db, on);
      expect(p.blockers).toEqual([]);
      expect((await apply(db, on)).status).toBe('applied');
      expect(await published(db)).toEqual(['public.messages']);

      await db.exec('DROP PUBLICATION supabase_realtime; CREATE PUBLICATION supabase_realtime FOR ALL TABLES');
      expect(await changeLines(db, file({ messages: true }))).toEqual([]);
      // Taking messages out of a publication of every table does nothing (and fails nothing).
      await apply(db, await compiled(file({})));
      expect(await published(db)).toContain('public.messages');
      await apply(db, await compiled(file({ messages: true, typing: true })));
      const [all] = await db.query<{ all: boolean }>("SELECT puballtables AS all FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime'");
      expect(all?.all).toBe(true);
    });

    it('a table taken out by hand: verify fails, plan reports drift, apply puts it back', async () => {
      const on = await compiled(file({ messages: true }));
      await apply(db, on);
      await db.exec('ALTER PUBLICATION supabase_realtime DROP TABLE public.messages');
      const failed = (await verify(db, on)).results.filter((r) => r.status === 'fail');
      expect(failed.map((r) => r.audit)).toEqual([
        'public.messages: not in publication supabase_realtime, so Realtime streams none of its changes; the file asks for realtime',
      ]);
      expect(await changeLines(db, file({ messages: true }))).toEqual(['create realtime messages supabase_realtime (drift)']);
      await apply(db, on);
      expect(await published(db)).toEqual(['public.messages']);

      // The whole publication dropped by hand: made again.
      await db.exec('DROP PUBLICATION supabase_realtime');
      await apply(db, on);
      expect(await published(db)).toEqual(['public.messages']);
      expect((await verify(db, on)).results.filter((r) => r.status === 'fail')).toEqual([]);
    });

    it('preflight names the right to change the publication when the role lacks it', async () => {
      const on = await compiled(file({ messages: true }));
      const right = 'the right to change publication supabase_realtime';
      const stranger = `rt_stranger_${process.pid}`;
      // Preflight's other checks look into auth (as the roles a project's owner holds can).
      await db.exec(`CREATE ROLE ${stranger} NOLOGIN; GRANT USAGE ON SCHEMA auth TO ${stranger}`);
      const missingAsStranger = async () => {
        await db.exec(`SET ROLE ${stranger}`);
        try {
          return (await preflight(db, on.model, 'supabase')).map((m) => m.what);
        } finally {
          await db.exec('RESET ROLE');
        }
      };
      try {
        // No publication yet: making one needs CREATE on the database, which PUBLIC does not have.
        expect(await missingAsStranger()).toContain(right);
        // Someone else's publication: only its owner may change it.
        await db.exec('CREATE PUBLICATION supabase_realtime');
        expect(await missingAsStranger()).toContain(right);
        await db.exec(`ALTER PUBLICATION supabase_realtime OWNER TO ${stranger}`);
        expect(await missingAsStranger()).not.toContain(right);
        // The superuser the tests connect as may anything.
        await db.exec('ALTER PUBLICATION supabase_realtime OWNER TO CURRENT_USER');
        expect((await preflight(db, on.model, 'supabase')).map((m) => m.what)).not.toContain(right);
      } finally {
        await db.exec(`DROP PUBLICATION IF EXISTS supabase_realtime; REVOKE USAGE ON SCHEMA auth FROM ${stranger}; DROP ROLE ${stranger}`);
      }
    });
  });
}
