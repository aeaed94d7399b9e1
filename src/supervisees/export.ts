/**
 * The supervisee list as a download (GET /supervisees?format=csv|xlsx): the same filters and
 * scope as the JSON list, every page of it. Who sees which columns follows ADR 0007: an
 * evaluator gets no names; only full-detail roles (bureau, township office) get the decrypted
 * ID number, phone and address, and such an export is audited as a sensitive read. The headers
 * are those the importer recognises, so an export can be corrected and imported back.
 */
import { asc } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { invalid } from '../lib/problem';
import { ruleSetOn } from '../rule-sets/service';
import { townships } from '../townships/schema';
import type { ExportColumn, ExportTable, Lang } from '../transfer/export';
import { SENTENCE_TYPE_LABELS } from '../transfer/values';
import type { SuperviseeScope } from './access';
import { type ListFilter, listSupervisees, superviseeDetails } from './service';

/** An export that large is a sign the filters are wrong; the console pages instead. */
export const EXPORT_MAX_ROWS = 20_000;
const PAGE = 500;
/** Ids per audit entry of a personal export: the entries stay small, the trail complete. */
const AUDIT_IDS = 500;

const col = (key: string, zh: string, en: string, type?: ExportColumn['type']): ExportColumn => ({
  key,
  header: { zh, en },
  ...(type ? { type } : {}),
});

const STATUS = {
  active: { zh: '在矫', en: 'active' },
  released: { zh: '解矫', en: 'released' },
  transferred: { zh: '迁出', en: 'transferred' },
  revoked: { zh: '收监', en: 'revoked' },
} as const;

export async function superviseeExport(
  k: CountyCtx,
  scope: SuperviseeScope,
  filter: Omit<ListFilter, 'cursor' | 'limit'>,
  lang: Lang,
): Promise<ExportTable> {
  const rows = [];
  let cursor: string | undefined;
  do {
    const page = await listSupervisees(k, scope, { ...filter, cursor, limit: PAGE });
    rows.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
    if (rows.length > EXPORT_MAX_ROWS) {
      throw invalid([{ path: 'format', message: `more than ${EXPORT_MAX_ROWS} rows: narrow the filters` }]);
    }
  } while (cursor);

  const [towns, rules] = await Promise.all([
    k.db.select().from(townships).orderBy(asc(townships.sortOrder)),
    ruleSetOn(k.db, k.today),
  ]);
  const townName = new Map(towns.map((t) => [t.id, lang === 'zh' ? t.name : (t.nameEn ?? t.name)]));
  const levelLabel = new Map((rules?.ruleSet.levels ?? []).map((l) => [l.code, l.label ?? l.code]));
  // Columns for the widest detail among the rows; each row's cells at its own detail (ADR 0007).
  const detailOf = await superviseeDetails(k, scope, rows);
  const details = new Map(rows.map((r) => [r.id, detailOf(r)]));
  const full = rows.length ? [...details.values()].includes('full') : scope.detail === 'full';
  const named = rows.length ? [...details.values()].some((d) => d !== 'minimal') : scope.detail !== 'minimal';

  const columns = [
    col('caseNumber', '案件编号', 'Case number'),
    ...(named ? [col('name', '姓名', 'Name')] : []),
    col('gender', '性别', 'Gender'),
    ...(full
      ? [col('birthDate', '出生日期', 'Birth date', 'date'), col('idNumber', '身份证号', 'ID number')]
      : []),
    col('township', '乡镇(街道)', 'Township'),
    col('sentenceType', '矫正类别', 'Sentence type'),
    col('crimeType', '罪名', 'Crime type'),
    col('termStart', '矫正开始日期', 'Term start', 'date'),
    col('termEnd', '矫正结束日期', 'Term end', 'date'),
    col('level', '管理级别', 'Level'),
    col('keyPerson', '重点对象', 'Key person', 'boolean'),
    col('ableToWork', '有劳动能力', 'Able to work', 'boolean'),
    ...(full ? [col('phone', '联系电话', 'Phone'), col('address', '居住地址', 'Address')] : []),
    col('status', '状态', 'Status'),
  ];

  const crypto = full ? await fieldCrypto(k.dataKeySecret, k.county.slug) : null;
  const inFull = (id: string) => details.get(id) === 'full';
  const open = (id: string, blob: string | null, column: string) =>
    blob && crypto && inFull(id) ? crypto.decrypt(blob, { table: 'supervisees', column, rowId: id }) : null;
  const out = await Promise.all(
    rows.map(async (r) => ({
      caseNumber: r.caseNumber,
      name: details.get(r.id) !== 'minimal' ? r.name : null,
      gender: lang === 'zh' ? (r.gender === 'male' ? '男' : '女') : r.gender,
      birthDate: inFull(r.id) ? r.birthDate : null,
      idNumber: await open(r.id, r.idNumberEnc, 'id_number_enc'),
      township: townName.get(r.townshipId) ?? r.townshipId,
      sentenceType: lang === 'zh' ? SENTENCE_TYPE_LABELS[r.sentenceType] : r.sentenceType,
      crimeType: r.crimeType,
      termStart: r.termStart,
      termEnd: r.termEnd,
      level: lang === 'zh' ? (levelLabel.get(r.level) ?? r.level) : r.level,
      keyPerson: r.keyPerson,
      ableToWork: r.ableToWork,
      phone: await open(r.id, r.phoneEnc, 'phone_enc'),
      address: await open(r.id, r.addressEnc, 'address_enc'),
      status: STATUS[r.status][lang],
    })),
  );

  if (full && rows.length) {
    const exportId = newId();
    const ids = rows.filter((r) => inFull(r.id)).map((r) => r.id);
    const entries = [];
    for (let i = 0; i < ids.length; i += AUDIT_IDS) {
      entries.push(
        countyAudit(k, {
          action: 'supervisee.export_personal',
          targetType: 'supervisee_export',
          targetId: exportId,
          detail: {
            fields: ['name', 'birthDate', 'idNumber', 'phone', 'address'],
            count: ids.length,
            part: i / AUDIT_IDS + 1,
            superviseeIds: ids.slice(i, i + AUDIT_IDS),
          },
        }),
      );
    }
    await k.db.batch(entries as [(typeof entries)[0], ...typeof entries]);
  }
  return { columns, rows: out, name: { zh: '社区矫正对象', en: 'supervisees' }, date: k.today };
}
