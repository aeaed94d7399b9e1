/**
 * The field and review pages: recording a service (one activity however often the form is sent)
 * and a ledger's round trip between the provider and the township office.
 */
import { describe, expect, it } from 'vitest';
import { CookieClient } from '../../test/helpers/browser-like';
import { daysFromToday, today as todayInCounty } from '../../test/helpers/compliance';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { OFF_SITE_TARGETS } from '../../test/helpers/redirects';
import { DEMO_PASSWORD } from '../demo/data';

async function signedIn(login: string) {
  const browser = new CookieClient();
  const r = await browser.fetch('POST', '/login', { form: { login, password: DEMO_PASSWORD } });
  expect(r.status).toBe(303);
  return browser;
}

/** A supervisee of 武康 assigned to the demo provider. */
async function served(name = '走访对象') {
  const admin = await tokenFor('deqing.admin');
  // A term that holds both the fixed days some tests record on (2026) and today's services.
  const termStart = [daysFromToday(-100), '2026-01-01'].sort()[0]!;
  const termEnd = [daysFromToday(300), '2027-06-30'].sort()[1]!;
  const r = await call('POST', '/api/v1/counties/deqing/supervisees', {
    token: admin,
    body: superviseeBody({ name, townshipId: 'wukang', termStart, termEnd }),
  });
  expect(r.status).toBe(201);
  const a = await call('POST', `/api/v1/counties/deqing/supervisees/${r.body.id}/assignments`, {
    token: admin,
    body: { providerId: 'chenxi', workerUserId: 'u-provider-worker', from: termStart },
  });
  expect(a.status, a.text).toBe(201);
  return r.body.id as string;
}

const formOf = (html: string) => ({
  _csrf: CookieClient.csrfOf(html),
  key: /name="key" value="([^"]+)"/.exec(html)![1]!,
});

describe('record a service', () => {
  it('records a home visit once, however often the form is sent', async () => {
    const id = await served();
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', `/c/deqing/record?supervisee=${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`value="${id}"[^>]*checked`));
    const f = formOf(page.text);
    const today = todayInCounty();
    const body = {
      ...f,
      type: 'home_visit',
      superviseeId: id,
      occurredOn: today,
      minutes: '45',
      summary: '走访了解近况',
    };
    const first = await worker.fetch('POST', '/c/deqing/record', { form: body });
    expect(first.status).toBe(303);
    const again = await worker.fetch('POST', '/c/deqing/record', { form: body });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    const list = await call('GET', `/api/v1/counties/deqing/activities?superviseeId=${id}`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ type: 'home_visit', durationMinutes: 45 });
    const record = await worker.fetch('GET', `/c/deqing/supervisees/${id}`);
    expect(record.text).toContain('走访了解近况');
  });

  it('says what is missing, on the fields', async () => {
    await served();
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', '/c/deqing/record');
    const r = await worker.fetch('POST', '/c/deqing/record', {
      form: { ...formOf(page.text), occurredOn: '2026-03-01', minutes: '30' },
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain('id="type-error"');
    expect(r.text).toContain('请选择服务对象');
  });

  it('records a group session with several participants', async () => {
    const a = await served('小组甲');
    const b = await served('小组乙');
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', '/c/deqing/record');
    const form = new URLSearchParams({
      ...formOf(page.text),
      type: 'group_activity',
      occurredOn: '2026-03-02',
      minutes: '90',
    });
    form.append('superviseeId', a);
    form.append('superviseeId', b);
    const r = await worker.fetch('POST', '/c/deqing/record', { form });
    expect(r.status).toBe(303);
    const list = await call('GET', `/api/v1/counties/deqing/activities?superviseeId=${b}`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(
      list.body.items[0].participants.map((x: { superviseeId: string }) => x.superviseeId).sort(),
    ).toEqual([a, b].sort());
  });
});

describe('ledger pages', () => {
  it('goes provider → office (returned with reasons) → provider → office (confirmed)', async () => {
    const id = await served('台账对象');
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', '/c/deqing/record');
    const recorded = await worker.fetch('POST', '/c/deqing/record', {
      form: {
        ...formOf(page.text),
        type: 'phone_followup',
        superviseeId: id,
        occurredOn: '2026-02-10',
        minutes: '15',
      },
    });
    expect(recorded.status).toBe(303);

    const providerAdmin = await signedIn('provider.admin');
    const list = await providerAdmin.fetch('GET', '/c/deqing/ledgers?status=draft');
    const href = /href="(\/c\/deqing\/ledgers\/[^"?]+)">2026-02</.exec(list.text)![1]!;
    const ledger = await providerAdmin.fetch('GET', href);
    expect(ledger.text).toContain('电话回访');
    const version = () => /name="version" value="(\d+)"/;
    const submit = await providerAdmin.fetch('POST', `${href}/submit`, {
      form: { _csrf: CookieClient.csrfOf(ledger.text), version: version().exec(ledger.text)![1]! },
    });
    expect(submit.status).toBe(303);

    // A social worker may not submit; the office reviews.
    expect(
      (await worker.fetch('POST', `${href}/submit`, { form: { _csrf: CookieClient.csrfOf(page.text) } }))
        .status,
    ).toBe(403);
    const office = await signedIn('deqing.office.wukang');
    const review = await office.fetch('GET', href);
    const csrf = CookieClient.csrfOf(review.text);
    const v = version().exec(review.text)![1]!;
    const noReason = await office.fetch('POST', `${href}/return`, {
      form: { _csrf: csrf, version: v, reason: '' },
    });
    expect(noReason.status).toBe(400);
    const returned = await office.fetch('POST', `${href}/return`, {
      form: { _csrf: csrf, version: v, reason: '2月10日回访缺少通话记录' },
    });
    expect(returned.status).toBe(303);
    const stale = await office.fetch('POST', `${href}/confirm`, { form: { _csrf: csrf, version: v } });
    expect(stale.status).toBe(412);

    const again = await providerAdmin.fetch('GET', href);
    expect(again.text).toContain('2月10日回访缺少通话记录');
    expect(
      (
        await providerAdmin.fetch('POST', `${href}/submit`, {
          form: { _csrf: CookieClient.csrfOf(again.text), version: version().exec(again.text)![1]! },
        })
      ).status,
    ).toBe(303);
    const last = await office.fetch('GET', href);
    const confirmed = await office.fetch('POST', `${href}/confirm`, {
      form: { _csrf: csrf, version: version().exec(last.text)![1]! },
    });
    expect(confirmed.status).toBe(303);
    const bureau = await signedIn('deqing.officer');
    expect((await bureau.fetch('GET', '/c/deqing/ledgers?status=confirmed')).text).toContain(href);
  });
});

describe('record form: where it goes back to', () => {
  it('shows and follows only a `back` that is a path of this site', async () => {
    const id = await served('返回对象');
    const worker = await signedIn('provider.worker');
    const csrf = CookieClient.csrfOf((await worker.fetch('GET', '/c/deqing/record')).text);
    for (const back of OFF_SITE_TARGETS) {
      const page = await worker.fetch(
        'GET',
        `/c/deqing/record?supervisee=${id}&back=${encodeURIComponent(back)}`,
      );
      expect(page.status, JSON.stringify(back)).toBe(200);
      expect(page.text, JSON.stringify(back)).not.toContain('name="back"');
      // Nor the ← back link (the language switch keeps the address as it is, encoded).
      expect(page.text).not.toContain('← ');
      const saved = await worker.fetch('POST', '/c/deqing/record', {
        form: {
          _csrf: csrf,
          key: crypto.randomUUID(),
          back,
          type: 'phone_followup',
          superviseeId: id,
          occurredOn: todayInCounty(),
          minutes: '15',
        },
      });
      // Saved, and back on the record form as if no `back` had been given.
      expect(saved.status, JSON.stringify(back)).toBe(303);
      expect(saved.headers.get('location'), JSON.stringify(back)).toMatch(/^\/c\/deqing\/record\?done=/);
    }
    const kept = await worker.fetch(
      'GET',
      `/c/deqing/record?supervisee=${id}&back=${encodeURIComponent(`/c/deqing/supervisees/${id}`)}`,
    );
    expect(kept.text).toContain(`name="back" value="/c/deqing/supervisees/${id}"`);
  });

  it('sends the void form back only to a path of this site, else to the ledgers', async () => {
    const id = await served('作废返回对象');
    const worker = await signedIn('provider.worker');
    const form = await worker.fetch('GET', '/c/deqing/record');
    const recorded = await worker.fetch('POST', '/c/deqing/record', {
      form: {
        ...formOf(form.text),
        type: 'education',
        superviseeId: id,
        occurredOn: todayInCounty(),
        minutes: '60',
      },
    });
    const activityId = new URL(`https://x${recorded.headers.get('location')}`).searchParams.get('done')!;
    const providerAdmin = await signedIn('provider.admin');
    const csrf = CookieClient.csrfOf((await providerAdmin.fetch('GET', '/c/deqing/ledgers')).text);
    for (const back of OFF_SITE_TARGETS) {
      // Without a reason: refused and sent back, nothing written.
      const r = await providerAdmin.fetch('POST', `/c/deqing/activities/${activityId}/void`, {
        form: { _csrf: csrf, back },
      });
      expect(r.status, JSON.stringify(back)).toBe(303);
      expect(r.headers.get('location'), JSON.stringify(back)).toMatch(/^\/c\/deqing\/ledgers\?error=/);
    }
  });
});

describe('assignments and corrections', () => {
  it('lets the bureau assign a provider and its worker from the record page', async () => {
    const admin = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/supervisees', {
      token: admin,
      body: superviseeBody({ name: '安排对象', townshipId: 'wukang' }),
    });
    const officer = await signedIn('deqing.officer');
    const page = await officer.fetch('GET', `/c/deqing/supervisees/${r.body.id}`);
    expect(page.text).toContain('安排社工组织');
    const done = await officer.fetch('POST', `/c/deqing/supervisees/${r.body.id}/assignments`, {
      form: {
        _csrf: CookieClient.csrfOf(page.text),
        providerId: 'chenxi',
        workerUserId: 'u-provider-worker',
        from: '2026-02-01',
      },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toContain('done=assigned');
    const after = await officer.fetch('GET', done.headers.get('location')!);
    expect(after.text).toContain('德清县晨曦社会工作服务中心');
    // The same period again overlaps: shown as an error on the record, nothing written.
    const again = await officer.fetch('POST', `/c/deqing/supervisees/${r.body.id}/assignments`, {
      form: { _csrf: CookieClient.csrfOf(page.text), providerId: 'chenxi', from: '2026-03-01' },
    });
    expect(again.headers.get('location')).toContain('error=');
    const shown = await officer.fetch('GET', again.headers.get('location')!);
    expect(shown.text).toContain('该对象在这段时间内已安排给此社工组织');
    // A social worker may not assign.
    const worker = await signedIn('provider.worker');
    const refused = await worker.fetch('POST', `/c/deqing/supervisees/${r.body.id}/assignments`, {
      form: { _csrf: CookieClient.csrfOf(page.text), providerId: 'chenxi', from: '2026-02-01' },
    });
    expect(refused.status).toBe(403);
  });

  it('lets the provider admin void an activity of a draft ledger, with a reason', async () => {
    const id = await served('作废对象');
    const worker = await signedIn('provider.worker');
    const form = await worker.fetch('GET', '/c/deqing/record');
    const recorded = await worker.fetch('POST', '/c/deqing/record', {
      form: {
        ...formOf(form.text),
        type: 'education',
        superviseeId: id,
        occurredOn: '2026-04-08',
        minutes: '60',
      },
    });
    expect(recorded.status).toBe(303);
    const activityId = new URL(`https://x${recorded.headers.get('location')}`).searchParams.get('done')!;
    const providerAdmin = await signedIn('provider.admin');
    const list = await providerAdmin.fetch('GET', '/c/deqing/ledgers?status=draft');
    const href = /href="(\/c\/deqing\/ledgers\/[^"?]+)">2026-04</.exec(list.text)![1]!;
    const ledger = await providerAdmin.fetch('GET', href);
    expect(ledger.text).toContain(`/c/deqing/activities/${activityId}/void`);
    const csrf = CookieClient.csrfOf(ledger.text);
    const noReason = await providerAdmin.fetch('POST', `/c/deqing/activities/${activityId}/void`, {
      form: { _csrf: csrf, back: href },
    });
    expect(noReason.headers.get('location')).toContain('error=');
    expect((await providerAdmin.fetch('GET', noReason.headers.get('location')!)).text).toContain(
      '请填写作废原因。',
    );
    const voided = await providerAdmin.fetch('POST', `/c/deqing/activities/${activityId}/void`, {
      form: { _csrf: csrf, back: href, [`reason-${activityId}`]: '重复录入' },
    });
    expect(voided.headers.get('location')).toBe(`${href}?done=voided`);
    const a = await call('GET', `/api/v1/counties/deqing/activities/${activityId}`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(a.body.status).toBe('voided');
  });
});
