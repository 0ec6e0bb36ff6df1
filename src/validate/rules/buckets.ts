/**
 * Rules about storage buckets: the size limit (parsed by the same `parseSize`
 * the renderer uses), the allowed mime types, which Storage compares
 * against each upload's content type, and access through an entity's rows.
 */
import { memberRolesOf } from '../../model/members.js';
import { ORGANIZATIONS, referencedKey, resolveFieldType } from '../../model/resolve.js';
import { parseSize } from '../../model/sizes.js';
import { UUID } from '../../model/sqlTypes.js';
import { unknownEntityHint } from './context.js';
import type { RuleContext } from './context.js';
import { canProblem, checkRoles, whoseMembers } from './memberTerms.js';

/** RFC 6838 restricted-name: a letter or digit, then up to 126 of these characters. */
const MIME_NAME = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';
const MIME_TYPE = new RegExp(`^${MIME_NAME}/(?:${MIME_NAME}|\\*)$`, 'i');

export function bucketSize(ctx: RuleContext): void {
  for (const [name, bucket] of Object.entries(ctx.input.buckets ?? {})) {
    if (bucket.file_size_limit === undefined) continue;
    const r = parseSize(bucket.file_size_limit);
    if (!r.ok) {
      ctx.error('bucket-size', `file_size_limit of bucket "${name}": ${r.message}`, ['buckets', name, 'file_size_limit']);
    }
  }
}

export function mimeType(ctx: RuleContext): void {
  for (const [name, bucket] of Object.entries(ctx.input.buckets ?? {})) {
    const seen = new Map<string, number>();
    (bucket.allowed_mime_types ?? []).forEach((mime, i) => {
      const path = ['buckets', name, 'allowed_mime_types', i];
      if (!MIME_TYPE.test(mime)) {
        ctx.error(
          'mime-type',
          `allowed mime type ${JSON.stringify(mime)} of bucket "${name}" is not of the form type/subtype or type/* (e.g. image/png, image/*); ` +
            'to allow every type, leave allowed_mime_types out',
          path,
        );
        return;
      }
      const key = mime.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.error('mime-type', `bucket "${name}" lists mime type "${mime}" twice (items ${first + 1} and ${i + 1}; case does not matter); remove one`, path);
      } else {
        seen.set(key, i);
      }
    });
  }
}

const BUCKET_OPS = ['read', 'upload', 'update', 'delete'] as const;

/**
 * `{ via: ENTITY }` in a bucket: the object's first folder is a row's id, so
 * ENTITY must exist (the generated organizations only when some entity uses
 * org access) and its key be one uuid or text column (a folder is text); its
 * member roles are checked like an entity's.
 */
export function bucketVia(ctx: RuleContext): void {
  const names = Object.keys(ctx.input.entities ?? {});
  const candidates = [...names, ...(ctx.usesOrg ? [ORGANIZATIONS] : [])];
  for (const [name, bucket] of Object.entries(ctx.input.buckets ?? {})) {
    for (const op of BUCKET_OPS) {
      const term = bucket.access?.[op];
      if (typeof term !== 'object') continue;
      const path = ['buckets', name, 'access', op];
      const subject = `${op} of bucket "${name}"`;
      const target = term.via;
      if (!candidates.includes(target)) {
        const hint = unknownEntityHint(target, candidates);
        ctx.error('bucket-via', `${subject} goes through "${target}", which is not an entity of this file${hint}`, [...path, 'via']);
        continue;
      }
      const key = referencedKey(ctx.input, target);
      const type = key === undefined ? undefined : key.entity === undefined ? UUID : resolveFieldType(ctx.input, key.entity, key.field);
      if (key === undefined || (type !== undefined && (type.array || (type.base !== 'uuid' && type.base !== 'text')))) {
        const why = key === undefined ? 'whose primary key has several fields' : `whose key "${key.field}" is ${type?.sql}`;
        ctx.error(
          'bucket-via',
          `${subject} goes through entity "${target}", ${why}: the object's first folder names one row by its id, so the key must be one uuid or text field`,
          [...path, 'via'],
        );
      }
      const canIssue = term.can === undefined ? undefined : canProblem(term.member !== undefined, key?.builtin === ORGANIZATIONS);
      if (canIssue !== undefined) ctx.error('via-can', `${subject} ${canIssue}`, [...path, 'can']);
      if (term.member === undefined) continue;
      const roles = memberRolesOf(ctx.input, target);
      if (roles === undefined) {
        ctx.error(
          'member-without-members',
          `${subject} asks for members of the "${target}" row its first folder names, but entity "${target}" has no members: declare them on "${target}", or leave member out for whoever may read it`,
          [...path, 'member'],
        );
        continue;
      }
      checkRoles(ctx, term.member, [...path, 'member'], roles, whoseMembers(target, ctx.input), subject);
    }
  }
}
