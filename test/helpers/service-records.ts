/** Fixtures for the activity, ledger, assignment and call-back suites: served supervisees, a second provider, a second office. */
import { expect } from 'vitest';
import { withCreditCheck } from '../../src/lib/validators';
import { superviseeBody } from './fixtures';
import { call, tokenFor } from './http';

export const D = '/api/v1/counties/deqing';
export const A = '/api/v1/counties/anji';

let serial = 0;
const unique = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;

/** A supervisee registered by the bureau (term 2026-01-01 … 2027-06-30, wukang unless patched). */
export async function newSupervisee(patch: Record<string, unknown> = {}, county = 'deqing') {
  const admin = await tokenFor(county === 'deqing' ? 'deqing.admin' : 'anji.admin');
  const r = await call('POST', `/api/v1/counties/${county}/supervisees`, {
    token: admin,
    body: superviseeBody(county === 'anji' ? { townshipId: 'dipu', ...patch } : patch),
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; townshipId: string; termStart: string; termEnd: string };
}

/** Assigns a provider (chenxi by default) to a supervisee, as the bureau. */
export async function assign(
  superviseeId: string,
  opts: { providerId?: string; workerUserId?: string; from?: string; to?: string; county?: string } = {},
) {
  const county = opts.county ?? 'deqing';
  const r = await call('POST', `/api/v1/counties/${county}/supervisees/${superviseeId}/assignments`, {
    token: await tokenFor(county === 'deqing' ? 'deqing.admin' : 'anji.admin'),
    body: {
      providerId: opts.providerId ?? 'chenxi',
      from: opts.from ?? '2026-01-01',
      ...(opts.workerUserId ? { workerUserId: opts.workerUserId } : {}),
      ...(opts.to ? { to: opts.to } : {}),
    },
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string };
}

/** A supervisee served by chenxi (or the given provider). */
export async function servedSupervisee(
  patch: Record<string, unknown> = {},
  providerId = 'chenxi',
  county = 'deqing',
) {
  const s = await newSupervisee(patch, county);
  await assign(s.id, { providerId, county });
  return s;
}

export function activityBody(superviseeIds: string[], patch: Record<string, unknown> = {}) {
  return {
    type: 'home_visit',
    occurredOn: '2026-03-10',
    startTime: '09:00',
    durationMinutes: 60,
    summary: '上门走访，了解近况',
    participants: superviseeIds.map((superviseeId) => ({ superviseeId })),
    ...patch,
  };
}

export async function record(
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
  county = 'deqing',
) {
  return call('POST', `/api/v1/counties/${county}/activities`, { token, body, headers });
}

/** A user created by the deqing bureau admin with the given role; returns a signed-in token. */
export async function newCountyUser(scope: { role: string; providerId?: string; townshipIds?: string[] }) {
  const login = `t.${unique()}`;
  const password = 'test-password-2026';
  const r = await call('POST', `${D}/users`, {
    token: await tokenFor('deqing.admin'),
    body: { login, displayName: '测试用户', password, ...scope },
  });
  expect(r.status, r.text).toBe(201);
  const signIn = await call('POST', '/api/v1/auth/login', { body: { login, password } });
  expect(signIn.status, signIn.text).toBe(200);
  return { userId: r.body.user.id as string, token: signIn.body.accessToken as string };
}

let other: Promise<{ providerId: string; admin: string; worker: string; workerId: string }> | null = null;

/** A second provider serving deqing, with an admin and a worker (created once per test file). */
export function otherProvider() {
  other ??= (async () => {
    const operator = await tokenFor('platform.operator');
    const created = await call('POST', '/api/v1/platform/providers', {
      token: operator,
      body: {
        name: `彩虹桥社会工作服务中心${unique()}`,
        creditCode: withCreditCheck(`52330521MJ88${String(Date.now()).slice(-5)}`),
      },
    });
    expect(created.status, created.text).toBe(201);
    const providerId = created.body.id as string;
    const link = await call('PUT', `/api/v1/platform/providers/${providerId}/counties/deqing`, {
      token: operator,
      body: {},
    });
    expect(link.status, link.text).toBeLessThan(300);
    const admin = await newCountyUser({ role: 'provider_admin', providerId });
    const worker = await newCountyUser({ role: 'provider_worker', providerId });
    return { providerId, admin: admin.token, worker: worker.token, workerId: worker.userId };
  })();
  return other;
}

let xinshi: Promise<string> | null = null;

/** An office officer of xinshi only. */
export function xinshiOffice() {
  xinshi ??= newCountyUser({ role: 'office_officer', townshipIds: ['xinshi'] }).then((u) => u.token);
  return xinshi;
}

/** A new office officer of the given townships. */
export async function officeOf(...townshipIds: string[]) {
  return (await newCountyUser({ role: 'office_officer', townshipIds })).token;
}
