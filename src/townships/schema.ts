import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/** 乡镇/街道, each with its 司法所. */
export const townships = sqliteTable('townships', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  nameEn: text('name_en'),
  /** 乡级行政区划代码 (nine or twelve digits), when known. */
  code: text('code'),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
});

export type TownshipRow = typeof townships.$inferSelect;
