import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { assign, D, newSupervisee, otherProvider, xinshiOffice } from '../../test/helpers/service-records';

const admin = () => tokenFor('deqing.admin');
const providerAdmin = () => tokenFor('provider.admin');

const assignmentsOf = (id: string, token: string) =>
  call('GET', `${D}/supervisees/${id}/assignments`, { token });

describe('assigning providers and workers', () => {
  it('lets the bureau assign a provider serving the county, with one of its workers', async () => {
    const s = await newSupervisee();
    const r = await call('POST', `${D}/supervisees/${s.id}/assignments`, {
      token: await admin(),
      body: { providerId: 'chenxi', workerUserId: 'u-provider-worker', from: '2026-01-01' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      superviseeId: s.id,
      providerId: 'chenxi',
      workerUserId: 'u-provider-worker',
      from: '2026-01-01',
      to: null,
    });
    const list = await assignmentsOf(s.id, await tokenFor('provider.worker'));
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([r.body.id]);
    // The provider now serves the supervisee, so its worker sees them.
    expect(
      (await call('GET', `${D}/supervisees/${s.id}`, { token: await tokenFor('provider.worker') })).status,
    ).toBe(200);
  });

  it('refuses a provider not serving the county, a worker of another provider, and bad dates', async () => {
    const s = await newSupervisee();
    const other = await otherProvider();
    const cases: [Record<string, unknown>, string][] = [
      [{ providerId: 'nope', from: '2026-01-01' }, 'providerId'],
      [{ providerId: 'chenxi', workerUserId: other.workerId, from: '2026-01-01' }, 'workerUserId'],
      [{ providerId: 'chenxi', workerUserId: 'u-provider-admin', from: '2026-01-01' }, 'workerUserId'],
      [{ providerId: 'chenxi', from: '2026-03-01', to: '2026-02-01' }, 'to'],
      [{ providerId: 'chenxi', from: '2028-01-01' }, 'from'], // after the term
      [{ providerId: 'chenxi', from: '2026-02-30' }, 'from'],
    ];
    for (const [body, path] of cases) {
      const r = await call('POST', `${D}/supervisees/${s.id}/assignments`, { token: await admin(), body });
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.errors[0].path).toBe(path);
    }
  });

  it('keeps one assignment per provider at a time', async () => {
    const s = await newSupervisee();
    const first = await assign(s.id, { from: '2026-01-01', to: '2026-06-30' });
    const overlapping = await call('POST', `${D}/supervisees/${s.id}/assignments`, {
      token: await admin(),
      body: { providerId: 'chenxi', from: '2026-06-01' },
    });
    expect(overlapping.status).toBe(409);
    await assign(s.id, { from: '2026-07-01' });
    // Another provider may serve at the same time (e.g. counselling).
    const other = await otherProvider();
    await assign(s.id, { providerId: other.providerId, from: '2026-03-01' });
    // Extending the first into the second is an overlap too.
    const extend = await call('PATCH', `${D}/assignments/${first.id}`, {
      token: await admin(),
      body: { to: null },
    });
    expect(extend.status).toBe(409);
  });

  it('lets a provider admin assign its own workers to supervisees it serves, and nothing else', async () => {
    const served = await newSupervisee();
    const a = await assign(served.id);
    const pa = await providerAdmin();
    const change = await call('PATCH', `${D}/assignments/${a.id}`, {
      token: pa,
      body: { workerUserId: 'u-provider-worker' },
    });
    expect(change.status, change.text).toBe(200);
    expect(change.body.workerUserId).toBe('u-provider-worker');
    const ended = await call('PATCH', `${D}/assignments/${a.id}`, { token: pa, body: { to: '2026-09-30' } });
    expect(ended.body.to).toBe('2026-09-30');
    const next = await call('POST', `${D}/supervisees/${served.id}/assignments`, {
      token: pa,
      body: { providerId: 'chenxi', workerUserId: 'u-provider-worker', from: '2026-10-01' },
    });
    expect(next.status, next.text).toBe(201);

    // Not served by chenxi: invisible to its admin.
    const notServed = await newSupervisee();
    const grab = await call('POST', `${D}/supervisees/${notServed.id}/assignments`, {
      token: pa,
      body: { providerId: 'chenxi', from: '2026-01-01' },
    });
    expect(grab.status).toBe(404);
    // Another provider's assignment: not theirs to change or assign.
    const other = await otherProvider();
    const theirs = await assign(served.id, { providerId: other.providerId, from: '2026-02-01' });
    expect(
      (await call('PATCH', `${D}/assignments/${theirs.id}`, { token: pa, body: { to: null } })).status,
    ).toBe(404);
    const forOther = await call('POST', `${D}/supervisees/${served.id}/assignments`, {
      token: pa,
      body: { providerId: other.providerId, from: '2027-01-01' },
    });
    expect(forOther.status).toBe(403);
    // A worker reads but does not assign.
    const w = await call('POST', `${D}/supervisees/${served.id}/assignments`, {
      token: await tokenFor('provider.worker'),
      body: { providerId: 'chenxi', from: '2027-01-01' },
    });
    expect(w.status).toBe(403);
  });

  it('lists assignments within scope: a provider its own, an office its townships', async () => {
    const inXinshi = await newSupervisee({ townshipId: 'xinshi' });
    await assign(inXinshi.id, { workerUserId: 'u-provider-worker' });
    const mine = await call('GET', `${D}/assignments?superviseeId=${inXinshi.id}`, {
      token: await tokenFor('provider.worker'),
    });
    expect(mine.body.items).toHaveLength(1);
    const other = await otherProvider();
    const theirs = await call('GET', `${D}/assignments?superviseeId=${inXinshi.id}`, { token: other.admin });
    expect(theirs.body.items).toEqual([]);
    const wukang = await call('GET', `${D}/assignments?superviseeId=${inXinshi.id}`, {
      token: await tokenFor('deqing.office.wukang'),
    });
    expect(wukang.body.items).toEqual([]);
    const xinshi = await call('GET', `${D}/assignments?superviseeId=${inXinshi.id}`, {
      token: await xinshiOffice(),
    });
    expect(xinshi.body.items).toHaveLength(1);
    const active = await call('GET', `${D}/assignments?workerUserId=u-provider-worker&activeOn=2026-05-01`, {
      token: await admin(),
    });
    expect(active.body.items.map((a: { superviseeId: string }) => a.superviseeId)).toContain(inXinshi.id);
    expect(
      (await call('GET', `${D}/assignments`, { token: await tokenFor('deqing.evaluator') })).status,
    ).toBe(403);
  });
});
