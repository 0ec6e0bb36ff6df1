/**
 * The two evolution fixtures of test/evolve/ as sequences v1 → v2 → v3 → v2:
 * what each step must call destructive, and rows valid under each version.
 */
import type { Database } from '../../src/db/database.js';
import type { Ledger } from './evolve.js';

export interface Step {
  readonly version: string;
  /** The refusal's lines when this version follows the one before it. */
  readonly destructive: readonly string[];
}

export interface Project {
  readonly name: string;
  readonly steps: readonly Step[];
  /** Rows valid under `version`, inserted after it is applied. */
  fill(db: Database, ledger: Ledger, version: string, user: string): Promise<void>;
}

const rows = (ledger: Ledger) => (ledger.size + 1) * 10;

export const TASKS: Project = {
  name: 'tasks',
  steps: [
    { version: 'v1', destructive: [] },
    {
      version: 'v2',
      destructive: ['- column tasks.notes: its values are deleted', '- job purge-done: the job stops running'],
    },
    {
      version: 'v3',
      destructive: [
        '- table labels: holds 5 rows: its rows are deleted',
        '~ column projects.name: type varchar(200) → varchar(100): type varchar(200) → varchar(100) may not hold every value',
        '~ column projects.budget: type bigint → integer: type bigint → integer may not hold every value',
      ],
    },
    { version: 'v2', destructive: [] },
  ],
  async fill(db, ledger, v, user) {
    const n = rows(ledger);
    const project = await ledger.insert(db, 'projects', { user_id: user, name: `project ${n}`, budget: n });
    const task: Record<string, string | number | null> = { user_id: user, project_id: project, title: `task ${n}`, points: n };
    if (v === 'v1') task.notes = `notes ${n}`;
    else Object.assign(task, { status: 'doing', due_on: '2030-01-0' + (n % 9 || 1) });
    const id = await ledger.insert(db, 'tasks', task);
    if (v !== 'v1') await ledger.insert(db, 'comments', { user_id: user, task_id: id, body: `comment ${n}` });
    if (v !== 'v3') await ledger.insert(db, 'labels', { name: `label ${n}`, ...(v === 'v2' ? { color: 'teal' } : {}) });
  },
};

/** Access rules evolve: drafts become private, orders gain a seller, read-only and immutable columns, notes close. */
export const ACCESS: Project = {
  name: 'access',
  steps: [
    { version: 'v1', destructive: [] },
    // a rule with terms, a field made readonly or immutable, access closed: none of it loses data
    { version: 'v2', destructive: [] },
    // readonly taken away (the guard is rewritten), notes reopened
    { version: 'v3', destructive: [] },
    // back to plain levels: the guards and the anon policies go
    { version: 'v1', destructive: [] },
    { version: 'v2', destructive: [] },
  ],
  async fill(db, ledger, _v, user) {
    const n = rows(ledger);
    await ledger.insert(db, 'posts', { author_id: user, title: `post ${n}`, status: n % 20 === 0 ? 'published' : 'draft' });
    await ledger.insert(db, 'orders', { buyer_id: user, seller_id: user, status: 'pending', total_cents: n });
    await ledger.insert(db, 'notes', { user_id: user, body: `note ${n}`, shared: n % 20 === 0 });
  },
};

export const STUDIO: Project = {
  name: 'studio',
  steps: [
    { version: 'v1', destructive: [] },
    // the bucket scratch goes too, but it holds no object
    { version: 'v2', destructive: ['- job cleanup: the job stops running'] },
    // the bucket docs goes from the file (it holds a file): its policies go, the bucket and the file stay
    { version: 'v3', destructive: [] },
    {
      version: 'v2',
      destructive: [
        '- column documents.pinned: its values are deleted',
        '~ column posts.score: type bigint → integer: type bigint → integer may not hold every value',
      ],
    },
  ],
  async fill(db, ledger, v, user) {
    const n = rows(ledger);
    await ledger.insert(db, 'posts', { user_id: user, title: `post ${n}`, score: n });
    await db.query(`INSERT INTO storage.objects (bucket_id, name, owner) VALUES ('images', $1, $2)`, [`${user}/${n}.png`, user]);
    if (v === 'v1') return;
    const org = await ledger.insert(db, 'organizations', { name: `org ${n}`, created_by: user });
    await ledger.insert(db, 'documents', { org_id: org, user_id: user, title: `doc ${n}`, body: `body ${n}`, ...(v === 'v3' ? { pinned: true } : {}) });
    if (v === 'v2')
      await db.query(`INSERT INTO storage.objects (bucket_id, name, owner) VALUES ('docs', $1, $2) ON CONFLICT DO NOTHING`, [`${user}/doc.pdf`, user]);
  },
};
