/**
 * Compliance and the worklist as downloads (?format=csv|xlsx): one row per supervisee × item,
 * with the same rows and the same visibility as the JSON (no name where the JSON has none, i.e.
 * for evaluators). Nothing here is decrypted, so no sensitive-read audit is due.
 */
import type { Ctx } from '../lib/context';
import type { ExportTable, Lang } from '../transfer/export';
import { bounded, col, labelOf, townshipNames } from '../transfer/list-export';

type Item = {
  requirementId: string;
  windowStart: string;
  windowEnd: string;
  measure: 'count' | 'hours';
  required: number;
  achieved: number;
  status: string;
  dueBy: string;
};
type Row = Item & { caseNumber: string; name?: string | undefined; townshipId: string };

const STATUS = {
  met: { zh: '已达标', en: 'met' },
  short: { zh: '未达标', en: 'short' },
  open: { zh: '进行中', en: 'open' },
  due: { zh: '待完成', en: 'due' },
  overdue: { zh: '已逾期', en: 'overdue' },
};
const MEASURE = { count: { zh: '次数', en: 'count' }, hours: { zh: '小时', en: 'hours' } };

async function table(
  c: Ctx,
  rows: Row[],
  named: boolean,
  lang: Lang,
  name: ExportTable['name'],
  date: string,
): Promise<ExportTable> {
  const town = await townshipNames(c, lang);
  const status = labelOf(STATUS, lang);
  const measure = labelOf(MEASURE, lang);
  const columns = [
    col('caseNumber', '案件编号', 'Case number'),
    ...(named ? [col('name', '姓名', 'Name')] : []),
    col('township', '乡镇(街道)', 'Township'),
    col('requirementId', '要求', 'Requirement'),
    col('windowStart', '周期开始', 'Window start', 'date'),
    col('windowEnd', '周期结束', 'Window end', 'date'),
    col('measure', '计量', 'Measure'),
    col('required', '应完成', 'Required', 'number'),
    col('achieved', '已完成', 'Achieved', 'number'),
    col('status', '状态', 'Status'),
    col('dueBy', '截止日期', 'Due by', 'date'),
  ];
  return {
    columns,
    rows: bounded(rows).map((r) => ({
      caseNumber: r.caseNumber,
      name: named ? r.name : null,
      township: town(r.townshipId),
      requirementId: r.requirementId,
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
      measure: measure(r.measure),
      required: r.required,
      achieved: r.achieved,
      status: status(r.status),
      dueBy: r.dueBy,
    })),
    ...(name ? { name } : {}),
    date,
  };
}

type CountyOut = {
  month: string;
  items: { caseNumber: string; name?: string | undefined; townshipId: string; items: Item[] }[];
};

/** `named`: false for a minimised view (evaluators), whose JSON has no names either. */
export function complianceExport(c: Ctx, out: CountyOut, named: boolean, lang: Lang): Promise<ExportTable> {
  const rows = out.items.flatMap((s) =>
    s.items.map((i) => ({ ...i, caseNumber: s.caseNumber, name: s.name, townshipId: s.townshipId })),
  );
  return table(c, rows, named, lang, { zh: '矫正要求完成情况', en: 'compliance' }, out.month);
}

export function worklistExport(c: Ctx, items: Row[], today: string, lang: Lang): Promise<ExportTable> {
  return table(c, items, true, lang, { zh: '待办事项', en: 'worklist' }, today);
}
