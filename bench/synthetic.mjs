/**
 * Synthetic requirements files of any size, for the benchmarks. Deterministic
 * (same n, same bytes) and always valid: every access mode of the format,
 * foreign keys between entities of different modes (so the policies get their
 * parent-visibility checks), declared and implicit indexes, seed rows, buckets
 * of every kind and materialized views with refresh jobs — the parts whose
 * cost grows with the file, in roughly the mix of the example apps.
 */

const ACCESS = [
  'owner',
  'public-read',
  'authenticated-read',
  'org',
  'reference',
  'private',
  '{ read: authenticated, create: owner, update: owner }',
  '{ read: owner, delete: owner }',
];

const pad = (i) => String(i).padStart(4, '0');
const entityName = (i) => `item_${pad(i)}`;
/** A fixed uuid per (entity, row): seed rows need their key, and a generated one would change every run. */
const rowId = (i, r) => `00000000-0000-4000-8000-${String(i * 10 + r).padStart(12, '0')}`;

/** One entity; `i` picks its access mode and which earlier entities it references; `extra`: one more field. */
function entity(i, extra = false) {
  const access = ACCESS[i % ACCESS.length];
  const lines = [`  ${entityName(i)}:`, `    description: Synthetic entity ${i} (${access.replace(/[{}:,]/g, '')})`, `    access: ${access}`, '    fields:'];
  lines.push(`      title: { type: text, required: true, check: "char_length(title) <= 200" }`);
  lines.push(`      amount: { type: "numeric(12,2)", required: true, default: 0, check: "amount >= 0" }`);
  lines.push(`      status: { type: text, required: true, enum: [draft, active, archived], default: draft }`);
  lines.push('      notes: text');
  lines.push('      due_on: date');
  if (extra) lines.push('      summary: { type: text, check: "char_length(summary) <= 500" }');
  // Reference tables are seeded and referenced by others, never the other way round:
  // a seed row cannot satisfy a foreign key to a table that is empty on a fresh database.
  if (access !== 'reference') {
    if (i >= 1) lines.push(`      parent_id: { references: ${entityName(i - 1)}, on_delete: cascade }`);
    if (i >= 7) lines.push(`      other_id: { references: ${entityName(i - 7)}, on_delete: set null }`);
  }
  if (i % 3 === 0) lines.push('    indexes:', '      - [status, created_at]');
  if (access === 'reference') {
    lines.push('    rows:');
    for (let r = 0; r < 2; r++) lines.push(`      - { id: ${rowId(i, r)}, title: "Row ${r} of ${i}", status: active }`);
  }
  return lines.join('\n');
}

function bucket(b) {
  const kinds = [
    '{ public: true, file_size_limit: 5MB, allowed_mime_types: [image/png, image/jpeg] }',
    '{ public: false, file_size_limit: 2MB, allowed_mime_types: [application/pdf], access: { read: owner, upload: owner, update: none, delete: none } }',
    '{ public: false, access: { read: authenticated, upload: owner } }',
  ];
  return `  files-${pad(b)}: ${kinds[b % kinds.length]}`;
}

/** A view over entity `i`, which every access mode has a `status` column for. */
function view(v, i) {
  const access = ['none', 'authenticated', 'public'][v % 3];
  return [
    `  stats_${pad(v)}:`,
    '    query: |',
    `      SELECT status, count(*) AS total, coalesce(sum(amount), 0) AS amount FROM public.${entityName(i)} GROUP BY status`,
    '    unique_key: [status]',
    `    refresh: ${v % 2 === 0 ? 'hourly' : 'daily'}`,
    `    access: ${access}`,
  ].join('\n');
}

/**
 * A requirements file with `n` entities, one bucket and one view per 20 entities (at least one of each).
 * A later version of the same file, for plan: `extraFieldEvery` k > 0 gives every k-th entity one more
 * field, `withoutLast` leaves the last entity out (no other entity, view or job refers to it).
 */
export function syntheticYaml(n, { extraFieldEvery = 0, withoutLast = false } = {}) {
  const extras = Math.max(1, Math.round(n / 20));
  const parts = ['# Synthetic benchmark file (bench/synthetic.mjs)', 'version: 1', 'entities:'];
  for (let i = 0; i < (withoutLast ? n - 1 : n); i++) parts.push(entity(i, extraFieldEvery > 0 && i % extraFieldEvery === 0));
  parts.push('buckets:');
  for (let b = 0; b < extras; b++) parts.push(bucket(b));
  parts.push('materialized_views:');
  for (let v = 0; v < extras; v++) parts.push(view(v, Math.floor((v * n) / extras)));
  parts.push('jobs:', '  purge-archived:', '    schedule: "15 4 * * *"', `    sql: DELETE FROM public.${entityName(0)} WHERE status = 'archived'`);
  return `${parts.join('\n')}\n`;
}
