/**
 * Supervisees: creation with their first level and flags, reads shaped by the caller's scope,
 * partial updates under optimistic concurrency, and effective-dated level changes.
 */
import { and, asc, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import { batchAssert, isGuardFailure } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { contains } from '../lib/like';
import { conflict, invalid, notFound, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { ruleSetOn } from '../rule-sets/service';
import { townships } from '../townships/schema';
import {
  type Detail,
  detailOf,
  needsServed,
  type SuperviseeScope,
  scopeAtLeast,
  scopeCondition,
  servedByProviders,
  visibleById,
} from './access';
import { type SuperviseeRow, superviseeFlags, superviseeLevels, supervisees } from './schema';

export type SentenceType = SuperviseeRow['sentenceType'];

export type NewSupervisee = {
  caseNumber: string;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  idNumber: string;
  townshipId: string;
  sentenceType: SentenceType;
  termStart: string;
  termEnd: string;
  level: string;
  keyPerson: boolean;
  ableToWork: boolean;
  phone?: string | undefined;
  address?: string | undefined;
  crimeType?: string | undefined;
};

export const ID_NUMBER_PURPOSE = 'id_number';
const enc = (k: CountyCtx) => fieldCrypto(k.dataKeySecret, k.county.slug);
const ref = (rowId: string, column: string) => ({ table: 'supervisees', column, rowId });

/** The level must be a code of the rule set in force on the day it takes effect (API.md). */
async function checkLevel(k: CountyCtx, level: string, day: string, path: string) {
  const inForce = await ruleSetOn(k.db, day);
  if (!inForce) throw invalid([{ path, message: `no rule set is in force on ${day}` }]);
  const codes = inForce.ruleSet.levels.map((l) => l.code);
  if (!codes.includes(level)) {
    throw invalid([
      { path, message: `unknown level '${level}' on ${day}; defined levels: ${codes.join(', ')}` },
    ]);
  }
}

async function checkTownship(k: CountyCtx, townshipId: string) {
  const found = await k.db
    .select({ id: townships.id })
    .from(townships)
    .where(eq(townships.id, townshipId))
    .limit(1);
  if (!found[0]) throw invalid([{ path: 'townshipId', message: 'no such township in this county' }]);
}

const isUnique = (e: unknown, what: string) => String(e).includes('UNIQUE') && String(e).includes(what);

export async function createSupervisee(k: CountyCtx, input: NewSupervisee): Promise<SuperviseeRow> {
  if (input.termEnd < input.termStart)
    throw invalid([{ path: 'termEnd', message: 'must not be before termStart' }]);
  await checkTownship(k, input.townshipId);
  await checkLevel(k, input.level, input.termStart, 'level');
  const crypto = await enc(k);
  const id = newId();
  const row = {
    id,
    caseNumber: input.caseNumber,
    name: input.name,
    gender: input.gender,
    birthDate: input.birthDate,
    idNumberEnc: await crypto.encrypt(input.idNumber, ref(id, 'id_number_enc')),
    idNumberHash: await crypto.lookupHash(input.idNumber, ID_NUMBER_PURPOSE),
    phoneEnc: input.phone ? await crypto.encrypt(input.phone, ref(id, 'phone_enc')) : null,
    addressEnc: input.address ? await crypto.encrypt(input.address, ref(id, 'address_enc')) : null,
    townshipId: input.townshipId,
    sentenceType: input.sentenceType,
    crimeType: input.crimeType ?? null,
    termStart: input.termStart,
    termEnd: input.termEnd,
    level: input.level,
    keyPerson: input.keyPerson,
    ableToWork: input.ableToWork,
    createdBy: k.actorUserId,
  };
  try {
    const [inserted] = await k.db.batch([
      k.db.insert(supervisees).values(row).returning(),
      k.db.insert(superviseeLevels).values({
        id: newId(),
        superviseeId: id,
        level: input.level,
        effectiveFrom: input.termStart,
        reason: 'initial',
        createdBy: k.actorUserId,
      }),
      k.db.insert(superviseeFlags).values([
        {
          id: newId(),
          superviseeId: id,
          flag: 'key_person',
          value: input.keyPerson,
          effectiveFrom: input.termStart,
          createdBy: k.actorUserId,
        },
        {
          id: newId(),
          superviseeId: id,
          flag: 'able_to_work',
          value: input.ableToWork,
          effectiveFrom: input.termStart,
          createdBy: k.actorUserId,
        },
      ]),
      countyAudit(k, { action: 'supervisee.create', targetType: 'supervisee', targetId: id }),
    ]);
    return inserted[0]!;
  } catch (e) {
    if (isUnique(e, 'id_number_hash'))
      throw conflict('A supervisee with this ID number is already registered.');
    if (isUnique(e, 'case_number'))
      throw conflict('A supervisee with this case number is already registered.');
    throw e;
  }
}

/**
 * Each supervisee's own detail for the scope (`detailOf`). Only a minimised view of everyone
 * combined with a provider role needs to know whom the provider serves: one query, then.
 */
export async function superviseeDetails(
  k: Pick<CountyCtx, 'db'>,
  scope: SuperviseeScope,
  rows: readonly { id: string; townshipId: string }[],
): Promise<(row: { id: string; townshipId: string }) => Detail> {
  if (!needsServed(scope) || rows.length === 0) return (r) => detailOf(scope, r);
  const served = new Set(
    (
      await k.db
        .select({ id: supervisees.id })
        .from(supervisees)
        .where(sql`${supervisees.id} IN ${servedByProviders(scope.providerIds ?? [])}`)
    ).map((r) => r.id),
  );
  return (r) => detailOf(scope, r, served.has(r.id));
}

/** One supervisee's detail for the scope. */
export const superviseeDetail = async (
  k: Pick<CountyCtx, 'db'>,
  scope: SuperviseeScope,
  row: { id: string; townshipId: string },
) => (await superviseeDetails(k, scope, [row]))(row);

export async function findVisible(k: CountyCtx, scope: SuperviseeScope, id: string): Promise<SuperviseeRow> {
  const row = (await k.db.select().from(supervisees).where(visibleById(scope, id)).limit(1))[0];
  if (!row) throw notFound('supervisee');
  return row;
}

/** The record as the caller may see it; decrypting personal fields leaves an audit entry. */
export async function presentSupervisee(k: CountyCtx, row: SuperviseeRow, detail: Detail) {
  const [levels, flags] = await k.db.batch([
    k.db
      .select()
      .from(superviseeLevels)
      .where(eq(superviseeLevels.superviseeId, row.id))
      .orderBy(asc(superviseeLevels.effectiveFrom), asc(superviseeLevels.createdAt)),
    k.db
      .select()
      .from(superviseeFlags)
      .where(eq(superviseeFlags.superviseeId, row.id))
      .orderBy(asc(superviseeFlags.effectiveFrom), asc(superviseeFlags.createdAt)),
  ]);
  const base = {
    id: row.id,
    caseNumber: row.caseNumber,
    gender: row.gender,
    townshipId: row.townshipId,
    sentenceType: row.sentenceType,
    crimeType: row.crimeType,
    termStart: row.termStart,
    termEnd: row.termEnd,
    status: row.status,
    level: row.level,
    keyPerson: row.keyPerson,
    ableToWork: row.ableToWork,
    levelHistory: levels.map((l) => ({ level: l.level, effectiveFrom: l.effectiveFrom, reason: l.reason })),
    flagHistory: flags.map((f) => ({
      flag: f.flag === 'key_person' ? 'keyPerson' : 'ableToWork',
      value: f.value,
      effectiveFrom: f.effectiveFrom,
    })),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (detail === 'minimal') return base;
  const crypto = await enc(k);
  const open = (blob: string | null, column: string) =>
    blob ? crypto.decrypt(blob, ref(row.id, column)) : null;
  const [idNumber, phone, address] = await Promise.all([
    open(row.idNumberEnc, 'id_number_enc'),
    open(row.phoneEnc, 'phone_enc'),
    open(row.addressEnc, 'address_enc'),
  ]);
  await countyAudit(k, {
    action: 'supervisee.read_personal',
    targetType: 'supervisee',
    targetId: row.id,
    detail: { fields: detail === 'full' ? ['idNumber', 'phone', 'address'] : ['phone', 'address'] },
  });
  return {
    ...base,
    name: row.name,
    birthDate: row.birthDate,
    ...(detail === 'full'
      ? { idNumber }
      : { idNumberMasked: idNumber ? `${idNumber.slice(0, 6)}********${idNumber.slice(14)}` : null }),
    phone,
    address,
  };
}

export type SuperviseePatch = Partial<{
  caseNumber: string;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  townshipId: string;
  sentenceType: SentenceType;
  crimeType: string | null;
  termStart: string;
  termEnd: string;
  status: SuperviseeRow['status'];
  keyPerson: boolean;
  ableToWork: boolean;
  phone: string | null;
  address: string | null;
}>;

/**
 * Applies a partial update against the version the writer read (the API's If-Match, the page
 * form's hidden version: ADR 0008); a stale one fails with 412.
 */
export async function patchSupervisee(
  k: CountyCtx,
  row: SuperviseeRow,
  patch: SuperviseePatch,
  expectedVersion: number,
): Promise<SuperviseeRow> {
  if (expectedVersion !== row.version) {
    throw new Problem(412, 'The record changed since you read it; reload and apply your change again.');
  }
  const termStart = patch.termStart ?? row.termStart;
  const termEnd = patch.termEnd ?? row.termEnd;
  if (termEnd < termStart) throw invalid([{ path: 'termEnd', message: 'must not be before termStart' }]);
  if (patch.townshipId) await checkTownship(k, patch.townshipId);
  const crypto = await enc(k);
  const { phone, address, keyPerson, ableToWork, ...plain } = patch;
  const set: Partial<typeof supervisees.$inferInsert> = { ...plain };
  if (phone !== undefined)
    set.phoneEnc = phone ? await crypto.encrypt(phone, ref(row.id, 'phone_enc')) : null;
  if (address !== undefined)
    set.addressEnc = address ? await crypto.encrypt(address, ref(row.id, 'address_enc')) : null;
  // A flag change holds from the day it is made, and the history keeps the earlier value.
  const flagRows = [
    ...(keyPerson !== undefined && keyPerson !== row.keyPerson
      ? [{ flag: 'key_person' as const, value: keyPerson }]
      : []),
    ...(ableToWork !== undefined && ableToWork !== row.ableToWork
      ? [{ flag: 'able_to_work' as const, value: ableToWork }]
      : []),
  ];
  if (keyPerson !== undefined) set.keyPerson = keyPerson;
  if (ableToWork !== undefined) set.ableToWork = ableToWork;
  try {
    const [, updated] = await k.db.batch([
      // First, so the flag history and audit entry are written only with the update itself.
      batchAssert(
        k.db,
        sql`(SELECT version FROM supervisees WHERE id = ${row.id}) = ${row.version}`,
        'stale',
      ),
      k.db
        .update(supervisees)
        .set({ ...set, version: row.version + 1, updatedAt: nowInstant() })
        .where(eq(supervisees.id, row.id))
        .returning(),
      ...flagRows.map((f) =>
        k.db.insert(superviseeFlags).values({
          id: newId(),
          superviseeId: row.id,
          flag: f.flag,
          value: f.value,
          effectiveFrom: k.today,
          createdBy: k.actorUserId,
        }),
      ),
      countyAudit(k, {
        action: 'supervisee.update',
        targetType: 'supervisee',
        targetId: row.id,
        detail: { fields: Object.keys(patch) },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e))
      throw new Problem(412, 'The record changed since you read it; reload and apply your change again.');
    if (isUnique(e, 'case_number'))
      throw conflict('A supervisee with this case number is already registered.');
    throw e;
  }
}

export async function addLevel(
  k: CountyCtx,
  row: SuperviseeRow,
  input: { level: string; effectiveFrom: string; reason: string },
) {
  if (input.effectiveFrom < row.termStart || input.effectiveFrom > row.termEnd) {
    throw invalid([
      { path: 'effectiveFrom', message: `must lie within the term ${row.termStart} … ${row.termEnd}` },
    ]);
  }
  await checkLevel(k, input.level, input.effectiveFrom, 'level');
  const entry = { id: newId(), superviseeId: row.id, ...input, createdBy: k.actorUserId };
  await k.db.batch([
    k.db.insert(superviseeLevels).values(entry),
    // Keep the denormalised current level in step with the history as of today.
    k.db
      .update(supervisees)
      .set({
        level: sql`coalesce((SELECT level FROM supervisee_levels WHERE supervisee_id = ${row.id} AND effective_from <= ${k.today}
          ORDER BY effective_from DESC, created_at DESC, rowid DESC LIMIT 1), level)`,
        version: sql`version + 1`,
        updatedAt: nowInstant(),
      })
      .where(eq(supervisees.id, row.id)),
    countyAudit(k, {
      action: 'supervisee.level',
      targetType: 'supervisee',
      targetId: row.id,
      detail: { level: input.level, effectiveFrom: input.effectiveFrom },
    }),
  ]);
  return entry;
}

export type ListFilter = {
  townshipId?: string | undefined;
  q?: string | undefined;
  level?: string | undefined;
  keyPerson?: boolean | undefined;
  status?: SuperviseeRow['status'] | undefined;
  idNumberHash?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

/**
 * By case number, and by name among the supervisees the caller sees by name: a minimised view
 * (an evaluator's) finds no one by name, so a search cannot tell whether a name is on record.
 */
function searchCondition(scope: SuperviseeScope, q: string): SQL | undefined {
  const named = scopeAtLeast(scope, 'provider');
  const byName =
    named === scope
      ? contains(supervisees.name, q)
      : named
        ? and(scopeCondition(named), contains(supervisees.name, q))
        : undefined;
  return or(byName, contains(supervisees.caseNumber, q));
}

export async function listSupervisees(k: CountyCtx, scope: SuperviseeScope, f: ListFilter) {
  const conditions: (SQL | undefined)[] = [
    scopeCondition(scope),
    f.townshipId ? eq(supervisees.townshipId, f.townshipId) : undefined,
    f.level ? eq(supervisees.level, f.level) : undefined,
    f.keyPerson !== undefined ? eq(supervisees.keyPerson, f.keyPerson) : undefined,
    f.status ? eq(supervisees.status, f.status) : undefined,
    f.idNumberHash ? eq(supervisees.idNumberHash, f.idNumberHash) : undefined,
    f.q ? searchCondition(scope, f.q) : undefined,
    f.cursor ? gt(supervisees.caseNumber, f.cursor) : undefined,
  ];
  const rows = await k.db
    .select()
    .from(supervisees)
    .where(and(...conditions))
    .orderBy(asc(supervisees.caseNumber))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { rows: page, nextCursor: rows.length > f.limit ? page.at(-1)!.caseNumber : null };
}
