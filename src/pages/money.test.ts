/**
 * The money pages: finance sees the programme's budget as a chart, payments go bureau (record)
 * → finance (approve, pay), the evaluator scores and the bureau accepts, and the bureau publishes
 * the disclosure the public page then shows, with money and without personal data.
 */
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

async function contractPath(browser: CookieClient) {
  const list = await browser.fetch('GET', '/c/deqing/contracts');
  expect(list.status).toBe(200);
  return /href="(\/c\/deqing\/contracts\/[^"?]+)"/.exec(list.text)![1]!;
}

describe('contracts and payments', () => {
  it('shows finance the programme money as SVG and the settlement of a contract', async () => {
    const finance = await signedIn('deqing.finance');
    const list = await finance.fetch('GET', '/c/deqing/contracts');
    expect(list.text).toContain('<svg');
    expect(list.text).toContain('预算');
    const detail = await finance.fetch('GET', await contractPath(finance));
    expect(detail.text).toContain('结算');
  });

  it('records a payment (bureau), then approves and pays it (finance)', async () => {
    const officer = await signedIn('deqing.officer');
    const path = await contractPath(officer);
    const page = await officer.fetch('GET', path);
    const csrf = CookieClient.csrfOf(page.text);
    const recorded = await officer.fetch('POST', `${path}/payments`, {
      form: { _csrf: csrf, kind: 'work_funds', amount: '100.00' },
    });
    expect(recorded.status, recorded.text.slice(0, 2000)).toBe(303);
    const finance = await signedIn('deqing.finance');
    const view = await finance.fetch('GET', path);
    const approve = /action="(\/c\/deqing\/payments\/[^"]+\/approve)"/.exec(view.text);
    if (recorded.status === 303) {
      expect(approve).not.toBeNull();
      const fcsrf = CookieClient.csrfOf(view.text);
      expect((await finance.fetch('POST', approve![1]!, { form: { _csrf: fcsrf } })).status).toBe(303);
      const after = await finance.fetch('GET', path);
      const pay = /action="(\/c\/deqing\/payments\/[^"]+\/pay)"/.exec(after.text)![1]!;
      expect((await finance.fetch('POST', pay, { form: { _csrf: fcsrf } })).status).toBe(303);
      expect((await finance.fetch('GET', path)).text).toContain('已支付');
      // The officer who recorded may not approve: finance only.
      expect((await officer.fetch('POST', approve![1]!, { form: { _csrf: csrf } })).status).toBe(403);
    }
  });

  it('lets the evaluator score and the bureau accept', async () => {
    const evaluator = await signedIn('deqing.evaluator');
    const path = await contractPath(evaluator);
    const page = await evaluator.fetch('GET', path);
    const csrf = CookieClient.csrfOf(page.text);
    const bad = await evaluator.fetch('POST', `${path}/evaluations`, {
      form: { _csrf: csrf, 'score.goals': '99' },
    });
    expect(bad.status).toBe(400);
    const scores = {
      goals: 14,
      completion: 23,
      management: 13,
      effect: 14,
      funds_use: 14,
      financial_management: 13,
    };
    const ok = await evaluator.fetch('POST', `${path}/evaluations`, {
      form: {
        _csrf: csrf,
        ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [`score.${k}`, String(v)])),
      },
    });
    expect(ok.status).toBe(303);
    const admin = await signedIn('deqing.admin');
    const view = await admin.fetch('GET', path);
    const accept = /action="([^"]+\/accept)"/.exec(view.text)![1]!;
    expect(
      (await admin.fetch('POST', accept, { form: { _csrf: CookieClient.csrfOf(view.text) } })).status,
    ).toBe(303);
    expect((await admin.fetch('GET', path)).text).toContain('已采纳');
  });
});

describe('disclosure', () => {
  it('is previewed and published by the bureau; the public page shows the money, no person', async () => {
    const body = superviseeBody({ name: '公开页不应出现', phone: '13722223333' });
    expect(
      (
        await call('POST', '/api/v1/counties/deqing/supervisees', {
          token: await tokenFor('deqing.admin'),
          body,
        })
      ).status,
    ).toBe(201);
    const admin = await signedIn('deqing.admin');
    const preview = await admin.fetch('GET', '/c/deqing/disclosure');
    expect(preview.status).toBe(200);
    const published = await admin.fetch('POST', '/c/deqing/disclosure', {
      form: { _csrf: CookieClient.csrfOf(preview.text) },
    });
    expect(published.status).toBe(303);
    const pub = await call('GET', '/public/deqing');
    expect(pub.text).toContain('预算');
    expect(pub.text).toMatch(/¥[\d,]+\.\d{2}/);
    for (const secret of [body.name, body.idNumber, body.phone, body.address])
      expect(pub.text).not.toContain(secret);
    const officer = await signedIn('deqing.officer');
    const refused = await officer.fetch('POST', '/c/deqing/disclosure', {
      form: { _csrf: CookieClient.csrfOf((await officer.fetch('GET', '/c/deqing/disclosure')).text) },
    });
    expect(refused.status).toBe(403);
  });
});

describe('dashboard money', () => {
  it('shows the year’s programme money to finance, not to a provider', async () => {
    const finance = await signedIn('deqing.finance');
    const page = await finance.fetch('GET', '/c/deqing/');
    expect(page.text).toContain('dash-money-');
    const worker = await signedIn('provider.worker');
    expect((await worker.fetch('GET', '/c/deqing/')).text).not.toContain('dash-money-');
  });
});
