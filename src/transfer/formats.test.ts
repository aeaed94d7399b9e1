/** The file formats on their own: CSV, text encodings, dates, and the .xlsx reader and writer. */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv, toCsv } from './csv';
import { csvSafe, renderTable } from './export';
import { readTable, TableError } from './table';
import { decodeText, utf8WithBom } from './text';
import {
  dateToExcelSerial,
  excelSerialToDate,
  parseBoolean,
  parseCivilDate,
  parseDateRange,
  parseSentenceType,
} from './values';
import { columnLetters, isDateFormat, readXlsx, writeXlsx } from './xlsx';

describe('CSV', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks, in any line ending', () => {
    const text = '姓名,地址,备注\r\n"张三","德清县,武康街道","他说""好""\n第二行"\n李四,,x\r王五,a,b\n';
    expect(parseCsv(text)).toEqual([
      ['姓名', '地址', '备注'],
      ['张三', '德清县,武康街道', '他说"好"\n第二行'],
      ['李四', '', 'x'],
      ['王五', 'a', 'b'],
    ]);
  });

  it('detects tab- and semicolon-separated files by their first line', () => {
    expect(detectDelimiter('a\tb\tc\n1,2\t3')).toBe('\t');
    expect(detectDelimiter('"a;b";c;d\n')).toBe(';');
    expect(detectDelimiter('姓名\n张三')).toBe(',');
  });

  it('writes every field quoted with CRLF, and reads back what it wrote', () => {
    const rows = [
      ['a', 'b,c'],
      ['"q"', '多\n行'],
    ];
    const text = toCsv(rows);
    expect(text).toBe('"a","b,c"\r\n"""q""","多\n行"\r\n');
    expect(parseCsv(text)).toEqual(rows);
  });
});

describe('text encodings', () => {
  const gbk = new Uint8Array([
    208, 213, 195, 251, 44, 201, 237, 183, 221, 214, 164, 186, 197, 44, 207, 231, 213, 242, 13, 10, 213, 197,
    200, 253, 44, 51, 51, 48, 53, 50, 49, 49, 57, 57, 48, 48, 49, 48, 49, 49, 50, 51, 52, 44, 206, 228, 191,
    181, 189, 214, 181, 192, 13, 10,
  ]);

  it('reads a BOM-less GB18030 (GBK) file from Chinese Excel', () => {
    const { text, encoding } = decodeText(gbk);
    expect(encoding).toBe('gb18030');
    expect(text).toBe('姓名,身份证号,乡镇\r\n张三,330521199001011234,武康街道\r\n');
  });

  it('reads UTF-8 with and without a BOM, and UTF-16LE with a BOM', () => {
    expect(decodeText(utf8WithBom('姓名'))).toEqual({ text: '姓名', encoding: 'utf-8' });
    expect(decodeText(new TextEncoder().encode('姓名'))).toEqual({ text: '姓名', encoding: 'utf-8' });
    const utf16 = new Uint8Array([0xff, 0xfe, 0xd3, 0x59, 0x0d, 0x54]); // 姓名
    expect(decodeText(utf16)).toEqual({ text: '姓名', encoding: 'utf-16le' });
  });

  it('turns a GBK CSV into a table', () => {
    const t = readTable(gbk);
    expect(t.format).toBe('csv');
    expect(t.rows[1]).toEqual({ row: 2, cells: ['张三', '330521199001011234', '武康街道'] });
  });
});

describe('dates and values', () => {
  it('reads the date forms offices type', () => {
    for (const s of [
      '2026-01-01',
      '2026/1/1',
      '2026.1.1',
      '2026年1月1日',
      '20260101',
      '2026-01-01 00:00:00',
      '２０２６－０１－０１',
      '46023',
    ]) {
      expect({ s, d: parseCivilDate(s) }).toEqual({ s, d: '2026-01-01' });
    }
    for (const s of ['2026-02-30', '2026-13-01', '1/1/2026', 'abc', '', '2026']) {
      expect({ s, d: parseCivilDate(s) }).toEqual({ s, d: null });
    }
  });

  it('converts Excel serials in both date systems, around the 1900 leap-year bug', () => {
    expect(excelSerialToDate(1)).toBe('1900-01-01');
    expect(excelSerialToDate(59)).toBe('1900-02-28');
    expect(excelSerialToDate(60)).toBeNull();
    expect(excelSerialToDate(61)).toBe('1900-03-01');
    expect(excelSerialToDate(46023.75)).toBe('2026-01-01');
    expect(excelSerialToDate(0, true)).toBe('1904-01-01');
    expect(excelSerialToDate(44561, true)).toBe('2026-01-01');
    expect(dateToExcelSerial('2026-01-01')).toBe(46023);
  });

  it('reads a term written in one cell', () => {
    expect(parseDateRange('2026-01-01至2027-06-30')).toEqual({ from: '2026-01-01', to: '2027-06-30' });
    expect(parseDateRange('2026.1.1-2027.6.30')).toEqual({ from: '2026-01-01', to: '2027-06-30' });
    expect(parseDateRange('2026年1月1日 ~ 2027年6月30日')).toEqual({ from: '2026-01-01', to: '2027-06-30' });
    expect(parseDateRange('2026-01-01 到 2027-02-30')).toBeNull();
    expect(parseDateRange('2026-01-01')).toBeNull();
  });

  it('reads flags and sentence types', () => {
    expect(['是', '有', 'Y', 'yes', '1', '√'].map(parseBoolean)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['否', '无', 'N', 'no', '0', '×'].map(parseBoolean)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(parseBoolean('也许')).toBeNull();
    expect(['管制', '缓刑', '假释', '暂予监外执行', 'parole', '死刑'].map(parseSentenceType)).toEqual([
      'control',
      'probation',
      'parole',
      'temporary_release',
      'parole',
      null,
    ]);
  });
});

/** A workbook as Excel writes it, with the parts a reader must cope with. */
function excelLikeWorkbook() {
  const xml = (s: string) => strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`);
  return zipSync({
    '[Content_Types].xml': xml(
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ),
    'xl/workbook.xml': xml(
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="名册" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': xml(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="x" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="y" Target="sharedStrings.xml"/></Relationships>',
    ),
    'xl/sharedStrings.xml': xml(
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>姓名</t><rPh sb="0" eb="2"><t>xingming</t></rPh><phoneticPr fontId="1"/></si><si><r><rPr><b/></rPr><t>出生</t></r><r><t xml:space="preserve">日期 </t></r></si><si><t>张&amp;三_x000D_</t></si><si><t/></si></sst>',
    ),
    'xl/styles.xml': xml(
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/><numFmt numFmtId="177" formatCode="0.00_ "/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="177"/></cellXfs></styleSheet>',
    ),
    'xl/worksheets/sheet1.xml': xml(
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>请勿修改</t></is></c></row></sheetData></worksheet>',
    ),
    'xl/worksheets/sheet2.xml': xml(
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>' +
        '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3" t="str"><x:f>A3</x:f><x:v>公式</x:v></x:c><x:c r="C3" s="1"><x:v>46023</x:v></x:c><x:c r="D3" s="2"><x:v>46024</x:v></x:c><x:c r="E3" s="3"><x:v>0.30000000000000004</x:v></x:c><x:c r="F3"><x:v>3.3052119900101101E+17</x:v></x:c><x:c r="G3" t="b"><x:v>1</x:v></x:c><x:c r="H3" t="e"><x:v>#N/A</x:v></x:c><x:c r="I3"><x:v>13800000000</x:v></x:c></x:row>' +
        '<x:row r="4"><x:c r="B4" t="s"><x:v>3</x:v></x:c></x:row>' +
        '</x:sheetData></x:worksheet>',
    ),
  });
}

describe('.xlsx reader', () => {
  it('reads a named sheet as Excel writes it: shared strings, rich text, dates, formula results', () => {
    const sheet = readXlsx(excelLikeWorkbook(), { sheet: '名册' });
    expect(sheet.sheetNames).toEqual(['说明', '名册']);
    expect(sheet.rows.map((r) => r.row)).toEqual([1, 3, 4]);
    expect(sheet.rows[0]!.cells).toEqual([{ t: 's', v: '姓名' }, null, { t: 's', v: '出生日期 ' }]);
    expect(sheet.rows[1]!.cells).toEqual([
      { t: 's', v: '张&三\r' },
      { t: 's', v: '公式' },
      { t: 'n', v: 46023, date: true },
      { t: 'n', v: 46024, date: true },
      { t: 'n', v: 0.30000000000000004 },
      { t: 'n', v: 330521199001011010 },
      { t: 'b', v: true },
      { t: 'e', v: '#N/A' },
      { t: 'n', v: 13800000000 },
    ]);
  });

  it('takes the first sheet by default, and names the sheets when asked for a missing one', () => {
    expect(readXlsx(excelLikeWorkbook()).rows[0]!.cells).toEqual([{ t: 's', v: '请勿修改' }]);
    expect(() => readXlsx(excelLikeWorkbook(), { sheet: 'x' })).toThrow(/说明, 名册/);
  });

  it('gives a table of what Excel shows: dates as YYYY-MM-DD, lossy big numbers marked', () => {
    const t = readTable(excelLikeWorkbook(), { sheet: '名册' });
    expect(t.format).toBe('xlsx');
    expect(t.rows[1]).toEqual({
      row: 3,
      cells: [
        '张&三',
        '公式',
        '2026-01-01',
        '2026-01-02',
        '0.3',
        '330521199001011000',
        'TRUE',
        '#N/A',
        '13800000000',
      ],
      lossy: [5],
    });
  });

  it('refuses what is not a workbook, and old .xls files with a hint', () => {
    expect(() => readTable(new Uint8Array([0x50, 0x4b, 3, 4, 9, 9]))).toThrow(TableError);
    expect(() => readTable(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).toThrow(/xlsx or CSV/);
    expect(() => readTable(new Uint8Array())).toThrow(/empty/);
  });

  it('recognises date number formats', () => {
    expect(isDateFormat('yyyy"年"m"月"d"日";@')).toBe(true);
    expect(isDateFormat('[$-F800]dddd, mmmm dd, yyyy')).toBe(true);
    expect(isDateFormat('0.00_ ')).toBe(false);
    expect(isDateFormat('"m"0')).toBe(false);
    expect(isDateFormat('General')).toBe(false);
    expect(columnLetters(0)).toBe('A');
    expect(columnLetters(27)).toBe('AB');
    expect(columnLetters(16383)).toBe('XFD');
  });
});

describe('.xlsx writer', () => {
  const sheet = {
    sheetName: '对象/名单',
    header: ['姓名', '出生日期', '次数', '在矫'],
    rows: [
      ['张三 & <李四>', { date: '2026-01-01' }, 3, true],
      ['', null, 1.5, false],
      ['控制\u0001字符', undefined, -2, null],
    ],
  };

  for (const strings of ['shared', 'inline'] as const) {
    it(`writes what its reader reads back (${strings} strings)`, () => {
      const bytes = writeXlsx({ ...sheet, strings });
      const back = readXlsx(bytes);
      expect(back.name).toBe('对象 名单');
      expect(back.rows.map((r) => r.cells)).toEqual([
        [
          { t: 's', v: '姓名' },
          { t: 's', v: '出生日期' },
          { t: 's', v: '次数' },
          { t: 's', v: '在矫' },
        ],
        [
          { t: 's', v: '张三 & <李四>' },
          { t: 'n', v: 46023, date: true },
          { t: 'n', v: 3 },
          { t: 'b', v: true },
        ],
        [null, null, { t: 'n', v: 1.5 }, { t: 'b', v: false }],
        [{ t: 's', v: '控制字符' }, null, { t: 'n', v: -2 }],
      ]);
    });
  }

  it('makes the header bold and frozen, and the same bytes every time', () => {
    const a = writeXlsx(sheet);
    expect(a).toEqual(writeXlsx(sheet));
    const plain = writeXlsx({ ...sheet, boldHeader: false });
    expect(plain).not.toEqual(a);
  });

  it('renders a table as CSV that Excel opens as text, and as .xlsx', () => {
    const table = {
      columns: [
        { key: 'name', header: { zh: '姓名', en: 'Name' } },
        { key: 'id', header: { zh: '身份证号', en: 'ID number' } },
        { key: 'key', header: { zh: '重点对象', en: 'Key person' }, type: 'boolean' as const },
        { key: 'n', header: { zh: '次数', en: 'Count' }, type: 'number' as const },
      ],
      rows: [{ name: '=HYPERLINK("x")', id: '330521199001011234', key: true, n: -1 }],
    };
    const csv = renderTable(table, 'csv', 'zh');
    expect([...csv.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(csv.slice(3))).toBe(
      '"姓名","身份证号","重点对象","次数"\r\n"\'=HYPERLINK(""x"")","\t330521199001011234","是","-1"\r\n',
    );
    const en = new TextDecoder().decode(renderTable(table, 'csv', 'en'));
    expect(en).toContain('"Name","ID number","Key person","Count"');
    expect(en).toContain('"Yes"');
    const xlsx = readTable(renderTable(table, 'xlsx', 'zh'));
    expect(xlsx.rows[1]!.cells).toEqual(['=HYPERLINK("x")', '330521199001011234', '是', '-1']);
    expect(csvSafe('13800000000')).toBe('13800000000');
    expect(csvSafe('+8613800000000')).toBe("'+8613800000000");
    expect(csvSafe('0572123456')).toBe('\t0572123456');
  });
});
