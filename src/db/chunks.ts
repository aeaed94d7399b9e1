/**
 * D1 refuses a statement with more than 100 bound parameters; local SQLite allows 32,766, which
 * is why every test's databases are held to 100 (src/db/param-guard.ts). This module is the one
 * way the code keeps a statement under the cap, whatever the number of ids or rows:
 * - `queryInChunks`: an `IN (…)` list of ids, one query per chunk, with room left for the
 *   statement's other parameters (budget = 100 − other parameters);
 * - `chunkForParams`: the same split, for bulk inserts (n parameters a row) and for callers
 *   that batch the chunks' statements themselves;
 * - `inJsonList`: a list that rides along with other filters in ONE statement (a caller's
 *   township or provider scope), as a single JSON parameter.
 */
import { type Column, type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/** D1 refuses statements with more than 100 bound parameters; local SQLite allows more. */
export const D1_MAX_PARAMS = 100;

/**
 * Splits `rows` so that each statement, with `paramsPerRow` parameters a row plus `otherParams`
 * parameters of its own (the rest of the WHERE, a LIMIT…), stays within D1's cap.
 */
export function chunkForParams<T>(rows: readonly T[], paramsPerRow = 1, otherParams = 0): T[][] {
  const budget = D1_MAX_PARAMS - otherParams;
  if (paramsPerRow < 1 || budget < paramsPerRow)
    throw new Error(
      `no room for a row of ${paramsPerRow} parameters beside ${otherParams} others (D1 allows ${D1_MAX_PARAMS})`,
    );
  const size = Math.floor(budget / paramsPerRow);
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/**
 * Runs `query` once per chunk of the distinct `ids` (none for no ids), each chunk leaving room
 * for the `otherParams` further parameters the statement binds, and concatenates the rows. Use it
 * for look-ups by id (`inArray(column, chunk)`), not for ordered or limited pages: a page is one
 * statement, so a list joined to its filters goes in as `inJsonList`.
 */
export async function queryInChunks<T, R>(
  ids: Iterable<T>,
  otherParams: number,
  query: (chunk: T[]) => PromiseLike<readonly R[]>,
): Promise<R[]> {
  const chunks = chunkForParams([...new Set(ids)], 1, otherParams);
  return (await Promise.all(chunks.map((chunk) => query(chunk)))).flat();
}

/**
 * `column IN (values)` with the whole list as ONE bound parameter, read with SQLite's JSON1
 * `json_each` (D1 has JSON1). For lists that sit beside other parameters in a statement that must
 * stay one statement — a caller's scope (a membership carries up to 100 townships; a user may hold
 * several) inside a filtered, ordered, paged query: chunking such a query would mean merging and
 * re-limiting pages, and two such lists in one statement could never share a budget of 100.
 * SQLite reads `IN (SELECT value FROM json_each(?))` as an IN over a subquery, so an index on
 * `column` still serves it.
 */
export const inJsonList = (column: Column | SQLWrapper, values: readonly (string | number)[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
