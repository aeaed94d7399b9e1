import { describe, expect, it } from 'vitest';
import { idNumber } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import {
  acceptedEvaluation,
  api,
  createSupervisee,
  enrol,
  insertActivities,
  insertLedger,
} from '../../test/helpers/money';
import { DisclosureDocument } from './service';

const deqing = api('deqing');
const publicUrl = (county: string) => `/api/v1/public/counties/${county}/disclosure`;
const CONTRACT = 'deqing-contract-2026-chenxi';

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return into;
}

describe('the public disclosure (信息公开)', () => {
  it('is not there before the bureau publishes, and needs no sign-in', async () => {
    const none = await call('GET', publicUrl('anji'));
    expect(none.status).toBe(404);
    const unknown = await call('GET', publicUrl('nowhere'));
    expect(unknown.status).toBe(404);
    const published = await call('POST', `${api('anji')}/disclosure/publish`, {
      token: await tokenFor('anji.admin'),
    });
    expect(published.status, published.text).toBe(201);
    const r = await call('GET', publicUrl('anji'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ county: { slug: 'anji', name: '安吉县' }, id: published.body.id });
    expect(r.body.programmes[0]).toMatchObject({
      year: 2026,
      budgetFen: 60_000_000,
      contractedFen: 50_000_000,
      contracts: [
        {
          provider: { id: 'chenxi' },
          pricing: { model: 'per_service_hour', budgetFen: 50_000_000, minHours: 5000 },
        },
      ],
    });
  });

  it('is published by the bureau admin only', async () => {
    for (const login of [
      'deqing.officer',
      'deqing.finance',
      'deqing.civil',
      'provider.admin',
      'anji.admin',
    ]) {
      const r = await call('POST', `${deqing}/disclosure/publish`, { token: await tokenFor(login) });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
  });

  it('shows the programme, providers, verified qualifications, money, evaluation and statistics, and no personal data', async () => {
    // People whose every personal field is distinctive, enrolled and served.
    const people = [];
    for (const [name, phone, address] of [
      ['欧阳公开甲', '13700001111', '德清县武康街道隐私路1号'],
      ['司马公开乙', '13700002222', '德清县武康街道隐私路2号'],
    ] as const) {
      const id = idNumber('19851212');
      const p = await createSupervisee({ name, phone, address, idNumber: id, crimeType: '盗窃罪' });
      await enrol(CONTRACT, { superviseeId: p.id, from: '2026-02-01' });
      people.push({ ...p, name, phone, address, idNumber: id });
    }
    const [a, b] = people as [(typeof people)[0], (typeof people)[0]];
    const confirmed = await insertLedger('deqing', { townshipId: 'wukang', status: 'confirmed' });
    const draft = await insertLedger('deqing', { townshipId: 'wukang', status: 'draft' });
    const secretText = `${a.name}在家中，地址${a.address}，电话${a.phone}`;
    await insertActivities('deqing', [
      ...[a, b, a].map((p) => ({
        type: 'home_visit',
        occurredOn: '2026-03-05',
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: confirmed,
        summary: secretText,
        place: a.address,
        participants: [{ superviseeId: p.id }],
      })),
      {
        type: 'group_activity',
        occurredOn: '2026-04-05',
        durationMinutes: 90,
        townshipId: 'wukang',
        ledgerId: confirmed,
        summary: secretText,
        participants: [{ superviseeId: a.id }, { superviseeId: b.id }],
      },
      {
        type: 'legal_publicity',
        occurredOn: '2026-05-05',
        durationMinutes: 120,
        townshipId: 'wukang',
        ledgerId: confirmed,
      },
      // Not counted: voided, or not yet confirmed by the township office.
      {
        type: 'home_visit',
        occurredOn: '2026-03-06',
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: confirmed,
        status: 'voided',
      },
      {
        type: 'home_visit',
        occurredOn: '2026-03-07',
        durationMinutes: 60,
        townshipId: 'wukang',
        ledgerId: draft,
        participants: [{ superviseeId: b.id }],
      },
    ]);
    await acceptedEvaluation('deqing', CONTRACT, { business: 64, financial: 28 });
    const pay = await call('POST', `${deqing}/contracts/${CONTRACT}/payments`, {
      token: await tokenFor('deqing.officer'),
      body: { kind: 'work_funds', amountFen: 1_000_000 },
    });
    await call('POST', `${deqing}/payments/${pay.body.id}/approve`, {
      token: await tokenFor('deqing.finance'),
    });
    await call('POST', `${deqing}/payments/${pay.body.id}/pay`, {
      token: await tokenFor('deqing.finance'),
      body: { paidOn: '2026-02-10' },
    });
    const docs = `/api/v1/counties/deqing/providers/chenxi/qualifications`;
    const verifiedDoc = await call('POST', docs, {
      token: await tokenFor('provider.admin'),
      body: {
        kind: 'registration_certificate',
        title: '民办非企业单位登记证书',
        documentNumber: '浙德民证字第0042号',
      },
    });
    const unverifiedDoc = await call('POST', docs, {
      token: await tokenFor('provider.admin'),
      body: { kind: 'other', title: '尚未核实的材料' },
    });
    await call('POST', `${docs}/${verifiedDoc.body.id}/verify`, { token: await tokenFor('deqing.civil') });

    const published = await call('POST', `${deqing}/disclosure/publish`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(published.status, published.text).toBe(201);
    const r = await call('GET', publicUrl('deqing'));
    expect(r.status).toBe(200);

    const programme = r.body.programmes.find((p: { year: number }) => p.year === 2026);
    expect(programme).toMatchObject({
      name: '德清县2026年政府购买社区矫正社会工作服务项目',
      budgetFen: 30_000_000,
      contractedFen: 20_000_000,
      paidFen: 1_000_000,
      procurements: [
        {
          method: '竞争性磋商',
          bidderCount: 3,
          chosenProviders: [{ id: 'chenxi', name: '德清县晨曦社会工作服务中心' }],
        },
      ],
    });
    expect(programme.contracts[0]).toMatchObject({
      provider: { id: 'chenxi' },
      pricing: { model: 'per_supervisee_year', unitPriceFen: 100_000 },
      paidFen: 1_000_000,
      evaluation: { totalScore: 92, releaseRatio: 1 },
    });
    expect(programme.statistics.items).toEqual([
      { type: 'group_activity', label: '小组活动', sessions: 1, personTimes: 2, hours: 3 },
      { type: 'home_visit', label: '上门走访', sessions: 3, personTimes: 3, hours: 3 },
      { type: 'legal_publicity', label: '法制宣传', sessions: 1, personTimes: 0, hours: 0 },
    ]);
    const chenxi = r.body.providers.find((p: { id: string }) => p.id === 'chenxi');
    expect(chenxi.qualifications.map((q: { title: string }) => q.title)).toEqual(['民办非企业单位登记证书']);
    expect(r.text).not.toContain(unverifiedDoc.body.title);

    // No personal data, anywhere: not a name, ID number (or its birth digits), phone, address,
    // case number, crime, or a supervisee id.
    const secrets = people.flatMap((p) => [
      p.name,
      p.idNumber,
      p.idNumber.slice(6, 14),
      p.phone,
      p.address,
      p.caseNumber,
      p.id,
    ]);
    for (const secret of [...secrets, '盗窃罪', secretText, '隐私路']) {
      expect(r.text, secret).not.toContain(secret);
      expect(published.text, secret).not.toContain(secret);
    }
    // And no field outside the allowlist: the strict schema accepts the document as served.
    const { id: _id, publishedAt: _at, ...served } = r.body;
    expect(DisclosureDocument.safeParse(served).success).toBe(true);
    const everyKey = keysOf(r.body);
    for (const key of [
      'idNumber',
      'phone',
      'address',
      'birthDate',
      'superviseeId',
      'summary',
      'place',
      'contactName',
      'contactPhone',
    ])
      expect(everyKey.has(key), key).toBe(false);
  });

  it('serves the last publication, not live data, until the bureau publishes again', async () => {
    const first = await call('POST', `${deqing}/disclosure/publish`, {
      token: await tokenFor('deqing.admin'),
    });
    const budgetBefore = first.body.programmes.find((p: { year: number }) => p.year === 2026).budgetFen;
    const patch = await call('PATCH', `${deqing}/programmes/deqing-programme-2026`, {
      token: await tokenFor('deqing.finance'),
      body: { budgetFen: budgetBefore + 1 },
    });
    expect(patch.status, patch.text).toBe(200);
    const stale = await call('GET', publicUrl('deqing'));
    expect(stale.body.programmes.find((p: { year: number }) => p.year === 2026).budgetFen).toBe(budgetBefore);
    const preview = await call('GET', `${deqing}/disclosure/preview`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(preview.body.programmes.find((p: { year: number }) => p.year === 2026).budgetFen).toBe(
      budgetBefore + 1,
    );
    await call('POST', `${deqing}/disclosure/publish`, { token: await tokenFor('deqing.admin') });
    const fresh = await call('GET', publicUrl('deqing'));
    expect(fresh.body.programmes.find((p: { year: number }) => p.year === 2026).budgetFen).toBe(
      budgetBefore + 1,
    );
  });

  it('allows no field outside the allowlist into a document', () => {
    const valid = {
      county: { slug: 'x', name: 'X' },
      asOf: '2026-01-01',
      programmes: [],
      providers: [{ id: 'p', name: 'P', creditCode: 'c', qualifications: [] }],
    };
    expect(DisclosureDocument.safeParse(valid).success).toBe(true);
    const leaky = structuredClone(valid) as { providers: Record<string, unknown>[] };
    leaky.providers[0]!.contactPhone = '13800000000';
    expect(DisclosureDocument.safeParse(leaky).success).toBe(false);
  });
});
