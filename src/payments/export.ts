/**
 * The payment list as a download (GET /payments?format=csv|xlsx): the same filters and contract
 * scope as the JSON list, every page of it, with the contract's title and provider beside its id.
 * Amounts in fen (exact, as the API has them) and in yuan (what a finance officer reads).
 */
import { inArray } from 'drizzle-orm';
import { contracts } from '../contracts/schema';
import { queryInChunks } from '../db/chunks';
import { type Ctx, countyCtx } from '../lib/context';
import type { ExportTable, Lang } from '../transfer/export';
import { allPages, col, labelOf, providerNames } from '../transfer/list-export';
import { listPayments } from './service';

const PAGE = 500;
const KIND = {
  work_funds: { zh: '工作经费', en: 'work funds' },
  activity_funds: { zh: '活动经费', en: 'activity funds' },
};
const STATUS = {
  recorded: { zh: '待审批', en: 'recorded' },
  approved: { zh: '已审批', en: 'approved' },
  paid: { zh: '已支付', en: 'paid' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};

export async function paymentExport(
  c: Ctx,
  filter: {
    contractIds?: string[] | undefined;
    programmeId?: string | undefined;
    status?: keyof typeof STATUS | undefined;
  },
  lang: Lang,
): Promise<ExportTable> {
  const k = countyCtx(c);
  const items = await allPages(async (cursor) => {
    const p = await listPayments(k, { ...filter, cursor, limit: PAGE });
    return { items: p.rows, nextCursor: p.nextCursor };
  });
  const ids = [...new Set(items.map((p) => p.contractId))];
  const contract = new Map<string, { title: string | null; providerId: string }>();
  const found = await queryInChunks(ids, 0, (chunk) =>
    k.db
      .select({ id: contracts.id, title: contracts.title, providerId: contracts.providerId })
      .from(contracts)
      .where(inArray(contracts.id, chunk)),
  );
  for (const r of found) contract.set(r.id, r);
  const provider = await providerNames(
    c,
    [...contract.values()].map((x) => x.providerId),
  );
  const kind = labelOf(KIND, lang);
  const status = labelOf(STATUS, lang);
  const columns = [
    col('contractId', '合同编号', 'Contract'),
    col('contractTitle', '合同名称', 'Contract title'),
    col('provider', '服务机构', 'Provider'),
    col('kind', '款项类型', 'Kind'),
    col('amountFen', '金额(分)', 'Amount (fen)', 'number'),
    col('amountYuan', '金额(元)', 'Amount (yuan)', 'number'),
    col('status', '状态', 'Status'),
    col('dueOn', '应付日期', 'Due on', 'date'),
    col('recordedBy', '登记人', 'Recorded by'),
    col('recordedAt', '登记时间', 'Recorded at'),
    col('approvedBy', '审批人', 'Approved by'),
    col('approvedAt', '审批时间', 'Approved at'),
    col('paidOn', '支付日期', 'Paid on', 'date'),
    col('reference', '支付凭证号', 'Reference'),
    col('cancelledAt', '取消时间', 'Cancelled at'),
    col('cancelReason', '取消原因', 'Cancel reason'),
    col('note', '备注', 'Note'),
  ];
  const rows = items.map((p) => {
    const ct = contract.get(p.contractId);
    return {
      contractId: p.contractId,
      contractTitle: ct?.title ?? null,
      provider: ct ? provider(ct.providerId) : null,
      kind: kind(p.kind),
      amountFen: p.amountFen,
      // Fen are integers, so two decimals are exact.
      amountYuan: Number((p.amountFen / 100).toFixed(2)),
      status: status(p.status),
      dueOn: p.dueOn,
      recordedBy: p.recordedBy,
      recordedAt: p.recordedAt,
      approvedBy: p.approvedBy,
      approvedAt: p.approvedAt,
      paidOn: p.paidOn,
      reference: p.reference,
      cancelledAt: p.cancelledAt,
      cancelReason: p.cancelReason,
      note: p.note,
    };
  });
  return { columns, rows, name: { zh: '付款记录', en: 'payments' }, date: k.today };
}
