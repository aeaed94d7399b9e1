import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * This county's own verification of a provider's qualification document (the document itself
 * lives in CONTROL_DB's provider_qualifications, whose verified_* columns hold the latest
 * verification by any county; ADR 0305).
 */
export const qualificationVerifications = sqliteTable(
  'qualification_verifications',
  {
    qualificationId: text('qualification_id').primaryKey(),
    providerId: text('provider_id').notNull(),
    verifiedBy: text('verified_by').notNull(),
    verifiedAt: text('verified_at').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('qualification_verifications_provider').on(t.providerId)],
);
