/**
 * D1 refuses statements with more than 100 bound parameters (issue #11 §3). Each path here once
 * sent one — a list of ids or of a caller's townships or providers in a single statement — and
 * is now exercised above the cap through the Worker, whose databases refuse any such statement
 * in tests (src/db/param-guard.ts): a correct 2xx answer, never a 500.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/data';
import { CookieClient } from './helpers/browser-like';
import { call, tokenFor } from './helpers/http';
import { contractBody } from './helpers/money';
import { activityBody, D, newSupervisee, record } from './helpers/service-records';

const PASSWORD = 'test-password-2026';

const inParts = <T>(rows: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, i * size + size));

/** Runs `make` for each value, a few at a time (the Worker shares two cores with the suite). */
async function each<T, R>(values: readonly T[], make: (v: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const part of inParts(values, 10))
    out.push(...(await Promise.all(part.map((v) => make(v, out.length)))));
  return out;
}

let townships: Promise<string[]> | null = null;

/** 120 more townships in deqing (12 in the demo), written straight into its database. */
function manyTownships() {
  townships ??= (async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    const d1 = env.COUNTY_DEQING!;
    await d1.batch(
      inParts(ids, 30).map((part) =>
        d1
          .prepare(
            `INSERT INTO townships (id, name, sort_order) VALUES ${part.map(() => '(?, ?, 99)').join(', ')}`,
          )
          .bind(...part.flatMap((id) => [id, `测试镇${id}`])),
      ),
    );
    return ids;
  })();
  return townships;
}

let providers: Promise<string[]> | null = null;

/** 110 more providers serving deqing, written straight into the control database. */
function manyProviders() {
  providers ??= (async () => {
    const ids = Array.from({ length: 110 }, (_, i) => `many-provider-${String(i).padStart(3, '0')}`);
    const d1 = env.CONTROL_DB;
    await d1.batch([
      ...inParts(ids, 30).map((part) =>
        d1
          .prepare(
            `INSERT INTO providers (id, name, credit_code) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
          )
          .bind(...part.flatMap((id) => [id, `测试机构${id}`, `credit-${id}`])),
      ),
      ...inParts(ids, 30).map((part) =>
        d1
          .prepare(
            `INSERT INTO provider_counties (provider_id, county, since) VALUES ${part.map(() => "(?, 'deqing', '2026-01-01')").join(', ')}`,
          )
          .bind(...part),
      ),
    ]);
    return ids;
  })();
  return providers;
}

/** Gives a user one more membership per provider (a worker for 110 providers at once). */
async function workerFor(userId: string, providerIds: readonly string[]) {
  const d1 = env.CONTROL_DB;
  await d1.batch(
    inParts(providerIds, 30).map((part) =>
      d1
        .prepare(
          `INSERT INTO memberships (id, user_id, county, role, provider_id) VALUES ${part.map(() => "(?, ?, 'deqing', 'provider_worker', ?)").join(', ')}`,
        )
        .bind(...part.flatMap((p) => [crypto.randomUUID(), userId, p])),
    ),
  );
}

async function ok(path: string, token: string) {
  const r = await call('GET', path, { token });
  expect({ path, status: r.status, body: r.status === 200 ? null : r.text }).toEqual({
    path,
    status: 200,
    body: null,
  });
  return r.body;
}

async function pageOk(browser: CookieClient, path: string) {
  const r = await browser.fetch('GET', path);
  expect({ path, status: r.status }).toEqual({ path, status: 200 });
  return r.text;
}

let serial = 0;

/** A new deqing user with one membership, signed in (its login too, for the console). */
async function countyUser(scope: { role: string; providerId?: string; townshipIds?: string[] }) {
  const login = `params.${Date.now().toString(36)}.${serial++}`;
  const r = await call('POST', `${D}/users`, {
    token: await tokenFor('deqing.admin'),
    body: { login, displayName: '测试用户', password: PASSWORD, ...scope },
  });
  expect(r.status, r.text).toBe(201);
  const signIn = await call('POST', '/api/v1/auth/login', { body: { login, password: PASSWORD } });
  expect(signIn.status, signIn.text).toBe(200);
  return { login, userId: r.body.user.id as string, token: signIn.body.accessToken as string };
}

async function signedIn(login: string) {
  const browser = new CookieClient();
  const r = await browser.fetch('POST', '/login', { form: { login, password: PASSWORD } });
  expect(r.status).toBe(303);
  return browser;
}

describe('lists of ids above D1’s 100 bound parameters', () => {
  it('creates a contract scoped to 120 townships, and names the unknown one among them', async () => {
    const ids = await manyTownships();
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', `${D}/contracts`, {
      token,
      body: contractBody({ scope: { townshipIds: ids } }),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.scope.townshipIds).toEqual(ids);
    const unknown = await call('POST', `${D}/contracts`, {
      token,
      body: contractBody({ scope: { townshipIds: [...ids.slice(0, 119), 'nowhere'] } }),
    });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'scope.townshipIds.119' })]);
  });

  it("lists a provider's 110 qualification documents with this county's verification of each", async () => {
    const admin = await tokenFor('provider.admin');
    const added = await each(Array.from({ length: 110 }), async (_, i) => {
      const r = await call('POST', `${D}/providers/chenxi/qualifications`, {
        token: admin,
        body: { kind: 'annual_inspection', title: `年检报告 ${i}` },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    });
    const civil = await tokenFor('deqing.civil');
    const last = added.at(-1)!;
    const verified = await call('POST', `${D}/providers/chenxi/qualifications/${last}/verify`, {
      token: civil,
      body: {},
    });
    expect(verified.status, verified.text).toBe(200);
    const list = await ok(`${D}/providers/chenxi/qualifications`, await tokenFor('deqing.admin'));
    const byId = new Map(list.items.map((q: { id: string; verified: boolean }) => [q.id, q.verified]));
    expect(added.every((id) => byId.has(id))).toBe(true);
    expect(byId.get(last)).toBe(true);
    expect(byId.get(added[0]!)).toBe(false);
  });

  it('lets an office officer of 15 townships record an activity with 95 participants', async () => {
    const ids = await manyTownships();
    const office = await countyUser({ role: 'office_officer', townshipIds: ['wukang', ...ids.slice(0, 14)] });
    const people = await each(Array.from({ length: 95 }), () => newSupervisee({ townshipId: 'wukang' }));
    const r = await record(
      office.token,
      activityBody(
        people.map((p) => p.id),
        { type: 'education', startTime: null },
      ),
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body.participants).toHaveLength(95);
    const read = await ok(`${D}/activities/${r.body.id}`, office.token);
    expect(read.participants).toHaveLength(95);
    // One outside the office's townships is named, among the 95.
    const elsewhere = await newSupervisee({ townshipId: 'xinshi' });
    const refused = await record(
      office.token,
      activityBody([...people.slice(1).map((p) => p.id), elsewhere.id], {
        type: 'education',
        startTime: null,
      }),
    );
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'participants.94.superviseeId' })]);
  });
});

describe('a caller whose scope lists 100 townships or 111 providers', () => {
  it('lets an office officer of 100 townships read everything an office reads, in the API and the console', async () => {
    const ids = await manyTownships();
    const townshipIds = ['wukang', ...ids.slice(0, 99)];
    const { token, login } = await countyUser({ role: 'office_officer', townshipIds });
    const someone = await newSupervisee({ townshipId: 'wukang' });
    const listed = await ok(`${D}/supervisees?limit=100`, token);
    expect(listed.items.map((s: { id: string }) => s.id)).toContain(someone.id);
    await ok(`${D}/supervisees/${someone.id}`, token);
    await ok(`${D}/activities`, token);
    await ok(`${D}/ledgers`, token);
    await ok(`${D}/incidents`, token);
    await ok(`${D}/reports/statistics?from=2026-01-01&to=2026-12-31`, token);
    await ok(`${D}/reports/statistics?from=2026-01-01&to=2026-12-31&groupBy=township`, token);
    await ok(`${D}/reports/volunteers?on=2026-12-01`, token);
    await ok(`${D}/compliance?month=2026-11`, token);
    await ok(`${D}/worklist`, token);
    await ok('/api/v1/me/worklist', token);
    await ok('/api/v1/me/dashboard', token);
    const browser = await signedIn(login);
    for (const path of [
      '/c/deqing/',
      '/c/deqing/supervisees',
      '/c/deqing/incidents',
      '/c/deqing/ledgers',
      '/c/deqing/reports',
      '/worklist',
    ])
      await pageOk(browser, path);
  });

  it('lets a worker of 111 providers read what a provider reads, here and across counties', async () => {
    const ids = await manyProviders();
    const { token, userId, login } = await countyUser({ role: 'provider_worker', providerId: 'chenxi' });
    await workerFor(userId, ids);
    await ok(`${D}/supervisees`, token);
    await ok(`${D}/activities`, token);
    await ok(`${D}/ledgers`, token);
    await ok(`${D}/incidents`, token);
    await ok(`${D}/contracts`, token);
    await ok(`${D}/reports/statistics?from=2026-01-01&to=2026-12-31`, token);
    await ok(`${D}/reports/volunteers?on=2026-12-01`, token);
    await ok(`${D}/compliance?month=2026-11`, token);
    await ok(`${D}/worklist`, token);
    // chenxi also serves anji, where its worker works too; every county answers.
    for (const path of ['/api/v1/me/worklist', '/api/v1/me/dashboard']) {
      const across = await ok(path, token);
      expect(across.counties.map((c: { county: string; status: string }) => [c.county, c.status])).toEqual([
        ['anji', 'ok'],
        ['deqing', 'ok'],
      ]);
    }
    const browser = await signedIn(login);
    for (const path of [
      '/c/deqing/',
      '/c/deqing/supervisees',
      '/c/deqing/incidents',
      '/c/deqing/ledgers',
      '/c/deqing/record',
      '/worklist',
    ])
      await pageOk(browser, path);
  });

  it('shows the bureau a county served by 112 providers, in the API and the console', async () => {
    await manyProviders();
    const token = await tokenFor('deqing.admin');
    const someone = await newSupervisee();
    const providers = await ok(`${D}/providers`, token);
    expect(providers.items.length).toBeGreaterThan(100);
    await ok(`${D}/contracts`, token);
    await ok(`${D}/disclosure/preview`, token);
    const browser = new CookieClient();
    const r = await browser.fetch('POST', '/login', {
      form: { login: 'deqing.admin', password: DEMO_PASSWORD },
    });
    expect(r.status).toBe(303);
    for (const path of [
      '/c/deqing/',
      `/c/deqing/supervisees/${someone.id}`,
      '/c/deqing/contracts',
      '/c/deqing/disclosure',
      '/c/deqing/reports',
      '/c/deqing/record',
    ])
      await pageOk(browser, path);
  });
});
