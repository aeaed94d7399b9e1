/**
 * Programmes (年度项目) with their budget and procurement record, contracts (购买服务协议) and
 * enrolments. Money totals are computed from the payments on every read, so they cannot drift.
 */
import { and, asc, desc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import { inJsonList, queryInChunks } from '../db/chunks';
import { batchAssert, isGuardFailure } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, notFound, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { payments } from '../payments/schema';
import { ruleSetOn } from '../rule-sets/service';
import type { Pricing } from '../rules';
import { supervisees } from '../supervisees/schema';
import { townships } from '../townships/schema';
import { type ContractScope, seesProvider } from './access';
import {
  type Bidder,
  type ContractRow,
  type ContractTarget,
  contracts,
  type EnrolmentRow,
  enrolments,
  type ProcurementRow,
  type ProgrammeRow,
  procurements,
  programmes,
} from './schema';
import { committedFen, settlementEnrolments } from './settlement';

const isUnique = (e: unknown, what: string) => String(e).includes('UNIQUE') && String(e).includes(what);

// ---------------------------------------------------------------------------------------------
// Programmes

export type NewProgramme = {
  year: number;
  name: string;
  budgetFen: number;
  serviceContent?: string | undefined;
};

export async function createProgramme(k: CountyCtx, input: NewProgramme): Promise<ProgrammeRow> {
  const id = newId();
  try {
    const [rows] = await k.db.batch([
      k.db
        .insert(programmes)
        .values({
          id,
          year: input.year,
          name: input.name,
          budgetFen: input.budgetFen,
          serviceContent: input.serviceContent ?? null,
          createdBy: k.actorUserId,
        })
        .returning(),
      countyAudit(k, {
        action: 'programme.create',
        targetType: 'programme',
        targetId: id,
        detail: { year: input.year, budgetFen: input.budgetFen },
      }),
    ]);
    return rows[0]!;
  } catch (e) {
    if (isUnique(e, 'year')) throw conflict(`The county already has a programme for ${input.year}.`);
    throw e;
  }
}

export async function getProgramme(k: CountyCtx, id: string): Promise<ProgrammeRow> {
  const row = (await k.db.select().from(programmes).where(eq(programmes.id, id)).limit(1))[0];
  if (!row) throw notFound('programme');
  return row;
}

export async function programmeOfYear(k: CountyCtx, year: number): Promise<ProgrammeRow | undefined> {
  return (await k.db.select().from(programmes).where(eq(programmes.year, year)).limit(1))[0];
}

/** Approved + paid of a programme, as SQL: the figure every budget check compares with. */
export const approvedOfProgramme = (programmeId: string) =>
  sql`(SELECT coalesce(sum(${payments.amountFen}), 0) FROM ${payments}
       WHERE ${payments.programmeId} = ${programmeId} AND ${payments.status} IN ('approved', 'paid'))`;

export type ProgrammeTotals = {
  budgetFen: number;
  committedFen: number;
  /** Recorded, awaiting approval. */
  pendingFen: number;
  /** Approved so far, paid or not. */
  approvedFen: number;
  paidFen: number;
  /** budget − approved: what may still be approved. */
  leftFen: number;
  /** budget − committed (negative when the contracts commit more than the budget). */
  uncommittedFen: number;
  contractCount: number;
};

/** Totals of programmes: one query for payments, one for contracts, one per 90 contracts for enrolments. */
export async function programmeTotals(
  k: Pick<CountyCtx, 'db'>,
  rows: readonly ProgrammeRow[],
): Promise<Map<string, ProgrammeTotals>> {
  const out = new Map<string, ProgrammeTotals>();
  if (rows.length === 0) return out;
  // IN lists stay under D1's 100 parameters; a county with more programmes reads them all.
  const few = rows.length <= 90;
  const ids = rows.map((r) => r.id);
  const years = rows.map((r) => r.year);
  const [sums, contractRows] = await Promise.all([
    k.db
      .select({
        programmeId: payments.programmeId,
        status: payments.status,
        total: sql<number>`coalesce(sum(${payments.amountFen}), 0)`,
      })
      .from(payments)
      .where(few ? inArray(payments.programmeId, ids) : undefined)
      .groupBy(payments.programmeId, payments.status),
    k.db
      .select()
      .from(contracts)
      .where(few ? inArray(contracts.programmeYear, years) : undefined),
  ]);
  const needEnrolments = contractRows.filter(
    (c) => (c.pricing as { model?: string }).model === 'per_supervisee_year' && c.ceilingFen === null,
  );
  const enrolled = await settlementEnrolments(
    k.db,
    needEnrolments.map((c) => c.id),
  );
  for (const p of rows) {
    const mine = contractRows.filter((c) => c.programmeYear === p.year);
    const committed = mine.reduce((sum, c) => sum + committedFen(c, enrolled.get(c.id) ?? []), 0);
    const of = (status: string) =>
      Number(sums.find((s) => s.programmeId === p.id && s.status === status)?.total ?? 0);
    const approved = of('approved') + of('paid');
    out.set(p.id, {
      budgetFen: p.budgetFen,
      committedFen: committed,
      pendingFen: of('recorded'),
      approvedFen: approved,
      paidFen: of('paid'),
      leftFen: p.budgetFen - approved,
      uncommittedFen: p.budgetFen - committed,
      contractCount: mine.length,
    });
  }
  return out;
}

export async function listProgrammes(k: CountyCtx): Promise<ProgrammeRow[]> {
  return k.db.select().from(programmes).orderBy(desc(programmes.year));
}

export type ProgrammePatch = { name?: string; budgetFen?: number; serviceContent?: string | null };

/**
 * A budget may be cut, but never below what is already approved (checked in the write itself)
 * nor below what its contracts commit (ADR 0302, issue #11). Raising a budget that is still
 * below the commitment is allowed: it only narrows the gap.
 */
export async function patchProgramme(
  k: CountyCtx,
  row: ProgrammeRow,
  patch: ProgrammePatch,
  expectedVersion: number | null,
): Promise<ProgrammeRow> {
  if (expectedVersion !== null && expectedVersion !== row.version) {
    throw new Problem(412, 'The programme changed since you read it; reload and apply your change again.');
  }
  const budget = patch.budgetFen ?? row.budgetFen;
  if (patch.budgetFen !== undefined && budget < row.budgetFen) {
    const committed = (await programmeTotals(k, [row])).get(row.id)!.committedFen;
    if (budget < committed) throw belowCommitted(budget, committed);
  }
  try {
    const [, , updated] = await k.db.batch([
      batchAssert(k.db, sql`(SELECT version FROM programmes WHERE id = ${row.id}) = ${row.version}`, 'stale'),
      batchAssert(k.db, sql`${approvedOfProgramme(row.id)} <= ${budget}`, 'below_approved'),
      k.db
        .update(programmes)
        .set({ ...patch, version: row.version + 1, updatedAt: nowInstant() })
        .where(eq(programmes.id, row.id))
        .returning(),
      countyAudit(k, {
        action: 'programme.update',
        targetType: 'programme',
        targetId: row.id,
        detail: {
          fields: Object.keys(patch),
          ...(patch.budgetFen !== undefined ? { budgetFen: budget } : {}),
        },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (!isGuardFailure(e)) throw e;
    const now = await getProgramme(k, row.id);
    if (now.version !== row.version) {
      throw new Problem(412, 'The programme changed since you read it; reload and apply your change again.');
    }
    throw conflict('The budget cannot be set below what has already been approved for payment.');
  }
}

const yuan = (fen: number) =>
  `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** 409 naming the committed amount, and the field at fault. */
const belowCommitted = (budget: number, committed: number) =>
  new Problem(
    409,
    `The budget cannot be cut below what the programme's contracts commit: ${committed} fen (${yuan(committed)}) is committed, ${budget} fen (${yuan(budget)}) was asked.`,
    {
      errors: [
        {
          path: 'budgetFen',
          message: `must not be below the committed ${committed} fen (${yuan(committed)})`,
        },
      ],
    },
  );

// ---------------------------------------------------------------------------------------------
// Procurement

export type NewProcurement = {
  method: string;
  reference?: string | undefined;
  announcedOn: string;
  openedOn?: string | undefined;
  awardedOn?: string | undefined;
  bidders: Bidder[];
  chosenProviderIds: string[];
  notes?: string | undefined;
};

export async function addProcurement(
  k: CountyCtx,
  programme: ProgrammeRow,
  input: NewProcurement,
  servedProviders: ReadonlySet<string>,
): Promise<ProcurementRow> {
  const errors: { path: string; message: string }[] = [];
  input.chosenProviderIds.forEach((id, i) => {
    if (!servedProviders.has(id))
      errors.push({ path: `chosenProviderIds.${i}`, message: 'no provider with this id serves this county' });
  });
  if (input.openedOn && input.openedOn < input.announcedOn)
    errors.push({ path: 'openedOn', message: 'must not be before announcedOn' });
  if (input.awardedOn && input.awardedOn < (input.openedOn ?? input.announcedOn))
    errors.push({ path: 'awardedOn', message: 'must not be before the bids were opened' });
  if (errors.length) throw invalid(errors);
  const id = newId();
  const [rows] = await k.db.batch([
    k.db
      .insert(procurements)
      .values({
        id,
        programmeId: programme.id,
        method: input.method,
        reference: input.reference ?? null,
        announcedOn: input.announcedOn,
        openedOn: input.openedOn ?? null,
        awardedOn: input.awardedOn ?? null,
        bidders: input.bidders,
        chosenProviderIds: input.chosenProviderIds,
        notes: input.notes ?? null,
        createdBy: k.actorUserId,
      })
      .returning(),
    countyAudit(k, {
      action: 'procurement.create',
      targetType: 'procurement',
      targetId: id,
      detail: { programmeId: programme.id, bidders: input.bidders.length, chosen: input.chosenProviderIds },
    }),
  ]);
  return rows[0]!;
}

export async function procurementsOf(
  k: CountyCtx,
  programmeIds: readonly string[],
): Promise<ProcurementRow[]> {
  if (programmeIds.length === 0) return [];
  return k.db
    .select()
    .from(procurements)
    .where(inArray(procurements.programmeId, [...programmeIds]))
    .orderBy(asc(procurements.announcedOn));
}

// ---------------------------------------------------------------------------------------------
// Contracts

export type NewContract = {
  providerId: string;
  programmeYear: number;
  periodStart: string;
  periodEnd: string;
  pricing: Pricing;
  procurementMethod: string;
  programmeId?: string | undefined;
  procurementId?: string | undefined;
  title?: string | undefined;
  signedOn?: string | undefined;
  scope?: { townshipIds?: string[] | undefined; levels?: string[] | undefined } | undefined;
  targets?: ContractTarget[] | undefined;
  breachTerms?: string | undefined;
  serviceContent?: string | undefined;
  ceilingFen?: number | undefined;
};

async function checkScope(k: CountyCtx, input: NewContract, errors: { path: string; message: string }[]) {
  const townshipIds = input.scope?.townshipIds ?? [];
  if (townshipIds.length) {
    // A contract may cover up to 200 townships: one look-up per chunk.
    const found = await queryInChunks(townshipIds, 0, (chunk) =>
      k.db.select({ id: townships.id }).from(townships).where(inArray(townships.id, chunk)),
    );
    const known = new Set(found.map((t) => t.id));
    townshipIds.forEach((id, i) => {
      if (!known.has(id))
        errors.push({ path: `scope.townshipIds.${i}`, message: 'no such township in this county' });
    });
  }
  const levels = input.scope?.levels ?? [];
  if (levels.length) {
    const inForce = await ruleSetOn(k.db, input.periodStart);
    const codes = new Set(inForce?.ruleSet.levels.map((l) => l.code) ?? []);
    levels.forEach((level, i) => {
      if (!codes.has(level))
        errors.push({
          path: `scope.levels.${i}`,
          message: `unknown level '${level}' in the rule set in force on ${input.periodStart}`,
        });
    });
  }
}

export async function createContract(
  k: CountyCtx,
  input: NewContract,
  providerServesCounty: boolean,
): Promise<ContractRow> {
  const errors: { path: string; message: string }[] = [];
  if (!providerServesCounty)
    errors.push({ path: 'providerId', message: 'no provider with this id serves this county' });
  if (input.periodEnd < input.periodStart)
    errors.push({ path: 'periodEnd', message: 'must not be before periodStart' });
  if (input.ceilingFen !== undefined && input.pricing.model !== 'per_supervisee_year')
    errors.push({
      path: 'ceilingFen',
      message: `only per_supervisee_year contracts have a ceiling; a ${input.pricing.model} contract commits its own amount`,
    });
  if (input.programmeId) {
    const p = (await k.db.select().from(programmes).where(eq(programmes.id, input.programmeId)).limit(1))[0];
    if (!p) errors.push({ path: 'programmeId', message: 'no such programme in this county' });
    else if (p.year !== input.programmeYear)
      errors.push({
        path: 'programmeId',
        message: `this is the programme of ${p.year}, not of programmeYear`,
      });
  }
  if (input.procurementId) {
    const found = await k.db
      .select({ p: procurements, year: programmes.year })
      .from(procurements)
      .innerJoin(programmes, eq(programmes.id, procurements.programmeId))
      .where(eq(procurements.id, input.procurementId))
      .limit(1);
    const row = found[0];
    if (!row) errors.push({ path: 'procurementId', message: 'no such procurement in this county' });
    else if (row.year !== input.programmeYear)
      errors.push({ path: 'procurementId', message: `this procurement is for the programme of ${row.year}` });
    else if (!row.p.chosenProviderIds.includes(input.providerId))
      errors.push({ path: 'providerId', message: 'this provider was not chosen in the procurement' });
  }
  await checkScope(k, input, errors);
  if (errors.length) throw invalid(errors);

  const id = newId();
  const [rows] = await k.db.batch([
    k.db
      .insert(contracts)
      .values({
        id,
        providerId: input.providerId,
        programmeYear: input.programmeYear,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        pricing: input.pricing as unknown as Record<string, unknown>,
        procurementMethod: input.procurementMethod,
        procurementId: input.procurementId ?? null,
        title: input.title ?? null,
        signedOn: input.signedOn ?? k.today,
        scopeTownshipIds: input.scope?.townshipIds?.length ? input.scope.townshipIds : null,
        scopeLevels: input.scope?.levels?.length ? input.scope.levels : null,
        targets: input.targets ?? null,
        breachTerms: input.breachTerms ?? null,
        serviceContent: input.serviceContent ?? null,
        ceilingFen: input.ceilingFen ?? null,
        createdBy: k.actorUserId,
      })
      .returning(),
    countyAudit(k, {
      action: 'contract.create',
      targetType: 'contract',
      targetId: id,
      detail: {
        providerId: input.providerId,
        programmeYear: input.programmeYear,
        model: input.pricing.model,
      },
    }),
  ]);
  return rows[0]!;
}

export async function findContract(k: CountyCtx, scope: ContractScope, id: string): Promise<ContractRow> {
  const row = (await k.db.select().from(contracts).where(eq(contracts.id, id)).limit(1))[0];
  if (!row || !seesProvider(scope, row.providerId)) throw notFound('contract');
  return row;
}

export async function listContracts(
  k: CountyCtx,
  scope: ContractScope,
  f: { programmeYear?: number | undefined; providerId?: string | undefined },
): Promise<ContractRow[]> {
  const conditions: (SQL | undefined)[] = [
    scope.all
      ? undefined
      : scope.providerIds.length
        ? inJsonList(contracts.providerId, scope.providerIds)
        : sql`0`,
    f.programmeYear !== undefined ? eq(contracts.programmeYear, f.programmeYear) : undefined,
    f.providerId ? eq(contracts.providerId, f.providerId) : undefined,
  ];
  return k.db
    .select()
    .from(contracts)
    .where(and(...conditions))
    .orderBy(desc(contracts.programmeYear), asc(contracts.periodStart), asc(contracts.id));
}

export function presentContract(r: ContractRow, programmeId: string | null) {
  return {
    id: r.id,
    providerId: r.providerId,
    programmeYear: r.programmeYear,
    programmeId,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    pricing: r.pricing,
    procurementMethod: r.procurementMethod,
    procurementId: r.procurementId,
    title: r.title,
    signedOn: r.signedOn,
    scope: { townshipIds: r.scopeTownshipIds, levels: r.scopeLevels },
    targets: r.targets,
    breachTerms: r.breachTerms,
    serviceContent: r.serviceContent,
    ceilingFen: r.ceilingFen,
    status: r.status,
    createdAt: r.createdAt,
  };
}

/** Programme ids by year, for presenting contracts. */
export async function programmeIdsByYear(
  k: CountyCtx,
  years: readonly number[],
): Promise<Map<number, string>> {
  const unique = [...new Set(years)];
  if (unique.length === 0) return new Map();
  const rows = await k.db
    .select({ id: programmes.id, year: programmes.year })
    .from(programmes)
    .where(inArray(programmes.year, unique));
  return new Map(rows.map((r) => [r.year, r.id]));
}

// ---------------------------------------------------------------------------------------------
// Enrolments

const OPEN_END = '9999-12-31';

/** Another enrolment of the same supervisee in the same contract overlapping [from, to]. */
const overlapping = (
  contractId: string,
  superviseeId: string,
  from: string,
  to: string | null,
  except?: string,
) =>
  sql`EXISTS (SELECT 1 FROM ${enrolments} WHERE ${enrolments.contractId} = ${contractId}
      AND ${enrolments.superviseeId} = ${superviseeId}
      AND ${enrolments.fromDate} <= ${to ?? OPEN_END}
      AND coalesce(${enrolments.toDate}, ${OPEN_END}) >= ${from}
      ${except ? sql`AND ${enrolments.id} <> ${except}` : sql``})`;

function checkDates(contract: ContractRow, from: string, to: string | null | undefined) {
  const errors: { path: string; message: string }[] = [];
  if (to && to < from) errors.push({ path: 'to', message: 'must not be before from' });
  else if (from > contract.periodEnd || (to ?? contract.periodEnd) < contract.periodStart)
    errors.push({
      path: 'from',
      message: `the enrolment has no day within the contract period ${contract.periodStart} – ${contract.periodEnd}`,
    });
  if (errors.length) throw invalid(errors);
}

const OVERLAP_MESSAGE =
  'The supervisee is already enrolled in this contract for part of that span; end that enrolment first.';

export async function enrol(
  k: CountyCtx,
  contract: ContractRow,
  input: { superviseeId: string; from: string; to?: string | undefined },
): Promise<EnrolmentRow> {
  checkDates(contract, input.from, input.to);
  const person = (
    await k.db
      .select({ id: supervisees.id, townshipId: supervisees.townshipId, level: supervisees.level })
      .from(supervisees)
      .where(eq(supervisees.id, input.superviseeId))
      .limit(1)
  )[0];
  if (!person) throw invalid([{ path: 'superviseeId', message: 'no such supervisee in this county' }]);
  if (contract.scopeTownshipIds && !contract.scopeTownshipIds.includes(person.townshipId))
    throw invalid([
      { path: 'superviseeId', message: "the supervisee's township is outside the contract's scope" },
    ]);
  if (contract.scopeLevels && !contract.scopeLevels.includes(person.level))
    throw invalid([
      { path: 'superviseeId', message: "the supervisee's level is outside the contract's scope" },
    ]);
  const id = newId();
  const to = input.to ?? null;
  try {
    const [, rows] = await k.db.batch([
      batchAssert(k.db, sql`NOT ${overlapping(contract.id, person.id, input.from, to)}`, 'overlap'),
      k.db
        .insert(enrolments)
        .values({
          id,
          contractId: contract.id,
          superviseeId: person.id,
          fromDate: input.from,
          toDate: to,
          createdBy: k.actorUserId,
        })
        .returning(),
      countyAudit(k, {
        action: 'enrolment.create',
        targetType: 'enrolment',
        targetId: id,
        detail: { contractId: contract.id, superviseeId: person.id },
      }),
    ]);
    return rows[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict(OVERLAP_MESSAGE);
    throw e;
  }
}

/** Ends an enrolment early, or moves its end (a supervisee released, transferred or moved on). */
export async function changeEnrolmentEnd(
  k: CountyCtx,
  contract: ContractRow,
  enrolmentId: string,
  to: string | null,
): Promise<EnrolmentRow> {
  const row = (
    await k.db
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.id, enrolmentId), eq(enrolments.contractId, contract.id)))
      .limit(1)
  )[0];
  if (!row) throw notFound('enrolment');
  checkDates(contract, row.fromDate, to);
  try {
    const [, updated] = await k.db.batch([
      batchAssert(
        k.db,
        sql`NOT ${overlapping(contract.id, row.superviseeId, row.fromDate, to, row.id)}`,
        'overlap',
      ),
      k.db
        .update(enrolments)
        .set({ toDate: to, updatedAt: nowInstant() })
        .where(eq(enrolments.id, row.id))
        .returning(),
      countyAudit(k, {
        action: 'enrolment.update',
        targetType: 'enrolment',
        targetId: row.id,
        detail: { contractId: contract.id, fields: ['to'] },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict(OVERLAP_MESSAGE);
    throw e;
  }
}

export async function listEnrolments(
  k: CountyCtx,
  contract: ContractRow,
  f: { cursor?: string | undefined; limit: number; on?: string | undefined },
) {
  const rows = await k.db
    .select()
    .from(enrolments)
    .where(
      and(
        eq(enrolments.contractId, contract.id),
        f.cursor ? gt(enrolments.id, f.cursor) : undefined,
        f.on
          ? sql`${enrolments.fromDate} <= ${f.on} AND coalesce(${enrolments.toDate}, ${OPEN_END}) >= ${f.on}`
          : undefined,
      ),
    )
    .orderBy(asc(enrolments.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { rows: page, nextCursor: rows.length > f.limit ? page.at(-1)!.id : null };
}

export const presentEnrolment = (r: EnrolmentRow) => ({
  id: r.id,
  contractId: r.contractId,
  superviseeId: r.superviseeId,
  from: r.fromDate,
  to: r.toDate,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});
