/**
 * What each kind of import reads, and the column headers that feed each field by default. A
 * header matches a synonym after normalisation (full-width to half-width, spaces, required-marks
 * like `*` and "(必填)" dropped, case ignored), so "身份证号*", "身份证号 " and "身份证号（必填）" all
 * feed `idNumber`. An explicit mapping in the request overrides the defaults.
 */
import type { FieldError } from '../lib/problem';
import type { TableRow } from '../transfer/table';
import { columnLetters } from '../transfer/xlsx';
import type { ImportColumn, ImportKind } from './schema';

export type FieldDef = {
  field: string;
  label: { zh: string; en: string };
  synonyms: string[];
};

/** Alternatives: a requirement holds when every field of one alternative is there. */
export type Requirement = { fields: string[][]; label: { zh: string; en: string } };

export type KindFields = {
  fields: FieldDef[];
  /** Without these no row can be matched or written: the file is refused. */
  always: Requirement[];
  /** Needed to create a record: rows that would create one are refused without them. */
  forCreate: Requirement[];
};

const f = (field: string, zh: string, en: string, ...synonyms: string[]): FieldDef => ({
  field,
  label: { zh, en },
  synonyms: [zh, en, field, ...synonyms],
});

const ID_NUMBER = f(
  'idNumber',
  '身份证号',
  'ID number',
  '身份证号码',
  '公民身份号码',
  '居民身份证号',
  '居民身份证号码',
  '身份证',
  '证件号码',
  '证件号',
);
const CASE_NUMBER = f(
  'caseNumber',
  '案件编号',
  'Case number',
  '矫正编号',
  '社区矫正编号',
  '矫正对象编号',
  '编号',
  '案号',
);
const NAME = f('name', '姓名', 'Name', '矫正对象姓名', '对象姓名', '矫正对象');

export const KIND_FIELDS: Record<ImportKind, KindFields> = {
  supervisees: {
    fields: [
      CASE_NUMBER,
      NAME,
      f('gender', '性别', 'Gender', 'sex'),
      f('birthDate', '出生日期', 'Birth date', '出生年月日', '出生年月', '生日', 'date of birth'),
      ID_NUMBER,
      f(
        'township',
        '乡镇(街道)',
        'Township',
        '乡镇',
        '乡镇街道',
        '所属乡镇',
        '所属乡镇(街道)',
        '所属街道',
        '街道',
        '所属司法所',
        '司法所',
        'townshipId',
      ),
      f('sentenceType', '矫正类别', 'Sentence type', '矫正类型', '矫正种类', '刑罚执行类别'),
      f('term', '矫正起止日期', 'Term', '矫正期限', '矫正起止时间', '矫正期间', '矫正起止'),
      f(
        'termStart',
        '矫正开始日期',
        'Term start',
        '矫正起始日期',
        '矫正起日',
        '矫正开始时间',
        '开始日期',
        '起始日期',
        '入矫日期',
      ),
      f(
        'termEnd',
        '矫正结束日期',
        'Term end',
        '矫正终止日期',
        '矫正止日',
        '矫正结束时间',
        '结束日期',
        '终止日期',
        '解矫日期',
      ),
      f('level', '管理级别', 'Level', '管理等级', '监管级别', '管理类别', '分类管理级别'),
      f('keyPerson', '重点对象', 'Key person', '是否重点对象', '重点人员'),
      f('ableToWork', '有劳动能力', 'Able to work', '是否有劳动能力', '劳动能力'),
      f('phone', '联系电话', 'Phone', '电话', '手机', '手机号', '手机号码', '联系方式'),
      f('address', '居住地址', 'Address', '住址', '现居住地', '现住址', '家庭住址', '居住地'),
      f('crimeType', '罪名', 'Crime type', '犯罪类型', '案由'),
    ],
    always: [{ fields: [['idNumber']], label: { zh: '身份证号', en: 'ID number' } }],
    forCreate: [
      { fields: [['caseNumber']], label: { zh: '案件编号', en: 'Case number' } },
      { fields: [['name']], label: { zh: '姓名', en: 'Name' } },
      { fields: [['township']], label: { zh: '乡镇(街道)', en: 'Township' } },
      { fields: [['sentenceType']], label: { zh: '矫正类别', en: 'Sentence type' } },
      {
        fields: [['termStart', 'termEnd'], ['term']],
        label: { zh: '矫正起止日期(或矫正开始日期和矫正结束日期)', en: 'Term (or term start and term end)' },
      },
      { fields: [['level']], label: { zh: '管理级别', en: 'Level' } },
    ],
  },
  townships: {
    fields: [
      f('name', '名称', 'Name', '乡镇', '乡镇名称', '乡镇(街道)', '乡镇街道', '街道', '街道名称'),
      f('nameEn', '英文名称', 'English name', '英文名', 'name (english)'),
      f('code', '行政区划代码', 'Code', '区划代码', '乡级行政区划代码', '代码', '编码'),
      f('sortOrder', '排序', 'Sort order', '序号', '顺序'),
    ],
    always: [{ fields: [['name']], label: { zh: '名称', en: 'Name' } }],
    forCreate: [],
  },
  enrolments: {
    fields: [
      ID_NUMBER,
      CASE_NUMBER,
      { ...NAME, synonyms: NAME.synonyms },
      f('period', '服务起止日期', 'Period', '服务期间', '入组起止日期', '起止日期'),
      f('from', '开始日期', 'From', '入组日期', '服务开始日期', '起始日期', '纳入日期'),
      f('to', '结束日期', 'To', '服务结束日期', '终止日期', '退出日期'),
    ],
    always: [
      {
        fields: [['idNumber'], ['caseNumber']],
        label: { zh: '身份证号(或案件编号)', en: 'ID number (or case number)' },
      },
      { fields: [['from'], ['period']], label: { zh: '开始日期', en: 'From' } },
    ],
    forCreate: [],
  },
};

/** A header as compared with synonyms. */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFKC')
    .replace(/\((必填|选填|可选|必选|required|optional)\)/gi, '')
    .replace(/[\s*:]/g, '')
    .toLowerCase();
}

const synonymIndex = new Map<ImportKind, Map<string, string>>();
function synonymsOf(kind: ImportKind) {
  let m = synonymIndex.get(kind);
  if (!m) {
    m = new Map();
    for (const def of KIND_FIELDS[kind].fields) {
      for (const s of def.synonyms) if (!m.has(normalizeHeader(s))) m.set(normalizeHeader(s), def.field);
    }
    synonymIndex.set(kind, m);
  }
  return m;
}

export const fieldNames = (kind: ImportKind) => KIND_FIELDS[kind].fields.map((d) => d.field);

/**
 * The header row: the first of the first ten rows that names the most known fields. Chinese
 * rosters often carry a title row ("德清县社区矫正对象名册") and notes above the header.
 */
export function findHeaderRow(
  rows: TableRow[],
  kind: ImportKind,
  mapping?: Record<string, string | null>,
): number {
  const known = synonymsOf(kind);
  const explicit = new Set(Object.keys(mapping ?? {}).map(normalizeHeader));
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < Math.min(rows.length, 10); i++) {
    const score = rows[i]!.cells.filter(
      (c) => c && (known.has(normalizeHeader(c)) || explicit.has(normalizeHeader(c))),
    ).length;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** The columns of the header row and the field each feeds; problems with an explicit mapping as 400 errors. */
export function resolveColumns(
  header: string[],
  kind: ImportKind,
  mapping: Record<string, string | null> | undefined,
): { columns: ImportColumn[]; errors: FieldError[] } {
  const known = synonymsOf(kind);
  const fields = new Set(fieldNames(kind));
  const errors: FieldError[] = [];
  const explicit = new Map<string, string | null>();
  for (const [h, field] of Object.entries(mapping ?? {})) {
    if (field !== null && !fields.has(field)) {
      errors.push({
        path: `mapping.${h}`,
        message: `unknown field '${field}'; fields: ${[...fields].join(', ')}`,
      });
    }
    if (!header.some((c) => normalizeHeader(c) === normalizeHeader(h))) {
      errors.push({ path: `mapping.${h}`, message: 'no column of the file has this header' });
    }
    explicit.set(normalizeHeader(h), field);
  }
  // Explicit choices claim their fields first; a default for a field already fed is dropped.
  const taken = new Set<string>();
  for (const h of header) {
    const field = explicit.get(normalizeHeader(h));
    if (!field) continue;
    if (taken.has(field))
      errors.push({ path: `mapping.${h}`, message: `field '${field}' is fed by another column already` });
    taken.add(field);
  }
  const columns = header.map((h, i) => {
    const key = normalizeHeader(h);
    let field: string | null;
    if (explicit.has(key)) field = explicit.get(key)!;
    else {
      field = h === '' ? null : (known.get(key) ?? null);
      if (field && taken.has(field)) field = null; // a second column for one field: the first counts
      if (field) taken.add(field);
    }
    return { column: columnLetters(i), header: h, field };
  });
  return { columns, errors };
}

/** Requirements none of whose alternatives the columns cover. */
export function unmet(reqs: Requirement[], present: Set<string>): Requirement[] {
  return reqs.filter((r) => !r.fields.some((alt) => alt.every((x) => present.has(x))));
}
