import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { deqing2017 } from '../rules';

const base = '/api/v1/counties/deqing/rule-sets';
const admin = () => tokenFor('deqing.admin');
const draftOf = (patch: Record<string, unknown> = {}) => ({ ...structuredClone(deqing2017), ...patch });

describe('rule sets', () => {
  it('serves the demo rule set in force, with its own fields', async () => {
    const r = await call('GET', `${base}/current`, { token: await tokenFor('provider.worker') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: 'deqing-rules-v1',
      version: 1,
      status: 'published',
      name: deqing2017.name,
    });
    expect(r.body.levels.map((l: { code: string }) => l.code)).toEqual(['strict', 'normal', 'lenient']);
    expect(r.body.ledger).toEqual(deqing2017.ledger);
  });

  it('answers 404 before the first rule set', async () => {
    const r = await call('GET', `${base}/current?on=2016-12-31`, { token: await admin() });
    expect(r.status).toBe(404);
  });

  it('refuses an invalid rule set with the path of every mistake', async () => {
    const bad = draftOf();
    (bad.requirements[0] as Record<string, unknown>).appliesTo = { levels: ['nonexistent'] };
    (bad.requirements[1] as Record<string, unknown>).min = 0;
    const r = await call('POST', base, { token: await admin(), body: bad });
    expect(r.status).toBe(400);
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['requirements.0.appliesTo.levels', 'requirements.1.min']));
    expect(JSON.stringify(r.body.errors)).toContain('nonexistent');
  });

  it('validates without saving', async () => {
    const ok = await call('POST', `${base}/validate`, { token: await admin(), body: draftOf() });
    expect(ok.body).toEqual({ valid: true });
    const bad = await call('POST', `${base}/validate`, {
      token: await admin(),
      body: draftOf({ effectiveFrom: '2026-02-30' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('effectiveFrom');
  });

  it('drafts, edits, diffs and publishes a new version that governs from its effective date', async () => {
    const token = await admin();
    const draft = draftOf({ name: '德清县 2026', effectiveFrom: '2026-01-01' });
    const created = await call('POST', base, { token, body: draft });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', version: 2, basedOn: 'deqing-rules-v1' });
    const id = created.body.id;

    const edited = structuredClone(draft);
    (edited.requirements.find((r) => r.id === 'education') as { min: number }).min = 10;
    expect((await call('PUT', `${base}/${id}`, { token, body: edited })).status).toBe(200);

    const diff = await call('GET', `${base}/${id}/diff`, { token });
    expect(diff.body.from).toEqual({ id: 'deqing-rules-v1', version: 1 });
    expect(diff.body.changes).toEqual(
      expect.arrayContaining([
        { path: 'name', kind: 'changed', before: deqing2017.name, after: '德清县 2026' },
        { path: 'requirements[education].min', kind: 'changed', before: 8, after: 10 },
      ]),
    );

    // A draft does not govern anything yet.
    expect((await call('GET', `${base}/current?on=2026-06-01`, { token })).body.version).toBe(1);
    const published = await call('POST', `${base}/${id}/publish`, { token });
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('published');
    expect((await call('GET', `${base}/current?on=2026-06-01`, { token })).body.version).toBe(2);
    expect((await call('GET', `${base}/current?on=2025-12-31`, { token })).body.version).toBe(1);

    expect((await call('PUT', `${base}/${id}`, { token, body: edited })).status).toBe(409);
    expect((await call('POST', `${base}/${id}/publish`, { token })).status).toBe(409);
  });

  it('lets the later publication win between two versions with the same effective date', async () => {
    const token = await admin();
    const ids: string[] = [];
    for (const name of ['甲', '乙']) {
      const r = await call('POST', base, { token, body: draftOf({ name, effectiveFrom: '2027-01-01' }) });
      ids.push(r.body.id);
    }
    await call('POST', `${base}/${ids[1]}/publish`, { token });
    await call('POST', `${base}/${ids[0]}/publish`, { token });
    expect((await call('GET', `${base}/current?on=2027-03-01`, { token })).body.name).toBe('甲');
  });

  it('can set the effective date at publication', async () => {
    const token = await admin();
    const r = await call('POST', base, { token, body: draftOf({ name: '丙', effectiveFrom: '2028-01-01' }) });
    const p = await call('POST', `${base}/${r.body.id}/publish`, {
      token,
      body: { effectiveFrom: '2028-07-01' },
    });
    expect(p.body.effectiveFrom).toBe('2028-07-01');
    expect((await call('GET', `${base}/current?on=2028-03-01`, { token })).body.name).not.toBe('丙');
    expect((await call('GET', `${base}/current?on=2028-07-01`, { token })).body.name).toBe('丙');
  });

  it('discards a draft but keeps it in the history', async () => {
    const token = await admin();
    const r = await call('POST', base, { token, body: draftOf({ name: '废弃' }) });
    expect((await call('DELETE', `${base}/${r.body.id}`, { token })).status).toBe(204);
    const history = await call('GET', base, { token });
    expect(history.body.items.find((v: { id: string }) => v.id === r.body.id).status).toBe('discarded');
    expect((await call('POST', `${base}/${r.body.id}/publish`, { token })).status).toBe(409);
  });

  it('offers both presets', async () => {
    const r = await call('GET', `${base}/presets`, { token: await admin() });
    expect(r.body.items.map((p: { id: string }) => p.id)).toEqual(['deqing-2017', 'provincial-three-level']);
  });

  it('lets only the bureau admin write, and every county role read', async () => {
    for (const login of [
      'deqing.officer',
      'deqing.office.wukang',
      'provider.admin',
      'deqing.finance',
      'deqing.evaluator',
    ]) {
      const token = await tokenFor(login);
      expect({ login, status: (await call('POST', base, { token, body: draftOf() })).status }).toEqual({
        login,
        status: 403,
      });
      expect({ login, status: (await call('GET', base, { token })).status }).toEqual({ login, status: 200 });
    }
  });

  it('audits every change', async () => {
    const { results } = await env
      .COUNTY_DEQING!.prepare("SELECT action FROM audit_log WHERE target_type = 'rule_set'")
      .all<{ action: string }>();
    expect(new Set(results.map((r) => r.action))).toEqual(
      new Set(['rule_set.create', 'rule_set.update', 'rule_set.publish', 'rule_set.discard']),
    );
  });
});
