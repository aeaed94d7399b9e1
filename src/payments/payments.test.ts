import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, freshLogin, tokenFor } from '../../test/helpers/http';
import {
  acceptedEvaluation,
  api,
  countyCtxFor,
  createContract,
  createProgramme,
} from '../../test/helpers/money';
import { findContract } from '../contracts/service';
import { Problem } from '../lib/problem';
import { commitApproval, findPayment, positionOf } from './service';

const financeCtx = () => countyCtxFor('deqing', 'u-deqing-finance');

const deqing = api('deqing');
const officer = () => tokenFor('deqing.officer');
const finance = () => tokenFor('deqing.finance');

/** A programme of its own year with `budgetFen`, and a fixed-price contract in it. */
async function setUp(budgetFen: number, amountFen: number, workFundsShare = 0.5) {
  const programme = await createProgramme('deqing', { budgetFen });
  const contract = await createContract('deqing', {
    programmeYear: programme.year,
    periodStart: `${programme.year}-01-01`,
    periodEnd: `${programme.year}-12-31`,
    signedOn: '2026-01-10',
    pricing: { model: 'fixed', amountFen, workFundsShare },
  });
  return { programme, contract };
}

async function record(contractId: string, body: Record<string, unknown>, token?: string) {
  return call('POST', `${deqing}/contracts/${contractId}/payments`, {
    token: token ?? (await officer()),
    body,
  });
}
const approve = async (id: string, token?: string) =>
  call('POST', `${deqing}/payments/${id}/approve`, { token: token ?? (await finance()) });
const programmeOf = async (id: string) =>
  (await call('GET', `${deqing}/programmes/${id}`, { token: await finance() })).body;

/** A user who is both a bureau officer and a finance officer of deqing. */
async function dualRoleUser() {
  const admin = await tokenFor('deqing.admin');
  const login = `dual.${Date.now().toString(36)}`;
  for (const role of ['bureau_officer', 'finance_officer']) {
    const r = await call('POST', `${deqing}/users`, {
      token: admin,
      body:
        role === 'bureau_officer'
          ? { login, displayName: '身兼两职', password: 'dual-password-2026', role }
          : { login, role },
    });
    expect(r.status, r.text).toBe(201);
  }
  const signedIn = await freshLogin(login, 'dual-password-2026');
  expect(signedIn.status).toBe(200);
  return signedIn.body.accessToken as string;
}

describe('the planned schedule', () => {
  it('plans work funds on signing and activity funds after the evaluation', async () => {
    const r = await call('GET', `${deqing}/contracts/deqing-contract-2026-chenxi/payment-schedule`, {
      token: await finance(),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      contractId: 'deqing-contract-2026-chenxi',
      programmeId: 'deqing-programme-2026',
      committedFen: 20_000_000,
      items: [
        {
          kind: 'work_funds',
          when: 'on_signing',
          dueOn: '2025-11-28',
          amountFen: 10_000_000,
          remainingFen: 10_000_000,
        },
        { kind: 'activity_funds', when: 'after_evaluation', amountFen: null, remainingFen: null },
      ],
    });
  });
});

describe('recording, approving and paying', () => {
  it('goes recorded → approved → paid, and the programme totals follow the payments', async () => {
    const { programme, contract } = await setUp(1_000_000, 600_000);
    const rec = await record(contract.id, { kind: 'work_funds' });
    expect(rec.status, rec.text).toBe(201);
    expect(rec.body).toMatchObject({
      kind: 'work_funds',
      amountFen: 300_000,
      status: 'recorded',
      dueOn: '2026-01-10',
    });
    expect(await programmeOf(programme.id)).toMatchObject({
      committedFen: 600_000,
      pendingFen: 300_000,
      approvedFen: 0,
      leftFen: 1_000_000,
    });

    const ok = await approve(rec.body.id);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'approved',
      approvedBy: 'u-deqing-finance',
      recordedBy: 'u-deqing-officer',
    });
    expect(await programmeOf(programme.id)).toMatchObject({
      approvedFen: 300_000,
      paidFen: 0,
      leftFen: 700_000,
    });

    const early = await call('POST', `${deqing}/payments/${rec.body.id}/pay`, {
      token: await finance(),
      body: { paidOn: '2099-01-01' },
    });
    expect(early.status).toBe(400);
    const paid = await call('POST', `${deqing}/payments/${rec.body.id}/pay`, {
      token: await finance(),
      body: { paidOn: '2026-01-15', reference: '德财拨〔2026〕12号' },
    });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', paidOn: '2026-01-15' });
    expect(await programmeOf(programme.id)).toMatchObject({
      approvedFen: 300_000,
      paidFen: 300_000,
      leftFen: 700_000,
    });

    const twice = await approve(rec.body.id);
    expect(twice.status).toBe(409);
    const more = await record(contract.id, { kind: 'work_funds' });
    expect(more.status).toBe(409); // the work funds are all paid
  });

  it('pays activity funds only after an accepted evaluation, up to the settlement less the advance', async () => {
    const { contract } = await setUp(10_000_000, 1_000_000, 0.3);
    const before = await record(contract.id, { kind: 'activity_funds', amountFen: 1 });
    expect(before.status).toBe(409);
    const work = await record(contract.id, { kind: 'work_funds' });
    await approve(work.body.id);
    await acceptedEvaluation('deqing', contract.id, { business: 60, financial: 25 }); // 85 → 0.9
    const schedule = await call('GET', `${deqing}/contracts/${contract.id}/payment-schedule`, {
      token: await officer(),
    });
    // payable = 300000 + 700000 × 0.9 = 930000; 300000 was advanced on signing.
    expect(schedule.body.items[1]).toMatchObject({
      kind: 'activity_funds',
      amountFen: 630_000,
      remainingFen: 630_000,
    });
    const tooMuch = await record(contract.id, { kind: 'activity_funds', amountFen: 630_001 });
    expect(tooMuch.status).toBe(409);
    const rest = await record(contract.id, { kind: 'activity_funds' });
    expect(rest.body.amountFen).toBe(630_000);
    expect((await approve(rest.body.id)).status).toBe(200);
  });

  it('cancels a payment awaiting approval, not an approved one', async () => {
    const { contract } = await setUp(1_000_000, 100_000);
    const a = await record(contract.id, { kind: 'work_funds', amountFen: 10_000 });
    const cancelled = await call('POST', `${deqing}/payments/${a.body.id}/cancel`, {
      token: await officer(),
      body: { reason: '金额有误' },
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: '金额有误' });
    expect((await approve(a.body.id)).status).toBe(409);
    const b = await record(contract.id, { kind: 'work_funds', amountFen: 10_000 });
    await approve(b.body.id);
    const late = await call('POST', `${deqing}/payments/${b.body.id}/cancel`, {
      token: await officer(),
      body: { reason: 'x' },
    });
    expect(late.status).toBe(409);
  });
});

describe('refusals', () => {
  it('refuses the same user recording and approving a payment', async () => {
    const dual = await dualRoleUser();
    const { contract, programme } = await setUp(1_000_000, 100_000);
    const rec = await record(contract.id, { kind: 'work_funds' }, dual);
    expect(rec.status, rec.text).toBe(201);
    const self = await approve(rec.body.id, dual);
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/another person/);
    expect(await programmeOf(programme.id)).toMatchObject({ approvedFen: 0, pendingFen: 50_000 });
    // Someone else may.
    expect((await approve(rec.body.id)).status).toBe(200);
  });

  it('refuses approving more than the programme has left', async () => {
    // The contract commits more than the budget (allowed: the check is on approval).
    const { contract, programme } = await setUp(100_000, 500_000);
    const a = await record(contract.id, { kind: 'work_funds', amountFen: 80_000 });
    const b = await record(contract.id, { kind: 'work_funds', amountFen: 50_000 });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await approve(a.body.id)).status).toBe(200);
    const over = await approve(b.body.id);
    expect(over.status).toBe(409);
    expect(over.body.detail).toMatch(/budget/);
    expect(await programmeOf(programme.id)).toMatchObject({
      budgetFen: 100_000,
      approvedFen: 80_000,
      leftFen: 20_000,
    });
    // Recording more than is left is refused up front too.
    expect((await record(contract.id, { kind: 'work_funds', amountFen: 20_001 })).status).toBe(409);
    // And the budget cannot be cut below what is approved.
    const cut = await call('PATCH', `${deqing}/programmes/${programme.id}`, {
      token: await finance(),
      body: { budgetFen: 79_999 },
    });
    expect(cut.status).toBe(409);
  });

  it('lets only one of two simultaneous approvals through when the budget holds one', async () => {
    const { contract, programme } = await setUp(100_000, 1_000_000);
    const payments = [];
    for (let i = 0; i < 3; i++)
      payments.push((await record(contract.id, { kind: 'work_funds', amountFen: 60_000 })).body);
    const token = await finance();
    const results = await Promise.all(payments.map((p) => approve(p.id, token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await programmeOf(programme.id)).toMatchObject({ approvedFen: 60_000, leftFen: 40_000 });
  });

  it('re-checks the budget inside the approval write: an approval read before another one landed fails whole', async () => {
    const { contract, programme } = await setUp(100_000, 1_000_000);
    const a = (await record(contract.id, { kind: 'work_funds', amountFen: 70_000 })).body;
    const b = (await record(contract.id, { kind: 'work_funds', amountFen: 70_000 })).body;
    const k = await financeCtx();
    // Both were read while 100000 was left…
    const [pa, pb] = [await findPayment(k, a.id), await findPayment(k, b.id)];
    const before = await positionOf(k, await findContract(k, { all: true }, contract.id));
    await commitApproval(k, pa, before);
    // …so only the write itself can tell that b no longer fits.
    const refused = await commitApproval(k, pb, before).catch((e: unknown) => e as Problem);
    expect(refused).toBeInstanceOf(Problem);
    expect(refused.status).toBe(409);
    expect((await findPayment(k, b.id)).status).toBe('recorded');
    expect(await programmeOf(programme.id)).toMatchObject({ approvedFen: 70_000, leftFen: 30_000 });
    // The maker–checker rule is in the write as well.
    const asRecorder = { ...k, actorUserId: 'u-deqing-officer' };
    const c = (await record(contract.id, { kind: 'work_funds', amountFen: 10_000 })).body;
    const self = await commitApproval(asRecorder, await findPayment(k, c.id), before).catch(
      (e: unknown) => e as Problem,
    );
    expect(self.status).toBe(403);
  });

  it('keeps each role to its part', async () => {
    const { contract } = await setUp(1_000_000, 100_000);
    for (const login of ['deqing.finance', 'provider.admin', 'deqing.evaluator', 'deqing.civil']) {
      const r = await record(contract.id, { kind: 'work_funds', amountFen: 1 }, await tokenFor(login));
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const rec = await record(contract.id, { kind: 'work_funds', amountFen: 1 });
    for (const login of ['deqing.admin', 'deqing.officer', 'provider.admin']) {
      const r = await approve(rec.body.id, await tokenFor(login));
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const anji = await approve(rec.body.id, await tokenFor('anji.admin'));
    expect(anji.status).toBe(403);
    // A provider sees its own contract's payments.
    const mine = await call('GET', `${deqing}/contracts/${contract.id}/payments`, {
      token: await tokenFor('provider.admin'),
    });
    expect(mine.body.items).toHaveLength(1);
  });

  it('refuses payments for a year without a programme', async () => {
    const c = await createContract('deqing', {
      programmeYear: 2099,
      periodStart: '2099-01-01',
      periodEnd: '2099-12-31',
      pricing: { model: 'fixed', amountFen: 100, workFundsShare: 1 },
    });
    const r = await record(c.id, { kind: 'work_funds' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/programme/);
  });
});

describe('programme totals are always the sums of the payments', () => {
  it('after any sequence of recording, approving, paying and cancelling; approved never exceeds the budget', async () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('record' as const), amount: fc.integer({ min: 1, max: 60_000 }) }),
      fc.record({ op: fc.constant('approve' as const), which: fc.nat() }),
      fc.record({ op: fc.constant('pay' as const), which: fc.nat() }),
      fc.record({ op: fc.constant('cancel' as const), which: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 50_000, max: 150_000 }),
        fc.array(op, { minLength: 3, maxLength: 8 }),
        async (budget, ops) => {
          const { programme, contract } = await setUp(budget, 400_000);
          const ids: string[] = [];
          for (const o of ops) {
            if (o.op === 'record') {
              const r = await record(contract.id, { kind: 'work_funds', amountFen: o.amount });
              expect([201, 409]).toContain(r.status);
              if (r.status === 201) ids.push(r.body.id);
            } else if (ids.length) {
              const id = ids[o.which % ids.length]!;
              const r =
                o.op === 'approve'
                  ? await approve(id)
                  : o.op === 'pay'
                    ? await call('POST', `${deqing}/payments/${id}/pay`, {
                        token: await finance(),
                        body: { paidOn: '2026-02-01' },
                      })
                    : await call('POST', `${deqing}/payments/${id}/cancel`, {
                        token: await officer(),
                        body: { reason: '测试' },
                      });
              expect([200, 409]).toContain(r.status);
            }
          }
          const totals = await programmeOf(programme.id);
          const list = await call('GET', `${deqing}/payments?programmeId=${programme.id}&limit=500`, {
            token: await finance(),
          });
          const sum = (statuses: string[]) =>
            list.body.items
              .filter((p: { status: string }) => statuses.includes(p.status))
              .reduce((s: number, p: { amountFen: number }) => s + p.amountFen, 0);
          expect(totals.approvedFen).toBe(sum(['approved', 'paid']));
          expect(totals.paidFen).toBe(sum(['paid']));
          expect(totals.pendingFen).toBe(sum(['recorded']));
          expect(totals.leftFen).toBe(budget - totals.approvedFen);
          expect(totals.approvedFen).toBeLessThanOrEqual(budget);
          expect(totals.paidFen).toBeLessThanOrEqual(totals.approvedFen);
        },
      ),
      { seed: 20261129, numRuns: 10 },
    );
  });
});
