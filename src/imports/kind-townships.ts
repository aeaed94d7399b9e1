/**
 * Importing townships (乡镇/街道), by the bureau admin. A row matches an existing township by its
 * code (行政区划代码) when it has one, else by name; a matched township by code may be renamed.
 */

import { eq } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { auditLog } from '../audit/schema';
import { newId } from '../lib/ids';
import { type TownshipRow, townships } from '../townships/schema';
import { halfWidth } from '../transfer/values';
import {
  duplicateError,
  type KindSpec,
  markDuplicatesBy,
  type Op,
  type Planned,
  type RowError,
  rowError,
} from './kinds';

const SUFFIXES = /(司法所|街道办事处|办事处|街道|人民政府|镇|乡)$/;

/** A township name without the words that vary between lists: 武康街道, 武康司法所 → 武康. */
export const townshipCore = (name: string) => {
  let s = halfWidth(name).replace(/\s/g, '');
  for (let i = 0; i < 3 && SUFFIXES.test(s) && s.replace(SUFFIXES, '').length >= 2; i++)
    s = s.replace(SUFFIXES, '');
  return s;
};

/** Finds a township by id, exact name, code, or a name that differs only in its suffix. */
export function townshipResolver(rows: TownshipRow[]) {
  const byId = new Map(rows.map((t) => [t.id, t]));
  const byName = new Map(rows.map((t) => [halfWidth(t.name).replace(/\s/g, ''), t]));
  const byCode = new Map(rows.filter((t) => t.code).map((t) => [t.code!, t]));
  const byCore = new Map<string, TownshipRow | null>();
  for (const t of rows) {
    const core = townshipCore(t.name);
    byCore.set(core, byCore.has(core) ? null : t); // ambiguous cores match nothing
  }
  return (raw: string): TownshipRow | null => {
    const s = halfWidth(raw).replace(/\s/g, '');
    return byId.get(s) ?? byName.get(s) ?? byCode.get(s) ?? byCore.get(townshipCore(s)) ?? null;
  };
}

type Env = { existing: TownshipRow[] };

export const townshipKind: KindSpec<Env> = {
  markDuplicates(rows) {
    markDuplicatesBy(rows, 'name', (r) => (r.v.name ? halfWidth(r.v.name).replace(/\s/g, '') : null));
    markDuplicatesBy(rows, 'code', (r) => (r.v.code ? halfWidth(r.v.code).trim() : null));
  },

  async load() {
    return { existing: [] };
  },

  async plan({ k, job, rows, write, header }) {
    // Read afresh for every chunk: earlier chunks of the same file may have added townships.
    const existing = await k.db.select().from(townships);
    const byName = new Map(existing.map((t) => [t.name, t]));
    const byCode = new Map(existing.filter((t) => t.code).map((t) => [t.code!, t]));
    return rows.map((row): Planned => {
      const errors: RowError[] = [];
      const err = (field: string, code: string, en: string, zh: string) =>
        errors.push(rowError(header, field, row.v[field] ?? null, code, en, zh));
      if (row.dup) errors.push(duplicateError(header, row));
      const name = halfWidth(row.v.name ?? '').trim();
      const nameEn = (row.v.nameEn ?? '').trim();
      const code = halfWidth(row.v.code ?? '').trim();
      const sortRaw = halfWidth(row.v.sortOrder ?? '').trim();
      if (!name) err('name', 'required', 'empty; every township has a name', '不能为空');
      else if (name.length > 50) err('name', 'too_long', 'longer than 50 characters', '超过 50 个字');
      if (nameEn.length > 100) err('nameEn', 'too_long', 'longer than 100 characters', '超过 100 个字符');
      if (code && !/^\d{9}(\d{3})?$/.test(code)) {
        err(
          'code',
          'bad_code',
          'expected a 9- or 12-digit township code',
          '应为 9 位或 12 位乡级行政区划代码',
        );
      }
      const sortOrder = sortRaw === '' ? undefined : Number(sortRaw);
      if (
        sortOrder !== undefined &&
        !(Number.isInteger(sortOrder) && sortOrder >= 0 && sortOrder <= 10_000)
      ) {
        err('sortOrder', 'bad_number', 'expected a whole number from 0 to 10000', '应为 0 到 10000 的整数');
      }
      const found = (code && byCode.get(code)) || byName.get(name);
      if (found && found.name !== name && byName.has(name)) {
        err('name', 'name_taken', 'another township already has this name', '已有其他乡镇使用此名称');
      }
      if (errors.length) return { result: { row: row.r, outcome: 'refused', errors }, ops: [] };

      const audit = (action: string, targetId: string, detail: Record<string, unknown>): Op => ({
        table: auditLog,
        values: auditValues({
          action,
          targetType: 'township',
          targetId,
          actorUserId: k.actorUserId,
          requestId: k.requestId,
          detail: { importId: job.id, ...detail },
        }),
      });
      if (!found) {
        const id = newId();
        const values = { id, name, nameEn: nameEn || null, code: code || null, sortOrder: sortOrder ?? 0 };
        return {
          result: { row: row.r, outcome: 'created', ...(write ? { id } : {}) },
          ops: write ? [{ table: townships, values }, audit('township.create', id, {})] : [],
        };
      }
      // Blank cells leave the stored values as they are (ADR 0501).
      const set: Partial<TownshipRow> = {};
      if (name !== found.name) set.name = name;
      if (nameEn && nameEn !== found.nameEn) set.nameEn = nameEn;
      if (code && code !== found.code) set.code = code;
      if (sortOrder !== undefined && sortOrder !== found.sortOrder) set.sortOrder = sortOrder;
      const changes = Object.keys(set);
      if (changes.length === 0)
        return { result: { row: row.r, outcome: 'unchanged', id: found.id }, ops: [] };
      return {
        result: { row: row.r, outcome: 'updated', id: found.id, changes },
        ops: write
          ? [
              { stmt: k.db.update(townships).set(set).where(eq(townships.id, found.id)) },
              audit('township.update', found.id, { fields: changes }),
            ]
          : [],
      };
    });
  },
};
