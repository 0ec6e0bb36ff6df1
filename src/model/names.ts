/**
 * Derived names (constraints, indexes, policies, triggers) that never collide
 * and never exceed Postgres's 63-byte identifier limit. Postgres truncates
 * silently, so two names that differ only after byte 63 would collide: every
 * name longer than that is shortened here, deterministically, with a hash.
 */
import { createHash } from 'node:crypto';
import { PRIVATE_SCHEMA } from './model.js';

/** Names of the functions in the private schema (shared by the files of every schema). */
export const FUNCTION_SPACE = `function:${PRIVATE_SCHEMA}`;

export const MAX_IDENTIFIER_BYTES = 63;

/**
 * The transaction's search path, where unqualified names in the file's SQL
 * resolve; public stays on it: apply_postgrest_permissions() lives there.
 */
export const searchPathSchemas = (schema: string): string[] => (schema === 'public' ? ['public'] : [schema, 'public']);

/** Namespaces in which Postgres wants names unique: relations of a schema, or one kind of name of a table. */
export const relationSpace = (schema: string) => `relation:${schema}`;
export const tableSpace = (schema: string, table: string, what: 'constraint' | 'policy' | 'trigger') => `${what}:${schema}.${table}`;
/** pg_cron's job names (cron.job.jobname is of type name: 63 bytes too). */
export const CRON_JOB_SPACE = 'cron-job';
const HASH_LENGTH = 8;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/** Longest prefix of `text` within `bytes` UTF-8 bytes, never splitting a character. */
function truncateBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/**
 * One registry per compilation. A namespace is where Postgres requires
 * uniqueness: relations of a schema, constraints/policies/triggers of a table.
 */
export class NameRegistry {
  private readonly taken = new Map<string, Set<string>>();

  private space(namespace: string): Set<string> {
    let set = this.taken.get(namespace);
    if (!set) this.taken.set(namespace, (set = new Set()));
    return set;
  }

  /** Names from the file itself: they win, derived names step aside. */
  reserve(namespace: string, name: string): void {
    this.space(namespace).add(name);
  }

  /**
   * `parts` joined by `_` plus `_suffix`, e.g. (['todos', 'user_id'], 'idx').
   * Shortened with a hash of the full name when too long; given a hash that
   * also covers a counter when the name is already taken.
   */
  derive(namespace: string, parts: readonly string[], suffix: string): string {
    const space = this.space(namespace);
    const full = `${parts.join('_')}_${suffix}`;
    const fits = Buffer.byteLength(full, 'utf8') <= MAX_IDENTIFIER_BYTES;
    let name = fits ? full : this.shorten(full, suffix, full);
    for (let n = 1; space.has(name); n++) name = this.shorten(full, suffix, `${full}#${n}`);
    space.add(name);
    return name;
  }

  /** `full` itself when it fits and is free, else its first bytes and a hash of it. */
  fit(namespace: string, full: string): string {
    const space = this.space(namespace);
    const shortened = (seed: string) => `${truncateBytes(full, MAX_IDENTIFIER_BYTES - HASH_LENGTH - 1)}_${hash(seed)}`;
    let name = Buffer.byteLength(full, 'utf8') <= MAX_IDENTIFIER_BYTES ? full : shortened(full);
    for (let n = 1; space.has(name); n++) name = shortened(`${full}#${n}`);
    space.add(name);
    return name;
  }

  private shorten(full: string, suffix: string, seed: string): string {
    const stem = full.slice(0, full.length - suffix.length - 1);
    const room = MAX_IDENTIFIER_BYTES - HASH_LENGTH - suffix.length - 2;
    return `${truncateBytes(stem, room)}_${hash(seed)}_${suffix}`;
  }
}
