import { sql } from 'drizzle-orm';
import { text } from 'drizzle-orm/sqlite-core';

/** An ISO instant set by the database when the row is written. */
export const createdAt = () =>
  text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
