/** The requirements files the migration tests make migrations of (a job, so that pg_cron's statements are in them). */

export const NOTES = `version: 1
entities:
  notes:
    fields:
      title: { type: text, required: true }
      body: text
jobs:
  purge-old-notes:
    schedule: "0 3 * * *"
    sql: DELETE FROM public.notes WHERE created_at < now() - interval '1 year'
`;

/** NOTES with a field and an entity more. */
export const NOTES_AND_TAGS = NOTES.replace('      body: text\n', '      body: text\n      pinned: boolean\n  tags:\n    fields:\n      label: text\n');

/** NOTES without the body field: a destructive change. */
export const NOTES_WITHOUT_BODY = NOTES.replace('      body: text\n', '');
