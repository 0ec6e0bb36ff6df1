/**
 * Rules about storage buckets: the size limit (parsed by the same `parseSize`
 * the renderer uses) and the allowed mime types, which Storage compares
 * against each upload's content type.
 */
import { parseSize } from '../../model/sizes.js';
import type { RuleContext } from './context.js';

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
