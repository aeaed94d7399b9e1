/**
 * The public disclosure page, as a resident sees it: no sign-in, the programme, providers,
 * money and results, and none of the seeded supervisees' names, ID numbers or phones.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, contextFor, DESKTOP, launch, PHONE, shot } from './browser.ts';
import { apiAs, PEOPLE } from './seed.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('public disclosure page', () => {
  it('needs no sign-in, shows the money and no personal data', async () => {
    // The bureau publishes (信息公开) first; the public page serves that snapshot.
    const admin = await apiAs(baseUrl(), 'deqing.admin');
    await admin('POST', '/api/v1/counties/deqing/disclosure/publish', {});
    const { context, problems } = await contextFor(browser, DESKTOP);
    const page = await context.newPage();
    const res = await page.goto('/public/deqing');
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/public/deqing');
    const text = (await page.locator('body').innerText()) + (await page.content());
    expect(text).toContain('德清县');
    expect(text).toContain('晨曦');
    expect(text).toContain('预算');
    expect(text).toMatch(/¥[\d,]+\.\d{2}/);
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThan(0);
    for (const x of PEOPLE) {
      expect(text).not.toContain(x.name);
      expect(text).not.toContain(x.idNumber);
      expect(text).not.toContain(x.phone);
    }
    await shot(page, 'public');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads on a phone and in English', async () => {
    const { context } = await contextFor(browser, PHONE, { mobile: true });
    const page = await context.newPage();
    await page.goto('/public/deqing?lang=en');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Deqing County');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
