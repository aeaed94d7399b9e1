/**
 * The ledger list as a download (GET /ledgers?format=csv|xlsx): the same filters and scope as
 * the JSON list, every page of it, with provider and township names. No personal data.
 */
import { activityCtx } from '../activities/http';
import type { Ctx } from '../lib/context';
import type { ExportTable, Lang } from '../transfer/export';
import { allPages, col, labelOf, providerNames, townshipNames } from '../transfer/list-export';
import { type LedgerFilter, listLedgers } from './service';

const PAGE = 200;
const STATUS = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  returned: { zh: '已退回', en: 'returned' },
  confirmed: { zh: '已确认', en: 'confirmed' },
};

export async function ledgerExport(
  c: Ctx,
  filter: Omit<LedgerFilter, 'cursor' | 'limit'>,
  lang: Lang,
): Promise<ExportTable> {
  const a = activityCtx(c);
  const items = await allPages((cursor) => listLedgers(a, { ...filter, cursor, limit: PAGE }));
  const [town, provider] = await Promise.all([
    townshipNames(c, lang),
    providerNames(
      c,
      items.map((i) => i.providerId),
    ),
  ]);
  const status = labelOf(STATUS, lang);
  const columns = [
    col('provider', '服务机构', 'Provider'),
    col('township', '乡镇(街道)', 'Township'),
    col('cycle', '周期', 'Cycle'),
    col('cycleStart', '周期开始', 'Cycle start', 'date'),
    col('cycleEnd', '周期结束', 'Cycle end', 'date'),
    col('dueBy', '报送截止', 'Due by', 'date'),
    col('status', '状态', 'Status'),
    col('activityCount', '服务记录数', 'Activities', 'number'),
    col('late', '逾期报送', 'Late', 'boolean'),
  ];
  const rows = items.map((i) => ({
    provider: provider(i.providerId),
    township: town(i.townshipId),
    cycle: i.cycle,
    cycleStart: i.cycleStart,
    cycleEnd: i.cycleEnd,
    dueBy: i.dueBy,
    status: status(i.status),
    activityCount: i.activityCount,
    late: i.late,
  }));
  return { columns, rows, name: { zh: '服务台账', en: 'ledgers' }, date: a.today };
}
