/**
 * Compliance in the console: the cross-county worklist, the supervisee's calendar, the
 * dashboard charts and the what-if preview of a draft rule set.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CookieClient } from '../../test/helpers/browser-like';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { DEMO_PASSWORD } from '../demo/data';

async function signedIn(login: string) {
  const browser = new CookieClient();
  const r = await browser.fetch('POST', '/login', { form: { login, password: DEMO_PASSWORD } });
  expect(r.status).toBe(303);
  return browser;
}

async function served(name: string) {
  const admin = await tokenFor('deqing.admin');
  const r = await call('POST', '/api/v1/counties/deqing/supervisees', {
    token: admin,
    body: superviseeBody({ name, townshipId: 'wukang', termStart: '2026-01-01', termEnd: '2028-12-31' }),
  });
  expect(r.status).toBe(201);
  await env
    .COUNTY_DEQING!.prepare(
      "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
    )
    .bind(crypto.randomUUID(), r.body.id)
    .run();
  return r.body.id as string;
}

describe('worklist and calendar', () => {
  it('lists the visits due for the worker’s supervisees, with a record link, across counties', async () => {
    const id = await served('待办对象');
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', '/worklist');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`data-supervisee="${id}" data-requirement="visit"`));
    expect(page.text).toContain(`/c/deqing/record?supervisee=${id}&amp;type=home_visit`);
    // Nobody else's: the finance officer is responsible for no supervisee.
    const finance = await signedIn('deqing.finance');
    expect((await finance.fetch('GET', '/worklist')).text).not.toContain(id);
  });

  it('shows the compliance calendar on the record', async () => {
    const id = await served('日历对象');
    const officer = await signedIn('deqing.officer');
    const page = await officer.fetch('GET', `/c/deqing/supervisees/${id}`);
    expect(page.text).toMatch(/data-requirement="visit" data-status="(open|short|due|overdue)"/);
  });

  it('shows the month’s shares on the dashboard as SVG charts', async () => {
    await served('看板对象');
    const officer = await signedIn('deqing.officer');
    const page = await officer.fetch('GET', '/c/deqing/');
    expect(page.text).toContain('id="chart-requirements-title"');
    expect(page.text).toContain('id="chart-providers-title"');
    expect(page.text).toContain('逾期未完成');
  });
});

describe('what-if preview', () => {
  it('shows, per requirement, who would be short under the draft', async () => {
    await served('试算对象');
    const admin = await signedIn('deqing.admin');
    const list = await admin.fetch('GET', '/c/deqing/rule-sets');
    const created = await admin.fetch('POST', '/c/deqing/rule-sets', {
      form: { _csrf: CookieClient.csrfOf(list.text), from: 'current' },
    });
    const path = created.headers.get('location')!.split('?')[0]!;
    const month = new Date().toISOString().slice(0, 7);
    const page = await admin.fetch('GET', `${path}?preview=${month}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="preview-result"');
  });
});
