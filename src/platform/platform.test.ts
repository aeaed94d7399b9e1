import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { waitFor } from '../../test/helpers/wait';
import { withCreditCheck } from '../lib/validators';

const operator = () => tokenFor('platform.operator');

describe('counties (platform operator)', () => {
  it('lists the demo counties', async () => {
    const r = await call('GET', '/api/v1/platform/counties', { token: await operator() });
    expect(r.status).toBe(200);
    expect(r.body.items.map((k: { slug: string }) => k.slug)).toEqual(['anji', 'deqing']);
  });

  it('registers a county whose database binding is deployed, and refuses one without', async () => {
    const token = await operator();
    const missing = await call('POST', '/api/v1/platform/counties', {
      token,
      body: { slug: 'huzhou', name: '吴兴区', regionCode: '330502' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('binding');

    const ok = await call('POST', '/api/v1/platform/counties', {
      token,
      body: { slug: 'spare', name: '长兴县', nameEn: 'Changxing County', regionCode: '330522' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      slug: 'spare',
      binding: 'COUNTY_SPARE',
      status: 'active',
      timezone: 'Asia/Shanghai',
    });

    const again = await call('POST', '/api/v1/platform/counties', {
      token,
      body: { slug: 'spare', name: '长兴县', regionCode: '330599' },
    });
    expect(again.status).toBe(409);
  });

  it('validates slug, region code and timezone by field', async () => {
    const r = await call('POST', '/api/v1/platform/counties', {
      token: await operator(),
      body: { slug: 'Bad Slug', name: '', regionCode: '33', timezone: 'Mars/Base' },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'regionCode', 'slug']);
  });

  it('suspends a county: its routes answer 404, and come back on reactivation', async () => {
    const token = await operator();
    const admin = await tokenFor('anji.admin');
    expect((await call('GET', '/api/v1/counties/anji/townships', { token: admin })).status).toBe(200);
    const s = await call('PATCH', '/api/v1/platform/counties/anji', { token, body: { status: 'suspended' } });
    expect(s.status).toBe(200);
    expect(s.body.status).toBe('suspended');
    const gone = await call('GET', '/api/v1/counties/anji/townships', { token: admin });
    expect(gone.status).toBe(404);
    const unknown = await call('GET', '/api/v1/counties/atlantis/townships', { token: admin });
    expect(unknown.status).toBe(404);
    expect(gone.body.detail).toBe(unknown.body.detail);
    await call('PATCH', '/api/v1/platform/counties/anji', { token, body: { status: 'active' } });
    expect((await call('GET', '/api/v1/counties/anji/townships', { token: admin })).status).toBe(200);
  });

  it('answers 404 for a county that does not exist', async () => {
    const r = await call('PATCH', '/api/v1/platform/counties/atlantis', {
      token: await operator(),
      body: { name: 'x' },
    });
    expect(r.status).toBe(404);
  });

  it('is closed to county users', async () => {
    const r = await call('GET', '/api/v1/platform/counties', { token: await tokenFor('deqing.admin') });
    expect(r.status).toBe(403);
  });
});

describe('providers (platform operator)', () => {
  it('lists the demo provider with both counties', async () => {
    const r = await call('GET', '/api/v1/platform/providers', { token: await operator() });
    expect(r.body.items).toEqual([expect.objectContaining({ id: 'chenxi', counties: ['deqing', 'anji'] })]);
  });

  it('validates the unified social credit code check character', async () => {
    const token = await operator();
    const good = withCreditCheck('52330521MJ8800002');
    const bad = `${good.slice(0, 17)}${good[17] === '0' ? '1' : '0'}`;
    const refused = await call('POST', '/api/v1/platform/providers', {
      token,
      body: { name: '彩虹桥社工', creditCode: bad },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].path).toBe('creditCode');
    const created = await call('POST', '/api/v1/platform/providers', {
      token,
      body: { name: '德清县彩虹桥社会工作服务中心', creditCode: good.toLowerCase() },
    });
    expect(created.status).toBe(201);
    expect(created.body.creditCode).toBe(good);
    const dup = await call('POST', '/api/v1/platform/providers', {
      token,
      body: { name: 'dup', creditCode: good },
    });
    expect(dup.status).toBe(409);
  });

  it('links a provider to a county, which then lists it', async () => {
    const token = await operator();
    const created = await call('POST', '/api/v1/platform/providers', {
      token,
      body: { name: '德清阳光里程社会工作服务中心', creditCode: withCreditCheck('52330521MJ8800003') },
    });
    const id = created.body.id;
    const before = await call('GET', '/api/v1/counties/anji/providers', {
      token: await tokenFor('anji.admin'),
    });
    expect(before.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
    const link = await call('PUT', `/api/v1/platform/providers/${id}/counties/anji`, {
      token,
      body: { since: '2026-01-01' },
    });
    expect(link.status).toBe(200);
    const after = await call('GET', '/api/v1/counties/anji/providers', {
      token: await tokenFor('anji.admin'),
    });
    expect(after.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, since: '2026-01-01' })]),
    );
    expect(
      (await call('PUT', `/api/v1/platform/providers/nope/counties/anji`, { token, body: {} })).status,
    ).toBe(404);
  });

  it('audits every platform write in a chain that verifies, and detects an edit', async () => {
    const token = await operator();
    await call('PATCH', '/api/v1/platform/providers/chenxi', { token, body: { contactName: '王社工' } });
    const ok = await call('GET', '/api/v1/platform/audit/verify', { token });
    expect(ok.body).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(ok.body.entries).toBeGreaterThan(0);
    const row = await env.CONTROL_DB.prepare(
      "SELECT seq, detail FROM audit_log WHERE action = 'provider.update'",
    ).first<{
      seq: number;
      detail: string;
    }>();
    expect(JSON.parse(row!.detail)).toEqual({ fields: ['contactName'] });
    expect(row!.detail).not.toContain('王社工');
    // Verification no longer seals (ADR 0005): edit the entry once the write path's seal has run.
    await waitFor(() =>
      env.CONTROL_DB.prepare('SELECT hash FROM audit_log WHERE seq = ?')
        .bind(row!.seq)
        .first<{ hash: string | null }>()
        .then((r) => r?.hash),
    );
    await env.CONTROL_DB.prepare("UPDATE audit_log SET action = 'provider.read' WHERE seq = ?")
      .bind(row!.seq)
      .run();
    const broken = await call('GET', '/api/v1/platform/audit/verify', { token });
    expect(broken.body).toMatchObject({ ok: false, firstBrokenSeq: row!.seq });
  });
});
