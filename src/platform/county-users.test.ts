import { describe, expect, it } from 'vitest';
import { call, freshLogin, tokenFor } from '../../test/helpers/http';
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from '../auth/passwords';

const admin = () => tokenFor('deqing.admin');

describe('county users and memberships', () => {
  it('lists the members of the county only', async () => {
    const r = await call('GET', '/api/v1/counties/deqing/users', { token: await admin() });
    expect(r.status).toBe(200);
    const logins = r.body.items.map((u: { login: string }) => u.login);
    expect(logins).toEqual(
      expect.arrayContaining(['deqing.admin', 'deqing.office.wukang', 'provider.worker']),
    );
    expect(logins).not.toContain('anji.admin');
    expect(logins).not.toContain('platform.operator');
    const worker = r.body.items.find((u: { login: string }) => u.login === 'provider.worker');
    expect(worker.memberships.every((m: { county: string }) => m.county === 'deqing')).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain('pbkdf2');
  });

  it('creates a user with a role, who can then sign in', async () => {
    const r = await call('POST', '/api/v1/counties/deqing/users', {
      token: await admin(),
      body: {
        login: 'deqing.office.qianyuan',
        displayName: '乾元司法所',
        password: 'a-long-password-1',
        role: 'office_officer',
        townshipIds: ['qianyuan'],
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.membership).toMatchObject({
      county: 'deqing',
      role: 'office_officer',
      townshipIds: ['qianyuan'],
    });
    const login = await freshLogin('deqing.office.qianyuan', 'a-long-password-1');
    expect(login.status).toBe(200);
  });

  it("holds a new password to the one rule, and says it in the rule's words", async () => {
    const body = { displayName: '密码规则', role: 'bureau_officer' };
    const short = await call('POST', '/api/v1/counties/deqing/users', {
      token: await admin(),
      body: { ...body, login: 'rule.short', password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1) },
    });
    expect(short.status).toBe(400);
    expect(short.body.errors[0]).toMatchObject({ path: 'password', message: PASSWORD_RULE.en });
    const enough = await call('POST', '/api/v1/counties/deqing/users', {
      token: await admin(),
      body: { ...body, login: 'rule.enough', password: 'x'.repeat(PASSWORD_MIN_LENGTH) },
    });
    expect(enough.status).toBe(201);
  });

  it('adds an existing user to the county without touching their password', async () => {
    const r = await call('POST', '/api/v1/counties/anji/users', {
      token: await tokenFor('anji.admin'),
      body: { login: 'deqing.finance', role: 'auditor' },
    });
    expect(r.status).toBe(201);
    const login = await freshLogin('deqing.finance');
    expect(login.body.memberships).toEqual(
      expect.arrayContaining([expect.objectContaining({ county: 'anji', role: 'auditor' })]),
    );
    const withPassword = await call('POST', '/api/v1/counties/anji/users', {
      token: await tokenFor('anji.admin'),
      body: { login: 'deqing.finance', role: 'evaluator', password: 'overwrite-attempt' },
    });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.errors[0].path).toBe('password');
  });

  it('checks the scope of a role: provider roles need a provider of this county, office roles its townships', async () => {
    const token = await admin();
    const cases: [Record<string, unknown>, string][] = [
      [{ role: 'provider_worker' }, 'providerId'],
      [{ role: 'provider_worker', providerId: 'no-such-provider' }, 'providerId'],
      [{ role: 'office_officer' }, 'townshipIds'],
      [{ role: 'office_officer', townshipIds: ['dipu'] }, 'townshipIds.0'],
      [{ role: 'bureau_officer', providerId: 'chenxi' }, 'providerId'],
      [{ role: 'bureau_officer', townshipIds: ['wukang'] }, 'townshipIds'],
      [{ role: 'platform_operator' }, 'role'],
    ];
    for (const [scope, path] of cases) {
      const r = await call('POST', '/api/v1/counties/deqing/users', {
        token,
        body: { login: 'new.person', displayName: '新人', password: 'a-long-password-2', ...scope },
      });
      expect({ scope, status: r.status, path: r.body.errors?.[0]?.path }).toEqual({
        scope,
        status: 400,
        path,
      });
    }
  });

  it('refuses a duplicate role', async () => {
    const r = await call('POST', '/api/v1/counties/deqing/users', {
      token: await admin(),
      body: { login: 'deqing.officer', role: 'bureau_officer' },
    });
    expect(r.status).toBe(409);
  });

  it('lets a role change take effect on the next request', async () => {
    const officer = (await freshLogin('deqing.officer')).body.accessToken;
    expect((await call('GET', '/api/v1/counties/deqing/audit', { token: officer })).status).toBe(403);
    const list = await call('GET', '/api/v1/counties/deqing/users', { token: await admin() });
    const membership = list.body.items.find((u: { login: string }) => u.login === 'deqing.officer')
      .memberships[0];
    const patched = await call('PATCH', `/api/v1/counties/deqing/memberships/${membership.id}`, {
      token: await admin(),
      body: { role: 'auditor' },
    });
    expect(patched.status).toBe(200);
    expect((await call('GET', '/api/v1/counties/deqing/audit', { token: officer })).status).toBe(200);
    expect((await call('GET', '/api/v1/me', { token: officer })).body.memberships[0].role).toBe('auditor');

    expect(
      (await call('DELETE', `/api/v1/counties/deqing/memberships/${membership.id}`, { token: await admin() }))
        .status,
    ).toBe(204);
    expect((await call('GET', '/api/v1/counties/deqing/audit', { token: officer })).status).toBe(403);
  });

  it("cannot touch another county's memberships: they answer as if they did not exist", async () => {
    const anji = await call('GET', '/api/v1/counties/anji/users', { token: await tokenFor('anji.admin') });
    const foreign = anji.body.items[0].memberships[0].id;
    const viaDeqing = await call('PATCH', `/api/v1/counties/deqing/memberships/${foreign}`, {
      token: await admin(),
      body: { role: 'auditor' },
    });
    const nonexistent = await call('PATCH', '/api/v1/counties/deqing/memberships/nope', {
      token: await admin(),
      body: { role: 'auditor' },
    });
    expect(viaDeqing.status).toBe(404);
    expect({ ...viaDeqing.body, requestId: null }).toEqual({ ...nonexistent.body, requestId: null });
    expect((await call('GET', '/api/v1/counties/anji/users', { token: await admin() })).status).toBe(403);
  });

  it('lets the platform operator onboard a county admin, but not read county data', async () => {
    const operator = await tokenFor('platform.operator');
    const r = await call('POST', '/api/v1/counties/anji/users', {
      token: operator,
      body: {
        login: 'anji.admin2',
        displayName: '安吉管理员二',
        password: 'a-long-password-3',
        role: 'bureau_admin',
      },
    });
    expect(r.status).toBe(201);
    expect((await call('GET', '/api/v1/counties/anji/townships', { token: operator })).status).toBe(403);
  });

  it('is closed to every other county role', async () => {
    for (const login of [
      'deqing.officer',
      'deqing.office.wukang',
      'provider.admin',
      'deqing.finance',
      'deqing.evaluator',
    ]) {
      const r = await call('GET', '/api/v1/counties/deqing/users', { token: await tokenFor(login) });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
  });
});
