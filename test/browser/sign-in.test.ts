/**
 * Sign-in in a real browser: the `__Host-` session cookie over http://127.0.0.1 (a secure
 * context for Chromium), the redirect back to the page asked for, the language switch, the
 * county switcher, keyboard access (skip link first), and no CSP violation on the way.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, contextFor, DESKTOP, launch, PHONE, shot, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('sign-in', () => {
  it('sends a visitor to sign in, then back to the console; the __Host- cookie holds', async () => {
    const { context, problems } = await contextFor(browser, DESKTOP);
    const page = await context.newPage();
    await page.goto('/c/deqing/supervisees');
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot(page, 'login');
    await page.getByLabel('账号').fill('deqing.admin');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('账号或密码错误');
    await expect.poll(() => page.getByLabel('账号').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('密码').fill('demo-pass-2026');
    await Promise.all([
      page.waitForURL('**/c/deqing/supervisees'),
      page.getByRole('button', { name: '登录' }).click(),
    ]);
    const cookies = await context.cookies(baseUrl());
    const session = cookies.find((c) => c.name === '__Host-bj_session');
    expect(session).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'Lax' });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('社区矫正对象');
    await shot(page, 'supervisees');

    await page.goto('/c/deqing/');
    await shot(page, 'dashboard');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('switches to English on every page and remembers it', async () => {
    const { context } = await contextFor(browser, DESKTOP);
    const page = await signIn(context, 'deqing.admin');
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Rules' })
      .click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Rule sets');
    await context.close();
  });

  it('is usable from the keyboard: the skip link comes first and moves focus to the content', async () => {
    const { context } = await contextFor(browser, DESKTOP);
    const page = await signIn(context, 'deqing.officer');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    expect(focused).toBe('#main');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await context.close();
  });

  it('lets a social worker of two counties switch county on a phone', async () => {
    const { context, problems } = await contextFor(browser, PHONE, { mobile: true });
    const page = await signIn(context, 'provider.worker');
    expect(new URL(page.url()).pathname).toBe('/c/deqing/');
    await page.locator('details.switcher summary').click();
    await Promise.all([page.waitForURL('**/c/anji/'), page.getByRole('link', { name: '安吉县' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('安吉县');
    await shot(page, 'phone-dashboard');
    // Nothing wider than the phone: no sideways scrolling of the page itself.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the money side', () => {
  it('shows finance the programme budget as a chart and a contract’s settlement', async () => {
    const { context, problems } = await contextFor(browser, DESKTOP);
    const page = await signIn(context, 'deqing.finance');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '合同与资金' }).click();
    expect(await page.locator('figure.chart').first().textContent()).toContain('预算');
    await shot(page, 'contracts');
    await page.locator('table.list a').first().click();
    expect(await page.locator('#settlement').textContent()).toContain('结算');
    expect(problems).toEqual([]);
    await context.close();
  });
});
