/**
 * Compliance in the console: a worklist item disappears once the visit is recorded and the
 * calendar shows its window met; the dashboard charts; the what-if preview of a draft.
 */
import { describe, expect, it } from 'vitest';
import { CookieClient } from '../../test/helpers/browser-like';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { DEMO_PASSWORD } from '../demo/data';
import { nowInstant } from '../lib/time';

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
  const a = await call('POST', `/api/v1/counties/deqing/supervisees/${r.body.id}/assignments`, {
    token: admin,
    body: { providerId: 'chenxi', workerUserId: 'u-provider-worker', from: '2026-01-01' },
  });
  expect(a.status, a.text).toBe(201);
  return r.body.id as string;
}

describe('worklist and calendar', () => {
  it('drops the visit from the worklist once recorded, and shows its window met', async () => {
    const id = await served('待办对象');
    const worker = await signedIn('provider.worker');
    const before = await worker.fetch('GET', '/worklist');
    expect(before.status).toBe(200);
    // The latest visit window on the list (an earlier month's missed visit stays on it as overdue).
    const dues = [
      ...before.text.matchAll(
        new RegExp(`data-supervisee="${id}" data-requirement="visit" data-due="([^"]+)"`, 'g'),
      ),
    ].map((m) => m[1]!);
    const current = dues.sort().at(-1)!;
    expect(current).toBeDefined();
    const row = new RegExp(`data-supervisee="${id}" data-requirement="visit" data-due="${current}"`);
    expect(before.text).toMatch(row);
    // The link of that row (an earlier month's row has its own, dated into its window).
    const link = new RegExp(
      `data-supervisee="${id}" data-requirement="visit" data-due="${current}"[\\s\\S]*?href="(/c/deqing/record\\?supervisee=${id}&amp;type=home_visit&amp;back=[^"]+)"`,
    )
      .exec(before.text)![1]!
      .replaceAll('&amp;', '&');
    const form = await worker.fetch('GET', link);
    expect(form.text).toMatch(/value="home_visit"[^>]*checked/);
    const key = /name="key" value="([^"]+)"/.exec(form.text)![1]!;
    const back = /name="back" value="([^"]+)"/.exec(form.text)![1]!;
    const today =
      /name="occurredOn"[^>]*value="([^"]+)"/.exec(form.text)?.[1] ??
      /value="(\d{4}-\d{2}-\d{2})"[^>]*name="occurredOn"/.exec(form.text)![1]!;
    const saved = await worker.fetch('POST', '/c/deqing/record', {
      form: {
        _csrf: CookieClient.csrfOf(form.text),
        key,
        back,
        type: 'home_visit',
        superviseeId: id,
        occurredOn: today,
        minutes: '30',
      },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toMatch(/^\/worklist\?done=/);
    const after = await worker.fetch('GET', saved.headers.get('location')!);
    expect(after.text).toContain('已记录');
    expect(after.text).not.toMatch(row);
    const record = await worker.fetch('GET', `/c/deqing/supervisees/${id}`);
    expect(record.text).toMatch(
      new RegExp(`data-requirement="visit" data-due="${current}" data-status="met"`),
    );
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
    const month = nowInstant().slice(0, 7);
    const page = await admin.fetch('GET', `${path}?preview=${month}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="preview-result"');
    expect(page.text).toContain('试算预览');
  });
});
