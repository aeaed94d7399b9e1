import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';

const base = '/api/v1/counties/deqing/supervisees';
const db = () => env.COUNTY_DEQING!;

async function supervisee(patch: Record<string, unknown> = {}, servedByChenxi = true) {
  const r = await call('POST', base, { token: await tokenFor('deqing.admin'), body: superviseeBody(patch) });
  expect(r.status, r.text).toBe(201);
  if (servedByChenxi) {
    await db()
      .prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), r.body.id)
      .run();
  }
  return r.body.id as string;
}

const profile = (patch: Record<string, unknown> = {}) => ({
  employment: '出租车司机',
  family: '已婚，育有一子',
  interests: '书法',
  health: '高血压，服药控制',
  difficulties: '房贷压力大',
  volunteerSince: '2026-02-01',
  ...patch,
});

async function auditCount(action: string, targetId: string) {
  const row = await db()
    .prepare('SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_id = ?')
    .bind(action, targetId)
    .first<{ n: number }>();
  return row!.n;
}

describe('the profile archive (信息档案)', () => {
  it('is empty before anything is recorded, with ETag "p0"', async () => {
    const id = await supervisee();
    const r = await call('GET', `${base}/${id}/profile`, { token: await tokenFor('deqing.admin') });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"p0"');
    expect(r.body).toMatchObject({
      superviseeId: id,
      employment: null,
      health: null,
      volunteerSince: null,
      version: 0,
    });
    expect(await auditCount('profile.read_personal', id)).toBe(0); // nothing was decrypted
  });

  it('is written by the provider serving the supervisee and read in full by the bureau', async () => {
    const id = await supervisee();
    const put = await call('PUT', `${base}/${id}/profile`, {
      token: await tokenFor('provider.worker'),
      body: profile(),
    });
    expect(put.status, put.text).toBe(200);
    expect(put.headers.get('etag')).toBe('"p1"');
    expect(put.body).toMatchObject({ ...profile(), version: 1, updatedBy: 'u-provider-worker' });
    const read = await call('GET', `${base}/${id}/profile`, { token: await tokenFor('deqing.officer') });
    expect(read.body).toMatchObject({ ...profile(), version: 1 });
    expect(await auditCount('profile.read_personal', id)).toBe(1);
    const office = await call('GET', `${base}/${id}/profile`, {
      token: await tokenFor('deqing.office.wukang'),
    });
    expect(office.body.health).toBe(profile().health);
  });

  it('replaces the whole archive: a field left out is cleared', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    await call('PUT', `${base}/${id}/profile`, { token, body: profile() });
    const r = await call('PUT', `${base}/${id}/profile`, { token, body: { employment: '待业' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ employment: '待业', health: null, volunteerSince: null, version: 2 });
    const raw = await db()
      .prepare('SELECT health_enc FROM supervisee_profiles WHERE supervisee_id = ?')
      .bind(id)
      .first();
    expect(raw).toEqual({ health_enc: null });
  });

  it('never shows health to an evaluator, and audits no read for them', async () => {
    const id = await supervisee();
    await call('PUT', `${base}/${id}/profile`, { token: await tokenFor('deqing.admin'), body: profile() });
    const before = await auditCount('profile.read_personal', id);
    const r = await call('GET', `${base}/${id}/profile`, { token: await tokenFor('deqing.evaluator') });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty('health');
    expect(r.text).not.toContain(profile().health);
    expect(r.body.volunteerSince).toBe('2026-02-01');
    expect(await auditCount('profile.read_personal', id)).toBe(before);
  });

  it('refuses a stale If-Match with 412 and writes nothing', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    const first = await call('PUT', `${base}/${id}/profile`, {
      token,
      body: profile(),
      headers: { 'if-match': '"p0"' },
    });
    expect(first.status).toBe(200);
    const auditBefore = await db().prepare('SELECT count(*) AS n FROM audit_log').first<{ n: number }>();
    const stale = await call('PUT', `${base}/${id}/profile`, {
      token,
      body: profile({ employment: '厨师' }),
      headers: { 'if-match': '"p0"' },
    });
    expect(stale.status).toBe(412);
    const foreign = await call('PUT', `${base}/${id}/profile`, {
      token,
      body: profile({ employment: '厨师' }),
      headers: { 'if-match': '"v1"' },
    });
    expect(foreign.status).toBe(412);
    const row = await db()
      .prepare('SELECT employment, version FROM supervisee_profiles WHERE supervisee_id = ?')
      .bind(id)
      .first();
    expect(row).toEqual({ employment: '出租车司机', version: 1 });
    const auditAfter = await db().prepare('SELECT count(*) AS n FROM audit_log').first<{ n: number }>();
    expect(auditAfter!.n).toBe(auditBefore!.n);
    const fresh = await call('PUT', `${base}/${id}/profile`, {
      token,
      body: profile({ employment: '厨师' }),
      headers: { 'if-match': first.headers.get('etag')! },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"p2"');
  });

  it('refuses a volunteer date in the future, unknown fields and over-long text, naming each', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    const cases: [Record<string, unknown>, string][] = [
      [{ volunteerSince: '2999-01-01' }, 'volunteerSince'],
      [{ volunteerSince: '2026-02-30' }, 'volunteerSince'],
      [{ health: 'x'.repeat(2001) }, 'health'],
      [{ salary: 1 }, ''],
    ];
    for (const [patch, path] of cases) {
      const r = await call('PUT', `${base}/${id}/profile`, { token, body: profile(patch) });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('keeps it within scope: other township, unserved provider, evaluator writing, finance, another county', async () => {
    const inXinshi = await supervisee({ townshipId: 'xinshi' }, false);
    const office = await tokenFor('deqing.office.wukang');
    expect((await call('GET', `${base}/${inXinshi}/profile`, { token: office })).status).toBe(404);
    expect(
      (await call('PUT', `${base}/${inXinshi}/profile`, { token: office, body: profile() })).status,
    ).toBe(404);
    const worker = await tokenFor('provider.worker');
    expect((await call('GET', `${base}/${inXinshi}/profile`, { token: worker })).status).toBe(404);
    expect(
      (await call('PUT', `${base}/${inXinshi}/profile`, { token: worker, body: profile() })).status,
    ).toBe(404);
    const served = await supervisee();
    const evaluator = await tokenFor('deqing.evaluator');
    expect(
      (await call('PUT', `${base}/${served}/profile`, { token: evaluator, body: profile() })).status,
    ).toBe(403);
    const finance = await tokenFor('deqing.finance');
    expect((await call('GET', `${base}/${served}/profile`, { token: finance })).status).toBe(403);
    const anji = await tokenFor('anji.admin');
    expect((await call('GET', `${base}/${served}/profile`, { token: anji })).status).toBe(403);
    expect(
      (await call('GET', `/api/v1/counties/anji/supervisees/${served}/profile`, { token: anji })).status,
    ).toBe(404);
  });

  it('stores health only as ciphertext bound to its row', async () => {
    const a = await supervisee();
    const b = await supervisee();
    const token = await tokenFor('deqing.admin');
    await call('PUT', `${base}/${a}/profile`, { token, body: profile({ health: '抑郁症病史' }) });
    await call('PUT', `${base}/${b}/profile`, { token, body: profile({ health: '无' }) });
    const raw = await db()
      .prepare('SELECT * FROM supervisee_profiles WHERE supervisee_id = ?')
      .bind(a)
      .first<{ health_enc: string }>();
    expect(JSON.stringify(raw)).not.toContain('抑郁症');
    expect(raw!.health_enc).toMatch(/^v1\./);
    // A ciphertext copied to another row no longer opens: the read fails rather than lie.
    await db()
      .prepare('UPDATE supervisee_profiles SET health_enc = ? WHERE supervisee_id = ?')
      .bind(raw!.health_enc, b)
      .run();
    const moved = await call('GET', `${base}/${b}/profile`, { token });
    expect(moved.status).toBe(500);
    expect(moved.text).not.toContain('抑郁症');
  });
});

describe('assessments', () => {
  it('stores the result only as ciphertext bound to its row and column: moved, it no longer opens', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    const a = await call('POST', `${base}/${id}/assessments`, {
      token,
      body: { kind: 'risk', assessedOn: '2026-03-01', result: '高风险：有再犯迹象' },
    });
    const b = await call('POST', `${base}/${id}/assessments`, {
      token,
      body: { kind: 'risk', assessedOn: '2026-03-02', result: '低风险', notes: '情绪稳定' },
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.result).toBe('高风险：有再犯迹象');
    const raw = await db()
      .prepare('SELECT result_enc, notes_enc FROM assessments WHERE id = ?')
      .bind(b.body.id)
      .first<{ result_enc: string; notes_enc: string }>();
    // Into another row, or into the notes column of its own row: both fail rather than lie.
    await db()
      .prepare('UPDATE assessments SET result_enc = ? WHERE id = ?')
      .bind(raw!.result_enc, a.body.id)
      .run();
    const moved = await call('GET', `${base}/${id}/assessments`, { token });
    expect(moved.status).toBe(500);
    expect(moved.text).not.toContain('低风险');
    await db()
      .prepare('UPDATE assessments SET result_enc = ?, notes_enc = ? WHERE id = ?')
      .bind(raw!.notes_enc, raw!.result_enc, b.body.id)
      .run();
    await db().prepare('DELETE FROM assessments WHERE id = ?').bind(a.body.id).run();
    const swapped = await call('GET', `${base}/${id}/assessments`, { token });
    expect(swapped.status).toBe(500);
    expect(swapped.text).not.toContain('情绪稳定');
  });

  const assessment = (patch: Record<string, unknown> = {}) => ({
    kind: 'psychological',
    assessedOn: '2026-02-10',
    result: 'SCL-90 轻度焦虑',
    notes: '自述失眠，对家庭关系担忧',
    ...patch,
  });

  it('records an assessment with encrypted notes, read back by the bureau and the provider', async () => {
    const id = await supervisee();
    const r = await call('POST', `${base}/${id}/assessments`, {
      token: await tokenFor('provider.worker'),
      body: assessment(),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ ...assessment(), superviseeId: id, assessedBy: 'u-provider-worker' });
    const raw = await db().prepare('SELECT * FROM assessments WHERE id = ?').bind(r.body.id).first();
    expect(JSON.stringify(raw)).not.toContain('失眠');
    expect(JSON.stringify(raw)).not.toContain('焦虑');
    expect(raw).not.toHaveProperty('result');
    expect(raw!.result_enc).toMatch(/^v1\./);
    for (const login of ['deqing.admin', 'provider.worker', 'deqing.office.wukang']) {
      const list = await call('GET', `${base}/${id}/assessments`, { token: await tokenFor(login) });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: r.body.id, notes: assessment().notes }),
      ]);
    }
    expect(await auditCount('assessment.read_personal', id)).toBe(3);
    const audit = await db()
      .prepare("SELECT detail FROM audit_log WHERE target_id = ? AND action LIKE 'assessment.%'")
      .bind(id)
      .all();
    expect(JSON.stringify(audit.results)).not.toContain('失眠');
  });

  it('gives an evaluator neither the results nor the notes, in any format (issue #11)', async () => {
    const id = await supervisee();
    await call('POST', `${base}/${id}/assessments`, {
      token: await tokenFor('deqing.admin'),
      body: assessment(),
    });
    const evaluator = await tokenFor('deqing.evaluator');
    const r = await call('GET', `${base}/${id}/assessments`, { token: evaluator });
    expect(r.status).toBe(200);
    expect(r.body.items[0]).toMatchObject({ kind: 'psychological', assessedOn: '2026-02-10' });
    expect(r.body.items[0]).not.toHaveProperty('result');
    expect(r.body.items[0]).not.toHaveProperty('notes');
    expect(r.text).not.toContain('失眠');
    expect(r.text).not.toContain('焦虑');
    // Asking for a download gives no other answer: the same minimised JSON, or a refusal.
    for (const format of ['csv', 'xlsx']) {
      const d = await call('GET', `${base}/${id}/assessments?format=${format}`, { token: evaluator });
      expect(d.status).toBeLessThan(500);
      expect(d.text).not.toContain('焦虑');
      expect(d.text).not.toContain('失眠');
    }
    expect(await auditCount('assessment.read_personal', id)).toBe(0);
    // The bureau still reads the result.
    const bureau = await call('GET', `${base}/${id}/assessments`, { token: await tokenFor('deqing.admin') });
    expect(bureau.body.items[0].result).toBe(assessment().result);
  });

  it('lists newest first, by kind, a page at a time', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    for (const [kind, assessedOn] of [
      ['risk', '2026-01-05'],
      ['psychological', '2026-01-20'],
      ['risk', '2026-03-01'],
    ]) {
      const r = await call('POST', `${base}/${id}/assessments`, {
        token,
        body: { kind, assessedOn, result: `${kind}-${assessedOn}` },
      });
      expect(r.status).toBe(201);
    }
    const first = await call('GET', `${base}/${id}/assessments?limit=2`, { token });
    expect(first.body.items.map((a: { assessedOn: string }) => a.assessedOn)).toEqual([
      '2026-03-01',
      '2026-01-20',
    ]);
    const second = await call('GET', `${base}/${id}/assessments?limit=2&cursor=${first.body.nextCursor}`, {
      token,
    });
    expect(second.body.items.map((a: { assessedOn: string }) => a.assessedOn)).toEqual(['2026-01-05']);
    expect(second.body.nextCursor).toBeNull();
    const risks = await call('GET', `${base}/${id}/assessments?kind=risk`, { token });
    expect(risks.body.items.map((a: { kind: string }) => a.kind)).toEqual(['risk', 'risk']);
    // No notes anywhere: what was decrypted is the (encrypted, ADR 0403) result only, and each
    // of the three reads is audited once, by field name.
    expect(await auditCount('assessment.read_personal', id)).toBe(3);
    const { results } = await db()
      .prepare("SELECT detail FROM audit_log WHERE action = 'assessment.read_personal' AND target_id = ?")
      .bind(id)
      .all<{ detail: string }>();
    expect(results.map((r) => JSON.parse(r.detail).fields)).toEqual([['result'], ['result'], ['result']]);
  });

  it('refuses a future date, an unknown kind and a missing result; and callers out of scope', async () => {
    const id = await supervisee();
    const token = await tokenFor('deqing.admin');
    for (const [patch, path] of [
      [{ assessedOn: '2999-01-01' }, 'assessedOn'],
      [{ kind: 'astrology' }, 'kind'],
      [{ result: '' }, 'result'],
    ] as const) {
      const r = await call('POST', `${base}/${id}/assessments`, { token, body: assessment(patch) });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].path).toBe(path);
    }
    const unserved = await supervisee({ townshipId: 'xinshi' }, false);
    const worker = await tokenFor('provider.worker');
    expect(
      (await call('POST', `${base}/${unserved}/assessments`, { token: worker, body: assessment() })).status,
    ).toBe(404);
    expect((await call('GET', `${base}/${unserved}/assessments`, { token: worker })).status).toBe(404);
    const evaluator = await tokenFor('deqing.evaluator');
    expect(
      (await call('POST', `${base}/${id}/assessments`, { token: evaluator, body: assessment() })).status,
    ).toBe(403);
  });
});
