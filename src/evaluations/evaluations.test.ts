import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  api,
  createContract,
  createSupervisee,
  insertActivities,
  insertLedger,
} from '../../test/helpers/money';
import { deqing2017 } from '../rules';
import { drawSample, sampleSize } from './sampling';

const deqing = api('deqing');
const evaluator = () => tokenFor('deqing.evaluator');
const admin = () => tokenFor('deqing.admin');

const submit = async (contractId: string, body: Record<string, unknown>, token?: string) =>
  call('POST', `${deqing}/contracts/${contractId}/evaluations`, {
    token: token ?? (await evaluator()),
    body,
  });

describe('POST /contracts/{id}/evaluations', () => {
  it('scores the indicator tree (parts or wholes) and answers the total, the ratio of its band and submitted', async () => {
    const c = await createContract('deqing');
    const r = await submit(c.id, {
      scores: { goals: 14, completion: 22.5, management: 13, effect: 12, financial: 27 },
      report: '年度绩效评价报告：服务对象满意度较高，台账规范。',
      agency: '某会计师事务所',
      evaluatedOn: '2026-11-20',
    });
    expect(r.status, r.text).toBe(201);
    // 14 + 22.5 + 13 + 12 + 27 = 88.5: between 80 and 90, so 0.9.
    expect(r.body).toMatchObject({
      id: expect.any(String),
      totalScore: 88.5,
      releaseRatio: 0.9,
      status: 'submitted',
      ruleSetId: 'deqing-rules-v1',
      submittedBy: 'u-deqing-evaluator',
    });
    const accepted = await call('POST', `${deqing}/contracts/${c.id}/evaluations/${r.body.id}/accept`, {
      token: await admin(),
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      acceptedBy: 'u-deqing-admin',
      totalScore: 88.5,
    });
    const again = await call('POST', `${deqing}/contracts/${c.id}/evaluations/${r.body.id}/accept`, {
      token: await admin(),
    });
    expect(again.status).toBe(409);
    const list = await call('GET', `${deqing}/contracts/${c.id}/evaluations`, {
      token: await tokenFor('provider.admin'),
    });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.indicators.map((i: { code: string }) => i.code)).toEqual(['business', 'financial']);
  });

  it('lets the bureau score too; only the bureau accepts', async () => {
    const c = await createContract('deqing');
    const byBureau = await submit(
      c.id,
      { scores: { business: 50, financial: 10 } },
      await tokenFor('deqing.officer'),
    );
    expect(byBureau.body).toMatchObject({ totalScore: 60, releaseRatio: 0.6 });
    for (const login of ['deqing.evaluator', 'deqing.finance', 'deqing.civil', 'provider.admin']) {
      const r = await call('POST', `${deqing}/contracts/${c.id}/evaluations/${byBureau.body.id}/accept`, {
        token: await tokenFor(login),
      });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    for (const login of ['provider.admin', 'deqing.finance', 'deqing.office.wukang']) {
      const r = await submit(c.id, { scores: { business: 1, financial: 1 } }, await tokenFor(login));
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
  });

  it('refuses scores that do not fit the indicator system, naming each one', async () => {
    const c = await createContract('deqing');
    const cases: [Record<string, unknown>, string[]][] = [
      [{ business: 71, financial: 10 }, ['scores.business']],
      [{ business: 60, financial: 10, quality: 3 }, ['scores.quality']],
      [{ business: 60 }, ['scores.funds_use', 'scores.financial_management']],
      [{ business: 60, goals: 10, financial: 10 }, ['scores.goals']],
      [{ business: -1, financial: 10 }, ['scores.business']],
      [{ business: '60', financial: 10 }, ['scores.business']],
    ];
    for (const [scores, paths] of cases) {
      const r = await submit(c.id, { scores });
      expect({ scores, status: r.status }).toEqual({ scores, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    }
    const unknown = await submit(c.id, { scores: { business: 1, financial: 1 }, rating: 'A' });
    expect(unknown.status).toBe(400);
  });

  it('uses the indicators of the rule set in force on the contract’s periodEnd', async () => {
    const body = structuredClone(deqing2017) as unknown as Record<string, unknown>;
    Object.assign(body, {
      name: '德清 2035 评价体系',
      effectiveFrom: '2035-01-01',
      evaluation: {
        indicators: [{ code: 'quality', weight: 100 }],
        releaseBands: [
          { minScore: 50, release: 0.5 },
          { minScore: 0, release: 0 },
        ],
      },
    });
    const draft = await call('POST', `${deqing}/rule-sets`, { token: await admin(), body });
    expect(draft.status, draft.text).toBe(201);
    const published = await call('POST', `${deqing}/rule-sets/${draft.body.id}/publish`, {
      token: await admin(),
    });
    expect(published.status, published.text).toBe(200);

    // The period starts under the old rules and ends under the new ones: the end decides.
    const c = await createContract('deqing', {
      programmeYear: 2034,
      periodStart: '2034-07-01',
      periodEnd: '2035-06-30',
    });
    const old = await submit(c.id, { scores: { business: 70, financial: 30 } });
    expect(old.status).toBe(400);
    expect(old.body.errors[0].path).toBe('scores.business');
    const r = await submit(c.id, { scores: { quality: 77 } });
    expect(r.body).toMatchObject({ totalScore: 77, releaseRatio: 0.5, ruleSetId: draft.body.id });

    const before = await createContract('deqing', {
      programmeYear: 2016,
      periodStart: '2016-01-01',
      periodEnd: '2016-12-31',
    });
    const none = await submit(before.id, { scores: { business: 70, financial: 30 } });
    expect(none.status).toBe(409);
  });

  it('answers a contract of another county, or another contract’s evaluation, as missing', async () => {
    const foreign = await submit(
      'anji-contract-2026-chenxi',
      { scores: { business: 1, financial: 1 } },
      await admin(),
    );
    expect(foreign.status).toBe(404);
    const a = await createContract('deqing');
    const b = await createContract('deqing');
    const e = await submit(a.id, { scores: { business: 60, financial: 20 } });
    const cross = await call('POST', `${deqing}/contracts/${b.id}/evaluations/${e.body.id}/accept`, {
      token: await admin(),
    });
    expect(cross.status).toBe(404);
  });
});

describe('the evaluation group', () => {
  it('takes remarks from civil affairs and finance, shown with the evaluation', async () => {
    const c = await createContract('deqing');
    const e = await submit(c.id, { scores: { business: 65, financial: 28 } });
    const civil = await call('POST', `${deqing}/contracts/${c.id}/evaluations/${e.body.id}/remarks`, {
      token: await tokenFor('deqing.civil'),
      body: { text: '承接主体资质已核实，评价程序合规。' },
    });
    expect(civil.status, civil.text).toBe(201);
    expect(civil.body).toMatchObject({ role: 'civil_affairs_officer', byUserId: 'u-deqing-civil' });
    await call('POST', `${deqing}/contracts/${c.id}/evaluations/${e.body.id}/remarks`, {
      token: await tokenFor('deqing.finance'),
      body: { text: '资金使用情况与账目一致。' },
    });
    const provider = await call('POST', `${deqing}/contracts/${c.id}/evaluations/${e.body.id}/remarks`, {
      token: await tokenFor('provider.admin'),
      body: { text: '自评' },
    });
    expect(provider.status).toBe(403);
    const one = await call('GET', `${deqing}/contracts/${c.id}/evaluations/${e.body.id}`, {
      token: await admin(),
    });
    expect(one.body.remarks.map((m: { role: string }) => m.role)).toEqual([
      'civil_affairs_officer',
      'finance_officer',
    ]);
  });
});

describe('spot-check samples', () => {
  // Before 2035, when a later test publishes other indicators.
  let nextYear = 2027;
  /** 30 confirmed-ledger activities of the provider in a year of their own, and some that do not count. */
  async function population() {
    const year = nextYear++;
    const c = await createContract('deqing', {
      programmeYear: year,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
    });
    const person = await createSupervisee({
      name: '抽样甲某',
      phone: '13912345678',
      address: '德清县武康街道抽样路99号',
    });
    const confirmed = await insertLedger('deqing', { townshipId: 'wukang', status: 'confirmed' });
    const draft = await insertLedger('deqing', { townshipId: 'wukang', status: 'submitted' });
    const day = (i: number) => `${year}-${String((i % 12) + 1).padStart(2, '0')}-10`;
    const counted = await insertActivities(
      'deqing',
      Array.from({ length: 30 }, (_, i) => ({
        occurredOn: day(i),
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: confirmed,
        summary: `与抽样甲某谈话，地址德清县武康街道抽样路99号 ${i}`,
        place: '德清县武康街道抽样路99号',
        participants: [{ superviseeId: person.id }],
      })),
    );
    const notCounted = await insertActivities('deqing', [
      ...Array.from({ length: 5 }, () => ({
        occurredOn: `${year}-03-03`,
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: draft,
      })),
      {
        occurredOn: `${year}-03-03`,
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: confirmed,
        status: 'voided' as const,
      },
    ]);
    return { c, person, counted, notCounted };
  }

  it('draws a stated share of confirmed-ledger activities, reproducibly from the seed', async () => {
    const { c, counted, notCounted } = await population();
    const first = await call('POST', `${deqing}/contracts/${c.id}/samples`, {
      token: await evaluator(),
      body: { share: 0.1, seed: 'DQ-2027-抽查' },
    });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ seed: 'DQ-2027-抽查', share: 0.1, populationSize: 30, sampleSize: 3 });
    const ids = first.body.items.map((i: { activityId: string }) => i.activityId);
    for (const id of ids) expect(counted).toContain(id);
    for (const id of notCounted) expect(ids).not.toContain(id);
    // Anyone can redo it: the three smallest SHA-256(seed:id).
    expect(ids).toEqual(await drawSample(counted, 0.1, 'DQ-2027-抽查'));
    const again = await call('POST', `${deqing}/contracts/${c.id}/samples`, {
      token: await evaluator(),
      body: { share: 0.1, seed: 'DQ-2027-抽查' },
    });
    expect(again.body.items.map((i: { activityId: string }) => i.activityId)).toEqual(ids);
    const generated = await call('POST', `${deqing}/contracts/${c.id}/samples`, {
      token: await evaluator(),
      body: { share: 0.5 },
    });
    expect(generated.body.seed).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(generated.body.sampleSize).toBe(15);
  });

  it('records a finding per sampled record and counts them', async () => {
    const { c } = await population();
    const s = await call('POST', `${deqing}/contracts/${c.id}/samples`, {
      token: await evaluator(),
      body: { share: 0.2, seed: 'findings' },
    });
    const [x, y] = s.body.items as { activityId: string }[];
    const token = await evaluator();
    const ok = await call('PUT', `${deqing}/contracts/${c.id}/samples/${s.body.id}/items/${x!.activityId}`, {
      token,
      body: { finding: 'consistent' },
    });
    expect(ok.status, ok.text).toBe(200);
    await call('PUT', `${deqing}/contracts/${c.id}/samples/${s.body.id}/items/${y!.activityId}`, {
      token,
      body: { finding: 'inconsistent', note: '台账记录时长与回访不符' },
    });
    const notSampled = await call(
      'PUT',
      `${deqing}/contracts/${c.id}/samples/${s.body.id}/items/not-in-sample`,
      {
        token,
        body: { finding: 'consistent' },
      },
    );
    expect(notSampled.status).toBe(404);
    const read = await call('GET', `${deqing}/contracts/${c.id}/samples/${s.body.id}`, {
      token: await tokenFor('deqing.civil'),
    });
    expect(read.body.findings).toEqual({ consistent: 1, inconsistent: 1, not_verifiable: 0, unchecked: 4 });
    const e = await submit(c.id, { scores: { business: 60, financial: 25 }, sampleId: s.body.id });
    expect(e.body.sampleId).toBe(s.body.id);
    const wrong = await submit(c.id, { scores: { business: 60, financial: 25 }, sampleId: 'nope' });
    expect(wrong.body.errors[0].path).toBe('sampleId');
    const provider = await call('GET', `${deqing}/contracts/${c.id}/samples/${s.body.id}`, {
      token: await tokenFor('provider.admin'),
    });
    expect(provider.status).toBe(403);
  });

  it('shows the evaluator minimised data only: case numbers, never a name, ID number, phone, address or summary', async () => {
    const { c, person } = await population();
    const full = await call('GET', `${deqing}/supervisees/${person.id}`, { token: await admin() });
    const secrets = [full.body.name, full.body.idNumber, full.body.phone, full.body.address, '谈话'];
    const s = await call('POST', `${deqing}/contracts/${c.id}/samples`, {
      token: await evaluator(),
      body: { share: 1, seed: 'all' },
    });
    expect(s.body.sampleSize).toBe(30);
    expect(s.body.items[0].participants).toEqual([
      { superviseeId: person.id, caseNumber: person.caseNumber, minutes: 60 },
    ]);
    for (const secret of secrets) expect(s.text).not.toContain(secret);

    // The refusal: an evaluator reading an ID number, directly or by looking it up.
    const read = await call('GET', `${deqing}/supervisees/${person.id}`, { token: await evaluator() });
    expect(read.status).toBe(200);
    for (const field of ['name', 'idNumber', 'idNumberMasked', 'phone', 'address', 'birthDate'])
      expect(read.body).not.toHaveProperty(field);
    for (const secret of secrets) expect(read.text).not.toContain(secret);
    const lookup = await call('GET', `${deqing}/supervisees?idNumber=${full.body.idNumber}`, {
      token: await evaluator(),
    });
    expect(lookup.status).toBe(403);
  });

  it('refuses a share outside (0, 1] and dates outside the period', async () => {
    const c = await createContract('deqing');
    for (const [body, path] of [
      [{ share: 0 }, 'share'],
      [{ share: 1.5 }, 'share'],
      [{ share: 0.1, from: '2025-12-31' }, 'from'],
      [{ share: 0.1, from: '2026-06-01', to: '2026-05-01' }, 'to'],
    ] as const) {
      const r = await call('POST', `${deqing}/contracts/${c.id}/samples`, { token: await evaluator(), body });
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.errors[0].path).toBe(path);
    }
  });
});

describe('sampling', () => {
  it('takes ⌈share × N⌉ exactly, at least one of a non-empty population', () => {
    expect(sampleSize(30, 0.1)).toBe(3);
    expect(sampleSize(31, 0.1)).toBe(4);
    expect(sampleSize(7, 0.01)).toBe(1);
    expect(sampleSize(0, 0.5)).toBe(0);
    expect(sampleSize(10, 1)).toBe(10);
  });

  it('does not depend on the order of the candidates', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `a-${i}`);
    const forward = await drawSample(ids, 0.2, 'seed');
    const backward = await drawSample([...ids].reverse(), 0.2, 'seed');
    expect(backward).toEqual(forward);
    expect(await drawSample(ids, 0.2, 'other')).not.toEqual(forward);
  });
});
