/**
 * Every list goes out to Excel the same way: `exportTable(c, { columns, rows }, format)` answers
 * a CSV (UTF-8 with BOM, CRLF, every field quoted) or an .xlsx download. Headers are Chinese by
 * default and English with `?lang=en`; so are the words for true and false.
 *
 * CSV cells are guarded against what Excel does to them on opening: text starting with
 * = + - @ would run as a formula (CSV injection), so it gets a leading apostrophe; and a long
 * digit string (an ID number) would turn into a rounded number, so it gets a leading tab,
 * which Excel keeps as text and our importer trims. An .xlsx carries types, so needs neither.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { toCsv } from './csv';
import { XLSX_MIME } from './table';
import { utf8WithBom } from './text';
import { type WriteCell, writeXlsx } from './xlsx';

export type ExportFormat = 'csv' | 'xlsx';
export type Lang = 'zh' | 'en';

export type ExportColumn = {
  key: string;
  header: { zh: string; en: string };
  /** `date` cells (YYYY-MM-DD) become real dates in .xlsx; `boolean` cells read 是/否 or Yes/No. */
  type?: 'text' | 'number' | 'date' | 'boolean';
};

export type ExportValue = string | number | boolean | null | undefined;

export type ExportTable = {
  columns: readonly ExportColumn[];
  rows: readonly Record<string, ExportValue>[];
  /** The download's name without extension or date, e.g. `{ zh: '社区矫正对象', en: 'supervisees' }`. */
  name?: { zh: string; en: string };
  /** Appended to the file name (the county's today, usually). */
  date?: string;
};

/** The query every exporting list route accepts. `json` (the default) is the page as usual. */
export const ExportQuery = {
  format: z.enum(['json', 'csv', 'xlsx']).optional().openapi({
    description: '`csv` or `xlsx` downloads the whole list (every page) instead of answering JSON',
  }),
  lang: z
    .enum(['zh', 'en'])
    .optional()
    .openapi({ description: 'Headers of a download: Chinese (default) or English' }),
};

/** The OpenAPI description of a list route's 200 answer: JSON, or a download. */
export const listOrExport = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: {
    'application/json': { schema },
    'text/csv': { schema: z.string().openapi({ description: 'UTF-8 with BOM' }) },
    [XLSX_MIME]: { schema: z.string().openapi({ format: 'binary' }) },
  },
});

export const wantsExport = (format: string | undefined): format is ExportFormat =>
  format === 'csv' || format === 'xlsx';

export const langOf = (c: Context): Lang => (c.req.query('lang') === 'en' ? 'en' : 'zh');

const WORDS = { zh: { yes: '是', no: '否' }, en: { yes: 'Yes', no: 'No' } };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a CSV cell must become so that Excel shows the text as it is. */
export function csvSafe(s: string): string {
  if (/^[=+\-@\t\r]/.test(s)) return `'${s}`;
  if (/^\d{12,}$/.test(s) || /^0\d+$/.test(s)) return `\t${s}`;
  return s;
}

function cellOf(col: ExportColumn, v: ExportValue, lang: Lang): WriteCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? WORDS[lang].yes : WORDS[lang].no;
  if (col.type === 'date' && typeof v === 'string' && DATE.test(v)) return { date: v };
  return v;
}

export function renderTable(table: ExportTable, format: ExportFormat, lang: Lang): Uint8Array {
  const header = table.columns.map((col) => col.header[lang]);
  const rows = table.rows.map((r) => table.columns.map((col) => cellOf(col, r[col.key], lang)));
  if (format === 'xlsx') {
    return writeXlsx({ sheetName: table.name?.[lang] ?? 'Sheet1', header, rows });
  }
  const text = toCsv([
    header,
    ...rows.map((r) =>
      r.map((v) => {
        if (v === null || v === undefined) return '';
        if (typeof v === 'object') return v.date;
        return typeof v === 'string' ? csvSafe(v) : String(v);
      }),
    ),
  ]);
  return utf8WithBom(text);
}

/** `attachment` with an ASCII fallback and the real (possibly Chinese) name per RFC 6266/5987. */
export function contentDisposition(fileName: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** The download Response of a table as CSV or .xlsx. */
export function exportTable(c: Context, table: ExportTable, format: ExportFormat): Response {
  const lang = langOf(c);
  const body = renderTable(table, format, lang);
  const ext = format === 'xlsx' ? 'xlsx' : 'csv';
  const suffix = table.date ? `-${table.date}` : '';
  const name = table.name ?? { zh: 'export', en: 'export' };
  // Through the context, so the headers set earlier in the request (request id, CSP…) are kept.
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    'content-type': format === 'xlsx' ? XLSX_MIME : 'text/csv; charset=utf-8',
    'content-disposition': contentDisposition(`${name[lang]}${suffix}.${ext}`, `${name.en}${suffix}.${ext}`),
    // Exports hold personal data: never kept by a browser or proxy cache.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
}
