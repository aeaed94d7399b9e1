import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  activityBody,
  D,
  officeOf,
  otherProvider,
  record,
  servedSupervisee,
} from '../../test/helpers/service-records';

const worker = () => tokenFor('provider.worker');
const office = () => tokenFor('deqing.office.wukang');

async function visit(day: string, townshipId = 'wukang', token?: string) {
  const s = await servedSupervisee({ townshipId });
  const r = await record(token ?? (await worker()), activityBody([s.id], { occurredOn: day }));
  expect(r.status, r.text).toBe(201);
  return { supervisee: s, activity: r.body };
}

const callBack = (token: string, body: Record<string, unknown>) =>
  call('POST', `${D}/verification-callbacks`, { token, body });

describe('verification call-backs', () => {
  it("records the office's check as a call-back activity linked to the service checked", async () => {
    const { supervisee, activity } = await visit('2026-03-03');
    const r = await callBack(await office(), {
      activityId: activity.id,
      calledOn: '2026-03-05',
      happened: true,
      satisfaction: 5,
      note: '对象称社工按时上门',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      activityId: activity.id,
      superviseeId: supervisee.id,
      providerId: 'chenxi',
      townshipId: 'wukang',
      serviceOn: '2026-03-03',
      calledOn: '2026-03-05',
      happened: true,
      satisfaction: 5,
      byUserId: 'u-deqing-office-wukang',
    });
    const callActivity = await call('GET', `${D}/activities/${r.body.callbackActivityId}`, {
      token: await office(),
    });
    expect(callActivity.body).toMatchObject({
      type: 'verification_callback',
      providerId: null,
      occurredOn: '2026-03-05',
      participants: [{ superviseeId: supervisee.id, minutes: 10 }],
      staffUserId: 'u-deqing-office-wukang',
    });
  });

  it('shows a failed check as a warning of the ledger', async () => {
    const { activity } = await visit('2026-03-04');
    await callBack(await office(), {
      activityId: activity.id,
      calledOn: '2026-03-06',
      happened: false,
      satisfaction: 2,
    });
    const ledger = await call('GET', `${D}/ledgers/${activity.ledgerId}`, { token: await office() });
    expect(ledger.body.warnings).toEqual(
      expect.arrayContaining([
        { kind: 'callback_not_confirmed', activityId: activity.id, otherActivityId: null },
      ]),
    );
  });

  it('refuses what an office may not check or cannot be', async () => {
    const { activity: inXinshi } = await visit('2026-03-07', 'xinshi');
    const elsewhere = await callBack(await office(), { activityId: inXinshi.id, happened: true });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors[0].path).toBe('activityId');
    const { activity } = await visit('2026-03-08');
    const cases: [Record<string, unknown>, string][] = [
      [{ activityId: activity.id, happened: true, satisfaction: 6 }, 'satisfaction'],
      [{ activityId: activity.id, happened: true, satisfaction: 0 }, 'satisfaction'],
      [{ activityId: activity.id, happened: true, calledOn: '2026-03-01' }, 'calledOn'],
      [{ activityId: activity.id, happened: true, calledOn: '2099-01-01' }, 'calledOn'],
      [{ activityId: activity.id, happened: true, superviseeId: 'someone-else' }, 'superviseeId'],
      [{ activityId: activity.id }, 'happened'],
    ];
    for (const [body, path] of cases) {
      const r = await callBack(await office(), body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.errors[0].path).toBe(path);
    }
    const own = await record(
      await office(),
      activityBody([activity.participants[0].superviseeId], {
        type: 'report_in_person',
        occurredOn: '2026-03-09',
      }),
    );
    const notAProviderService = await callBack(await office(), { activityId: own.body.id, happened: true });
    expect(notAProviderService.status).toBe(400);
    for (const login of ['provider.admin', 'provider.worker', 'deqing.evaluator']) {
      expect(
        (await callBack(await tokenFor(login), { activityId: activity.id, happened: true })).status,
      ).toBe(403);
    }
  });

  it('asks which participant was called when the service had several', async () => {
    const a = await servedSupervisee();
    const b = await servedSupervisee();
    const group = await record(
      await worker(),
      activityBody([a.id, b.id], { type: 'group_activity', occurredOn: '2026-03-10', startTime: '14:00' }),
    );
    const missing = await callBack(await office(), { activityId: group.body.id, happened: true });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('superviseeId');
    const ok = await callBack(await office(), {
      activityId: group.body.id,
      superviseeId: b.id,
      happened: true,
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it('reports per provider: checked, confirmed, not confirmed and mean satisfaction, within scope', async () => {
    const wuyang = await officeOf('wuyang');
    const other = await otherProvider();
    const checks: [string, boolean, number | undefined][] = [
      ['2026-04-01', true, 5],
      ['2026-04-02', true, 4],
      ['2026-04-03', false, 1],
      ['2026-04-04', true, undefined],
    ];
    for (const [day, happened, satisfaction] of checks) {
      const { activity } = await visit(day, 'wuyang');
      const r = await callBack(wuyang, {
        activityId: activity.id,
        happened,
        ...(satisfaction ? { satisfaction } : {}),
      });
      expect(r.status, r.text).toBe(201);
    }
    // Another provider's service, checked too.
    const s = await servedSupervisee({ townshipId: 'wuyang' }, other.providerId);
    const theirs = await record(other.worker, activityBody([s.id], { occurredOn: '2026-04-05' }));
    await callBack(wuyang, { activityId: theirs.body.id, happened: true, satisfaction: 3 });
    // Outside the period.
    const { activity: may } = await visit('2026-05-01', 'wuyang');
    await callBack(wuyang, { activityId: may.id, happened: false });

    const q = '?from=2026-04-01&to=2026-04-30&townshipId=wuyang';
    const bureau = await call('GET', `${D}/verification-callbacks/report${q}`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(bureau.status, bureau.text).toBe(200);
    const chenxi = bureau.body.items.find((i: { providerId: string }) => i.providerId === 'chenxi');
    expect(chenxi).toEqual({
      providerId: 'chenxi',
      checked: 4,
      activitiesChecked: 4,
      confirmed: 3,
      notConfirmed: 1,
      rated: 3,
      meanSatisfaction: 3.33,
    });
    expect(bureau.body.items).toHaveLength(2);
    const evaluator = await call('GET', `${D}/verification-callbacks/report${q}`, {
      token: await tokenFor('deqing.evaluator'),
    });
    expect(evaluator.body.items).toHaveLength(2);
    // A provider admin sees its own provider only; an office its townships only.
    const own = await call('GET', `${D}/verification-callbacks/report${q}`, { token: other.admin });
    expect(own.body.items.map((i: { providerId: string }) => i.providerId)).toEqual([other.providerId]);
    const wukang = await call('GET', `${D}/verification-callbacks/report${q}`, { token: await office() });
    expect(wukang.body.items).toEqual([]);
    const bad = await call('GET', `${D}/verification-callbacks/report?from=2026-05-01&to=2026-04-01`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(bad.status).toBe(400);
    const list = await call(
      'GET',
      `${D}/verification-callbacks?townshipId=wuyang&from=2026-04-01&to=2026-04-30`,
      {
        token: wuyang,
      },
    );
    expect(list.body.items).toHaveLength(5);
    expect((await call('GET', `${D}/verification-callbacks`, { token: other.admin })).status).toBe(403);
  });
});
