/**
 * Importing supervisees (社区矫正对象). A row matches a registered supervisee through the keyed
 * hash of its ID number; a new one is registered as `POST /supervisees` would, an existing one
 * gets the fields that differ, with level and flag changes appended to their effective-dated
 * history (ADR 0501). Blank cells never erase what is stored.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { auditLog } from '../audit/schema';
import { type FieldCrypto, fieldCrypto } from '../crypto/fields';
import { queryInChunks } from '../db/chunks';
import { batchAssert } from '../db/guard';
import { newId } from '../lib/ids';
import { nowInstant } from '../lib/time';
import { birthDateOfIdNumber, isValidIdNumber } from '../lib/validators';
import { publishedHistory } from '../rule-sets/service';
import { maxDate, type RuleSet, ruleSetSpans, toDayNumber } from '../rules';
import { type SuperviseeRow, superviseeFlags, superviseeLevels, supervisees } from '../supervisees/schema';
import { ID_NUMBER_PURPOSE } from '../supervisees/service';
import { townships } from '../townships/schema';
import {
  halfWidth,
  parseBoolean,
  parseCivilDate,
  parseDateRange,
  parseGender,
  parseSentenceType,
} from '../transfer/values';
import { KIND_FIELDS, unmet } from './fields';
import { townshipResolver } from './kind-townships';
import {
  duplicateError,
  type KindSpec,
  markDuplicatesBy,
  type Op,
  type Planned,
  type RowError,
  rowError,
  type StoredRow,
} from './kinds';

type Sentence = SuperviseeRow['sentenceType'];

type Env = {
  township: ReturnType<typeof townshipResolver>;
  /** The rule set for a day; a day before the county's first rule set gets the first one (ADR 0501). */
  ruleSetFor: (day: string) => RuleSet | null;
  crypto: FieldCrypto;
};

/** What a row says, each field parsed (undefined: blank or not in the file). */
type Draft = {
  idNumber?: string;
  caseNumber?: string;
  name?: string;
  gender?: 'male' | 'female';
  birthDate?: string;
  townshipId?: string;
  sentenceType?: Sentence;
  termStart?: string;
  termEnd?: string;
  level?: string;
  keyPerson?: boolean;
  ableToWork?: boolean;
  phone?: string;
  address?: string;
  crimeType?: string;
};

export const normalizeIdNumber = (raw: string) => halfWidth(raw).replace(/\s/g, '').toUpperCase();

const PHONE = /^[0-9+\-() ]{5,20}$/;

/** The code of a level named by code or by its label in the rule set ("严管" → "strict"). */
export function resolveLevel(raw: string, rs: RuleSet): string | null {
  const s = halfWidth(raw).replace(/\s/g, '').toLowerCase();
  const found =
    rs.levels.find((l) => l.code.toLowerCase() === s) ??
    rs.levels.find((l) => l.label && halfWidth(l.label).replace(/\s/g, '').toLowerCase() === s);
  return found?.code ?? null;
}

const levelList = (rs: RuleSet) =>
  rs.levels.map((l) => (l.label ? `${l.label} (${l.code})` : l.code)).join(', ');

function parseRow(row: StoredRow, env: Env, header: (f: string) => string | null) {
  const d: Draft = {};
  const errors: RowError[] = [];
  const v = row.v;
  const err = (field: string, code: string, en: string, zh: string) =>
    errors.push(rowError(header, field, v[field] ?? null, code, en, zh));
  const text = (field: 'caseNumber' | 'name' | 'address' | 'crimeType', max: number) => {
    const s = (v[field] ?? '').trim();
    if (!s) return;
    if (s.length > max) err(field, 'too_long', `longer than ${max} characters`, `超过 ${max} 个字`);
    else d[field] = s;
  };
  const date = (field: 'birthDate' | 'termStart' | 'termEnd') => {
    if (!v[field]) return undefined;
    const parsed = parseCivilDate(v[field]!);
    if (!parsed)
      err(
        field,
        'bad_date',
        'not a date (use 2026-01-01, 2026/1/1 or 2026年1月1日)',
        '不是有效日期（如 2026-01-01、2026/1/1、2026年1月1日）',
      );
    return parsed ?? undefined;
  };

  if (row.dup) errors.push(duplicateError(header, row));
  const rawId = v.idNumber ?? '';
  const id = normalizeIdNumber(rawId);
  if (!id)
    err(
      'idNumber',
      'required',
      'empty; every row is matched on its ID number',
      '不能为空：每行按身份证号匹配',
    );
  else if (row.lossy?.includes('idNumber') || /^\d(\.\d+)?E\+?\d+$/i.test(id)) {
    err(
      'idNumber',
      'id_number_as_number',
      'stored as a number in Excel, so its last digits are lost; format the column as text and type it again',
      '在 Excel 中被存为数字，末几位已丢失：请将该列设为文本格式后重新录入',
    );
  } else if (!/^\d{17}[\dX]$/.test(id) || !parseCivilDate(birthDateOfIdNumber(id))) {
    err(
      'idNumber',
      'id_number_format',
      'not an 18-character 居民身份证号 with a real birth date',
      '不是含有效出生日期的 18 位居民身份证号',
    );
  } else if (!isValidIdNumber(id)) {
    err(
      'idNumber',
      'id_number_check_digit',
      'the check digit (last character) is wrong (GB 11643)',
      '校验码（最后一位）错误（GB 11643）',
    );
  } else d.idNumber = id;

  text('caseNumber', 40);
  text('name', 50);
  text('address', 200);
  text('crimeType', 50);
  if (v.gender) {
    const g = parseGender(v.gender);
    if (!g) err('gender', 'bad_value', 'expected 男 or 女', '应为“男”或“女”');
    else if (d.idNumber && g !== (Number(d.idNumber[16]) % 2 === 1 ? 'male' : 'female')) {
      err('gender', 'gender_mismatch', 'does not match the ID number', '与身份证号不符');
    } else d.gender = g;
  }
  const birth = date('birthDate');
  if (birth && d.idNumber && birth !== birthDateOfIdNumber(d.idNumber)) {
    err(
      'birthDate',
      'birth_date_mismatch',
      'does not match the birth date in the ID number',
      '与身份证号中的出生日期不符',
    );
  } else if (birth) d.birthDate = birth;
  if (v.township) {
    const t = env.township(v.township);
    if (!t)
      err('township', 'unknown_township', 'no such township in this county', '本县没有这个乡镇（街道）');
    else d.townshipId = t.id;
  }
  if (v.sentenceType) {
    const s = parseSentenceType(v.sentenceType);
    if (!s)
      err(
        'sentenceType',
        'unknown_sentence_type',
        'expected 管制, 缓刑, 假释 or 暂予监外执行',
        '应为管制、缓刑、假释或暂予监外执行',
      );
    else d.sentenceType = s;
  }
  const start = date('termStart');
  const end = date('termEnd');
  let termField = 'termEnd';
  if (v.term) {
    const range = parseDateRange(v.term);
    if (!range)
      err(
        'term',
        'bad_date',
        'not a term such as 2026-01-01至2027-06-30',
        '不是有效的起止日期（如 2026-01-01至2027-06-30）',
      );
    else {
      d.termStart = range.from;
      d.termEnd = range.to;
      termField = 'term';
    }
  }
  if (start) d.termStart = start;
  if (end) {
    d.termEnd = end;
    termField = 'termEnd';
  }
  if (d.termStart && d.termEnd && d.termEnd < d.termStart) {
    err(termField, 'end_before_start', 'the term ends before it starts', '矫正结束日期早于开始日期');
  }
  for (const field of ['keyPerson', 'ableToWork'] as const) {
    if (!v[field]) continue;
    const b = parseBoolean(v[field]!);
    if (b === null) err(field, 'bad_value', 'expected 是 or 否', '应为“是”或“否”');
    else d[field] = b;
  }
  if (v.phone) {
    const p = halfWidth(v.phone).trim();
    if (!PHONE.test(p)) err('phone', 'bad_phone', 'expected a phone number', '不是有效的电话号码');
    else d.phone = p;
  }
  return { d, errors };
}

const initialFlags = (id: string, day: string, keyPerson: boolean, ableToWork: boolean, by: string) => [
  {
    id: newId(),
    superviseeId: id,
    flag: 'key_person' as const,
    value: keyPerson,
    effectiveFrom: day,
    createdBy: by,
  },
  {
    id: newId(),
    superviseeId: id,
    flag: 'able_to_work' as const,
    value: ableToWork,
    effectiveFrom: day,
    createdBy: by,
  },
];

/** The value of a history in force today, or the current column as it is. */
const asOfToday = {
  level: (id: string, today: string) =>
    sql`coalesce((SELECT level FROM supervisee_levels WHERE supervisee_id = ${id} AND effective_from <= ${today}
      ORDER BY effective_from DESC, created_at DESC, rowid DESC LIMIT 1), level)`,
  flag: (id: string, flag: string, column: string, today: string) =>
    sql`coalesce((SELECT value FROM supervisee_flags WHERE supervisee_id = ${id} AND flag = ${flag} AND effective_from <= ${today}
      ORDER BY effective_from DESC, created_at DESC, rowid DESC LIMIT 1), ${sql.raw(column)})`,
};

export const superviseeKind: KindSpec<Env> = {
  markDuplicates(rows) {
    markDuplicatesBy(rows, 'idNumber', (r) => normalizeIdNumber(r.v.idNumber ?? '') || null);
    markDuplicatesBy(rows, 'caseNumber', (r) => (r.v.caseNumber ?? '').trim() || null);
  },

  async load(k) {
    const [towns, history] = await Promise.all([k.db.select().from(townships), publishedHistory(k.db)]);
    const spans = ruleSetSpans(history);
    return {
      township: townshipResolver(towns),
      crypto: await fieldCrypto(k.dataKeySecret, k.county.slug),
      ruleSetFor: (day) => {
        const n = toDayNumber(day);
        const span = spans.findLast((s) => s.start <= n) ?? spans[0];
        return span?.published.ruleSet ?? null;
      },
    };
  },

  async plan({ k, job, env, rows, write, header }) {
    const parsed = rows.map((row) => ({ row, ...parseRow(row, env, header), hash: '' }));
    await Promise.all(
      parsed.map(async (p) => {
        if (p.d.idNumber) p.hash = await env.crypto.lookupHash(p.d.idNumber, ID_NUMBER_PURPOSE);
      }),
    );
    const byHash = new Map<string, SuperviseeRow>();
    const byCase = new Map<string, SuperviseeRow>();
    const hashes = parsed.flatMap((p) => (p.hash ? [p.hash] : []));
    for (const r of await queryInChunks(hashes, 0, (part) =>
      k.db.select().from(supervisees).where(inArray(supervisees.idNumberHash, part)),
    )) {
      byHash.set(r.idNumberHash, r);
    }
    const caseNumbers = parsed.flatMap((p) => (p.d.caseNumber ? [p.d.caseNumber] : []));
    for (const r of await queryInChunks(caseNumbers, 0, (part) =>
      k.db.select().from(supervisees).where(inArray(supervisees.caseNumber, part)),
    )) {
      byCase.set(r.caseNumber, r);
    }

    const present = new Set(job.columns.flatMap((c) => (c.field ? [c.field] : [])));
    const lackingForCreate = unmet(KIND_FIELDS.supervisees.forCreate, present);
    const by = k.actorUserId;
    const audit = (action: string, targetId: string, detail: Record<string, unknown>): Op => ({
      table: auditLog,
      values: auditValues({
        action,
        targetType: 'supervisee',
        targetId,
        actorUserId: by,
        requestId: k.requestId,
        detail: { importId: job.id, ...detail },
      }),
    });

    const planned: Planned[] = [];
    for (const { row, d, errors, hash } of parsed) {
      const err = (field: string, code: string, en: string, zh: string) =>
        errors.push(rowError(header, field, row.v[field] ?? null, code, en, zh));
      const refuse = (): Planned => ({ result: { row: row.r, outcome: 'refused', errors }, ops: [] });
      const ex = hash ? byHash.get(hash) : undefined;
      const keyPersonTaken = () =>
        err(
          'keyPerson',
          'key_person_admin_only',
          'only the bureau admin designates key persons',
          '只有司法局管理员可以认定重点对象',
        );

      if (!ex) {
        // A new supervisee: everything POST /supervisees requires.
        for (const req of lackingForCreate) {
          errors.push({
            column: null,
            field: req.fields[0]![0]!,
            value: null,
            code: 'missing_column',
            message: `the file has no ${req.label.en} column, needed to register a new supervisee`,
            messageZh: `文件缺少“${req.label.zh}”列，登记新的矫正对象时必需`,
          });
        }
        const required: [keyof Draft, string][] = [
          ['caseNumber', 'caseNumber'],
          ['name', 'name'],
          ['townshipId', 'township'],
          ['sentenceType', 'sentenceType'],
          ['termStart', present.has('termStart') ? 'termStart' : 'term'],
          ['termEnd', present.has('termEnd') ? 'termEnd' : 'term'],
          ['level', 'level'],
        ];
        for (const [key, field] of required) {
          if (d[key] === undefined && present.has(field) && !(row.v[field] ?? '').trim()) {
            if (!errors.some((e) => e.field === field)) {
              err(
                field,
                'required',
                'empty; needed to register a new supervisee',
                '不能为空：登记新的矫正对象时必需',
              );
            }
          }
        }
        if (d.caseNumber && byCase.has(d.caseNumber)) {
          err(
            'caseNumber',
            'case_number_taken',
            'another supervisee already has this case number',
            '其他矫正对象已使用此案件编号',
          );
        }
        let level: string | null = null;
        if (row.v.level && d.termStart) {
          const rs = env.ruleSetFor(d.termStart);
          level = rs ? resolveLevel(row.v.level, rs) : null;
          if (!rs) err('level', 'no_rule_set', 'the county has no published rule set', '本县尚未发布规则');
          else if (!level) {
            err(
              'level',
              'unknown_level',
              `not a level of the rule set in force on ${d.termStart}; levels: ${levelList(rs)}`,
              `不是 ${d.termStart} 适用规则中的管理级别；可选：${levelList(rs)}`,
            );
          }
        }
        if (d.keyPerson && !job.options.mayDesignateKeyPersons) keyPersonTaken();
        if (errors.length || !d.idNumber || !level) {
          planned.push(refuse());
          continue;
        }
        const id = newId();
        const keyPerson = d.keyPerson ?? false;
        const ableToWork = d.ableToWork ?? true;
        const ops: Op[] = [];
        if (write) {
          const ref = (column: string) => ({ table: 'supervisees', column, rowId: id });
          ops.push(
            {
              table: supervisees,
              values: {
                id,
                caseNumber: d.caseNumber!,
                name: d.name!,
                gender: d.gender ?? (Number(d.idNumber[16]) % 2 === 1 ? 'male' : 'female'),
                birthDate: d.birthDate ?? birthDateOfIdNumber(d.idNumber),
                idNumberEnc: await env.crypto.encrypt(d.idNumber, ref('id_number_enc')),
                idNumberHash: hash,
                phoneEnc: d.phone ? await env.crypto.encrypt(d.phone, ref('phone_enc')) : null,
                addressEnc: d.address ? await env.crypto.encrypt(d.address, ref('address_enc')) : null,
                townshipId: d.townshipId!,
                sentenceType: d.sentenceType!,
                crimeType: d.crimeType ?? null,
                termStart: d.termStart!,
                termEnd: d.termEnd!,
                level,
                keyPerson,
                ableToWork,
                createdBy: by,
              },
            },
            {
              table: superviseeLevels,
              values: {
                id: newId(),
                superviseeId: id,
                level,
                effectiveFrom: d.termStart!,
                reason: 'initial',
                createdBy: by,
              },
            },
            ...initialFlags(id, d.termStart!, keyPerson, ableToWork, by).map((values) => ({
              table: superviseeFlags,
              values,
            })),
            audit('supervisee.create', id, {}),
          );
        }
        planned.push({ result: { row: row.r, outcome: 'created', ...(write ? { id } : {}) }, ops });
        continue;
      }

      // A registered supervisee: the fields that differ (blank cells leave values as they are).
      const set: Record<string, unknown> = {};
      const changes: string[] = [];
      const change = (field: string, column: string, value: unknown) => {
        changes.push(field);
        set[column] = value;
      };
      for (const f of [
        'caseNumber',
        'name',
        'gender',
        'birthDate',
        'townshipId',
        'sentenceType',
        'crimeType',
        'termStart',
        'termEnd',
      ] as const) {
        if (d[f] !== undefined && d[f] !== ex[f]) change(f, f, d[f]);
      }
      if (d.caseNumber && d.caseNumber !== ex.caseNumber && byCase.has(d.caseNumber)) {
        err(
          'caseNumber',
          'case_number_taken',
          'another supervisee already has this case number',
          '其他矫正对象已使用此案件编号',
        );
      }
      const termStart = d.termStart ?? ex.termStart;
      const termEnd = d.termEnd ?? ex.termEnd;
      if (termEnd < termStart && !errors.some((e) => e.code === 'end_before_start')) {
        err(
          d.termEnd ? 'termEnd' : 'termStart',
          'end_before_start',
          'the term would end before it starts',
          '矫正结束日期将早于开始日期',
        );
      }
      const ref = (column: string) => ({ table: 'supervisees', column, rowId: ex.id });
      for (const [field, column] of [
        ['phone', 'phoneEnc'],
        ['address', 'addressEnc'],
      ] as const) {
        const value = d[field];
        if (value === undefined) continue;
        const stored = ex[column]
          ? await env.crypto.decrypt(ex[column]!, ref(field === 'phone' ? 'phone_enc' : 'address_enc'))
          : null;
        if (stored !== value) {
          change(
            field,
            column,
            write
              ? await env.crypto.encrypt(value, ref(field === 'phone' ? 'phone_enc' : 'address_enc'))
              : null,
          );
        }
      }
      // Level and flag changes hold from the import's day, or from the term's start if later (ADR 0501).
      const effective = maxDate(job.options.effectiveFrom, termStart);
      const ops: Op[] = [];
      let newLevel: string | null = null;
      if (row.v.level) {
        const rs = env.ruleSetFor(effective);
        const level = rs ? resolveLevel(row.v.level, rs) : null;
        if (!rs) err('level', 'no_rule_set', 'the county has no published rule set', '本县尚未发布规则');
        else if (!level) {
          err(
            'level',
            'unknown_level',
            `not a level of the rule set in force on ${effective}; levels: ${levelList(rs)}`,
            `不是 ${effective} 适用规则中的管理级别；可选：${levelList(rs)}`,
          );
        } else if (level !== ex.level) {
          if (effective > termEnd) {
            err(
              'level',
              'level_change_outside_term',
              `a level change on ${effective} falls after the term ends (${termEnd})`,
              `级别变更日 ${effective} 晚于矫正结束日期 ${termEnd}`,
            );
          } else newLevel = level;
        }
      }
      const flagChanges: { flag: 'key_person' | 'able_to_work'; value: boolean }[] = [];
      if (d.keyPerson !== undefined && d.keyPerson !== ex.keyPerson) {
        if (!job.options.mayDesignateKeyPersons) keyPersonTaken();
        flagChanges.push({ flag: 'key_person', value: d.keyPerson });
        changes.push('keyPerson');
      }
      if (d.ableToWork !== undefined && d.ableToWork !== ex.ableToWork) {
        flagChanges.push({ flag: 'able_to_work', value: d.ableToWork });
        changes.push('ableToWork');
      }
      if (newLevel) changes.push('level');
      if (errors.length) {
        planned.push(refuse());
        continue;
      }
      if (changes.length === 0) {
        planned.push({ result: { row: row.r, outcome: 'unchanged', id: ex.id }, ops: [] });
        continue;
      }
      if (write) {
        const today = k.today;
        ops.push({
          stmt: batchAssert(
            k.db,
            sql`(SELECT version FROM supervisees WHERE id = ${ex.id}) = ${ex.version}`,
            'stale',
          ),
        });
        if (newLevel) {
          ops.push({
            table: superviseeLevels,
            values: {
              id: newId(),
              superviseeId: ex.id,
              level: newLevel,
              effectiveFrom: effective,
              reason: 'import',
              createdBy: by,
            },
          });
          set.level = asOfToday.level(ex.id, today);
        }
        for (const f of flagChanges) {
          ops.push({
            table: superviseeFlags,
            values: {
              id: newId(),
              superviseeId: ex.id,
              flag: f.flag,
              value: f.value,
              effectiveFrom: effective,
              createdBy: by,
            },
          });
          if (f.flag === 'key_person')
            set.keyPerson = asOfToday.flag(ex.id, 'key_person', 'key_person', today);
          else set.ableToWork = asOfToday.flag(ex.id, 'able_to_work', 'able_to_work', today);
        }
        ops.push(
          {
            stmt: k.db
              .update(supervisees)
              .set({ ...set, version: sql`version + 1`, updatedAt: nowInstant() })
              .where(eq(supervisees.id, ex.id)),
          },
          audit('supervisee.update', ex.id, { fields: changes }),
        );
      }
      planned.push({ result: { row: row.r, outcome: 'updated', id: ex.id, changes }, ops });
    }
    return planned;
  },
};
