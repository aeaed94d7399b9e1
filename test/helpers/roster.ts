/**
 * Rosters of valid, unique supervisees as import files. Pure (no workerd imports), so the bench
 * (Node) can build the same 5,000-row file the tests import.
 */
import { withIdCheck } from '../../src/lib/validators';
import { addDays } from '../../src/rules';
import { toCsv } from '../../src/transfer/csv';
import { utf8WithBom } from '../../src/transfer/text';

export const SUPERVISEE_HEADER = [
  '案件编号',
  '姓名',
  '性别',
  '出生日期',
  '身份证号',
  '乡镇(街道)',
  '矫正类别',
  '矫正起止日期',
  '管理级别',
  '重点对象',
  '有劳动能力',
  '联系电话',
  '居住地址',
  '罪名',
] as const;

export type SuperviseeCells = Record<(typeof SUPERVISEE_HEADER)[number], string>;

/**
 * A valid ID number, unique per (i, salt): the birth date varies with i (up to 20,000 rows), the
 * sequence number with the salt, so tests of one file do not collide.
 */
export function idNumberAt(i: number, salt: number, male = i % 2 === 0): string {
  const birth = addDays('1950-01-01', i % 20_000).replace(/-/g, '');
  const seq = String(((salt % 500) * 2 + (male ? 1 : 0)) % 1000).padStart(3, '0');
  return withIdCheck(`330521${birth}${seq}`);
}

export const birthOf = (id: string) => `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;

/** Row i of a roster with the given salt; `patch` overrides cells. */
export function superviseeCells(
  i: number,
  salt: number,
  patch: Partial<SuperviseeCells> = {},
): SuperviseeCells {
  const id = idNumberAt(i, salt);
  return {
    案件编号: `IMP-${salt}-${String(i).padStart(5, '0')}`,
    姓名: `导入对象${salt}-${i}`,
    性别: Number(id[16]) % 2 === 1 ? '男' : '女',
    出生日期: birthOf(id),
    身份证号: id,
    '乡镇(街道)': ['武康街道', '乾元镇', '新市镇'][i % 3]!,
    矫正类别: ['缓刑', '假释', '管制', '暂予监外执行'][i % 4]!,
    矫正起止日期: '2026-01-01至2029-12-31',
    管理级别: ['普管', '严管', '宽管'][i % 3]!,
    重点对象: '否',
    有劳动能力: '是',
    联系电话: `138${String(salt % 100).padStart(2, '0')}${String(i).padStart(6, '0')}`,
    居住地址: `德清县测试路${i}号`,
    罪名: '盗窃罪',
    ...patch,
  };
}

export function rosterCsv(rows: SuperviseeCells[], header: readonly string[] = SUPERVISEE_HEADER): string {
  return toCsv([[...header], ...rows.map((r) => header.map((h) => r[h as keyof SuperviseeCells] ?? ''))]);
}

export const rosterBytes = (rows: SuperviseeCells[], header?: readonly string[]) =>
  utf8WithBom(rosterCsv(rows, header));
