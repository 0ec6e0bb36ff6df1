/**
 * The file and the data of section 3's members and `via` shapes (issue 16;
 * ./runtime-members.mjs measures them), laid out as
 * /work/shared/access-rules.md §7 measured its floor: `users` users, each a
 * member of MEMBERSHIPS rooms and of MEMBERSHIPS projects, `rows` rows in each
 * child table. Every id is a function of a number, so that the section can
 * name a user's rooms and projects without asking the database.
 */

/** Rooms and projects each user belongs to (fewer when there are fewer users). */
export const MEMBERSHIPS = 5;

/** The roles of a project's members by their place k in it: its owner admin, then two editors and two viewers. */
const PROJECT_ROLES = ['admin', 'editor', 'editor', 'viewer', 'viewer'];

/** The bucket whose objects' first folder is a project id. */
export const BUCKET = 'project-files';

/** The entities: a chat (rooms with members, messages read through the room) and a board (projects, tasks, comments two levels down). */
const ENTITIES = `version: 1
entities:
  rooms:
    members: true
    access: { read: member, create: authenticated, update: { member: admin }, delete: { member: admin } }
    fields:
      name: { type: text, required: true }
  messages:
    access:
      read: { via: room_id }
      create: { via: room_id }
      update: owner
      delete: owner
    fields:
      room_id: { references: rooms, on_delete: cascade, required: true, immutable: true }
      body: { type: text, required: true }
  projects:
    members: { roles: [admin, editor, viewer] }
    access: { read: member, create: authenticated, update: { member: [admin, editor] }, delete: { member: admin } }
    fields:
      name: { type: text, required: true }
  tasks:
    access:
      read: { via: project_id }
      create: { via: project_id, member: [admin, editor] }
      update: { via: project_id, member: [admin, editor] }
      delete: { via: project_id, member: admin }
    fields:
      project_id: { references: projects, on_delete: cascade, required: true, immutable: true }
      title: { type: text, required: true }
  task_comments:
    access:
      read: { via: task_id }
      create: { via: task_id }
      update: owner
      delete: owner
    fields:
      task_id: { references: tasks, on_delete: cascade, required: true, immutable: true }
      body: { type: text, required: true }
  reports:
    description: Read by a project's admins and editors only
    access:
      read: { via: project_id, member: [admin, editor] }
      create: { via: project_id, member: [admin, editor] }
      update: owner
      delete: owner
    fields:
      project_id: { references: projects, on_delete: cascade, required: true, immutable: true }
      title: { type: text, required: true }
  documents:
    description: Shared documents, read by their members (each user owns rows/users of them)
    members: true
    access: { read: member, create: authenticated, update: { member: admin }, delete: { member: admin } }
    fields:
      title: { type: text, required: true }
`;

/** The requirements file: the entities and the project files' bucket (`{ via: projects }`). */
export const MEMBERS_YAML_WITH_BUCKET = `${ENTITIES}buckets:
  ${BUCKET}:
    access: { read: { via: projects }, upload: { via: projects, member: [admin, editor] }, update: none, delete: none }
`;

const pad = (n) => String(n).padStart(12, '0');
/** Ids by kind: a user, a room, a project, a task, a document. */
const KINDS = { user: '8000', room: 'a000', project: 'b000', task: 'c000', document: 'd000' };
export const idOf = (kind, n) => `00000000-0000-4000-${KINDS[kind]}-${pad(n)}`;
const sqlId = (kind, n) => `('00000000-0000-4000-${KINDS[kind]}-' || lpad((${n})::text, 12, '0'))::uuid`;

/**
 * The layout: rooms and projects are as many as users, room/project p owned by user p. User u is
 * member k (0..m-1) of room/project ((u - 1 + k * stride) % users) + 1; k = 0 is its own (admin).
 */
export function layout({ users, rows }) {
  const m = Math.max(1, Math.min(MEMBERSHIPS, users));
  const stride = Math.max(1, Math.floor(users / m));
  const tasks = Math.max(users, Math.floor(rows / 10));
  return { m, stride, tasks, groups: users };
}

/** The rooms (or projects) user u (1-based) belongs to, k = 0 first, and the role of each in a project. */
export function membershipsOf(u, { users, rows }) {
  const { m, stride } = layout({ users, rows });
  return Array.from({ length: m }, (_, k) => ({ group: ((u - 1 + k * stride) % users) + 1, projectRole: PROJECT_ROLES[k] ?? 'viewer' }));
}

/**
 * Superuser load. Triggers and foreign keys off (session_replication_role), as in section 3: so the
 * creators' memberships, which the AFTER INSERT triggers would add, are inserted here.
 */
export function membersLoadSql({ users, rows }) {
  const { m, stride, tasks } = layout({ users, rows });
  const member = (group, k) => `((((${group}) - 1 - (${k}) * ${stride}) % ${users} + ${users}) % ${users}) + 1`;
  const memberships = `generate_series(1, ${users}) u, generate_series(0, ${m - 1}) k`;
  const groupOf = `((u - 1 + k * ${stride}) % ${users}) + 1`;
  const roles = `(ARRAY[${PROJECT_ROLES.map((r) => `'${r}'`).join(', ')}])[k + 1]`;
  const group = `((g - 1) % ${users}) + 1`;
  const ago = `now() - g * interval '1 second'`;
  return `
SET session_replication_role = replica;
INSERT INTO auth.users (id, email) SELECT ${sqlId('user', 'g')}, 'user' || g || '@bench.invalid' FROM generate_series(1, ${users}) g;
INSERT INTO public.rooms (id, user_id, name, created_at) SELECT ${sqlId('room', 'g')}, ${sqlId('user', 'g')}, 'room ' || g, ${ago} FROM generate_series(1, ${users}) g;
INSERT INTO public.rooms_members (room_id, user_id, role)
  SELECT ${sqlId('room', groupOf)}, ${sqlId('user', 'u')}, CASE WHEN k = 0 THEN 'admin' ELSE 'member' END FROM ${memberships};
INSERT INTO public.projects (id, user_id, name, created_at) SELECT ${sqlId('project', 'g')}, ${sqlId('user', 'g')}, 'project ' || g, ${ago} FROM generate_series(1, ${users}) g;
INSERT INTO public.projects_members (project_id, user_id, role) SELECT ${sqlId('project', groupOf)}, ${sqlId('user', 'u')}, ${roles} FROM ${memberships};
-- message g: room r = ((g - 1) % users) + 1, written by its member k = ((g - 1) / users) % m
INSERT INTO public.messages (room_id, user_id, body, created_at)
  SELECT ${sqlId('room', group)}, ${sqlId('user', member(group, `((g - 1) / ${users}) % ${m}`))}, 'message ' || g, ${ago} FROM generate_series(1, ${rows}) g;
-- tasks have no owner: every term of their rule is a via
INSERT INTO public.tasks (id, project_id, title, created_at)
  SELECT ${sqlId('task', 'g')}, ${sqlId('project', group)}, 'task ' || g, ${ago} FROM generate_series(1, ${tasks}) g;
-- comment g on task ((g - 1) % tasks) + 1, by that task's project's owner
INSERT INTO public.task_comments (task_id, user_id, body, created_at)
  SELECT ${sqlId('task', `((g - 1) % ${tasks}) + 1`)}, ${sqlId('user', `((g - 1) % ${tasks}) % ${users} + 1`)}, 'comment ' || g, ${ago} FROM generate_series(1, ${rows}) g;
INSERT INTO public.reports (project_id, user_id, title, created_at)
  SELECT ${sqlId('project', group)}, ${sqlId('user', group)}, 'report ' || g, ${ago} FROM generate_series(1, ${rows}) g;
-- document g owned by user ((g - 1) % users) + 1, its admin; user u is also a member of one document of
-- each of the other users it shares a room with (k = 1..m-1)
INSERT INTO public.documents (id, user_id, title, created_at)
  SELECT ${sqlId('document', 'g')}, ${sqlId('user', group)}, 'document ' || g, ${ago} FROM generate_series(1, ${rows}) g;
INSERT INTO public.documents_members (document_id, user_id, role)
  SELECT ${sqlId('document', 'g')}, ${sqlId('user', group)}, 'admin' FROM generate_series(1, ${rows}) g;
INSERT INTO public.documents_members (document_id, user_id, role)
  SELECT ${sqlId('document', groupOf)}, ${sqlId('user', 'u')}, 'member' FROM ${memberships} WHERE k > 0;
SET session_replication_role = DEFAULT;
`;
}

/** Objects of the bucket: object g under its project's folder, ((g - 1) % users) + 1, uploaded by the project's owner. */
export function objectsLoadSql({ users, rows }) {
  const group = `((g - 1) % ${users}) + 1`;
  return `
SET session_replication_role = replica;
INSERT INTO storage.objects (bucket_id, name, owner, owner_id, metadata, created_at)
  SELECT '${BUCKET}', ${sqlId('project', group)}::text || '/file-' || g || '.txt', ${sqlId('user', group)}, ${sqlId('user', group)}::text,
         '{"mimetype":"text/plain","size":1}'::jsonb, now() - g * interval '1 second'
  FROM generate_series(1, ${rows}) g;
SET session_replication_role = DEFAULT;
`;
}

/** The data, for the notes. */
export function membersData({ users, rows }) {
  const { m, tasks } = layout({ users, rows });
  const n = (k) => Math.round(k).toLocaleString('en-US');
  return (
    `members data: ${n(users)} users, ${n(users)} rooms and ${n(users)} projects (each user a member of ${m} of each; project roles admin, ` +
    `editor ×2, viewer ×2); ${n(rows)} rows each in messages, task_comments (over ${n(tasks)} tasks), reports, documents ` +
    `(${n(rows / users)} owned per user, plus ${m - 1} shared) and the ${BUCKET} bucket (${n(rows / users)} objects per project)`
  );
}
