/**
 * Reading the values people type into spreadsheets: dates in the forms Chinese offices use,
 * Excel date serials, 是/否 flags. Each parser answers null for what it cannot read, so the
 * import can say which cell is wrong instead of guessing.
 */
import { dayNumberFromParts, fromDayNumber, isValidDate, toDayNumber } from '../rules/dates';

/** Day number (days since 1970-01-01) of Excel's day 0 in the 1900 and 1904 date systems. */
const EXCEL_EPOCH_1900 = dayNumberFromParts(1899, 12, 30);
const EXCEL_EPOCH_1904 = dayNumberFromParts(1904, 1, 1);

/**
 * The civil date of an Excel serial (the time of day, a fraction, is dropped). Excel's 1900
 * system counts a 29 February 1900 that never was (serial 60): serials before it are one day off.
 */
export function excelSerialToDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial)) return null;
  const whole = Math.floor(serial);
  if (date1904) return whole >= 0 && whole <= 2_957_003 ? fromDayNumber(EXCEL_EPOCH_1904 + whole) : null;
  if (whole < 1 || whole === 60 || whole > 2_958_465) return null;
  return fromDayNumber(EXCEL_EPOCH_1900 + whole + (whole < 60 ? 1 : 0));
}

/** The Excel serial (1900 system) of a civil date from 1 March 1900 on. */
export const dateToExcelSerial = (date: string): number => toDayNumber(date) - EXCEL_EPOCH_1900;

const pad = (n: string) => n.padStart(2, '0');

/** Full-width digits, letters and punctuation (ＡＢ１２，：／) as their ASCII forms. */
export const halfWidth = (s: string) => s.normalize('NFKC');

/** A date token as it appears in a cell or inside a range ("2026-01-01至2027-06-30"). */
const TOKEN = String.raw`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})`;
const DATE_ONLY = new RegExp(String.raw`^(?:${TOKEN})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$`);
const RANGE = new RegExp(String.raw`^(${TOKEN})\s*(?:至|到|~|～|—|–|－|-{1,2})\s*(${TOKEN})$`);

function fromMatch(m: RegExpExecArray | string[], at: number): string | null {
  const [y, mo, d] = m[at] !== undefined ? [m[at], m[at + 1], m[at + 2]] : [m[at + 3], m[at + 4], m[at + 5]];
  if (!y || !mo || !d) return null;
  const iso = `${y}-${pad(mo)}-${pad(d)}`;
  return isValidDate(iso) ? iso : null;
}

/**
 * A civil date from 2026-01-01, 2026/1/1, 2026.1.1, 2026年1月1日, 20260101, a date with a
 * time ("2026-01-01 00:00:00", as exported by many systems), or an Excel serial (5 digits:
 * what a date cell becomes when it was copied as a number).
 */
export function parseCivilDate(raw: string): string | null {
  const s = halfWidth(raw).trim();
  if (s === '') return null;
  if (/^\d{5}(\.\d+)?$/.test(s)) return excelSerialToDate(Number(s));
  const m = DATE_ONLY.exec(s);
  return m ? fromMatch(m, 1) : null;
}

/** A term written in one cell: "2026-01-01至2027-06-30", "2026.1.1-2027.6.30", "2026年1月1日~2027年6月30日". */
export function parseDateRange(raw: string): { from: string; to: string } | null {
  const s = halfWidth(raw).trim();
  const m = RANGE.exec(s);
  if (!m) return null;
  // Groups: 1 = whole first token, 2–7 its parts; 8 = whole second token, 9–14 its parts.
  const from = fromMatch(m, 2);
  const to = fromMatch(m, 9);
  return from && to ? { from, to } : null;
}

const TRUE = new Set(['是', '有', 'y', 'yes', 'true', '1', '√', '✓', 'Y', '对']);
const FALSE = new Set(['否', '无', '没有', 'n', 'no', 'false', '0', '×', '✗', 'x', '不是']);

/** 是/否, 有/无, yes/no, true/false, 1/0, √/×. */
export function parseBoolean(raw: string): boolean | null {
  const s = halfWidth(raw).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return null;
}

export function parseGender(raw: string): 'male' | 'female' | null {
  const s = halfWidth(raw).trim().toLowerCase();
  if (s === '男' || s === 'male' || s === 'm' || s === '男性') return 'male';
  if (s === '女' || s === 'female' || s === 'f' || s === '女性') return 'female';
  return null;
}

const SENTENCE_TYPES: Record<string, 'control' | 'probation' | 'parole' | 'temporary_release'> = {
  管制: 'control',
  control: 'control',
  缓刑: 'probation',
  probation: 'probation',
  假释: 'parole',
  parole: 'parole',
  暂予监外执行: 'temporary_release',
  监外执行: 'temporary_release',
  暂监外: 'temporary_release',
  temporary_release: 'temporary_release',
  'temporary release': 'temporary_release',
};

/** 矫正类别: 管制/缓刑/假释/暂予监外执行, or the API's codes. */
export const parseSentenceType = (raw: string) => SENTENCE_TYPES[halfWidth(raw).trim().toLowerCase()] ?? null;

export const SENTENCE_TYPE_LABELS = {
  control: '管制',
  probation: '缓刑',
  parole: '假释',
  temporary_release: '暂予监外执行',
} as const;
