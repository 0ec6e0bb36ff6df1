/** The default key column of a members table: the entity's name made singular by fixed rules (src/model/members.ts). */
import { describe, expect, it } from 'vitest';
import { membersOf, singular } from '../src/model/members.js';

describe('singular', () => {
  const cases: [string, string][] = [
    ['rooms', 'room'],
    ['projects', 'project'],
    ['categories', 'category'],
    ['classes', 'class'],
    ['buses', 'bus'],
    ['statuses', 'status'],
    ['campuses', 'campus'],
    ['boxes', 'box'],
    ['matches', 'match'],
    ['wishes', 'wish'],
    ['quizzes', 'quiz'],
    ['status', 'status'],
    ['campus', 'campus'],
    ['analysis', 'analysis'],
    ['staff', 'staff'],
    ['team', 'team'],
  ];
  it.each(cases)('%s → %s', (plural, one) => expect(singular(plural)).toBe(one));

  it('names the members table and its key column from the entity, unless the file does', () => {
    expect(membersOf('rooms', { members: true })).toEqual({ roles: ['admin', 'member'], join: 'invite', table: 'rooms_members', column: 'room_id' });
    expect(membersOf('series', { members: { column: 'series_id', roles: ['owner', 'viewer', 'owner'] } })).toMatchObject({
      column: 'series_id',
      roles: ['owner', 'viewer'],
    });
    expect(membersOf('rooms', { members: false })).toBeUndefined();
  });
});
