import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { controlDb, countyDrizzle } from '../db';
import { counties } from '../db/control-schema';
import type { CountyCtx } from '../lib/context';
import { nowInstant, nowMs } from '../lib/time';
import { provincialThreeLevel } from '../rules';
import { escalationsDue, markEscalationsNotified } from './service';

const api = (county = 'deqing') => `/api/v1/counties/${county}`;
const H = 3_600_000;
const db = () => env.COUNTY_DEQING!;

async function servedSupervisee(patch: Record<string, unknown> = {}, county = 'deqing') {
  const admin = await tokenFor(county === 'deqing' ? 'deqing.admin' : 'anji.admin');
  const r = await call('POST', `${api(county)}/supervisees`, { token: admin, body: superviseeBody(patch) });
  expect(r.status, r.text).toBe(201);
  await env[`COUNTY_${county.toUpperCase()}` as 'COUNTY_DEQING']!.prepare(
    "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
  )
    .bind(crypto.randomUUID(), r.body.id)
    .run();
  return r.body.id as string;
}

async function report(superviseeId: string, patch: Record<string, unknown> = {}, county = 'deqing') {
  const r = await call('POST', `${api(county)}/incidents`, {
    token: await tokenFor('provider.worker'),
    body: { superviseeId, kind: 'absconding_risk', description: '对象称要去外地躲债，手机关机', ...patch },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Moves an incident's report back in time, as if `hoursAgo` hours had passed since. */
async function age(id: string, hoursAgo: number) {
  const reportedAt = new Date(nowMs() - hoursAgo * H).toISOString();
  await db()
    .prepare(
      `UPDATE incidents SET reported_at = ?,
         acknowledge_by = strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+' || acknowledge_within_hours || ' hours'),
         escalate_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+' || escalate_after_hours || ' hours')
       WHERE id = ?`,
    )
    .bind(reportedAt, reportedAt, reportedAt, id)
    .run();
}

const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((i) => i.id);

describe('reporting an incident', () => {
  it('opens it for the township of the supervisee, with deadlines from the rule set in force', async () => {
    const sid = await servedSupervisee({ townshipId: 'qianyuan' });
    const before = nowMs();
    const inc = await report(sid, { occurredAt: '2026-03-01T08:00:00+08:00' });
    expect(inc).toMatchObject({
      superviseeId: sid,
      townshipId: 'qianyuan',
      providerId: 'chenxi',
      kind: 'absconding_risk',
      status: 'open',
      occurredAt: '2026-03-01T00:00:00.000Z',
      reportedBy: 'u-provider-worker',
      acknowledgeWithinHours: 24,
      escalateAfterHours: 48,
      overdue: false,
      escalated: false,
      description: '对象称要去外地躲债，手机关机',
    });
    const reported = Date.parse(inc.reportedAt);
    expect(reported).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(inc.acknowledgeBy) - reported).toBe(24 * H);
    expect(Date.parse(inc.escalateAt) - reported).toBe(48 * H);
    const raw = await db().prepare('SELECT * FROM incidents WHERE id = ?').bind(inc.id).first();
    expect(JSON.stringify(raw)).not.toContain('躲债');
    const audit = await db()
      .prepare("SELECT detail FROM audit_log WHERE action = 'incident.report' AND target_id = ?")
      .bind(inc.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toEqual({
      kind: 'absconding_risk',
      superviseeId: sid,
      providerId: 'chenxi',
    });
  });

  it('refuses a supervisee the provider does not serve, an unknown kind, a foreign provider, a future instant', async () => {
    const token = await tokenFor('provider.worker');
    const r = await call('POST', `${api()}/supervisees`, {
      token: await tokenFor('deqing.admin'),
      body: superviseeBody(),
    });
    const unserved = r.body.id;
    const served = await servedSupervisee();
    const cases: [Record<string, unknown>, string][] = [
      [{ superviseeId: unserved }, 'superviseeId'],
      [{ superviseeId: 'does-not-exist' }, 'superviseeId'],
      [{ kind: 'gossip' }, 'kind'],
      [{ providerId: 'another-provider' }, 'providerId'],
      [{ occurredAt: new Date(nowMs() + 24 * H).toISOString() }, 'occurredAt'],
      [{ occurredAt: '2026-03-01' }, 'occurredAt'],
      [{ description: '' }, 'description'],
      [{ urgent: true }, ''],
    ];
    for (const [patch, path] of cases) {
      const res = await call('POST', `${api()}/incidents`, {
        token,
        body: { superviseeId: served, kind: 'violation', description: '未按时报到', ...patch },
      });
      expect({ patch, status: res.status }).toEqual({ patch, status: 400 });
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(
      await db()
        .prepare('SELECT count(*) AS n FROM incidents WHERE supervisee_id = ?')
        .bind(unserved)
        .first(),
    ).toEqual({
      n: 0,
    });
  });

  it('is for provider staff only', async () => {
    const sid = await servedSupervisee();
    for (const login of [
      'deqing.admin',
      'deqing.office.wukang',
      'deqing.evaluator',
      'deqing.finance',
      'anji.admin',
    ]) {
      const r = await call('POST', `${api()}/incidents`, {
        token: await tokenFor(login),
        body: { superviseeId: sid, kind: 'violation', description: '未按时报到' },
      });
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
  });
});

describe('acknowledging and resolving', () => {
  it('goes open → acknowledged → resolved by the office of the township, keeping the notes encrypted', async () => {
    const sid = await servedSupervisee({ townshipId: 'wukang' });
    const inc = await report(sid);
    const office = await tokenFor('deqing.office.wukang');
    const ack = await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, {
      token: office,
      body: { note: '已电话联系其母亲' },
    });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'u-deqing-office-wukang',
      acknowledgedLate: false,
      overdue: false,
      escalated: false,
    });
    const resolve = await call('POST', `${api()}/incidents/${inc.id}/resolve`, {
      token: office,
      body: { resolution: '已找到本人，训诫一次，落实每日电话报到' },
    });
    expect(resolve.status, resolve.text).toBe(200);
    expect(resolve.body).toMatchObject({ status: 'resolved', resolvedBy: 'u-deqing-office-wukang' });
    expect(resolve.body).not.toHaveProperty('resolution'); // narratives only on the single read

    const detail = await call('GET', `${api()}/incidents/${inc.id}`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(detail.body).toMatchObject({
      status: 'resolved',
      description: inc.description,
      acknowledgeNote: '已电话联系其母亲',
      resolution: '已找到本人，训诫一次，落实每日电话报到',
    });
    const raw = JSON.stringify(
      await db().prepare('SELECT * FROM incidents WHERE id = ?').bind(inc.id).first(),
    );
    for (const secret of ['躲债', '其母亲', '训诫']) expect(raw).not.toContain(secret);
    const { results } = await db()
      .prepare('SELECT action, detail FROM audit_log WHERE target_id = ? ORDER BY seq')
      .bind(inc.id)
      .all<{ action: string; detail: string }>();
    expect(results.map((r) => r.action)).toEqual([
      'incident.report',
      'incident.acknowledge',
      'incident.resolve',
      'incident.read_personal',
    ]);
    expect(JSON.stringify(results)).not.toContain('母亲');
  });

  it('refuses transitions out of order with 409 and changes nothing', async () => {
    const sid = await servedSupervisee();
    const inc = await report(sid);
    const office = await tokenFor('deqing.office.wukang');
    const early = await call('POST', `${api()}/incidents/${inc.id}/resolve`, {
      token: office,
      body: { resolution: '无' },
    });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/Acknowledge/);
    expect((await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, { token: office })).status).toBe(
      200,
    );
    const twice = await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, { token: office, body: {} });
    expect(twice.status).toBe(409);
    expect(
      (
        await call('POST', `${api()}/incidents/${inc.id}/resolve`, {
          token: office,
          body: { resolution: '已处理' },
        })
      ).status,
    ).toBe(200);
    const again = await call('POST', `${api()}/incidents/${inc.id}/resolve`, {
      token: office,
      body: { resolution: '再次' },
    });
    expect(again.status).toBe(409);
    const ackResolved = await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, {
      token: office,
      body: {},
    });
    expect(ackResolved.status).toBe(409);
    const row = await db().prepare('SELECT status, version FROM incidents WHERE id = ?').bind(inc.id).first();
    expect(row).toEqual({ status: 'resolved', version: 3 });
  });

  it('requires a resolution text', async () => {
    const inc = await report(await servedSupervisee());
    const office = await tokenFor('deqing.office.wukang');
    await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, { token: office });
    for (const body of [{}, { resolution: '  ' }, { resolution: '好', extra: 1 }]) {
      const r = await call('POST', `${api()}/incidents/${inc.id}/resolve`, { token: office, body });
      expect(r.status).toBe(400);
    }
  });

  it('lets exactly one of two simultaneous acknowledgements through', async () => {
    const inc = await report(await servedSupervisee());
    const [a, b] = await Promise.all([
      call('POST', `${api()}/incidents/${inc.id}/acknowledge`, {
        token: await tokenFor('deqing.office.wukang'),
      }),
      call('POST', `${api()}/incidents/${inc.id}/acknowledge`, { token: await tokenFor('deqing.officer') }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const { results } = await db()
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'incident.acknowledge' AND target_id = ?")
      .bind(inc.id)
      .all<{ n: number }>();
    expect(results[0]!.n).toBe(1);
  });

  it('keeps other townships, providers and roles out: 404 like a missing incident, or 403', async () => {
    const inXinshi = await report(await servedSupervisee({ townshipId: 'xinshi' }));
    const office = await tokenFor('deqing.office.wukang');
    const missing = await call('POST', `${api()}/incidents/nope/acknowledge`, { token: office, body: {} });
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['POST', '/acknowledge', {}],
      ['POST', '/resolve', { resolution: '无' }],
    ] as const) {
      const r = await call(method, `${api()}/incidents/${inXinshi.id}${suffix}`, { token: office, body });
      expect(r.status).toBe(404);
      expect({ ...r.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
    }
    expect(ids(await call('GET', `${api()}/incidents?limit=200`, { token: office }))).not.toContain(
      inXinshi.id,
    );

    const worker = await tokenFor('provider.worker');
    expect(
      (await call('POST', `${api()}/incidents/${inXinshi.id}/acknowledge`, { token: worker, body: {} }))
        .status,
    ).toBe(403);
    expect(
      (
        await call('POST', `${api()}/incidents/${inXinshi.id}/resolve`, {
          token: worker,
          body: { resolution: 'x' },
        })
      ).status,
    ).toBe(403);
    for (const login of ['deqing.evaluator', 'deqing.finance']) {
      expect((await call('GET', `${api()}/incidents`, { token: await tokenFor(login) })).status).toBe(403);
      expect(
        (await call('GET', `${api()}/incidents/${inXinshi.id}`, { token: await tokenFor(login) })).status,
      ).toBe(403);
    }
    expect(
      (await call('GET', `${api('anji')}/incidents/${inXinshi.id}`, { token: await tokenFor('anji.admin') }))
        .status,
    ).toBe(404);
  });

  it('shows a provider its own reports only', async () => {
    const sid = await servedSupervisee();
    const own = await report(sid);
    const otherId = crypto.randomUUID();
    await db()
      .prepare(
        `INSERT INTO incidents (id, supervisee_id, township_id, provider_id, kind, description_enc, reported_by,
           reported_at, acknowledge_within_hours, escalate_after_hours, acknowledge_by, escalate_at)
         VALUES (?, ?, 'wukang', 'another-provider', 'violation', 'v1.x.y', 'u-x', ?, 24, 48, ?, ?)`,
      )
      .bind(otherId, sid, nowInstant(), nowInstant(), nowInstant())
      .run();
    const worker = await tokenFor('provider.worker');
    const list = ids(await call('GET', `${api()}/incidents?supervisee=${sid}`, { token: worker }));
    expect(list).toEqual([own.id]);
    expect((await call('GET', `${api()}/incidents/${otherId}`, { token: worker })).status).toBe(404);
    const bureau = ids(
      await call('GET', `${api()}/incidents?supervisee=${sid}`, { token: await tokenFor('deqing.admin') }),
    );
    expect(bureau.sort()).toEqual([own.id, otherId].sort());
  });
});

describe('deadlines and escalation', () => {
  it('shows an unacknowledged incident as overdue, then escalated to the bureau; acknowledging ends it', async () => {
    const sid = await servedSupervisee();
    const inc = await report(sid);
    const admin = await tokenFor('deqing.admin');
    await age(inc.id, 30);
    let read = await call('GET', `${api()}/incidents/${inc.id}`, { token: admin });
    expect(read.body).toMatchObject({ status: 'open', overdue: true, escalated: false });
    await age(inc.id, 49);
    read = await call('GET', `${api()}/incidents/${inc.id}`, { token: admin });
    expect(read.body).toMatchObject({ status: 'open', overdue: true, escalated: true });
    const escalated = ids(await call('GET', `${api()}/incidents?escalated=true&limit=200`, { token: admin }));
    expect(escalated).toContain(inc.id);
    const notEscalated = ids(
      await call('GET', `${api()}/incidents?escalated=false&limit=200`, { token: admin }),
    );
    expect(notEscalated).not.toContain(inc.id);

    // The bureau may act on an escalated incident itself.
    const ack = await call('POST', `${api()}/incidents/${inc.id}/acknowledge`, { token: admin, body: {} });
    expect(ack.body).toMatchObject({ status: 'acknowledged', escalated: false, acknowledgedLate: true });
    const audit = await db()
      .prepare("SELECT detail FROM audit_log WHERE action = 'incident.acknowledge' AND target_id = ?")
      .bind(inc.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toEqual({ late: true, escalated: true, note: false });
    expect(
      ids(await call('GET', `${api()}/incidents?escalated=true&limit=200`, { token: admin })),
    ).not.toContain(inc.id);
  });

  it('filters by status, township, supervisee and kind, and pages newest first', async () => {
    const sid = await servedSupervisee({ townshipId: 'luoshe' });
    const a = await report(sid, { kind: 'violation' });
    const b = await report(sid, { kind: 'emergency_hardship' });
    const c = await report(sid, { kind: 'violation' });
    // Distinct report instants, so "newest first" does not hang on the clock's resolution.
    await age(a.id, 3);
    await age(b.id, 2);
    await age(c.id, 1);
    const admin = await tokenFor('deqing.admin');
    await call('POST', `${api()}/incidents/${b.id}/acknowledge`, { token: admin });
    const q = (s: string) => call('GET', `${api()}/incidents?supervisee=${sid}${s}`, { token: admin });
    expect(ids(await q(''))).toEqual([c.id, b.id, a.id]);
    expect(ids(await q('&status=open'))).toEqual([c.id, a.id]);
    expect(ids(await q('&status=acknowledged'))).toEqual([b.id]);
    expect(ids(await q('&kind=emergency_hardship'))).toEqual([b.id]);
    expect(ids(await call('GET', `${api()}/incidents?township=luoshe`, { token: admin }))).toEqual([
      c.id,
      b.id,
      a.id,
    ]);
    const page1 = await q('&limit=2');
    expect(ids(page1)).toEqual([c.id, b.id]);
    const page2 = await q(`&limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
    expect(ids(page2)).toEqual([a.id]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await q('&status=lost')).status).toBe(400);
    expect((await q('&cursor=garbage')).status).toBe(400);
  });

  it('hands the scheduled job the escalations due, once each', async () => {
    const sid = await servedSupervisee({ townshipId: 'leidian' });
    const fresh = await report(sid);
    const old = await report(sid);
    await age(old.id, 72);
    const county = (await controlDb(env).select().from(counties).where(eq(counties.slug, 'deqing')))[0]!;
    const k: CountyCtx = {
      db: countyDrizzle(db()),
      d1: db(),
      county,
      actorUserId: 'system:scheduler',
      requestId: 'job-test',
      dataKeySecret: env.DATA_KEY_SECRET,
      today: '2026-03-01',
    };
    const now = nowInstant();
    const due = await escalationsDue(k, now);
    const dueIds = due.map((d) => d.row.id);
    expect(dueIds).toContain(old.id);
    expect(dueIds).not.toContain(fresh.id);
    expect(due.find((d) => d.row.id === old.id)!.state).toMatchObject({ escalated: true, overdue: true });
    // Later than now, the fresh one is due too: the clock is an argument.
    const later = new Date(nowMs() + 49 * H).toISOString();
    expect((await escalationsDue(k, later)).map((d) => d.row.id)).toContain(fresh.id);

    await markEscalationsNotified(k, dueIds, now);
    expect((await escalationsDue(k, now)).map((d) => d.row.id)).not.toContain(old.id);
    const read = await call('GET', `${api()}/incidents/${old.id}`, { token: await tokenFor('deqing.admin') });
    expect(read.body).toMatchObject({ escalated: true, escalationNotifiedAt: now });
  });

  it('takes the hours of the rule set in force when reported, and keeps them when the rules change', async () => {
    const sid = await servedSupervisee({ townshipId: 'dipu' }, 'anji');
    const first = await report(sid, {}, 'anji');
    expect(first).toMatchObject({ acknowledgeWithinHours: 24, escalateAfterHours: 48 });

    const admin = await tokenFor('anji.admin');
    const draft = await call('POST', `${api('anji')}/rule-sets`, {
      token: admin,
      body: {
        ...structuredClone(provincialThreeLevel),
        effectiveFrom: '2024-01-01',
        incidents: { acknowledgeWithinHours: 6, escalateAfterHours: 12 },
      },
    });
    expect(draft.status, draft.text).toBe(201);
    const published = await call('POST', `${api('anji')}/rule-sets/${draft.body.id}/publish`, {
      token: admin,
      body: {},
    });
    expect(published.status, published.text).toBe(200);

    const second = await report(sid, {}, 'anji');
    expect(second).toMatchObject({ acknowledgeWithinHours: 6, escalateAfterHours: 12 });
    expect(Date.parse(second.escalateAt) - Date.parse(second.reportedAt)).toBe(12 * H);
    const again = await call('GET', `${api('anji')}/incidents/${first.id}`, { token: admin });
    expect(again.body).toMatchObject({
      acknowledgeWithinHours: 24,
      escalateAfterHours: 48,
      escalateAt: first.escalateAt,
    });
  });
});
