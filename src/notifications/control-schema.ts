import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * The in-app inbox. Kept in the control database so a user sees one inbox across counties;
 * which is why a notification carries no personal data of supervisees: counts, ledger and
 * incident references and a link into the county's console, where the reader's role decides
 * what the record shows.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    county: text('county').notNull(),
    kind: text('kind').notNull(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en').notNull(),
    link: text('link'),
    /** What makes a notification the same one: a job run twice sends nothing twice. */
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: createdAt(),
    readAt: text('read_at'),
  },
  (t) => [
    uniqueIndex('notifications_dedupe').on(t.userId, t.dedupeKey),
    index('notifications_user').on(t.userId, t.createdAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
