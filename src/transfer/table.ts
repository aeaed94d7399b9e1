/**
 * An uploaded file as a table of strings, whatever it came as: CSV in any of the encodings
 * Chinese Excel writes, or an .xlsx sheet. Cells become the text a person sees in Excel: date
 * cells as YYYY-MM-DD, numbers without float noise. A whole number too big for a double (an
 * 18-digit ID number typed into a number cell) is marked lossy, since its last digits are gone.
 */
import { parseCsv } from './csv';
import { decodeText, type TextEncoding } from './text';
import { excelSerialToDate } from './values';
import { readXlsx, type XlsxCell, XlsxError } from './xlsx';

export type TableRow = { row: number; cells: string[]; lossy?: number[] };

export type Table = {
  format: 'csv' | 'xlsx';
  encoding: TextEncoding | null;
  sheet: string | null;
  sheetNames: string[];
  rows: TableRow[];
};

export class TableError extends Error {}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isOle = (b: Uint8Array) => b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

/** Trims spaces of every kind and unwraps Excel's ="…" text trick. */
export function cleanCell(s: string): string {
  const t = s.replace(/^[\s\u00a0\u3000\ufeff]+|[\s\u00a0\u3000\ufeff]+$/g, '');
  const m = /^="(.*)"$/.exec(t);
  return m ? m[1]!.replace(/""/g, '"') : t;
}

function cellText(cell: XlsxCell | null, date1904: boolean): { text: string; lossy: boolean } {
  if (!cell) return { text: '', lossy: false };
  switch (cell.t) {
    case 's':
      return { text: cell.v, lossy: false };
    case 'b':
      return { text: cell.v ? 'TRUE' : 'FALSE', lossy: false };
    case 'e':
      return { text: cell.v, lossy: false };
    case 'n': {
      if (cell.date) {
        const d = excelSerialToDate(cell.v, date1904);
        if (d) return { text: d, lossy: false };
      }
      // What Excel shows: at most 15 significant digits.
      const text = String(Number(cell.v.toPrecision(15)));
      return { text, lossy: Number.isInteger(cell.v) && !Number.isSafeInteger(cell.v) };
    }
  }
}

export function readTable(bytes: Uint8Array, opts: { sheet?: string | undefined } = {}): Table {
  if (bytes.length === 0) throw new TableError('The file is empty.');
  if (isOle(bytes)) {
    throw new TableError('Old-style .xls workbooks are not supported: save the file as .xlsx or CSV.');
  }
  if (isZip(bytes)) {
    let sheet: ReturnType<typeof readXlsx>;
    try {
      sheet = readXlsx(bytes, opts);
    } catch (e) {
      if (e instanceof XlsxError) throw new TableError(e.message);
      throw e;
    }
    const rows = sheet.rows.map((r) => {
      const lossy: number[] = [];
      const cells = r.cells.map((c, i) => {
        const { text, lossy: l } = cellText(c, sheet.date1904);
        if (l) lossy.push(i);
        return cleanCell(text);
      });
      return lossy.length ? { row: r.row, cells, lossy } : { row: r.row, cells };
    });
    return { format: 'xlsx', encoding: null, sheet: sheet.name, sheetNames: sheet.sheetNames, rows };
  }
  const { text, encoding } = decodeText(bytes);
  if (text.includes('\u0000')) throw new TableError('The file is neither CSV text nor an .xlsx workbook.');
  const records = parseCsv(text);
  return {
    format: 'csv',
    encoding,
    sheet: null,
    sheetNames: [],
    rows: records.map((cells, i) => ({ row: i + 1, cells: cells.map(cleanCell) })),
  };
}
