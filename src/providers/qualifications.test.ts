import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';

const path = (county: string, providerId = 'chenxi') =>
  `/api/v1/counties/${county}/providers/${providerId}/qualifications`;

async function addDocument(body: Record<string, unknown> = {}) {
  const r = await call('POST', path('deqing'), {
    token: await tokenFor('provider.admin'),
    body: {
      kind: 'registration_certificate',
      title: '民办非企业单位登记证书',
      documentNumber: '浙德民证字第0042号',
      issuedOn: '2014-06-01',
      expiresOn: '2030-05-31',
      ...body,
    },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

describe('qualification documents', () => {
  it('are added by the provider’s admin and read by the county', async () => {
    const doc = await addDocument();
    expect(doc).toMatchObject({
      providerId: 'chenxi',
      kind: 'registration_certificate',
      verified: false,
      expired: false,
    });
    for (const login of ['deqing.admin', 'deqing.civil', 'deqing.evaluator', 'provider.worker']) {
      const r = await call('GET', path('deqing'), { token: await tokenFor(login) });
      expect({ login, status: r.status }).toEqual({ login, status: 200 });
      expect(r.body.items.map((q: { id: string }) => q.id)).toContain(doc.id);
    }
  });

  it('are refused to anyone but the provider’s own admin', async () => {
    const body = { kind: 'other', title: 'x' };
    for (const login of ['provider.worker', 'deqing.admin', 'deqing.civil']) {
      const r = await call('POST', path('deqing'), { token: await tokenFor(login), body });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const other = await call('POST', path('deqing', 'another-provider'), {
      token: await tokenFor('provider.admin'),
      body,
    });
    expect(other.status).toBe(404);
    const unknownKind = await call('POST', path('deqing'), {
      token: await tokenFor('provider.admin'),
      body: { kind: 'diploma', title: 'x' },
    });
    expect(unknownKind.status).toBe(400);
  });
});

describe('verification by the county’s civil-affairs officer', () => {
  it('marks the document verified for this county, in the platform log, and not for the other county', async () => {
    const doc = await addDocument();
    const r = await call('POST', `${path('deqing')}/${doc.id}/verify`, {
      token: await tokenFor('deqing.civil'),
      body: { note: '原件已核对' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      id: doc.id,
      verified: true,
      verifiedBy: 'u-deqing-civil',
      verificationNote: '原件已核对',
    });

    const row = await env.CONTROL_DB.prepare(
      'SELECT verified_county, verified_by, verified_at FROM provider_qualifications WHERE id = ?',
    )
      .bind(doc.id)
      .first<{ verified_county: string; verified_by: string; verified_at: string }>();
    expect(row).toMatchObject({ verified_county: 'deqing', verified_by: 'u-deqing-civil' });
    const logged = await env.CONTROL_DB.prepare(
      "SELECT actor_user_id, detail FROM audit_log WHERE action = 'provider.qualification_verify' AND target_id = ?",
    )
      .bind(doc.id)
      .first<{ actor_user_id: string; detail: string }>();
    expect(logged?.actor_user_id).toBe('u-deqing-civil');
    expect(JSON.parse(logged!.detail)).toEqual({ providerId: 'chenxi', county: 'deqing' });

    const anji = await call('GET', path('anji'), { token: await tokenFor('anji.admin') });
    expect(anji.body.items.find((q: { id: string }) => q.id === doc.id)).toMatchObject({
      verified: false,
      verifiedBy: null,
    });
  });

  it('is refused to other roles, for an expired document, and for an unknown one', async () => {
    const doc = await addDocument();
    for (const login of [
      'deqing.admin',
      'deqing.officer',
      'provider.admin',
      'deqing.evaluator',
      'anji.admin',
    ]) {
      const r = await call('POST', `${path('deqing')}/${doc.id}/verify`, { token: await tokenFor(login) });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const expired = await addDocument({
      kind: 'annual_inspection',
      title: '2019 年度检查',
      expiresOn: '2020-06-30',
    });
    expect(expired.expired).toBe(true);
    const late = await call('POST', `${path('deqing')}/${expired.id}/verify`, {
      token: await tokenFor('deqing.civil'),
    });
    expect(late.status).toBe(409);
    const missing = await call('POST', `${path('deqing')}/does-not-exist/verify`, {
      token: await tokenFor('deqing.civil'),
    });
    expect(missing.status).toBe(404);
  });
});
