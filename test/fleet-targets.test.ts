/**
 * Targets files (src/fleet/targets.ts): lines of URLs and YAML/JSON lists, the names given to
 * unnamed targets, every problem at its line at once, and never a password in a message.
 */
import { describe, expect, it } from 'vitest';
import { TargetsError, readTargets, scrubSecrets, targetNameOf } from '../src/fleet/targets.js';
import { backoffDelay, isRetried } from '../src/fleet/applyTarget.js';

const SECRET = 'Sup3rS3cretPw';

/** The TargetsError `text` is refused with. */
function refused(text: string, origin = 'targets.txt'): TargetsError {
  try {
    readTargets(text, origin);
  } catch (e) {
    if (e instanceof TargetsError) return e;
    throw e;
  }
  throw new Error('expected the targets to be refused');
}

describe('readTargets: lines of URLs', () => {
  it('reads one URL a line, skipping comments and blank lines, named host/database', () => {
    const text = [
      '# projects of the eu cluster',
      '',
      `postgres://postgres:${SECRET}@db.a.example.com:5432/postgres`,
      `   postgresql://app:${SECRET}@db.b.example.com/app?sslmode=require  `,
      '\t# indented comment',
      'postgres://127.0.0.1:54329/p1',
    ].join('\r\n');
    expect(readTargets(text, 'targets.txt')).toEqual([
      { name: 'db.a.example.com:5432/postgres', url: `postgres://postgres:${SECRET}@db.a.example.com:5432/postgres` },
      { name: 'db.b.example.com/app', url: `postgresql://app:${SECRET}@db.b.example.com/app?sslmode=require` },
      { name: '127.0.0.1:54329/p1', url: 'postgres://127.0.0.1:54329/p1' },
    ]);
  });

  it('makes names unique: the same host and database for two users gets #2', () => {
    const targets = readTargets(`postgres://a:${SECRET}@h/db\npostgres://b:${SECRET}@h/db\npostgres://c@h/db\n`, 't');
    expect(targets.map((t) => t.name)).toEqual(['h/db', 'h/db#2', 'h/db#3']);
  });

  it('reports every problem at once, each at its line, without the password', () => {
    const text = [
      `postgres://u:${SECRET}@ok.example.com/db`,
      `mysql://u:${SECRET}@h/db`,
      `postgres://u:${SECRET}@h/db postgres://other`,
      `postgres://u:pa@ss${SECRET}@h/db`,
      `postgres://u:${SECRET}@ok.example.com/db`,
    ].join('\n');
    const e = refused(text);
    expect(e.category).toBe('invalid');
    expect(e.problems.map((p) => [p.code, p.line])).toEqual([
      ['targets-invalid', 2],
      ['targets-invalid', 3],
      ['targets-invalid', 4],
      ['targets-invalid', 5],
    ]);
    expect(e.message).toMatch(/^invalid targets file:\ntargets\.txt:2:1: the database URL must start with postgres:\/\//);
    expect(e.message).toContain('targets.txt:3:1: one database URL per line');
    expect(e.message).toContain('targets.txt:4:1: the user name or password in the database URL holds an @');
    expect(e.message).toContain('targets.txt:5:1: the same database URL as line 1');
    expect(JSON.stringify(e.problems) + e.message).not.toContain(SECRET);
  });

  it('refuses a file without targets', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      const e = refused(text, '<stdin>');
      expect(e.message).toBe('invalid targets file:\n<stdin>: no targets: the file lists no database URL');
    }
  });
});

describe('readTargets: YAML and JSON', () => {
  it('reads a YAML list with names, an unnamed entry named from its URL', () => {
    const text = `# fleet\n- name: acme\n  url: postgres://u:${SECRET}@h1/db\n- url: postgres://u:${SECRET}@h2:6543/db\n`;
    expect(readTargets(text, 'fleet.yaml')).toEqual([
      { name: 'acme', url: `postgres://u:${SECRET}@h1/db` },
      { name: 'h2:6543/db', url: `postgres://u:${SECRET}@h2:6543/db` },
    ]);
  });

  it('reads JSON, and an object whose targets is the list', () => {
    const list = [
      { name: 'a', url: 'postgres://h/a' },
      { name: 'b', url: 'postgres://h/b' },
    ];
    expect(readTargets(JSON.stringify(list), 'fleet.json')).toEqual(list);
    expect(readTargets(JSON.stringify({ targets: list }, null, 2), 'fleet.json')).toEqual(list);
    expect(readTargets(`targets:\n  - name: a\n    url: postgres://h/a\n`, 'fleet.yaml')).toEqual([list[0]]);
  });

  it('an unnamed entry never takes a name the file gives another', () => {
    const text = '- url: postgres://h/db\n- name: h/db\n  url: postgres://other/db\n';
    expect(readTargets(text, 'f').map((t) => t.name)).toEqual(['h/db#2', 'h/db']);
  });

  it('reports every problem of the list at its line: no url, unknown keys, bad values, duplicates', () => {
    const text = [
      '- name: a', // 1: no url
      `- url: postgres://u:${SECRET}@h/a`, // 2
      `  uri: postgres://u:${SECRET}@h/b`, // 3: unknown key
      '  name: b',
      '- name: b', // 5: duplicate name
      '  url: postgres://h/c',
      '- name: 7', // 7: not a string
      '  url: postgres://h/d',
      '- just a string', // 9
      `- url: "postgres://u:x/${SECRET}@h/e"`, // 10: unencoded /
    ].join('\n');
    const e = refused(text, 'fleet.yaml');
    expect(e.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '1: a target needs a `url`',
      '3: unknown key: a target has only `name` and `url`',
      '5: the name "b" is also line 2\'s',
      '7: `name` must be a non-empty string',
      '9: a target is { name, url } (a name is optional)',
      '10: the user name or password in the database URL holds an @, /, ? or # that is not percent-encoded, so the URL cannot be read as meant',
    ]);
    expect(e.message + JSON.stringify(e.problems)).not.toContain(SECRET);
  });

  it('a YAML syntax error is reported at its line without quoting it', () => {
    const e = refused(`- url: postgres://u:${SECRET}@h/a\n  name: [unclosed ${SECRET}\n`, 'fleet.yaml');
    expect(e.problems[0]?.message).toMatch(/^not valid YAML\/JSON: /);
    expect(e.problems[0]?.line).toBeGreaterThan(0);
    expect(e.message).not.toContain(SECRET);
  });

  it('refuses a document that is not a list', () => {
    expect(refused('targets: 3\n', 'f').problems[0]?.message).toMatch(/^expected a list of \{ name, url \}/);
    expect(refused('{"a": [], "targets": []}', 'f').problems[0]?.message).toMatch(/^expected a list/);
  });
});

describe('names and secrets', () => {
  it('targetNameOf takes host, port and database from the redacted URL', () => {
    expect(targetNameOf(`postgres://u:${SECRET}@db.example.com:5432/app?password=${SECRET}`)).toBe('db.example.com:5432/app');
    expect(targetNameOf('postgres://h')).toBe('h');
    expect(targetNameOf(`postgres://u:${SECRET}@/db`)).toBe('localhost/db');
  });

  it('scrubSecrets replaces the password, as written and decoded, and password parameters', () => {
    const url = `postgres://u:p%40ss${SECRET}@h/db?sslpassword=KeyPass123`;
    expect(scrubSecrets(`a p@ss${SECRET} b p%40ss${SECRET} c KeyPass123`, url)).toBe('a *** b *** c ***');
  });
});

describe('retries', () => {
  it('retries what passes, not what would fail again', () => {
    for (const code of ['server-unreachable', 'connection-lost', 'lock-timeout']) expect(isRetried({ code })).toBe(true);
    for (const code of ['authentication-failed', 'destructive-change', 'plan-blocked', 'apply-failed', 'statement-timeout', 'database-error'])
      expect(isRetried({ code })).toBe(false);
    expect(isRetried({ code: 'connection-failed', sqlstate: '53300' })).toBe(true);
    expect(isRetried({ code: 'connection-failed', sqlstate: '3D000' })).toBe(false);
  });

  it('backs off exponentially, with jitter in the upper half, capped at 30 s', () => {
    const policy = { attempts: 10, baseDelayMs: 100 };
    for (let i = 0; i < 50; i++) {
      const first = backoffDelay(policy, 1);
      const third = backoffDelay(policy, 3);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(backoffDelay(policy, 20)).toBeLessThanOrEqual(30_000);
    }
  });
});
