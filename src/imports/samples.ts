/**
 * The sample files of docs/samples (written by `npx tsx scripts/import-samples.ts`, checked by
 * samples.test.ts): fictional people with valid ID numbers, in the demo county's townships.
 */
import { toCsv } from '../transfer/csv';
import { utf8WithBom } from '../transfer/text';
import { type WriteCell, writeXlsx } from '../transfer/xlsx';

const PEOPLE = [
  {
    案件编号: 'DQ-2026-0001',
    姓名: '张某某',
    性别: '男',
    出生日期: '1985-03-12',
    身份证号: '330521198503120015',
    '乡镇(街道)': '武康街道',
    矫正类别: '缓刑',
    矫正起止日期: '2026-01-05至2027-07-04',
    管理级别: '普管',
    重点对象: '否',
    有劳动能力: '是',
    联系电话: '13800000001',
    居住地址: '德清县武康街道示例路1号',
    罪名: '危险驾驶罪',
  },
  {
    案件编号: 'DQ-2026-0002',
    姓名: '李某某',
    性别: '女',
    出生日期: '1979-11-02',
    身份证号: '330521197911020027',
    '乡镇(街道)': '乾元镇',
    矫正类别: '假释',
    矫正起止日期: '2026/2/1至2026/12/31',
    管理级别: '严管',
    重点对象: '是',
    有劳动能力: '是',
    联系电话: '0572-8000002',
    居住地址: '德清县乾元镇示例路2号',
    罪名: '诈骗罪',
  },
  {
    案件编号: 'DQ-2026-0003',
    姓名: '王某某',
    性别: '男',
    出生日期: '1962-07-30',
    身份证号: '330521196207300039',
    '乡镇(街道)': '新市司法所',
    矫正类别: '暂予监外执行',
    矫正起止日期: '2026年3月1日至2027年2月28日',
    管理级别: '宽管',
    重点对象: '否',
    有劳动能力: '否',
    联系电话: '13800000003',
    居住地址: '德清县新市镇示例路3号',
    罪名: '盗窃罪',
  },
  {
    案件编号: 'DQ-2026-0004',
    姓名: '赵某某',
    性别: '女',
    出生日期: '1998-01-20',
    身份证号: '330521199801200042',
    '乡镇(街道)': '武康街道',
    矫正类别: '管制',
    矫正起止日期: '2026-04-01至2026-09-30',
    管理级别: '普管',
    重点对象: '否',
    有劳动能力: '是',
    联系电话: '',
    居住地址: '',
    罪名: '寻衅滋事罪',
  },
];

const SUPERVISEE_COLUMNS = Object.keys(PEOPLE[0]!) as (keyof (typeof PEOPLE)[0])[];

export const SAMPLE_ID_NUMBERS = PEOPLE.map((p) => p.身份证号);

export function superviseesCsv(): string {
  return toCsv([SUPERVISEE_COLUMNS, ...PEOPLE.map((p) => SUPERVISEE_COLUMNS.map((c) => p[c]))]);
}

/** The same people as an .xlsx in the other layout: a title row, two date columns holding real dates. */
export function superviseesXlsx(): Uint8Array {
  const header = SUPERVISEE_COLUMNS.flatMap((c) =>
    c === '矫正起止日期' ? ['矫正开始日期', '矫正结束日期'] : [c],
  );
  const iso = (d: string) =>
    d
      .replace(/[年/]/g, '-')
      .replace('月', '-')
      .replace('日', '')
      .replace(/-(\d)(?=-|$)/g, '-0$1');
  return writeXlsx({
    sheetName: '社区矫正对象',
    boldHeader: false,
    rows: [
      ['德清县社区矫正对象名册（示例）'],
      header,
      ...PEOPLE.map((p) =>
        SUPERVISEE_COLUMNS.flatMap((c): WriteCell[] => {
          if (c === '矫正起止日期') {
            const [from, to] = p[c].split('至').map(iso);
            return [{ date: from! }, { date: to! }];
          }
          if (c === '出生日期') return [{ date: p[c] }];
          return [p[c]];
        }),
      ),
    ],
  });
}

export function townshipsCsv(): string {
  return toCsv([
    ['名称', '英文名称', '行政区划代码', '排序'],
    ['武康街道', 'Wukang', '330521001000', '1'],
    ['乾元镇', 'Qianyuan', '330521100000', '2'],
    ['新市镇', 'Xinshi', '330521101000', '3'],
    ['示例镇', 'Shili', '', '20'],
  ]);
}

export function enrolmentsCsv(): string {
  return toCsv([
    ['身份证号', '姓名', '开始日期', '结束日期'],
    [PEOPLE[0]!.身份证号, PEOPLE[0]!.姓名, '2026-01-05', ''],
    [PEOPLE[1]!.身份证号, PEOPLE[1]!.姓名, '2026-02-01', '2026-12-31'],
    [PEOPLE[2]!.身份证号, PEOPLE[2]!.姓名, '2026/3/1', ''],
  ]);
}

/** File name → bytes, as committed under docs/samples. */
export function sampleFiles(): Record<string, Uint8Array> {
  return {
    'supervisees.csv': utf8WithBom(superviseesCsv()),
    'supervisees.xlsx': superviseesXlsx(),
    'townships.csv': utf8WithBom(townshipsCsv()),
    'enrolments.csv': utf8WithBom(enrolmentsCsv()),
  };
}
