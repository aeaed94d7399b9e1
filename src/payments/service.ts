/**
 * Payments under a contract (ADR 0303): the planned schedule (work funds on signing, activity
 * funds after the evaluation is accepted), recording by the bureau, approval by a finance officer
 * who did not record it, and payment. Every approval is checked inside its own write: the
 * programme's budget, the contract's schedule and the maker–checker rule hold even when two
 * finance officers approve at the same moment.
 */
import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import { type ContractRow, contracts, programmes } from '../contracts/schema';
import { approvedOfProgramme, programmeOfYear } from '../contracts/service';
import {
  type ContractSettlement,
  committedFen,
  settlementEnrolments,
  settlementOf,
  workFundsOnSigning,
} from '../contracts/settlement';
import { batchAssert, isGuardFailure } from '../db/guard';
import { evaluations } from '../evaluations/schema';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, forbidden, invalid, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { type PaymentRow, payments } from './schema';

export type PaymentKind = PaymentRow['kind'];

type Sums = Record<PaymentKind, { pending: number; approved: number; paid: number }>;

/** Where a contract stands: what the schedule allows and what is recorded, approved and paid. */
export type Position = {
  contract: ContractRow;
  programmeId: string | null;
  committedFen: number;
  workFundsDueFen: number;
  settlement: ContractSettlement;
  sums: Sums;
  /** What may still be approved of each kind (null: not yet due — no accepted evaluation). */
  remaining: Record<PaymentKind, number | null>;
};

const approvedOfContract = (contractId: string, kind?: PaymentKind) =>
  sql`(SELECT coalesce(sum(${payments.amountFen}), 0) FROM ${payments}
       WHERE ${payments.contractId} = ${contractId} AND ${payments.status} IN ('approved', 'paid')
       ${kind ? sql`AND ${payments.kind} = ${kind}` : sql``})`;

export async function positionOf(k: CountyCtx, contract: ContractRow): Promise<Position> {
  const [programme, enrolled, settlement, rows] = await Promise.all([
    programmeOfYear(k, contract.programmeYear),
    settlementEnrolments(k.db, [contract.id]),
    settlementOf(k.db, contract, 'confirmed'),
    k.db
      .select({
        kind: payments.kind,
        status: payments.status,
        total: sql<number>`coalesce(sum(${payments.amountFen}), 0)`,
      })
      .from(payments)
      .where(eq(payments.contractId, contract.id))
      .groupBy(payments.kind, payments.status),
  ]);
  const committed = committedFen(contract, enrolled.get(contract.id) ?? []);
  const workDue = workFundsOnSigning(contract, committed);
  const of = (kind: PaymentKind, status: string) =>
    Number(rows.find((r) => r.kind === kind && r.status === status)?.total ?? 0);
  const sums = {} as Sums;
  for (const kind of ['work_funds', 'activity_funds'] as const) {
    sums[kind] = {
      pending: of(kind, 'recorded'),
      approved: of(kind, 'approved') + of(kind, 'paid'),
      paid: of(kind, 'paid'),
    };
  }
  const approvedAll = sums.work_funds.approved + sums.activity_funds.approved;
  return {
    contract,
    programmeId: programme?.id ?? null,
    committedFen: committed,
    workFundsDueFen: workDue,
    settlement,
    sums,
    remaining: {
      work_funds: Math.max(0, workDue - sums.work_funds.approved),
      // The settlement's payable is the whole of what the contract earns: work funds paid on
      // signing were an advance on it, so activity funds are what is left of it.
      activity_funds: settlement.evaluationId ? Math.max(0, settlement.payableFen - approvedAll) : null,
    },
  };
}

/** The planned schedule of a contract, with what is recorded, approved and paid against it. */
export function presentSchedule(p: Position) {
  const accepted = p.settlement.evaluationId !== null;
  return {
    contractId: p.contract.id,
    programmeId: p.programmeId,
    committedFen: p.committedFen,
    settlement: {
      basis: p.settlement.basis,
      entitlementFen: p.settlement.entitlementFen,
      workFundsFen: p.settlement.workFundsFen,
      activityFundsFen: p.settlement.activityFundsFen,
      releaseRatio: p.settlement.releaseRatio,
      payableFen: p.settlement.payableFen,
      evaluationId: p.settlement.evaluationId,
    },
    items: [
      {
        kind: 'work_funds' as const,
        when: 'on_signing' as const,
        dueOn: p.contract.signedOn,
        amountFen: p.workFundsDueFen,
        ...p.sums.work_funds,
        remainingFen: p.remaining.work_funds,
      },
      {
        kind: 'activity_funds' as const,
        when: 'after_evaluation' as const,
        dueOn: null,
        amountFen: accepted ? p.settlement.payableFen - p.sums.work_funds.approved : null,
        ...p.sums.activity_funds,
        remainingFen: p.remaining.activity_funds,
      },
    ],
  };
}

function nothingDue(kind: PaymentKind, p: Position) {
  if (kind === 'activity_funds' && p.remaining.activity_funds === null) {
    return conflict(
      'Activity funds are paid after the evaluation is accepted; no evaluation is accepted yet.',
    );
  }
  return null;
}

export async function recordPayment(
  k: CountyCtx,
  contract: ContractRow,
  input: {
    kind: PaymentKind;
    amountFen?: number | undefined;
    dueOn?: string | undefined;
    note?: string | undefined;
  },
): Promise<PaymentRow> {
  const p = await positionOf(k, contract);
  if (!p.programmeId) {
    throw conflict(
      `There is no programme (budget) for ${contract.programmeYear}; create it before recording payments.`,
    );
  }
  const notYet = nothingDue(input.kind, p);
  if (notYet) throw notYet;
  const open = (p.remaining[input.kind] ?? 0) - p.sums[input.kind].pending;
  const amount = input.amountFen ?? open;
  if (amount <= 0) throw conflict('Nothing of this kind is left to pay under the schedule.');
  if (amount > open) {
    throw conflict(
      `The schedule leaves ${Math.max(0, open)} fen of ${input.kind} to record (after what is approved and awaiting approval).`,
    );
  }
  const { left } = await programmeLeft(k, p.programmeId);
  if (amount > left) throw conflict(`The programme has ${left} fen left to approve; this payment is larger.`);
  const id = newId();
  const [rows] = await k.db.batch([
    k.db
      .insert(payments)
      .values({
        id,
        contractId: contract.id,
        programmeId: p.programmeId,
        kind: input.kind,
        amountFen: amount,
        dueOn: input.dueOn ?? (input.kind === 'work_funds' ? contract.signedOn : null),
        note: input.note ?? null,
        recordedBy: k.actorUserId,
        recordedAt: nowInstant(),
      })
      .returning(),
    countyAudit(k, {
      action: 'payment.record',
      targetType: 'payment',
      targetId: id,
      detail: { contractId: contract.id, kind: input.kind, amountFen: amount },
    }),
  ]);
  return rows[0]!;
}

/** budget − approved of a programme, read together. */
async function programmeLeft(k: CountyCtx, programmeId: string) {
  const row = (
    await k.db
      .select({ budgetFen: programmes.budgetFen, approved: sql<number>`${approvedOfProgramme(programmeId)}` })
      .from(programmes)
      .where(eq(programmes.id, programmeId))
      .limit(1)
  )[0];
  if (!row) throw notFound('programme');
  return { budgetFen: row.budgetFen, left: row.budgetFen - Number(row.approved) };
}

export async function findPayment(k: CountyCtx, id: string): Promise<PaymentRow> {
  const row = (await k.db.select().from(payments).where(eq(payments.id, id)).limit(1))[0];
  if (!row) throw notFound('payment');
  return row;
}

async function contractOf(k: CountyCtx, payment: PaymentRow): Promise<ContractRow> {
  const row = (await k.db.select().from(contracts).where(eq(contracts.id, payment.contractId)).limit(1))[0];
  if (!row) throw notFound('payment');
  return row;
}

/** The reason an approval is refused now, or null when it may go ahead. */
async function approvalRefusal(k: CountyCtx, payment: PaymentRow) {
  if (payment.recordedBy === k.actorUserId) {
    return forbidden('You recorded this payment; another person (a finance officer) must approve it.');
  }
  if (payment.status !== 'recorded')
    return conflict(`The payment is ${payment.status}, not awaiting approval.`);
  const { left, budgetFen } = await programmeLeft(k, payment.programmeId);
  if (payment.amountFen > left) {
    return conflict(
      `Approving ${payment.amountFen} fen would exceed the programme's budget: ${left} fen is left of ${budgetFen}.`,
    );
  }
  const p = await positionOf(k, await contractOf(k, payment));
  const notYet = nothingDue(payment.kind, p);
  if (notYet) return notYet;
  const remaining = p.remaining[payment.kind] ?? 0;
  if (payment.amountFen > remaining) {
    return conflict(`The contract's schedule leaves ${remaining} fen of ${payment.kind} to approve.`);
  }
  return { p };
}

export async function approvePayment(k: CountyCtx, payment: PaymentRow): Promise<PaymentRow> {
  const checked = await approvalRefusal(k, payment);
  if (checked instanceof Error) throw checked;
  return commitApproval(k, payment, checked.p);
}

/**
 * The approval write. `p` was read before it, so everything it vouches for is asserted again
 * inside the batch: still awaiting approval, not approved by its recorder, within the budget and
 * within the schedule. A concurrent approval that got there first makes this one fail whole.
 */
export async function commitApproval(k: CountyCtx, payment: PaymentRow, p: Position): Promise<PaymentRow> {
  const cap =
    payment.kind === 'work_funds'
      ? sql`${approvedOfContract(p.contract.id, 'work_funds')} + ${payment.amountFen} <= ${p.workFundsDueFen}`
      : sql`${approvedOfContract(p.contract.id)} + ${payment.amountFen} <= ${p.settlement.payableFen}
            AND EXISTS (SELECT 1 FROM ${evaluations} WHERE ${evaluations.contractId} = ${p.contract.id}
                        AND ${evaluations.status} = 'accepted')`;
  try {
    const [, , , updated] = await k.db.batch([
      batchAssert(
        k.db,
        sql`(SELECT status FROM payments WHERE id = ${payment.id}) = 'recorded'
            AND (SELECT recorded_by FROM payments WHERE id = ${payment.id}) <> ${k.actorUserId}`,
        'state',
      ),
      batchAssert(
        k.db,
        sql`${approvedOfProgramme(payment.programmeId)} + ${payment.amountFen}
            <= (SELECT budget_fen FROM programmes WHERE id = ${payment.programmeId})`,
        'budget',
      ),
      batchAssert(k.db, cap, 'schedule'),
      k.db
        .update(payments)
        .set({ status: 'approved', approvedBy: k.actorUserId, approvedAt: nowInstant() })
        .where(and(eq(payments.id, payment.id), eq(payments.status, 'recorded')))
        .returning(),
      countyAudit(k, {
        action: 'payment.approve',
        targetType: 'payment',
        targetId: payment.id,
        detail: { contractId: payment.contractId, amountFen: payment.amountFen },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (!isGuardFailure(e)) throw e;
    // Someone else changed the picture between our check and our write: say what it is now.
    const again = await approvalRefusal(k, await findPayment(k, payment.id));
    if (again instanceof Error) throw again;
    throw conflict('The payment, its contract or its programme changed while approving; try again.');
  }
}

export async function markPaid(
  k: CountyCtx,
  payment: PaymentRow,
  input: { paidOn: string; reference?: string | undefined },
): Promise<PaymentRow> {
  if (payment.status !== 'approved')
    throw conflict(`The payment is ${payment.status}; only an approved payment is paid.`);
  if (input.paidOn > k.today) throw invalid([{ path: 'paidOn', message: 'must not be in the future' }]);
  try {
    const [, updated] = await k.db.batch([
      batchAssert(k.db, sql`(SELECT status FROM payments WHERE id = ${payment.id}) = 'approved'`, 'state'),
      k.db
        .update(payments)
        .set({
          status: 'paid',
          paidBy: k.actorUserId,
          paidAt: nowInstant(),
          paidOn: input.paidOn,
          reference: input.reference ?? null,
        })
        .where(eq(payments.id, payment.id))
        .returning(),
      countyAudit(k, {
        action: 'payment.pay',
        targetType: 'payment',
        targetId: payment.id,
        detail: { contractId: payment.contractId, amountFen: payment.amountFen },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict('The payment changed meanwhile; reload it.');
    throw e;
  }
}

export async function cancelPayment(k: CountyCtx, payment: PaymentRow, reason: string): Promise<PaymentRow> {
  if (payment.status !== 'recorded') {
    throw conflict(`The payment is ${payment.status}; only a payment awaiting approval can be cancelled.`);
  }
  try {
    const [, updated] = await k.db.batch([
      batchAssert(k.db, sql`(SELECT status FROM payments WHERE id = ${payment.id}) = 'recorded'`, 'state'),
      k.db
        .update(payments)
        .set({
          status: 'cancelled',
          cancelledBy: k.actorUserId,
          cancelledAt: nowInstant(),
          cancelReason: reason,
        })
        .where(eq(payments.id, payment.id))
        .returning(),
      countyAudit(k, {
        action: 'payment.cancel',
        targetType: 'payment',
        targetId: payment.id,
        detail: { contractId: payment.contractId },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict('The payment changed meanwhile; reload it.');
    throw e;
  }
}

export async function listPayments(
  k: CountyCtx,
  f: {
    contractIds?: string[] | undefined;
    programmeId?: string | undefined;
    status?: PaymentRow['status'] | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const conditions: (SQL | undefined)[] = [
    f.contractIds ? (f.contractIds.length ? inArray(payments.contractId, f.contractIds) : sql`0`) : undefined,
    f.programmeId ? eq(payments.programmeId, f.programmeId) : undefined,
    f.status ? eq(payments.status, f.status) : undefined,
    f.cursor ? gt(payments.id, f.cursor) : undefined,
  ];
  const rows = await k.db
    .select()
    .from(payments)
    .where(and(...conditions))
    .orderBy(asc(payments.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { rows: page, nextCursor: rows.length > f.limit ? page.at(-1)!.id : null };
}

export const presentPayment = (r: PaymentRow) => ({
  id: r.id,
  contractId: r.contractId,
  programmeId: r.programmeId,
  kind: r.kind,
  amountFen: r.amountFen,
  dueOn: r.dueOn,
  note: r.note,
  status: r.status,
  recordedBy: r.recordedBy,
  recordedAt: r.recordedAt,
  approvedBy: r.approvedBy,
  approvedAt: r.approvedAt,
  paidBy: r.paidBy,
  paidAt: r.paidAt,
  paidOn: r.paidOn,
  reference: r.reference,
  cancelledBy: r.cancelledBy,
  cancelledAt: r.cancelledAt,
  cancelReason: r.cancelReason,
});
