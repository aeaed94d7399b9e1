/**
 * CSV that Excel opens correctly on a Chinese Windows desktop: UTF-8 with a BOM (without it
 * Excel guesses GBK and shows mojibake), CRLF line ends, every field quoted, and cells that
 * would start a formula (=, +, -, @, tab, CR) defused with a leading apostrophe.
 */
const BOM = '\uFEFF';

export type Cell = string | number | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '""';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${BOM}${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** `Content-Disposition` with an ASCII fallback name and the real (Chinese) name per RFC 6266. */
export function attachment(asciiName: string, utf8Name: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}

/** Figures for a spreadsheet: at most two decimals, no trailing zeros. */
export const decimal = (n: number) => Number(n.toFixed(2));
