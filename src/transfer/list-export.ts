/**
 * What the list downloads of activities, compliance, worklist, ledgers and payments share: every
 * page of the filtered list up to a bound, and the names (not ids) of townships and providers,
 * which is what a bureau clerk expects to read in Excel.
 */
import { asc, inArray } from 'drizzle-orm';
import { controlDb, queryInChunks } from '../db';
import { providers } from '../db/control-schema';
import type { Ctx } from '../lib/context';
import { invalid } from '../lib/problem';
import { townships } from '../townships/schema';
import type { ExportColumn, Lang } from './export';

/** An export that large is a sign the filters are wrong; the console pages instead. */
export const LIST_EXPORT_MAX_ROWS = 20_000;

export const col = (key: string, zh: string, en: string, type?: ExportColumn['type']): ExportColumn => ({
  key,
  header: { zh, en },
  ...(type ? { type } : {}),
});

/** A label per code in the requested language; unknown codes stay as they are. */
export const labelOf =
  (labels: Record<string, { zh: string; en: string }>, lang: Lang) =>
  (code: string | null | undefined): string | null =>
    code == null ? null : (labels[code]?.[lang] ?? code);

const tooMany = () =>
  invalid([{ path: 'format', message: `more than ${LIST_EXPORT_MAX_ROWS} rows: narrow the filters` }]);

/** Every page of a cursor-paged list, refused beyond the bound. */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    if (out.length > LIST_EXPORT_MAX_ROWS) throw tooMany();
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Refuses a (non-paged) list beyond the bound. */
export function bounded<T>(rows: T[]): T[] {
  if (rows.length > LIST_EXPORT_MAX_ROWS) throw tooMany();
  return rows;
}

/** The county's township names by id (one query). */
export async function townshipNames(c: Ctx, lang: Lang): Promise<(id: string | null) => string | null> {
  const rows = await c.var.countyDb
    .select({ id: townships.id, name: townships.name, nameEn: townships.nameEn })
    .from(townships)
    .orderBy(asc(townships.sortOrder));
  const names = new Map(rows.map((t) => [t.id, lang === 'zh' ? t.name : (t.nameEn ?? t.name)]));
  return (id) => (id == null ? null : (names.get(id) ?? id));
}

/** Provider names by id from the control DB, in chunks under D1's parameter cap. */
export async function providerNames(
  c: Ctx,
  ids: Iterable<string | null>,
): Promise<(id: string | null) => string | null> {
  const wanted = [...new Set([...ids].filter((x): x is string => !!x))];
  const names = new Map<string, string>();
  const rows = await queryInChunks(wanted, 0, (chunk) =>
    controlDb(c.env)
      .select({ id: providers.id, name: providers.name })
      .from(providers)
      .where(inArray(providers.id, chunk)),
  );
  for (const r of rows) names.set(r.id, r.name);
  return (id) => (id == null ? null : (names.get(id) ?? id));
}
