/**
 * A user's text inside SQL LIKE: `%` and `_` are wildcards there, so a search for `%` would
 * match every row. Every search that puts typed text into LIKE goes through `contains`, which
 * escapes the wildcards (and the escape character itself) and names the escape with ESCAPE.
 */
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

const ESCAPE = '\\';

/** The text with LIKE's wildcards and the escape character escaped. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `${ESCAPE}${ch}`);

/** `column LIKE '%text%' ESCAPE '\'`: the column contains the text as typed. */
export const contains = (column: SQLWrapper, text: string): SQL =>
  sql`${column} LIKE ${`%${escapeLike(text)}%`} ESCAPE ${sql.raw(`'${ESCAPE}'`)}`;
