/**
 * Members added to an entity that has rows, on Postgres and PGlite: apply
 * (plan, then execute) makes each row's owner its first-role member, so that
 * the owners keep managing their rows and their members read them at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { apply } from '../../src/execute/apply.js';
import { ROOT } from '../helpers.js';
import { BACKENDS, useBackend, user, uuid } from './access.js';

const CASE = join(ROOT, 'test', 'plan-cases', 'members-added');
const before = await compile(readFileSync(join(CASE, 'before.yaml')), { fileName: 'before.yaml' });
const after = await compile(readFileSync(join(CASE, 'after.yaml')), { fileName: 'after.yaml' });
const A = uuid(0xa);
const B = uuid(0xb);
const R1 = uuid(0x101);
const R2 = uuid(0x102);

describe.each(BACKENDS)('members added to rooms that have rows, on %s', (backend) => {
  const b = useBackend(backend, 'fresh', before, async (b) => {
    for (const id of [A, B]) await b.user(id);
    await b.db.exec(`INSERT INTO public.rooms (id, user_id, name) VALUES ('${R1}', '${A}', 'One'), ('${R2}', '${B}', 'Two');`);
  });

  it("each room's owner becomes its admin; then the admin adds a member, who reads the room", async () => {
    expect((await apply(b.db, after)).status).toBe('applied');
    expect(await b.db.query('SELECT room_id, user_id, role FROM public.rooms_members ORDER BY room_id')).toEqual([
      { room_id: R1, user_id: A, role: 'admin' },
      { room_id: R2, user_id: B, role: 'admin' },
    ]);
    await b.query(user(A), `INSERT INTO public.rooms_members (room_id, user_id) VALUES ($1, $2)`, [R1, B]);
    expect(await b.query(user(B), 'SELECT id FROM public.rooms ORDER BY id')).toEqual([{ id: R1 }, { id: R2 }]);
    expect(await b.query(user(A), 'SELECT id FROM public.rooms')).toEqual([{ id: R1 }]);
  });
});
