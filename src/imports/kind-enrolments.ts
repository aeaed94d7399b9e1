/**
 * Importing enrolments: which supervisees a contract serves, from when to when. The contract is
 * named by the import request; each row names a supervisee by ID number (or case number) and a
 * period. The checks are those of `POST /contracts/{id}/enrolments`: the supervisee exists, the
 * period lies inside the contract's, and it does not overlap another enrolment of the same
 * supervisee in the same contract. A row matches an enrolment by supervisee and start date.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { auditLog } from '../audit/schema';
import { contracts, enrolments } from '../contracts/schema';
import { type FieldCrypto, fieldCrypto } from '../crypto/fields';
import { queryInChunks } from '../db/chunks';
import { batchAssert } from '../db/guard';
import { newId } from '../lib/ids';
import { conflict } from '../lib/problem';
import { isValidIdNumber } from '../lib/validators';
import { type SuperviseeRow, supervisees } from '../supervisees/schema';
import { ID_NUMBER_PURPOSE } from '../supervisees/service';
import { parseCivilDate, parseDateRange } from '../transfer/values';
import { normalizeIdNumber } from './kind-supervisees';
import { type KindSpec, type Op, type Planned, type RowError, rowError, type StoredRow } from './kinds';

type Contract = typeof contracts.$inferSelect;
type Env = { contract: Contract; crypto: FieldCrypto };

const keyOf = (r: StoredRow) => {
  const id = normalizeIdNumber(r.v.idNumber ?? '');
  if (id) return `id:${id}`;
  const c = (r.v.caseNumber ?? '').trim();
  return c ? `case:${c}` : null;
};

/** The period a row states (either the two date columns or one range), without judging it. */
function periodOf(r: StoredRow): { from: string | null; to: string | null; bad: string[] } {
  const bad: string[] = [];
  let from: string | null = null;
  let to: string | null = null;
  if (r.v.period) {
    const range = parseDateRange(r.v.period);
    if (range) ({ from, to } = range);
    else bad.push('period');
  }
  if (r.v.from) {
    from = parseCivilDate(r.v.from);
    if (!from) bad.push('from');
  }
  if (r.v.to) {
    to = parseCivilDate(r.v.to);
    if (!to) bad.push('to');
  }
  return { from, to, bad };
}

const overlaps = (a: { from: string; to: string }, b: { from: string; to: string }) =>
  a.from <= b.to && b.from <= a.to;

export const enrolmentKind: KindSpec<Env> = {
  markDuplicates(rows) {
    // A later row for the same person whose period overlaps an earlier row's.
    const seen = new Map<string, { r: number; from: string; to: string }[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const p = periodOf(row);
      if (!key || !p.from) continue;
      const mine = { r: row.r, from: p.from, to: p.to ?? '9999-12-31' };
      const earlier = seen.get(key) ?? [];
      const clash = earlier.find((e) => overlaps(e, mine));
      if (clash) row.dup = { row: clash.r, field: row.v.idNumber ? 'idNumber' : 'caseNumber' };
      else seen.set(key, [...earlier, mine]);
    }
  },

  async load(k, job) {
    const contract = (
      await k.db
        .select()
        .from(contracts)
        .where(eq(contracts.id, job.options.contractId ?? ''))
        .limit(1)
    )[0];
    if (!contract) throw conflict('The contract of this import no longer exists.');
    return { contract, crypto: await fieldCrypto(k.dataKeySecret, k.county.slug) };
  },

  async plan({ k, job, env, rows, write, header }) {
    const { contract } = env;
    const parsed = await Promise.all(
      rows.map(async (row) => {
        const errors: RowError[] = [];
        const err = (field: string, code: string, en: string, zh: string) =>
          errors.push(rowError(header, field, row.v[field] ?? null, code, en, zh));
        if (row.dup) {
          errors.push(
            rowError(
              header,
              row.dup.field,
              row.v[row.dup.field] ?? null,
              'duplicate_in_file',
              `overlaps the period of row ${row.dup.row} for the same supervisee`,
              `与本文件第 ${row.dup.row} 行同一对象的期间重叠`,
            ),
          );
        }
        const id = normalizeIdNumber(row.v.idNumber ?? '');
        let hash = '';
        if (id && !isValidIdNumber(id)) {
          err(
            'idNumber',
            'id_number_check_digit',
            'not a valid 居民身份证号 (GB 11643)',
            '不是有效的居民身份证号（GB 11643）',
          );
        } else if (id) hash = await env.crypto.lookupHash(id, ID_NUMBER_PURPOSE);
        const caseNumber = (row.v.caseNumber ?? '').trim();
        if (!id && !caseNumber) {
          err(
            row.v.idNumber !== undefined ? 'idNumber' : 'caseNumber',
            'required',
            'empty; the row names nobody',
            '不能为空：本行没有指明矫正对象',
          );
        }
        const p = periodOf(row);
        for (const f of p.bad)
          err(f, 'bad_date', 'not a date (use 2026-01-01, 2026/1/1 or 2026年1月1日)', '不是有效日期');
        if (!p.from && !p.bad.length) {
          err(
            row.v.period !== undefined ? 'period' : 'from',
            'required',
            'empty; an enrolment has a start date',
            '不能为空：须有开始日期',
          );
        }
        const toField = row.v.to ? 'to' : 'period';
        if (p.from && p.to && p.to < p.from)
          err(toField, 'end_before_start', 'ends before it starts', '结束日期早于开始日期');
        if (p.from && (p.from < contract.periodStart || p.from > contract.periodEnd)) {
          err(
            row.v.from ? 'from' : 'period',
            'outside_contract_period',
            `outside the contract period ${contract.periodStart} … ${contract.periodEnd}`,
            `不在合同期 ${contract.periodStart} 至 ${contract.periodEnd} 内`,
          );
        } else if (p.to && p.to > contract.periodEnd) {
          err(
            toField,
            'outside_contract_period',
            `outside the contract period ${contract.periodStart} … ${contract.periodEnd}`,
            `不在合同期 ${contract.periodStart} 至 ${contract.periodEnd} 内`,
          );
        }
        return { row, errors, hash, caseNumber, from: p.from, to: p.to };
      }),
    );

    const byHash = new Map<string, SuperviseeRow>();
    const byCase = new Map<string, SuperviseeRow>();
    const hashes = parsed.flatMap((p) => (p.hash ? [p.hash] : []));
    for (const s of await queryInChunks(hashes, 0, (part) =>
      k.db.select().from(supervisees).where(inArray(supervisees.idNumberHash, part)),
    )) {
      byHash.set(s.idNumberHash, s);
    }
    const caseNumbers = parsed.flatMap((p) => (!p.hash && p.caseNumber ? [p.caseNumber] : []));
    for (const s of await queryInChunks(caseNumbers, 0, (part) =>
      k.db.select().from(supervisees).where(inArray(supervisees.caseNumber, part)),
    )) {
      byCase.set(s.caseNumber, s);
    }
    const people = [...new Set([...byHash.values(), ...byCase.values()].map((s) => s.id))];
    const existing = new Map<string, (typeof enrolments.$inferSelect)[]>();
    // Beside the ids: the contract.
    const found = await queryInChunks(people, 1, (part) =>
      k.db
        .select()
        .from(enrolments)
        .where(and(eq(enrolments.contractId, contract.id), inArray(enrolments.superviseeId, part))),
    );
    for (const e of found) existing.set(e.superviseeId, [...(existing.get(e.superviseeId) ?? []), e]);

    const audit = (action: string, targetId: string, detail: Record<string, unknown>): Op => ({
      table: auditLog,
      values: auditValues({
        action,
        targetType: 'enrolment',
        targetId,
        actorUserId: k.actorUserId,
        requestId: k.requestId,
        detail: { importId: job.id, contractId: contract.id, ...detail },
      }),
    });

    return parsed.map(({ row, errors, hash, caseNumber, from, to }): Planned => {
      const err = (field: string, code: string, en: string, zh: string) =>
        errors.push(rowError(header, field, row.v[field] ?? null, code, en, zh));
      const person = hash ? byHash.get(hash) : caseNumber ? byCase.get(caseNumber) : undefined;
      if ((hash || caseNumber) && !person && !errors.some((e) => e.field === 'idNumber')) {
        err(
          hash ? 'idNumber' : 'caseNumber',
          'unknown_supervisee',
          'no supervisee of this county has it',
          '本县没有此矫正对象',
        );
      }
      if (person && row.v.name && row.v.name.trim() !== person.name) {
        err('name', 'name_mismatch', 'is not the name registered for this ID number', '与登记的姓名不符');
      }
      if (errors.length || !person || !from)
        return { result: { row: row.r, outcome: 'refused', errors }, ops: [] };

      const theirs = existing.get(person.id) ?? [];
      const same = theirs.find((e) => e.fromDate === from);
      const end = (d: string | null) => d ?? contract.periodEnd;
      const newTo = to ?? same?.toDate ?? null;
      const clash = theirs.find(
        (e) => e !== same && overlaps({ from: e.fromDate, to: end(e.toDate) }, { from, to: end(newTo) }),
      );
      if (clash) {
        err(
          row.v.from ? 'from' : 'period',
          'overlap',
          `overlaps this supervisee's enrolment from ${clash.fromDate} in the same contract`,
          `与该对象在本合同中自 ${clash.fromDate} 起的入组期间重叠`,
        );
        return { result: { row: row.r, outcome: 'refused', errors }, ops: [] };
      }
      if (same) {
        if (!to || to === same.toDate)
          return { result: { row: row.r, outcome: 'unchanged', id: same.id }, ops: [] };
        return {
          result: { row: row.r, outcome: 'updated', id: same.id, changes: ['to'] },
          ops: write
            ? [
                {
                  stmt: batchAssert(
                    k.db,
                    sql`(SELECT coalesce(to_date, '') FROM enrolments WHERE id = ${same.id}) = ${same.toDate ?? ''}`,
                    'stale',
                  ),
                },
                { stmt: k.db.update(enrolments).set({ toDate: to }).where(eq(enrolments.id, same.id)) },
                audit('enrolment.update', same.id, { superviseeId: person.id, fields: ['to'] }),
              ]
            : [],
        };
      }
      const id = newId();
      // Later rows of this chunk see this enrolment too.
      theirs.push({
        id,
        contractId: contract.id,
        superviseeId: person.id,
        fromDate: from,
        toDate: to,
        createdBy: null,
        updatedAt: null,
        createdAt: '',
      });
      existing.set(person.id, theirs);
      return {
        result: { row: row.r, outcome: 'created', ...(write ? { id } : {}) },
        ops: write
          ? [
              {
                table: enrolments,
                values: {
                  id,
                  contractId: contract.id,
                  superviseeId: person.id,
                  fromDate: from,
                  toDate: to,
                  createdBy: k.actorUserId,
                },
              },
              audit('enrolment.create', id, { superviseeId: person.id }),
            ]
          : [],
      };
    });
  },
};
