/**
 * A small .xlsx (Office Open XML spreadsheet) reader and writer on top of fflate's zip.
 *
 * Reading covers what Excel, WPS and LibreOffice write for plain tables: the first or a named
 * sheet, shared strings (rich text runs joined, phonetic guides dropped), inline strings,
 * formula results, numbers, booleans, and numbers in a date format as Excel serials (both date
 * systems). Writing makes one sheet with an optional bold, frozen header row, strings as
 * shared or inline strings, numbers, and dates as real date cells.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { dateToExcelSerial } from './values';
import { attributes, elements, escapeXml, xmlText } from './xml';

export type XlsxCell =
  | { t: 's'; v: string }
  | { t: 'n'; v: number; date?: boolean }
  | { t: 'b'; v: boolean }
  | { t: 'e'; v: string };

export type XlsxRow = { row: number; cells: (XlsxCell | null)[] };

export type XlsxSheet = { name: string; sheetNames: string[]; date1904: boolean; rows: XlsxRow[] };

export class XlsxError extends Error {}

/** Refuse archives that would inflate beyond this (a zip bomb, or a sheet far too big to import). */
export const XLSX_MAX_INFLATED = 48 * 1024 * 1024;

const REL_NS = /^(?:[\w.-]+:)?id$/;

/** Built-in number formats that show dates (14–22, 27–36, 45–47, 50–58 in East Asian locales). */
const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** Whether a custom number format code shows a date or time. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/;@$/, '');
  if (/^general$/i.test(bare.trim())) return false;
  return /[ymdhs]/i.test(bare) && !/^[#0.,%E+\-\s]*$/i.test(bare);
}

function column(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** A1-style column letters of a zero-based index. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `xl/${target}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  return out.join('/');
}

const textOf = (inner: string) =>
  [...elements(inner.replace(/<(?:[\w.-]+:)?rPh\b[\s\S]*?<\/(?:[\w.-]+:)?rPh>/g, ''), 't')]
    .map((t) => xmlText(t.inner))
    .join('');

/** Reads one sheet: the one named `sheet`, or the first. Row numbers are the sheet's own (1-based). */
export function readXlsx(bytes: Uint8Array, opts: { sheet?: string | undefined } = {}): XlsxSheet {
  let files: Record<string, Uint8Array>;
  try {
    let inflated = 0;
    files = unzipSync(bytes, {
      filter: (f) => {
        const wanted = f.name.startsWith('xl/') || f.name === '[Content_Types].xml';
        if (wanted) {
          inflated += f.originalSize;
          if (inflated > XLSX_MAX_INFLATED) throw new XlsxError('The workbook is too large once unpacked.');
        }
        return wanted && !f.name.startsWith('xl/media/');
      },
    });
  } catch (e) {
    if (e instanceof XlsxError) throw e;
    throw new XlsxError('The file is not a readable .xlsx workbook.');
  }
  const part = (name: string) => (files[name] ? strFromU8(files[name]) : null);
  const workbook = part('xl/workbook.xml');
  if (!workbook) throw new XlsxError('The file is not a readable .xlsx workbook.');

  const rels = new Map<string, string>();
  for (const r of elements(part('xl/_rels/workbook.xml.rels') ?? '', 'Relationship')) {
    const a = attributes(r.attrs);
    if (a.Id && a.Target) rels.set(a.Id, resolveTarget(a.Target));
  }
  const sheets = [...elements(workbook, 'sheet')].map((s) => {
    const a = attributes(s.attrs);
    const relId = Object.entries(a).find(([k]) => REL_NS.test(k) && k !== 'sheetId')?.[1] ?? '';
    return { name: a.name ?? '', path: rels.get(relId) ?? '', hidden: !!a.state && a.state !== 'visible' };
  });
  const sheetNames = sheets.map((s) => s.name);
  const chosen =
    opts.sheet === undefined
      ? (sheets.find((s) => !s.hidden) ?? sheets[0])
      : sheets.find((s) => s.name === opts.sheet);
  if (!chosen) {
    throw new XlsxError(
      opts.sheet === undefined
        ? 'The workbook has no sheet.'
        : `The workbook has no sheet named "${opts.sheet}"; its sheets are: ${sheetNames.join(', ')}.`,
    );
  }
  const date1904 = [...elements(workbook, 'workbookPr')].some((w) => {
    const v = attributes(w.attrs).date1904;
    return v === '1' || v === 'true';
  });

  const shared = [...elements(part('xl/sharedStrings.xml') ?? '', 'si')].map((si) => textOf(si.inner));

  const styles = part('xl/styles.xml') ?? '';
  const customDates = new Set<number>();
  for (const f of elements(styles, 'numFmt')) {
    const a = attributes(f.attrs);
    if (a.formatCode && isDateFormat(a.formatCode)) customDates.add(Number(a.numFmtId));
  }
  const cellXfs = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/.exec(styles)?.[1] ?? '';
  const dateStyles = [...elements(cellXfs, 'xf')].map((xf) => {
    const id = Number(attributes(xf.attrs).numFmtId ?? 0);
    return BUILTIN_DATE_FORMATS.has(id) || customDates.has(id);
  });

  const sheetXml = part(chosen.path);
  if (sheetXml === null) throw new XlsxError(`The sheet "${chosen.name}" cannot be read.`);
  const rows: XlsxRow[] = [];
  let nextRow = 1;
  for (const r of elements(sheetXml, 'row')) {
    const ra = attributes(r.attrs);
    const rowNumber = ra.r ? Number(ra.r) : nextRow;
    nextRow = rowNumber + 1;
    const cells: (XlsxCell | null)[] = [];
    let nextCol = 0;
    for (const c of elements(r.inner, 'c')) {
      const a = attributes(c.attrs);
      const col = a.r ? column(a.r) : nextCol;
      nextCol = col + 1;
      const cell = readCell(a, c.inner, shared, dateStyles);
      if (cell) {
        while (cells.length < col) cells.push(null);
        cells[col] = cell;
      }
    }
    rows.push({ row: rowNumber, cells });
  }
  return { name: chosen.name, sheetNames, date1904, rows };
}

function readCell(
  a: Record<string, string>,
  inner: string,
  shared: string[],
  dateStyles: boolean[],
): XlsxCell | null {
  const value = () => {
    const v = elements(inner, 'v').next().value;
    return v ? xmlText(v.inner) : null;
  };
  switch (a.t) {
    case 's': {
      const v = value();
      return v === null ? null : { t: 's', v: shared[Number(v)] ?? '' };
    }
    case 'inlineStr': {
      const is = elements(inner, 'is').next().value;
      return is ? { t: 's', v: textOf(is.inner) } : null;
    }
    case 'str': {
      const v = value();
      return v === null ? null : { t: 's', v };
    }
    case 'b': {
      const v = value();
      return v === null ? null : { t: 'b', v: v === '1' || v === 'true' };
    }
    case 'e': {
      const v = value();
      return { t: 'e', v: v ?? '#VALUE!' };
    }
    case 'd': {
      const v = value();
      return v === null ? null : { t: 's', v: v.slice(0, 10) };
    }
    default: {
      const v = value();
      if (v === null || v.trim() === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) return { t: 's', v };
      return dateStyles[Number(a.s ?? 0)] ? { t: 'n', v: n, date: true } : { t: 'n', v: n };
    }
  }
}

// ——— Writing ———

export type WriteCell = string | number | boolean | { date: string } | null | undefined;

export type WriteSheet = {
  sheetName?: string;
  /** The first row, written bold and frozen when `boldHeader` is set (the default). */
  header?: string[];
  rows: WriteCell[][];
  boldHeader?: boolean;
  /** `shared` (the default, what Excel writes) or `inline` strings. */
  strings?: 'shared' | 'inline';
};

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

const CONTENT_TYPES = (shared: boolean) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${shared ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK_RELS = (shared: boolean) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>${shared ? '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' : ''}</Relationships>`;

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ]. */
export const safeSheetName = (name: string) =>
  name
    .replace(/[:\\/?*[\]]/g, ' ')
    .slice(0, 31)
    .trim() || 'Sheet1';

/** Display width of a text in Excel's character units (CJK characters are about two wide). */
const displayWidth = (s: string) => {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uFFEF]/.test(ch) ? 2 : 1;
  return w;
};

/** A fixed timestamp, so the same sheet always gives the same bytes (the samples are committed). */
const ZIP_MTIME = new Date('2026-01-01T00:00:00Z');

export function writeXlsx(sheet: WriteSheet): Uint8Array {
  const useShared = (sheet.strings ?? 'shared') === 'shared';
  const bold = sheet.boldHeader ?? true;
  const sharedIndex = new Map<string, number>();
  const sharedList: string[] = [];
  let sharedCount = 0;
  const widths: number[] = [];

  const stringCell = (ref: string, s: string, style: string) => {
    if (!useShared) {
      return `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${escapeXml(s)}</t></is></c>`;
    }
    let i = sharedIndex.get(s);
    if (i === undefined) {
      i = sharedList.length;
      sharedIndex.set(s, i);
      sharedList.push(s);
    }
    sharedCount++;
    return `<c r="${ref}"${style} t="s"><v>${i}</v></c>`;
  };

  const cellXml = (value: WriteCell, col: number, row: number, header: boolean) => {
    if (value === null || value === undefined || value === '') return '';
    const ref = `${columnLetters(col)}${row}`;
    const style = header && bold ? ' s="1"' : '';
    let shown: string;
    let xml: string;
    if (typeof value === 'number') {
      shown = String(value);
      xml = Number.isFinite(value) ? `<c r="${ref}"${style}><v>${value}</v></c>` : '';
    } else if (typeof value === 'boolean') {
      shown = 'FALSE';
      xml = `<c r="${ref}"${style} t="b"><v>${value ? 1 : 0}</v></c>`;
    } else if (typeof value === 'object') {
      shown = value.date;
      xml = `<c r="${ref}" s="2"><v>${dateToExcelSerial(value.date)}</v></c>`;
    } else {
      shown = value;
      xml = stringCell(ref, value, style);
    }
    widths[col] = Math.max(widths[col] ?? 0, Math.min(60, displayWidth(shown) + 2));
    return xml;
  };

  const all: { cells: WriteCell[]; header: boolean }[] = [
    ...(sheet.header ? [{ cells: sheet.header as WriteCell[], header: true }] : []),
    ...sheet.rows.map((cells) => ({ cells, header: false })),
  ];
  const rowsXml = all
    .map(
      ({ cells, header }, i) =>
        `<row r="${i + 1}">${cells.map((v, c) => cellXml(v, c, i + 1, header)).join('')}</row>`,
    )
    .join('');
  const cols = widths.length
    ? `<cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.max(w ?? 8, 8)}" customWidth="1"/>`).join('')}</cols>`
    : '';
  const freeze =
    sheet.header && bold
      ? '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
      : '';
  const sheetXml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${freeze}${cols}<sheetData>${rowsXml}</sheetData></worksheet>`;
  const workbookXml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(safeSheetName(sheet.sheetName ?? 'Sheet1'))}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(CONTENT_TYPES(useShared)),
    '_rels/.rels': strToU8(ROOT_RELS),
    'xl/workbook.xml': strToU8(workbookXml),
    'xl/_rels/workbook.xml.rels': strToU8(WORKBOOK_RELS(useShared)),
    'xl/styles.xml': strToU8(STYLES),
    'xl/worksheets/sheet1.xml': strToU8(sheetXml),
  };
  if (useShared) {
    files['xl/sharedStrings.xml'] = strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${sharedCount}" uniqueCount="${sharedList.length}">${sharedList.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('')}</sst>`,
    );
  }
  return zipSync(files, { level: 6, mtime: ZIP_MTIME });
}
