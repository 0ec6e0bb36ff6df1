/**
 * verify on databases whose `via` policies of buckets and views were changed
 * by hand, on real PostgreSQL and on PGlite: a project's files (the folder is
 * the project's id) and its tasks' progress (a view readable through the
 * project). Each break is made inside a transaction, verified there and rolled
 * back; the report must name the bucket or view, the actor and the request.
 * Then buckets whose writers read less than they may delete, or that mix
 * `owner` and `via` terms: verified clean as applied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import type { Database } from '../../src/db/database.js';
import { verify } from '../../src/verify/run.js';
import { connect, dropDatabase, freshDatabase, memoryDatabase, withCronDatabase } from './harness.js';
import { verifyAfter, verifyProblems } from './verify-checks.js';

const FILE = `version: 1
entities:
  projects:
    members: { roles: [admin, editor, viewer] }
    access:
      read: member
      create: authenticated
      update: { member: [admin, editor] }
      delete: { member: admin }
    fields:
      name: { type: text, required: true }
  tasks:
    access:
      read: { via: project_id }
      create: { via: project_id }
      update: { via: project_id }
      delete: { via: project_id, member: admin }
    fields:
      project_id: { references: projects, on_delete: cascade, required: true }
buckets:
  project-files:
    access:
      read: { via: projects }
      upload: { via: projects, member: [admin, editor] }
      update: { via: projects, can: update }
      delete: { via: projects, member: admin }
materialized_views:
  project_tasks:
    query: SELECT project_id, count(*) AS tasks FROM public.tasks GROUP BY project_id
    unique_key: [project_id]
    access: { via: project_id, references: projects }
`;
const compiled = await compile(FILE, { fileName: 'via-broken.yaml' });
const policy = (command: string) => compiled.model.buckets[0]?.policies.find((p) => p.command === command)?.name ?? '';
/** The folder condition as apply writes it, with the member roles it names. */
const folderIn = (roles: string) =>
  `(strpos(name, '/') > 0 AND split_part(name, '/', 1) = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(${roles})::text)))`;

describe.each(['postgres', 'pglite'] as const)('verify on a database with broken via policies (%s)', (backend) => {
  // The view's refresh job needs pg_cron: PostgreSQL is the cron database (its beforeAll runs first).
  const cron = backend === 'postgres' ? withCronDatabase() : undefined;
  let db: Database;
  beforeAll(async () => {
    db = cron !== undefined ? cron.db : await memoryDatabase();
    expect((await apply(db, compiled)).status).toBe('applied');
  }, 60_000);

  it('passes as applied, every actor probed on every place of the bucket and on the view', async () => {
    const report = await verify(db, compiled);
    expect(verifyProblems(report)).toEqual([]);
    const bucket = report.results.filter((r) => r.subject === 'bucket project-files');
    expect(new Set(bucket.map((r) => r.actor))).toEqual(new Set(['anon', 'user A', 'user B', 'user C', 'user D', 'outsider']));
    const line = (actor: string, operation: string) => bucket.find((r) => r.actor === actor && r.operation === operation)?.expected;
    // A's project: C admin, D editor, the outsider a viewer; B's project has B alone.
    expect(line('outsider', 'list')).toBe("file in the folder of projects A's row");
    expect(line('user D', "upload to the folder of projects A's row")).toBe('allowed');
    expect(line('outsider', "upload to the folder of projects A's row")).toBe('denied');
    expect(line('user C', "move file in the folder of projects A's row to the folder of projects B's row")).toBe('denied');
    expect(line('user C', "delete file in the folder of projects A's row")).toBe('allowed');
    expect(line('user D', "delete file in the folder of projects A's row")).toBe('denied');
    const view = report.results.filter((r) => r.subject === 'view project_tasks' && r.operation.startsWith('read: rows'));
    expect(view.map((r) => `${r.actor}: ${r.expected}`)).toEqual([
      'anon: none',
      "user A: A's row",
      "user B: B's row",
      "user C: A's row",
      "user D: A's row",
      "outsider: A's row",
    ]);
  });

  it('an upload policy without the folder check: uploads into rows one may not add to, and everywhere else', async () => {
    const problems = verifyProblems(
      await verifyAfter(db, compiled, `ALTER POLICY "${policy('INSERT')}" ON storage.objects WITH CHECK (bucket_id = 'project-files')`),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "✗ bucket project-files: user B upload to the folder of projects A's row: expected denied, got allowed",
        "✗ bucket project-files: outsider upload to the folder of projects A's row: expected denied, got allowed",
        "✗ bucket project-files: outsider upsert a new file to the folder of projects A's row: expected denied, got allowed (1 row)",
        "✗ bucket project-files: user C upload to the folder of projects A's row in upper case: expected denied, got allowed",
        '✗ bucket project-files: user A upload to a malformed folder: expected denied, got allowed',
        "✗ bucket project-files: user A upload to user A's own folder: expected denied, got allowed",
        '✗ bucket project-files: user D upload to the bucket root: expected denied, got allowed',
      ]),
    );
    // anon has no upload policy to widen
    expect(problems.filter((p) => !/^✗ bucket project-files: (user [ABCD]|outsider) (upload|upsert a new file) to /.test(p))).toEqual([]);
  });

  it('a select policy without the folder check: everyone signed in lists every file', async () => {
    const problems = verifyProblems(
      await verifyAfter(db, compiled, `ALTER POLICY "${policy('SELECT')}" ON storage.objects USING (bucket_id = 'project-files')`),
    );
    expect(problems).toHaveLength(5);
    expect(problems).toContain(
      "✗ bucket project-files: user B list: expected file in the folder of projects B's row, got file in a malformed folder, file in the bucket root, file in the folder of projects A's row, " +
        "file in the folder of projects A's row in upper case, file in the folder of projects B's row, file in user A's own folder, file in user B's own folder",
    );
  });

  it("a folder compared in lower case: an upper-case folder is taken for the row's", async () => {
    const lower = `lower(split_part(name, '/', 1)) = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(ARRAY['admin', 'editor'])::text))`;
    const report = await verifyAfter(
      db,
      compiled,
      `ALTER POLICY "${policy('INSERT')}" ON storage.objects WITH CHECK (bucket_id = 'project-files' AND ${lower})`,
    );
    expect(verifyProblems(report)).toEqual(
      ['user A', 'user C', 'user D'].map(
        (who) => `✗ bucket project-files: ${who} upload to the folder of projects A's row in upper case: expected denied, got allowed`,
      ),
    );
  });

  it('a folder cast to uuid: a malformed folder, or a root file (its whole name), makes the delete fail with an error, not a refusal', async () => {
    const cast = `split_part(name, '/', 1)::uuid = ANY (ARRAY(SELECT altan_private.public_projects_member_ids(ARRAY['admin'])))`;
    const problems = verifyProblems(
      await verifyAfter(db, compiled, `ALTER POLICY "${policy('DELETE')}" ON storage.objects USING (bucket_id = 'project-files' AND ${cast})`),
    );
    expect(problems).toEqual(
      ['user A', 'user B', 'user C', 'user D', 'outsider'].flatMap((who) =>
        ['a malformed folder', 'the bucket root'].map((where) =>
          expect.stringMatching(new RegExp(`^✗ bucket project-files: ${who} delete file in ${where}: expected denied, got error 22P02: `)),
        ),
      ),
    );
  });

  it("an update policy for members of any role: the project's viewer renames its files", async () => {
    const any = `bucket_id = 'project-files' AND ${folderIn('NULL')}`;
    const report = await verifyAfter(db, compiled, `ALTER POLICY "${policy('UPDATE')}" ON storage.objects USING (${any}) WITH CHECK (${any})`);
    expect(verifyProblems(report)).toEqual([
      "✗ bucket project-files: outsider rename file in the folder of projects A's row: expected denied, got allowed (1 row)",
    ]);
  });

  it("a view's filter dropped: every signed-in user is served every project's figures", async () => {
    const open =
      'CREATE OR REPLACE VIEW public.project_tasks WITH (security_invoker = true, security_barrier = true) AS SELECT * FROM altan_private.project_tasks';
    expect(verifyProblems(await verifyAfter(db, compiled, open))).toEqual([
      "✗ view project_tasks: user A read: rows of projects the caller may read (project_id): expected A's row, got A's row, B's row",
      "✗ view project_tasks: user B read: rows of projects the caller may read (project_id): expected B's row, got A's row, B's row",
      "✗ view project_tasks: user C read: rows of projects the caller may read (project_id): expected A's row, got A's row, B's row",
      "✗ view project_tasks: user D read: rows of projects the caller may read (project_id): expected A's row, got A's row, B's row",
      "✗ view project_tasks: outsider read: rows of projects the caller may read (project_id): expected A's row, got A's row, B's row",
    ]);
  });

  it('keeps nothing: the broken runs left the database as applied', async () => {
    expect(verifyProblems(await verify(db, compiled))).toEqual([]);
  });
});

const MIXED = `version: 1
entities:
  projects:
    members: { roles: [admin, editor, viewer] }
    access:
      read: member
      create: authenticated
      update: { member: [admin, editor] }
      delete: { member: admin }
    fields:
      name: { type: text, required: true }
buckets:
  admin-files:
    access:
      read: { via: projects, member: admin }
      upload: { via: projects, member: admin }
      update: none
      delete: { via: projects, member: [admin, editor] }
  mixed:
    access:
      read: owner
      upload: { via: projects, can: update }
      update: owner
      delete: { via: projects, member: admin }
`;

describe.each(['postgres', 'pglite'] as const)('verify on buckets whose writers read less than they write, or that mix owner and via (%s)', (backend) => {
  it('passes as applied: an editor lists the files they may delete, or uploaded, and nothing else', async () => {
    const mixed = await compile(MIXED, { fileName: 'mixed.yaml' });
    const url = backend === 'postgres' ? await freshDatabase('verify via mixed') : undefined;
    const target = url !== undefined ? await connect(url) : await memoryDatabase();
    try {
      expect((await apply(target, mixed)).status).toBe('applied');
      const report = await verify(target, mixed);
      expect(verifyProblems(report)).toEqual([]);
      const list = (bucket: string, actor: string) =>
        report.results.find((r) => r.subject === `bucket ${bucket}` && r.actor === actor && r.operation === 'list')?.expected;
      expect(list('admin-files', 'user D')).toBe("file in the folder of projects A's row");
      expect(list('admin-files', 'outsider')).toBe('none');
      expect(list('mixed', 'user A')).toBe("file in the folder of projects A's row, file in user A's own folder");
      expect(list('mixed', 'user D')).toBe('none');
    } finally {
      if (url !== undefined) await dropDatabase(url);
    }
  }, 120_000);
});
