/**
 * Every semantic rule, in one list so that `validateDocument` runs them all
 * and a test can check that each name is covered. Order does not matter:
 * diagnostics are sorted afterwards.
 */
import type { Rule } from './context.js';
import { writeAccess } from './access.js';
import { bucketSize, bucketVia, mimeType } from './buckets.js';
import { nulCharacter } from './data.js';
import { missingType, onDelete, unknownType } from './fields.js';
import { duplicateIndex, indexField } from './indexes.js';
import { implicitColumn, implicitId, ownerType, ownerWithoutOwnerAccess, primaryKey } from './keys.js';
import { nameCollision, reservedEntity, reservedSchema } from './names.js';
import { compositeReference, referenceType, unknownReference } from './references.js';
import { accessDuplicateTerm, accessNoneInList, accessRedundantTerm } from './lists.js';
import { readonlyDefault, readonlyImmutable } from './readonly.js';
import { seedRows } from './rows.js';
import { sqlFragment } from './sql.js';
import { enumDefault, enumType, defaultType } from './values.js';
import { schedule, viewRefresh } from './views-jobs.js';
import { exposedSchema, jsonEquality, publicBucketRead, viewOverAuthUsers, writeWithoutRead } from './usability.js';
import { userField, viewUserColumn, viewVia } from './users.js';
import { memberCreate, memberRole, memberWithoutMembers, viaCan } from './memberTerms.js';
import { membersColumn, membersTable } from './membersTables.js';
import { viaCycle, viaField } from './via.js';
import { accessWhere } from './where.js';

export interface NamedRule {
  /** The rule name its diagnostics carry (`write-access` also emits `open-write` warnings). */
  readonly name: string;
  readonly check: Rule;
}

export const RULES: readonly NamedRule[] = [
  { name: 'reserved-schema', check: reservedSchema },
  { name: 'unknown-type', check: unknownType },
  { name: 'missing-type', check: missingType },
  { name: 'unknown-reference', check: unknownReference },
  { name: 'composite-reference', check: compositeReference },
  { name: 'reference-type', check: referenceType },
  { name: 'on-delete', check: onDelete },
  { name: 'primary-key', check: primaryKey },
  { name: 'implicit-id', check: implicitId },
  { name: 'implicit-column', check: implicitColumn },
  { name: 'owner-without-owner-access', check: ownerWithoutOwnerAccess },
  { name: 'owner-type', check: ownerType },
  { name: 'reserved-entity', check: reservedEntity },
  { name: 'enum-type', check: enumType },
  { name: 'enum-default', check: enumDefault },
  { name: 'default-type', check: defaultType },
  { name: 'sql-fragment', check: sqlFragment },
  { name: 'index-field', check: indexField },
  { name: 'duplicate-index', check: duplicateIndex },
  { name: 'schedule', check: schedule },
  { name: 'name-collision', check: nameCollision },
  { name: 'seed-rows', check: seedRows },
  { name: 'bucket-size', check: bucketSize },
  { name: 'mime-type', check: mimeType },
  { name: 'write-access', check: writeAccess },
  { name: 'user-field', check: userField },
  { name: 'access-where', check: accessWhere },
  { name: 'access-none-in-list', check: accessNoneInList },
  { name: 'access-duplicate-term', check: accessDuplicateTerm },
  { name: 'access-redundant-term', check: accessRedundantTerm },
  { name: 'readonly-default', check: readonlyDefault },
  { name: 'readonly-immutable', check: readonlyImmutable },
  { name: 'view-user-column', check: viewUserColumn },
  { name: 'view-via', check: viewVia },
  { name: 'via-field', check: viaField },
  { name: 'via-cycle', check: viaCycle },
  { name: 'via-can', check: viaCan },
  { name: 'member-without-members', check: memberWithoutMembers },
  { name: 'member-role', check: memberRole },
  { name: 'member-create', check: memberCreate },
  { name: 'members-table', check: membersTable },
  { name: 'members-column', check: membersColumn },
  { name: 'bucket-via', check: bucketVia },
  { name: 'view-refresh', check: viewRefresh },
  { name: 'nul-character', check: nulCharacter },
  { name: 'write-without-read', check: writeWithoutRead },
  { name: 'json-equality', check: jsonEquality },
  { name: 'exposed-schema', check: exposedSchema },
  { name: 'view-over-auth-users', check: viewOverAuthUsers },
  { name: 'public-bucket-read', check: publicBucketRead },
];
