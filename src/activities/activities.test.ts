import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  activityBody,
  D,
  newSupervisee,
  otherProvider,
  record,
  servedSupervisee,
  xinshiOffice,
} from '../../test/helpers/service-records';

const worker = () => tokenFor('provider.worker');
const providerAdmin = () => tokenFor('provider.admin');
const admin = () => tokenFor('deqing.admin');
const office = () => tokenFor('deqing.office.wukang');

describe('recording an activity', () => {
  it('records a home visit for a served supervisee, defaulting provider, township, staff and minutes', async () => {
    const s = await servedSupervisee();
    const r = await record(await worker(), activityBody([s.id]));
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      type: 'home_visit',
      occurredOn: '2026-03-10',
      startTime: '09:00',
      durationMinutes: 60,
      providerId: 'chenxi',
      townshipId: 'wukang',
      staffUserId: 'u-provider-worker',
      participants: [{ superviseeId: s.id, minutes: 60 }],
      status: 'active',
      ledgerStatus: 'draft',
      locked: false,
      version: 1,
    });
    expect(r.body.ledgerId).toEqual(expect.any(String));
    expect(r.headers.get('etag')).toBe('"v1"');
    const read = await call('GET', `${D}/activities/${r.body.id}`, { token: await worker() });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...r.body, flags: read.body.flags });
  });

  it('records a group session with many participants and per-participant minutes', async () => {
    const people = await Promise.all([1, 2, 3].map(() => servedSupervisee()));
    const r = await record(
      await worker(),
      activityBody(
        people.map((p) => p.id),
        {
          type: 'group_activity',
          durationMinutes: 120,
          participants: [
            { superviseeId: people[0]!.id },
            { superviseeId: people[1]!.id, minutes: 90 },
            { superviseeId: people[2]!.id, minutes: 30 },
          ],
          place: '武康街道社区矫正中心',
        },
      ),
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body.participants).toEqual([
      { superviseeId: people[0]!.id, minutes: 120 },
      { superviseeId: people[1]!.id, minutes: 90 },
      { superviseeId: people[2]!.id, minutes: 30 },
    ]);
  });

  it('records hardship aid with an amount, and employment help with an outcome', async () => {
    const s = await servedSupervisee();
    const aid = await record(
      await worker(),
      activityBody([s.id], { type: 'hardship_aid', aidAmountFen: 50_000, startTime: '14:00' }),
    );
    expect(aid.status, aid.text).toBe(201);
    expect(aid.body.aidAmountFen).toBe(50_000);
    const job = await record(
      await worker(),
      activityBody([s.id], {
        type: 'employment_help',
        outcome: '推荐至本地工厂，已面试',
        startTime: '16:00',
      }),
    );
    expect(job.status, job.text).toBe(201);
    expect(job.body.outcome).toBe('推荐至本地工厂，已面试');
    const wrongType = await record(
      await worker(),
      activityBody([s.id], { aidAmountFen: 100, startTime: '18:00' }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].path).toBe('aidAmountFen');
  });

  it('records legal publicity without participants in a named township, and requires the township then', async () => {
    const r = await record(
      await worker(),
      activityBody([], { type: 'legal_publicity', townshipId: 'qianyuan', participants: [] }),
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ townshipId: 'qianyuan', participants: [], providerId: 'chenxi' });
    const noTownship = await record(await worker(), activityBody([], { type: 'legal_publicity' }));
    expect(noTownship.status).toBe(400);
    expect(noTownship.body.errors.map((e: { path: string }) => e.path)).toContain('townshipId');
    const visitWithoutAnyone = await record(await worker(), activityBody([], { townshipId: 'wukang' }));
    expect(visitWithoutAnyone.status).toBe(400);
    expect(visitWithoutAnyone.body.errors[0].path).toBe('participants');
  });

  it('accepts every type of API.md, and the county’s own once the bureau admin adds it', async () => {
    const s = await servedSupervisee();
    const types = [
      'home_visit',
      'phone_followup',
      'education',
      'community_service',
      'individual_education',
      'report_in_person',
      'written_report',
      'psych_assessment',
      'psych_counselling',
      'risk_assessment',
      'group_activity',
      'skills_training',
      'employment_help',
      'hardship_aid',
      'legal_publicity',
      'verification_callback',
    ];
    for (const [i, type] of types.entries()) {
      const r = await record(
        await admin(),
        activityBody([s.id], { type, occurredOn: '2026-02-02', startTime: null, durationMinutes: 10 + i }),
      );
      expect({ type, status: r.status }).toEqual({ type, status: 201 });
    }
    const unknown = await record(await worker(), activityBody([s.id], { type: 'tea_party' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('type');

    const refused = await call('POST', `${D}/activity-types`, {
      token: await tokenFor('deqing.officer'),
      body: { code: 'tea_party', labelZh: '茶话会' },
    });
    expect(refused.status).toBe(403);
    const added = await call('POST', `${D}/activity-types`, {
      token: await admin(),
      body: { code: 'tea_party', labelZh: '茶话会', labelEn: 'Tea party' },
    });
    expect(added.status, added.text).toBe(201);
    expect(
      (
        await call('POST', `${D}/activity-types`, {
          token: await admin(),
          body: { code: 'tea_party', labelZh: 'x' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await call('POST', `${D}/activity-types`, {
          token: await admin(),
          body: { code: 'home_visit', labelZh: 'x' },
        })
      ).status,
    ).toBe(409);
    const list = await call('GET', `${D}/activity-types`, { token: await worker() });
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        { code: 'home_visit', labelZh: '上门走访', labelEn: 'Home visit', custom: false },
        { code: 'tea_party', labelZh: '茶话会', labelEn: 'Tea party', custom: true },
      ]),
    );
    const ok = await record(await worker(), activityBody([s.id], { type: 'tea_party', startTime: '20:00' }));
    expect(ok.status, ok.text).toBe(201);
    // Anji has not defined it.
    const anji = await call('GET', '/api/v1/counties/anji/activity-types', {
      token: await tokenFor('anji.admin'),
    });
    expect(anji.body.items.map((t: { code: string }) => t.code)).not.toContain('tea_party');
  });

  it('refuses impossible input, naming each field', async () => {
    const s = await servedSupervisee();
    const t = await worker();
    const cases: [Record<string, unknown>, string][] = [
      [{ durationMinutes: 0 }, 'durationMinutes'],
      [{ durationMinutes: 24 * 60 + 1 }, 'durationMinutes'],
      [{ durationMinutes: 1.5 }, 'durationMinutes'],
      [{ occurredOn: '2099-01-01' }, 'occurredOn'],
      [{ occurredOn: '2026-02-30' }, 'occurredOn'],
      [{ startTime: '25:00' }, 'startTime'],
      [{ participants: [{ superviseeId: s.id }, { superviseeId: s.id }] }, 'participants.1.superviseeId'],
      [{ participants: [{ superviseeId: s.id, minutes: 61 }] }, 'participants.0.minutes'],
      [{ participants: [{ superviseeId: 'nobody' }] }, 'participants.0.superviseeId'],
      [{ occurredOn: '2025-12-31' }, 'participants.0.superviseeId'], // before the term
      [{ townshipId: 'dipu' }, 'townshipId'],
      [{ extra: 1 }, ''],
    ];
    for (const [patch, path] of cases) {
      const r = await record(t, activityBody([s.id], patch));
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });
});

describe('who may record for whom', () => {
  it('lets provider staff record only for supervisees their provider serves, and only for their own provider', async () => {
    const notServed = await newSupervisee();
    const r = await record(await worker(), activityBody([notServed.id]));
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('participants.0.superviseeId');
    const served = await servedSupervisee();
    const { providerId } = await otherProvider();
    const forOther = await record(await worker(), activityBody([served.id], { providerId }));
    expect(forOther.status).toBe(403);
    const other = await otherProvider();
    const otherWorker = await record(other.worker, activityBody([served.id]));
    expect(otherWorker.status).toBe(400);
  });

  it('lets an office record in its townships only, without a provider', async () => {
    const inWukang = await newSupervisee({ townshipId: 'wukang' });
    const inXinshi = await newSupervisee({ townshipId: 'xinshi' });
    const ok = await record(await office(), activityBody([inWukang.id], { type: 'report_in_person' }));
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toMatchObject({
      providerId: null,
      ledgerId: null,
      ledgerStatus: null,
      townshipId: 'wukang',
    });
    const elsewhere = await record(await office(), activityBody([inXinshi.id]));
    expect(elsewhere.status).toBe(400);
    const asProvider = await record(await office(), activityBody([inWukang.id], { providerId: 'chenxi' }));
    expect(asProvider.status).toBe(403);
  });

  it('lets the bureau record without provider, or for a provider serving the county', async () => {
    const s = await newSupervisee();
    const own = await record(await admin(), activityBody([s.id], { type: 'verification_callback' }));
    expect(own.status, own.text).toBe(201);
    expect(own.body.providerId).toBeNull();
    const forChenxi = await record(
      await admin(),
      activityBody([s.id], { providerId: 'chenxi', startTime: '11:00' }),
    );
    expect(forChenxi.status, forChenxi.text).toBe(201);
    const unknown = await record(await admin(), activityBody([s.id], { providerId: 'nope' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('providerId');
  });

  it('refuses roles that do not record services', async () => {
    const s = await servedSupervisee();
    for (const login of ['deqing.finance', 'deqing.evaluator']) {
      expect((await record(await tokenFor(login), activityBody([s.id]))).status).toBe(403);
    }
  });

  it('checks a staff member named by the provider admin', async () => {
    const s = await servedSupervisee();
    const ok = await record(
      await providerAdmin(),
      activityBody([s.id], { staffUserId: 'u-provider-worker', startTime: '07:00', durationMinutes: 30 }),
    );
    expect(ok.status, ok.text).toBe(201);
    const stranger = await record(
      await providerAdmin(),
      activityBody([s.id], { staffUserId: 'u-deqing-admin' }),
    );
    expect(stranger.status).toBe(400);
    expect(stranger.body.errors[0].path).toBe('staffUserId');
  });
});

describe('reading activities', () => {
  it('filters by supervisee, type, provider and dates, and pages with a cursor', async () => {
    const s = await servedSupervisee();
    const t = await worker();
    const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05'];
    for (const day of days) {
      expect(
        (await record(t, activityBody([s.id], { occurredOn: day, type: 'phone_followup' }))).status,
      ).toBe(201);
    }
    expect(
      (await record(t, activityBody([s.id], { occurredOn: '2026-04-03', startTime: '15:00' }))).status,
    ).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `superviseeId=${s.id}&type=phone_followup&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call('GET', `${D}/activities?${q}`, { token: t });
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items.map((i: { occurredOn: string }) => i.occurredOn));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...days].reverse());
    const ranged = await call('GET', `${D}/activities?superviseeId=${s.id}&from=2026-04-02&to=2026-04-03`, {
      token: t,
    });
    expect(ranged.body.items).toHaveLength(3);
    const bad = await call('GET', `${D}/activities?cursor=garbage`, { token: t });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('cursor');
  });

  it("keeps one provider from reading another provider's activities", async () => {
    const s = await servedSupervisee();
    const mine = await record(await worker(), activityBody([s.id], { occurredOn: '2026-05-05' }));
    const other = await otherProvider();
    expect((await call('GET', `${D}/activities/${mine.body.id}`, { token: other.admin })).status).toBe(404);
    const list = await call('GET', `${D}/activities?superviseeId=${s.id}`, { token: other.worker });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    const filtered = await call('GET', `${D}/activities?providerId=chenxi`, { token: other.admin });
    expect(filtered.status).toBe(403);
    const patch = await call('PATCH', `${D}/activities/${mine.body.id}`, {
      token: other.admin,
      body: { summary: 'x' },
    });
    expect(patch.status).toBe(404);
  });

  it("keeps an office to its townships' activities", async () => {
    const inXinshi = await servedSupervisee({ townshipId: 'xinshi' });
    const r = await record(await worker(), activityBody([inXinshi.id], { occurredOn: '2026-05-06' }));
    expect((await call('GET', `${D}/activities/${r.body.id}`, { token: await office() })).status).toBe(404);
    expect((await call('GET', `${D}/activities/${r.body.id}`, { token: await xinshiOffice() })).status).toBe(
      200,
    );
  });
});

describe('flags for reviewers', () => {
  it('flags the same supervisee in two overlapping activities, and the same worker in two places at once', async () => {
    const s = await servedSupervisee();
    const s2 = await servedSupervisee();
    const t = await worker();
    const first = await record(
      t,
      activityBody([s.id], { occurredOn: '2026-06-01', startTime: '10:00', durationMinutes: 60 }),
    );
    expect(first.body.flags).toEqual([]);
    const clash = await record(
      t,
      activityBody([s.id], {
        type: 'education',
        occurredOn: '2026-06-01',
        startTime: '10:30',
        durationMinutes: 60,
      }),
    );
    expect(clash.body.flags).toEqual(
      expect.arrayContaining([
        { kind: 'supervisee_overlap', otherActivityId: first.body.id, superviseeId: s.id },
        { kind: 'staff_overlap', otherActivityId: first.body.id, staffUserId: 'u-provider-worker' },
      ]),
    );
    const elsewhere = await record(
      t,
      activityBody([s2.id], {
        occurredOn: '2026-06-01',
        startTime: '10:45',
        durationMinutes: 30,
        place: '乾元镇',
      }),
    );
    expect(elsewhere.body.flags).toEqual(
      expect.arrayContaining([
        { kind: 'staff_overlap', otherActivityId: first.body.id, staffUserId: 'u-provider-worker' },
      ]),
    );
    expect(elsewhere.body.flags.some((f: { kind: string }) => f.kind === 'supervisee_overlap')).toBe(false);
    // Back to back is not an overlap.
    const after = await record(
      t,
      activityBody([s2.id], { occurredOn: '2026-06-01', startTime: '11:30', durationMinutes: 30 }),
    );
    expect(after.body.flags).toEqual([]);
    // The earlier record now shows the flag too.
    const reread = await call('GET', `${D}/activities/${first.body.id}`, { token: t });
    expect(reread.body.flags.map((f: { otherActivityId: string }) => f.otherActivityId)).toEqual(
      expect.arrayContaining([clash.body.id, elsewhere.body.id]),
    );
    // A voided activity no longer flags anyone.
    await call('POST', `${D}/activities/${clash.body.id}/void`, { token: t, body: { reason: '重复录入' } });
    const afterVoid = await call('GET', `${D}/activities/${first.body.id}`, { token: t });
    expect(afterVoid.body.flags.map((f: { otherActivityId: string }) => f.otherActivityId)).toEqual([
      elsewhere.body.id,
    ]);
  });

  it('flags a possible duplicate: same service, same day, without times', async () => {
    const s = await servedSupervisee();
    const t = await worker();
    const a = await record(t, activityBody([s.id], { occurredOn: '2026-06-02', startTime: null }));
    const b = await record(t, activityBody([s.id], { occurredOn: '2026-06-02', startTime: '15:00' }));
    expect(b.body.flags).toEqual([
      { kind: 'possible_duplicate', otherActivityId: a.body.id, superviseeId: s.id },
    ]);
  });

  it("hides the id of another provider's clashing activity", async () => {
    const s = await servedSupervisee();
    const other = await otherProvider();
    await call('POST', `${D}/supervisees/${s.id}/assignments`, {
      token: await admin(),
      body: { providerId: other.providerId, from: '2026-01-01' },
    });
    await record(other.worker, activityBody([s.id], { occurredOn: '2026-06-03', startTime: '09:00' }));
    const mine = await record(
      await worker(),
      activityBody([s.id], { occurredOn: '2026-06-03', startTime: '09:30' }),
    );
    expect(mine.body.flags).toEqual([
      { kind: 'supervisee_overlap', otherActivityId: null, superviseeId: s.id },
    ]);
  });
});

describe('changing and voiding', () => {
  it('edits an activity under If-Match, recomputing participants, and refuses a stale tag', async () => {
    const s = await servedSupervisee();
    const s2 = await servedSupervisee();
    const t = await worker();
    const r = await record(t, activityBody([s.id], { occurredOn: '2026-07-01' }));
    const p = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: t,
      headers: { 'if-match': '"v1"' },
      body: {
        durationMinutes: 90,
        participants: [{ superviseeId: s.id }, { superviseeId: s2.id, minutes: 45 }],
      },
    });
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({
      durationMinutes: 90,
      version: 2,
      participants: [
        { superviseeId: s.id, minutes: 90 },
        { superviseeId: s2.id, minutes: 45 },
      ],
    });
    const stale = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: t,
      headers: { 'if-match': '"v1"' },
      body: { summary: '改' },
    });
    expect(stale.status).toBe(412);
    const bad = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: t,
      body: { durationMinutes: 0 },
    });
    expect(bad.status).toBe(400);
    const unknown = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: t,
      body: { providerId: 'x' },
    });
    expect(unknown.status).toBe(400);
  });

  it('moves an activity to the ledger of its new date', async () => {
    const s = await servedSupervisee();
    const t = await worker();
    const r = await record(t, activityBody([s.id], { occurredOn: '2026-07-20' })); // cycle 2026-07
    const p = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: t,
      body: { occurredOn: '2026-07-27' },
    });
    expect(p.status, p.text).toBe(200);
    expect(p.body.ledgerId).not.toBe(r.body.ledgerId);
    const ledger = await call('GET', `${D}/ledgers/${p.body.ledgerId}`, { token: t });
    expect(ledger.body.cycle).toBe('2026-08');
  });

  it('voids with a reason, keeps the record, and refuses changes to it afterwards', async () => {
    const s = await servedSupervisee();
    const t = await worker();
    const r = await record(t, activityBody([s.id], { occurredOn: '2026-07-02' }));
    const v = await call('POST', `${D}/activities/${r.body.id}/void`, {
      token: t,
      body: { reason: '录入错误' },
    });
    expect(v.status, v.text).toBe(200);
    expect(v.body).toMatchObject({ status: 'voided', voidReason: '录入错误', voidedBy: 'u-provider-worker' });
    const again = await call('POST', `${D}/activities/${r.body.id}/void`, {
      token: t,
      body: { reason: 'x' },
    });
    expect(again.status).toBe(409);
    const patch = await call('PATCH', `${D}/activities/${r.body.id}`, { token: t, body: { summary: 'x' } });
    expect(patch.status).toBe(409);
    const kept = await env
      .COUNTY_DEQING!.prepare('SELECT status FROM activities WHERE id = ?')
      .bind(r.body.id)
      .first();
    expect(kept).toEqual({ status: 'voided' });
    const noReason = await call('POST', `${D}/activities/${r.body.id}/void`, { token: t, body: {} });
    expect(noReason.status).toBe(400);
  });

  it("lets a worker change only what they recorded, and the provider admin any of the provider's", async () => {
    const s = await servedSupervisee();
    const byAdmin = await record(await providerAdmin(), activityBody([s.id], { occurredOn: '2026-07-03' }));
    const w = await call('PATCH', `${D}/activities/${byAdmin.body.id}`, {
      token: await worker(),
      body: { summary: 'x' },
    });
    expect(w.status).toBe(403);
    const byWorker = await record(await worker(), activityBody([s.id], { occurredOn: '2026-07-04' }));
    const a = await call('PATCH', `${D}/activities/${byWorker.body.id}`, {
      token: await providerAdmin(),
      body: { summary: '主任补充' },
    });
    expect(a.status, a.text).toBe(200);
  });

  it('writes an audit entry per change without personal values', async () => {
    const s = await servedSupervisee();
    const r = await record(
      await worker(),
      activityBody([s.id], { occurredOn: '2026-07-05', summary: '谈话内容保密' }),
    );
    const { results } = await env
      .COUNTY_DEQING!.prepare(
        "SELECT action, detail FROM audit_log WHERE target_id = ? AND action LIKE 'activity.%'",
      )
      .bind(r.body.id)
      .all<{ action: string; detail: string }>();
    expect(results.map((x) => x.action)).toEqual(['activity.create']);
    expect(JSON.stringify(results)).not.toContain('谈话内容保密');
  });
});

describe('the OpenAPI document', () => {
  it('documents the activity, ledger, assignment and call-back routes, with Idempotency-Key', async () => {
    const r = await call('GET', '/openapi.json');
    const paths = Object.keys(r.body.paths);
    for (const p of [
      '/api/v1/counties/{county}/activities',
      '/api/v1/counties/{county}/activities/{id}/amendments',
      '/api/v1/counties/{county}/ledgers/{id}/confirm',
      '/api/v1/counties/{county}/supervisees/{id}/assignments',
      '/api/v1/counties/{county}/verification-callbacks/report',
    ]) {
      expect(paths).toContain(p);
    }
    const post = r.body.paths['/api/v1/counties/{county}/activities'].post;
    expect(post.parameters.map((x: { name: string }) => x.name)).toContain('idempotency-key');
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '409', '422']));
  });
});

describe('the summary is personal data, stored encrypted (ADR 0403)', () => {
  const secret = () => `谈话记录：对象自述与配偶冲突${crypto.randomUUID().slice(0, 8)}`;
  const rawRow = (id: string) =>
    env
      .COUNTY_DEQING!.prepare('SELECT * FROM activities WHERE id = ?')
      .bind(id)
      .first<Record<string, unknown>>();
  const readAudits = async (id: string) =>
    (
      await env
        .COUNTY_DEQING!.prepare(
          "SELECT target_id, detail FROM audit_log WHERE action = 'activity.read_personal' AND detail LIKE ?",
        )
        .bind(`%${id}%`)
        .all<{ target_id: string | null; detail: string }>()
    ).results;

  it('stores only ciphertext bound to its row, answers it in clear, and audits the read by id', async () => {
    const s = await servedSupervisee();
    const summary = secret();
    const key = crypto.randomUUID();
    const r = await record(await worker(), activityBody([s.id], { summary }), { 'idempotency-key': key });
    expect(r.status, r.text).toBe(201);
    expect(r.body.summary).toBe(summary);
    const raw = await rawRow(r.body.id);
    expect(raw).not.toHaveProperty('summary');
    expect(String(raw!.summary_enc)).toMatch(/^v1\./);
    expect(JSON.stringify(raw)).not.toContain(summary);
    // Nor in the answer kept for retries; the retry still answers it in clear.
    const kept = await env
      .COUNTY_DEQING!.prepare('SELECT response_body FROM idempotency_keys WHERE key = ?')
      .bind(key)
      .first<{ response_body: string }>();
    expect(kept!.response_body).not.toContain(summary);
    const retry = await record(await worker(), activityBody([s.id], { summary }), { 'idempotency-key': key });
    expect(retry.body).toEqual(r.body);

    expect(await readAudits(r.body.id)).toHaveLength(1); // the retry's answer
    const one = await call('GET', `${D}/activities/${r.body.id}`, { token: await office() });
    expect(one.body.summary).toBe(summary);
    const list = await call('GET', `${D}/activities?superviseeId=${s.id}`, { token: await admin() });
    expect(list.body.items.map((x: { summary: string }) => x.summary)).toEqual([summary]);
    const audits = await readAudits(r.body.id);
    expect(audits).toHaveLength(3);
    expect(audits[1]).toMatchObject({ target_id: r.body.id });
    expect(JSON.parse(audits[2]!.detail)).toMatchObject({ fields: ['summary'], activityIds: [r.body.id] });
    expect(JSON.stringify(audits)).not.toContain(summary);

    // A ciphertext moved to another activity no longer opens: the read fails rather than lie.
    const other = await record(await worker(), activityBody([s.id], { occurredOn: '2026-03-11' }));
    await env
      .COUNTY_DEQING!.prepare('UPDATE activities SET summary_enc = ? WHERE id = ?')
      .bind(raw!.summary_enc, other.body.id)
      .run();
    const moved = await call('GET', `${D}/activities/${other.body.id}`, { token: await admin() });
    expect(moved.status).toBe(500);
    expect(moved.text).not.toContain(summary);
    // Put right, so the ledger it sits in reads again for the other tests.
    await env
      .COUNTY_DEQING!.prepare('UPDATE activities SET summary_enc = NULL WHERE id = ?')
      .bind(other.body.id)
      .run();
  });

  it('keeps an unchanged summary through a PATCH, replaces or clears it on request', async () => {
    const s = await servedSupervisee();
    const summary = secret();
    const r = await record(await worker(), activityBody([s.id], { summary, occurredOn: '2026-03-12' }));
    const before = (await rawRow(r.body.id))!.summary_enc;
    const longer = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: await worker(),
      body: { durationMinutes: 75 },
    });
    expect(longer.status, longer.text).toBe(200);
    expect(longer.body.summary).toBe(summary);
    expect((await rawRow(r.body.id))!.summary_enc).toBe(before);
    const changed = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: await worker(),
      body: { summary: '改写后的内容' },
    });
    expect(changed.body.summary).toBe('改写后的内容');
    expect(JSON.stringify(await rawRow(r.body.id))).not.toContain('改写后的内容');
    const cleared = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: await worker(),
      body: { summary: '' },
    });
    expect(cleared.body.summary).toBeNull();
    expect((await rawRow(r.body.id))!.summary_enc).toBeNull();
    // Too long a summary is refused naming the field, and nothing changes.
    const tooLong = await call('PATCH', `${D}/activities/${r.body.id}`, {
      token: await worker(),
      body: { summary: 'x'.repeat(4001) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { path: string }) => e.path)).toEqual(['summary']);
  });

  it('shows the summary in the ledger, and decrypts none for the download, which has no summary', async () => {
    const s = await servedSupervisee({ townshipId: 'wukang' });
    const summary = secret();
    const r = await record(await worker(), activityBody([s.id], { summary, occurredOn: '2026-03-13' }));
    const ledger = await call('GET', `${D}/ledgers/${r.body.ledgerId}`, { token: await office() });
    expect(ledger.status).toBe(200);
    expect(ledger.body.activities.find((x: { id: string }) => x.id === r.body.id).summary).toBe(summary);
    const audited = (await readAudits(r.body.id)).length;
    const csv = await call('GET', `${D}/activities?superviseeId=${s.id}&format=csv`, {
      token: await admin(),
    });
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(summary);
    expect(await readAudits(r.body.id)).toHaveLength(audited); // nothing decrypted for it
  });
});
