import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  api,
  contractBody,
  createContract,
  createProgramme,
  createSupervisee,
  enrol,
  freshYear,
} from '../../test/helpers/money';
import { withCreditCheck } from '../lib/validators';

const deqing = api('deqing');
const admin = () => tokenFor('deqing.admin');

describe('programmes and procurement', () => {
  it('creates one programme per year, with its budget and empty totals', async () => {
    const year = freshYear();
    const p = await createProgramme('deqing', { year, budgetFen: 5_000_000 });
    expect(p).toMatchObject({
      year,
      budgetFen: 5_000_000,
      committedFen: 0,
      approvedFen: 0,
      paidFen: 0,
      leftFen: 5_000_000,
      procurements: [],
    });
    const again = await call('POST', `${deqing}/programmes`, {
      token: await admin(),
      body: { year, name: '重复', budgetFen: 1 },
    });
    expect(again.status).toBe(409);
  });

  it('lets finance set up a programme, but not a provider or the evaluator', async () => {
    await createProgramme('deqing', {}, 'deqing.finance');
    for (const login of ['provider.admin', 'deqing.evaluator', 'deqing.officer']) {
      const r = await call('POST', `${deqing}/programmes`, {
        token: await tokenFor(login),
        body: { year: freshYear(), name: 'x', budgetFen: 1 },
      });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
  });

  it('records the procurement: method, dates, bidders and the chosen provider serving the county', async () => {
    const p = await createProgramme('deqing');
    const body = {
      method: '竞争性磋商',
      reference: 'DQCG-2026-017',
      announcedOn: '2026-01-05',
      openedOn: '2026-01-20',
      awardedOn: '2026-01-25',
      bidders: [{ name: '德清县晨曦社会工作服务中心', providerId: 'chenxi' }, { name: '某社工服务社' }],
      chosenProviderIds: ['chenxi'],
    };
    const r = await call('POST', `${deqing}/programmes/${p.id}/procurements`, { token: await admin(), body });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ method: '竞争性磋商', chosenProviderIds: ['chenxi'] });
    const read = await call('GET', `${deqing}/programmes/${p.id}`, {
      token: await tokenFor('deqing.finance'),
    });
    expect(read.body.procurements).toHaveLength(1);

    const bad = await call('POST', `${deqing}/programmes/${p.id}/procurements`, {
      token: await admin(),
      body: {
        ...body,
        awardedOn: '2026-01-01',
        chosenProviderIds: ['nobody'],
        bidders: [{ name: 'x', creditCode: '123' }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['bidders.0.creditCode']),
    );
    const semantic = await call('POST', `${deqing}/programmes/${p.id}/procurements`, {
      token: await admin(),
      body: { ...body, awardedOn: '2026-01-01', chosenProviderIds: ['nobody'] },
    });
    expect(semantic.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'awardedOn',
      'chosenProviderIds.0',
    ]);
  });

  it('changes a budget under If-Match, never below what is approved', async () => {
    const p = await createProgramme('deqing', { budgetFen: 1000 });
    const stale = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { budgetFen: 2000 },
      headers: { 'if-match': '"v7"' },
    });
    expect(stale.status).toBe(412);
    const ok = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { budgetFen: 2000 },
      headers: { 'if-match': '"v1"' },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ budgetFen: 2000, leftFen: 2000, version: 2 });
  });

  it('refuses to cut a budget below what the contracts commit (409 naming the amount), and writes nothing', async () => {
    const p = await createProgramme('deqing', { budgetFen: 30_000_000 });
    await createContract('deqing', {
      programmeYear: p.year,
      periodStart: `${p.year}-01-01`,
      periodEnd: `${p.year}-12-31`,
      pricing: { model: 'fixed', amountFen: 20_000_000, workFundsShare: 0.5 },
    });
    const cut = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { budgetFen: 1000, name: '改名' },
      headers: { 'if-match': '"v1"' },
    });
    expect(cut.status, cut.text).toBe(409);
    expect(cut.headers.get('content-type')).toContain('application/problem+json');
    expect(cut.body.detail).toContain('20000000 fen');
    expect(cut.body.detail).toContain('¥200,000.00');
    expect(cut.body.errors).toEqual([{ path: 'budgetFen', message: expect.stringContaining('20000000') }]);
    const read = await call('GET', `${deqing}/programmes/${p.id}`, { token: await admin() });
    expect(read.body).toMatchObject({
      name: p.name,
      budgetFen: 30_000_000,
      committedFen: 20_000_000,
      uncommittedFen: 10_000_000,
      version: 1,
    });
    // Down to exactly the commitment is allowed; a rename alone is untouched by the rule.
    const exact = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { budgetFen: 20_000_000 },
      headers: { 'if-match': '"v1"' },
    });
    expect(exact.status, exact.text).toBe(200);
    expect(exact.body).toMatchObject({ budgetFen: 20_000_000, uncommittedFen: 0 });
    const below = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { budgetFen: 19_999_999 },
    });
    expect(below.status).toBe(409);
    const rename = await call('PATCH', `${deqing}/programmes/${p.id}`, {
      token: await admin(),
      body: { name: '新名称' },
    });
    expect(rename.status, rename.text).toBe(200);
  });

  it('refuses a negative or fractional budget with 400 naming budgetFen', async () => {
    const p = await createProgramme('deqing', { budgetFen: 1000 });
    for (const budgetFen of [-1, 1.5, '1000']) {
      const r = await call('PATCH', `${deqing}/programmes/${p.id}`, {
        token: await admin(),
        body: { budgetFen },
      });
      expect({ budgetFen, status: r.status }).toEqual({ budgetFen, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('budgetFen');
    }
  });
});

describe('POST /contracts', () => {
  it('signs a contract per API.md and answers 201 with its id and terms', async () => {
    const r = await call('POST', `${deqing}/contracts`, { token: await admin(), body: contractBody() });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      id: expect.any(String),
      providerId: 'chenxi',
      programmeYear: 2026,
      programmeId: 'deqing-programme-2026',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      pricing: { model: 'per_supervisee_year', unitPriceFen: 100_000, workFundsShare: 0.5 },
      procurementMethod: '竞争性磋商',
      status: 'active',
    });
    const read = await call('GET', `${deqing}/contracts/${r.body.id}`, { token: await admin() });
    expect(read.body).toEqual(r.body);
  });

  it('takes scope, targets, breach terms and a ceiling', async () => {
    const c = await createContract('deqing', {
      title: '武康试点',
      scope: { townshipIds: ['wukang'], levels: ['lenient', 'normal'] },
      targets: [{ description: '服务对象', value: 30, unit: '人' }],
      breachTerms: '未按约定提供服务的，按比例扣减活动经费。',
      serviceContent: '走访、教育学习、社区服务',
      ceilingFen: 3_000_000,
    });
    expect(c).toMatchObject({
      scope: { townshipIds: ['wukang'], levels: ['lenient', 'normal'] },
      targets: [{ description: '服务对象', value: 30, unit: '人' }],
      ceilingFen: 3_000_000,
    });
  });

  it('refuses a provider that does not serve the county, bad pricing, inverted periods and unknown scope', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ providerId: 'nobody' }, 'providerId'],
      [{ pricing: { model: 'per_visit', amountFen: 1 } }, 'pricing.model'],
      [{ pricing: { model: 'fixed', amountFen: 1.5 } }, 'pricing.amountFen'],
      [
        { pricing: { model: 'per_service_hour', budgetFen: 1, minHours: 10, maxHours: 5 } },
        'pricing.maxHours',
      ],
      [{ periodEnd: '2025-12-31' }, 'periodEnd'],
      [{ periodStart: '2026-02-30' }, 'periodStart'],
      [{ scope: { townshipIds: ['dipu'] } }, 'scope.townshipIds.0'],
      [{ scope: { levels: ['severe'] } }, 'scope.levels.0'],
      [{ programmeId: 'deqing-programme-2026', programmeYear: 2027 }, 'programmeId'],
      [{ pricing: { model: 'fixed', amountFen: 1 }, ceilingFen: 5 }, 'ceilingFen'],
      [{ extra: true }, ''],
    ];
    for (const [patch, path] of cases) {
      const r = await call('POST', `${deqing}/contracts`, {
        token: await admin(),
        body: contractBody(patch),
      });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('checks a referenced procurement: its year, and that it chose the provider', async () => {
    const p = await createProgramme('deqing');
    const proc = await call('POST', `${deqing}/programmes/${p.id}/procurements`, {
      token: await admin(),
      body: { method: '公开招标', announcedOn: '2026-01-05', bidders: [], chosenProviderIds: ['chenxi'] },
    });
    const ok = await call('POST', `${deqing}/contracts`, {
      token: await admin(),
      body: contractBody({ programmeYear: p.year, procurementId: proc.body.id }),
    });
    expect(ok.status, ok.text).toBe(201);
    const wrongYear = await call('POST', `${deqing}/contracts`, {
      token: await admin(),
      body: contractBody({ procurementId: proc.body.id }),
    });
    expect(wrongYear.body.errors[0].path).toBe('procurementId');
  });

  it('is for the bureau admin only', async () => {
    for (const login of ['deqing.officer', 'deqing.finance', 'provider.admin', 'deqing.evaluator']) {
      const r = await call('POST', `${deqing}/contracts`, {
        token: await tokenFor(login),
        body: contractBody(),
      });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const anji = await call('POST', `${deqing}/contracts`, {
      token: await tokenFor('anji.admin'),
      body: contractBody(),
    });
    expect(anji.status).toBe(403);
  });
});

describe('reading contracts', () => {
  it("shows a provider's staff only their provider's contracts", async () => {
    // A second provider serving deqing, registered by the platform.
    const operator = await tokenFor('platform.operator');
    const other = await call('POST', '/api/v1/platform/providers', {
      token: operator,
      body: { name: '另一家社工机构', creditCode: withCreditCheck('52330521MJ8800013') },
    });
    let providerId = other.body?.id as string | undefined;
    if (other.status !== 201) {
      const list = await call('GET', '/api/v1/platform/providers', { token: operator });
      providerId = list.body.items.find((p: { name: string }) => p.name === '另一家社工机构')?.id;
    }
    expect(providerId, other.text).toBeTruthy();
    await call('PUT', `/api/v1/platform/providers/${providerId}/counties/deqing`, {
      token: operator,
      body: {},
    });
    const theirs = await createContract('deqing', { providerId });
    const ours = await createContract('deqing');

    const worker = await tokenFor('provider.worker');
    const list = await call('GET', `${deqing}/contracts`, { token: worker });
    expect(list.status).toBe(200);
    const ids = list.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(ours.id);
    expect(ids).not.toContain(theirs.id);
    expect(list.body.items.every((c: { providerId: string }) => c.providerId === 'chenxi')).toBe(true);

    const read = await call('GET', `${deqing}/contracts/${theirs.id}`, { token: worker });
    const missing = await call('GET', `${deqing}/contracts/does-not-exist`, { token: worker });
    expect(read.status).toBe(404);
    expect({ ...read.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
    const settlement = await call('GET', `${deqing}/contracts/${theirs.id}/settlement`, { token: worker });
    expect(settlement.status).toBe(404);
  });

  it('refuses a provider worker reading a county its provider does not serve', async () => {
    // A third county, onboarded by the platform; chenxi does not serve it.
    const operator = await tokenFor('platform.operator');
    const reg = await call('POST', '/api/v1/platform/counties', {
      token: operator,
      body: { slug: 'spare', name: '备用县', regionCode: '330599', binding: 'COUNTY_SPARE' },
    });
    expect([201, 409]).toContain(reg.status);
    const worker = await tokenFor('provider.worker');
    for (const path of ['/contracts', '/programmes', '/contracts/x/settlement', '/payments']) {
      const r = await call('GET', `${api('spare')}${path}`, { token: worker });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
  });

  it('hides every contract from a provider no longer linked to the county', async () => {
    const c = await createContract('deqing');
    await env.CONTROL_DB.prepare(
      "DELETE FROM provider_counties WHERE provider_id = 'chenxi' AND county = 'deqing'",
    ).run();
    try {
      const worker = await tokenFor('provider.worker');
      const list = await call('GET', `${deqing}/contracts`, { token: worker });
      expect(list.body.items).toEqual([]);
      const one = await call('GET', `${deqing}/contracts/${c.id}`, { token: worker });
      expect(one.status).toBe(404);
    } finally {
      await env.CONTROL_DB.prepare(
        "INSERT INTO provider_counties (provider_id, county, since) VALUES ('chenxi', 'deqing', '2017-01-01')",
      ).run();
    }
  });

  it('filters by programme year and never shows another county’s contract', async () => {
    const list = await call('GET', `${deqing}/contracts?programmeYear=2026`, { token: await admin() });
    expect(list.body.items.every((c: { programmeYear: number }) => c.programmeYear === 2026)).toBe(true);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain('deqing-contract-2026-chenxi');
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain('anji-contract-2026-chenxi');
    const foreign = await call('GET', `${deqing}/contracts/anji-contract-2026-chenxi`, {
      token: await admin(),
    });
    expect(foreign.status).toBe(404);
  });
});

describe('enrolments', () => {
  it('enrols supervisees over time (the phased roll-out) and lists them', async () => {
    const c = await createContract('deqing');
    const a = await createSupervisee({ townshipId: 'wukang' });
    const b = await createSupervisee({ townshipId: 'qianyuan' });
    const first = await enrol(c.id, { superviseeId: a.id, from: '2026-01-01' });
    expect(first).toMatchObject({ contractId: c.id, superviseeId: a.id, from: '2026-01-01', to: null });
    await enrol(c.id, { superviseeId: b.id, from: '2026-07-01', to: '2026-12-31' });
    const all = await call('GET', `${deqing}/contracts/${c.id}/enrolments`, { token: await admin() });
    expect(all.body.items).toHaveLength(2);
    const march = await call('GET', `${deqing}/contracts/${c.id}/enrolments?on=2026-03-01`, {
      token: await admin(),
    });
    expect(march.body.items.map((e: { superviseeId: string }) => e.superviseeId)).toEqual([a.id]);
    const page = await call('GET', `${deqing}/contracts/${c.id}/enrolments?limit=1`, {
      token: await admin(),
    });
    expect(page.body.items).toHaveLength(1);
    const next = await call(
      'GET',
      `${deqing}/contracts/${c.id}/enrolments?limit=1&cursor=${page.body.nextCursor}`,
      {
        token: await admin(),
      },
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.nextCursor).toBeNull();
  });

  it('refuses overlapping enrolments of one supervisee in one contract, also when two race', async () => {
    const c = await createContract('deqing');
    const s = await createSupervisee();
    await enrol(c.id, { superviseeId: s.id, from: '2026-01-01', to: '2026-03-31' });
    const token = await tokenFor('deqing.officer');
    const overlap = await call('POST', `${deqing}/contracts/${c.id}/enrolments`, {
      token,
      body: { superviseeId: s.id, from: '2026-03-31' },
    });
    expect(overlap.status).toBe(409);
    // Back to back is fine: the second starts the day after the first ends.
    await enrol(c.id, { superviseeId: s.id, from: '2026-04-01', to: '2026-05-31' });

    const t = await createSupervisee();
    const race = await Promise.all(
      ['2026-02-01', '2026-03-01', '2026-04-01'].map((from) =>
        call('POST', `${deqing}/contracts/${c.id}/enrolments`, { token, body: { superviseeId: t.id, from } }),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    // Another contract may serve the same person at the same time.
    const other = await createContract('deqing');
    await enrol(other.id, { superviseeId: s.id, from: '2026-01-01' });
  });

  it('decides dates against the contract period: partly outside is clipped, wholly outside refused', async () => {
    const c = await createContract('deqing');
    const s = await createSupervisee();
    const token = await tokenFor('deqing.officer');
    const cases: [Record<string, unknown>, string][] = [
      [{ from: '2027-01-01' }, 'from'],
      [{ from: '2025-01-01', to: '2025-12-31' }, 'from'],
      [{ from: '2026-05-01', to: '2026-04-30' }, 'to'],
      [{ from: '2026-02-30' }, 'from'],
    ];
    for (const [patch, path] of cases) {
      const r = await call('POST', `${deqing}/contracts/${c.id}/enrolments`, {
        token,
        body: { superviseeId: s.id, ...patch },
      });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors[0].path).toBe(path);
    }
    await enrol(c.id, { superviseeId: s.id, from: '2025-10-01', to: '2026-01-31' });
  });

  it("refuses a supervisee outside the contract's scope, or of another county", async () => {
    const c = await createContract('deqing', { scope: { townshipIds: ['wukang'], levels: ['normal'] } });
    const token = await tokenFor('deqing.officer');
    const elsewhere = await createSupervisee({ townshipId: 'xinshi' });
    const strict = await createSupervisee({ townshipId: 'wukang', level: 'strict' });
    for (const superviseeId of [elsewhere.id, strict.id, 'no-such-person']) {
      const r = await call('POST', `${deqing}/contracts/${c.id}/enrolments`, {
        token,
        body: { superviseeId, from: '2026-01-01' },
      });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].path).toBe('superviseeId');
    }
    await enrol(c.id, {
      superviseeId: (await createSupervisee({ townshipId: 'wukang' })).id,
      from: '2026-01-01',
    });
  });

  it('ends an enrolment early, and refuses an end that would overlap the next one', async () => {
    const c = await createContract('deqing');
    const s = await createSupervisee();
    const first = await enrol(c.id, { superviseeId: s.id, from: '2026-01-01', to: '2026-03-31' });
    await enrol(c.id, { superviseeId: s.id, from: '2026-06-01' });
    const token = await tokenFor('deqing.officer');
    const early = await call('PATCH', `${deqing}/contracts/${c.id}/enrolments/${first.id}`, {
      token,
      body: { to: '2026-02-28' },
    });
    expect(early.status, early.text).toBe(200);
    expect(early.body.to).toBe('2026-02-28');
    const reopened = await call('PATCH', `${deqing}/contracts/${c.id}/enrolments/${first.id}`, {
      token,
      body: { to: null },
    });
    expect(reopened.status).toBe(409);
    const elsewhere = await createContract('deqing');
    const wrongContract = await call('PATCH', `${deqing}/contracts/${elsewhere.id}/enrolments/${first.id}`, {
      token,
      body: { to: '2026-02-01' },
    });
    expect(wrongContract.status).toBe(404);
  });

  it('lets only the bureau enrol; a provider reads the enrolments of its own contracts', async () => {
    const c = await createContract('deqing');
    const s = await createSupervisee();
    for (const login of ['provider.admin', 'deqing.office.wukang', 'deqing.evaluator', 'deqing.finance']) {
      const r = await call('POST', `${deqing}/contracts/${c.id}/enrolments`, {
        token: await tokenFor(login),
        body: { superviseeId: s.id, from: '2026-01-01' },
      });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    await enrol(c.id, { superviseeId: s.id, from: '2026-01-01' });
    const r = await call('GET', `${deqing}/contracts/${c.id}/enrolments`, {
      token: await tokenFor('provider.admin'),
    });
    expect(r.body.items).toHaveLength(1);
  });
});
