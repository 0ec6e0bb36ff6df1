/** What `altan-cloud init` writes: a small, commented, valid requirements file. */
export const STARTER_FILE = `# yaml-language-server: $schema=./node_modules/altan-cloud/schemas/requirements.schema.json
# altan-cloud requirements file (format version 1).
# Validate:  altan-cloud validate
# SQL:       altan-cloud generate -o schema.sql
version: 1

entities:
  # Each entity becomes a table with row level security. Access defaults to
  # "owner": every row belongs to the user who created it (column user_id,
  # filled from auth.uid() so clients need not send it).
  todos:
    description: Things to do
    fields:
      title: { type: text, required: true, check: "char_length(title) <= 200" }
      done: { type: boolean, required: true, default: false }
      due_on: date
    indexes:
      - [user_id, done]

  # A reference table: anyone may read it, only the service role may write.
  tags:
    access: reference
    primary_key: slug
    timestamps: false
    fields:
      slug: { type: text }
      label: { type: text, required: true }
    rows:
      - { slug: home, label: Home }
      - { slug: work, label: Work }

# buckets:
#   avatars:
#     public: true
#     file_size_limit: 5MB
#     allowed_mime_types: [image/png, image/jpeg]
`;
