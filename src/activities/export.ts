/**
 * The activity list as a download (GET /activities?format=csv|xlsx): the same filters and scope
 * as the JSON list, every page of it. No personal field is decrypted (no summary, and participants
 * appear as a count), so the export needs no sensitive-read audit.
 */
import type { Ctx } from '../lib/context';
import type { ExportTable, Lang } from '../transfer/export';
import { allPages, col, labelOf, providerNames, townshipNames } from '../transfer/list-export';
import { activityCtx } from './http';
import { type ActivityFilter, listActivities, listActivityTypes } from './service';

const PAGE = 200;

const STATUS = { active: { zh: '有效', en: 'active' }, voided: { zh: '已作废', en: 'voided' } };
const FLAGS = {
  supervisee_overlap: { zh: '对象时间重叠', en: 'supervisee overlap' },
  staff_overlap: { zh: '人员时间重叠', en: 'staff overlap' },
  possible_duplicate: { zh: '疑似重复', en: 'possible duplicate' },
};

export async function activityExport(
  c: Ctx,
  filter: Omit<ActivityFilter, 'cursor' | 'limit'>,
  lang: Lang,
): Promise<ExportTable> {
  const a = activityCtx(c);
  // The download shows no summary, so none is decrypted.
  const items = await allPages((cursor) =>
    listActivities(a, { ...filter, cursor, limit: PAGE }, { summaries: false }),
  );
  const [types, town, provider] = await Promise.all([
    listActivityTypes(a),
    townshipNames(c, lang),
    providerNames(
      c,
      items.map((i) => i.providerId),
    ),
  ]);
  const typeLabel = new Map(types.map((t) => [t.code, lang === 'zh' ? t.labelZh : (t.labelEn ?? t.labelZh)]));
  const flagLabel = labelOf(FLAGS, lang);
  const statusLabel = labelOf(STATUS, lang);
  const columns = [
    col('type', '服务类型', 'Type'),
    col('typeCode', '类型代码', 'Type code'),
    col('occurredOn', '服务日期', 'Date', 'date'),
    col('startTime', '开始时间', 'Start time'),
    col('durationMinutes', '时长(分钟)', 'Minutes', 'number'),
    col('provider', '服务机构', 'Provider'),
    col('township', '乡镇(街道)', 'Township'),
    col('participants', '参与人数', 'Participants', 'number'),
    col('status', '状态', 'Status'),
    col('flags', '提示', 'Flags'),
  ];
  const rows = items.map((i) => ({
    type: typeLabel.get(i.type) ?? i.type,
    typeCode: i.type,
    occurredOn: i.occurredOn,
    startTime: i.startTime,
    durationMinutes: i.durationMinutes,
    // Work the bureau or an office did itself has no provider.
    provider: i.providerId ? provider(i.providerId) : lang === 'zh' ? '司法局／司法所' : 'Bureau / office',
    township: town(i.townshipId),
    participants: i.participants.length,
    status: statusLabel(i.status),
    flags: [...new Set(i.flags.map((f) => flagLabel(f.kind)))].join(lang === 'zh' ? '；' : '; '),
  }));
  return { columns, rows, name: { zh: '服务记录', en: 'activities' }, date: a.today };
}
