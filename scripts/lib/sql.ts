/**
 * A SQL string literal, for the statements sent with `wrangler d1 execute --command` (which
 * cannot bind parameters): quotes doubled, and refusing NUL, which SQLite would cut at.
 */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('SQL text may not contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A nullable SQL literal. */
export const sqlValue = (value: string | null | undefined): string =>
  value === null || value === undefined ? 'NULL' : sqlString(value);
