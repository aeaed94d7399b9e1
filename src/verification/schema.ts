import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { activities } from '../activities/schema';
import { createdAt } from '../db/columns';

/**
 * 回访核查: a township office called a supervisee back to check that a provider's recorded
 * service happened, and how satisfied they were. The call itself is recorded as an activity of
 * type `verification_callback` (`callback_activity_id`); this row links it to the service checked.
 */
export const verificationCallbacks = sqliteTable(
  'verification_callbacks',
  {
    id: text('id').primaryKey(),
    /** The provider's activity that was checked. */
    activityId: text('activity_id')
      .notNull()
      .references(() => activities.id),
    /** The `verification_callback` activity recording the call. */
    callbackActivityId: text('callback_activity_id')
      .notNull()
      .references(() => activities.id),
    /** Who was asked; null when the checked service had no participant (e.g. legal publicity). */
    superviseeId: text('supervisee_id'),
    /** Copied from the checked activity, so the per-provider report needs no join. */
    providerId: text('provider_id').notNull(),
    townshipId: text('township_id').notNull(),
    /** The day of the checked service: reports cover the services of a period. */
    serviceOn: text('service_on').notNull(),
    calledOn: text('called_on').notNull(),
    happened: integer('happened', { mode: 'boolean' }).notNull(),
    /** 1 (very dissatisfied) … 5 (very satisfied); null when the supervisee gave none. */
    satisfaction: integer('satisfaction'),
    note: text('note'),
    byUserId: text('by_user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('verification_provider').on(t.providerId, t.serviceOn),
    index('verification_township').on(t.townshipId, t.serviceOn),
    index('verification_activity').on(t.activityId),
  ],
);

export type VerificationRow = typeof verificationCallbacks.$inferSelect;
