/**
 * The field and review flows: a social worker records a home visit on a phone in a few taps
 * (the form resent by a double tap still records one visit); a ledger goes from the provider to
 * the township office, is returned with reasons, resubmitted and confirmed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, contextFor, DESKTOP, launch, PHONE, shot, signIn } from './browser.ts';
import { apiAs, PEOPLE } from './seed.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('field work', () => {
  it('signs in on a phone, records a home visit from the worklist, and the item turns met', async () => {
    const { context, problems } = await contextFor(browser, PHONE, { mobile: true });
    const page = await signIn(context, 'provider.worker');
    const person = PEOPLE[1]!;
    const id = await idOf(person.caseNumber);
    await page.goto('/worklist');
    await shot(page, 'phone-worklist');
    const rows = page.locator(`tr[data-supervisee="${id}"][data-requirement="visit"]`);
    const dues = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-due')!).sort());
    const current = dues.at(-1)!;
    expect(current).toBeTruthy();
    const row = page.locator(`tr[data-supervisee="${id}"][data-requirement="visit"][data-due="${current}"]`);
    // Taps: the row's record button (home visit and the person preselected), then save.
    await row.getByRole('link').click();
    expect(await page.locator('input[name="type"][value="home_visit"]').isChecked()).toBe(true);
    await Promise.all([
      page.waitForURL(/\/worklist\?done=/),
      page.getByRole('button', { name: '保存记录' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('已记录');
    expect(await row.count()).toBe(0);
    await page.goto(`/c/deqing/supervisees/${id}`);
    // The window of the row recorded from (an earlier month's, when this month's is not yet due).
    const window = page.locator(`li.window[data-requirement="visit"][data-due="${current}"]`);
    expect(await window.getAttribute('data-status')).toBe('met');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('records a home visit on a phone in a few taps, once', async () => {
    const { context, problems } = await contextFor(browser, PHONE, { mobile: true });
    const page = await signIn(context, 'provider.worker');
    const person = PEOPLE[0]!;
    await page.goto('/c/deqing/supervisees');
    await page.getByRole('link', { name: person.caseNumber }).click();
    await page.getByRole('link', { name: '记录一次服务' }).click();
    // Preselected: the supervisee; defaults: today, 30 minutes. Taps: the service, save.
    await page.getByText('上门走访').click();
    await shot(page, 'phone-record');
    await Promise.all([page.waitForURL(/done=/), page.getByRole('button', { name: '保存记录' }).click()]);
    expect(await page.locator('ol.timeline').textContent()).toContain('上门走访');
    expect(problems).toEqual([]);

    // The same form sent twice (a double tap on a weak signal) records one visit.
    await page.goto(`/c/deqing/record?supervisee=${encodeURIComponent(await idOf(person.caseNumber))}`);
    await page.getByText('电话回访').click();
    const form = page.locator('form.record');
    const body = await form.evaluate((f) =>
      new URLSearchParams(new FormData(f as HTMLFormElement) as never).toString(),
    );
    const post = () =>
      page.request.post(`${baseUrl()}/c/deqing/record`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl() },
        data: body,
        maxRedirects: 0,
      });
    const [one, two] = [await post(), await post()];
    expect(one.status()).toBe(303);
    expect(two.headers().location).toBe(one.headers().location);
    const api = await apiAs(baseUrl(), 'deqing.admin');
    const list = await api<{ items: { type: string }[] }>(
      'GET',
      `/api/v1/counties/deqing/activities?superviseeId=${await idOf(person.caseNumber)}&type=phone_followup`,
    );
    expect(list.items).toHaveLength(1);
    await context.close();
  });

  it('takes a ledger from the provider to the office and back, then to confirmation', async () => {
    // Provider admin: the draft ledger of 武康 for the current cycle.
    const desk = await contextFor(browser, DESKTOP);
    const admin = await signIn(desk.context, 'provider.admin');
    await admin.goto('/c/deqing/ledgers?status=draft');
    // One of 武康's (the township of the office that reviews below).
    await admin.locator('table.list tr', { hasText: '武康街道' }).locator('a').first().click();
    const ledgerUrl = admin.url().split('?')[0]!;
    await shot(admin, 'ledger');
    await Promise.all([
      admin.waitForURL(/done=submit/),
      admin.getByRole('button', { name: '提交台账' }).click(),
    ]);

    const office = await contextFor(browser, DESKTOP);
    const reviewer = await signIn(office.context, 'deqing.office.wukang');
    await reviewer.goto(ledgerUrl);
    await reviewer.getByLabel('退回原因').fill('上门走访缺少走访照片');
    await Promise.all([
      reviewer.waitForURL(/done=return/),
      reviewer.getByRole('button', { name: '退回修改' }).click(),
    ]);

    await admin.goto(ledgerUrl);
    expect(await admin.locator('main').textContent()).toContain('上门走访缺少走访照片');
    await Promise.all([
      admin.waitForURL(/done=submit/),
      admin.getByRole('button', { name: '提交台账' }).click(),
    ]);

    await reviewer.goto(ledgerUrl);
    await Promise.all([
      reviewer.waitForURL(/done=confirm/),
      reviewer.getByRole('button', { name: '确认台账' }).click(),
    ]);
    expect(await reviewer.getByRole('heading', { level: 1 }).textContent()).toContain('已确认');
    expect(desk.problems).toEqual([]);
    expect(office.problems).toEqual([]);
    await desk.context.close();
    await office.context.close();
  });
});

const ids = new Map<string, string>();
async function idOf(caseNumber: string) {
  if (!ids.has(caseNumber)) {
    const api = await apiAs(baseUrl(), 'deqing.admin');
    const found = await api<{ items: { id: string; caseNumber: string }[] }>(
      'GET',
      `/api/v1/counties/deqing/supervisees?q=${encodeURIComponent(caseNumber)}`,
    );
    ids.set(caseNumber, found.items.find((x) => x.caseNumber === caseNumber)!.id);
  }
  return ids.get(caseNumber)!;
}
