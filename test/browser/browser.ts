/** One Chromium per test file (Debian's, never a downloaded build) and the helpers flows share. */
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.ts';
import { DEMO_PASSWORD } from './seed.ts';

export const baseUrl = () => inject('baseUrl');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** A fresh context (no cookies), with every CSP violation or page error collected. */
export async function contextFor(browser: Browser, viewport = DESKTOP, opts: { mobile?: boolean } = {}) {
  const context = await browser.newContext({
    baseURL: baseUrl(),
    viewport,
    locale: 'zh-CN',
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
  });
  const problems: string[] = [];
  context.on('page', (page) => watch(page, problems));
  return { context, problems };
}

function watch(page: Page, problems: string[]) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (
      m.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
    ) {
      problems.push(`console: ${m.text()}`);
    }
  });
}

export async function signIn(context: BrowserContext, login: string, path = '/login') {
  const page = await context.newPage();
  await page.goto(path);
  await page.getByLabel(/账号|Login/).fill(login);
  await page.getByLabel(/密码|Password/).fill(DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: /登录|Sign in/ }).click(),
  ]);
  return page;
}

/** Screenshots for the README, written where it links them (unless BROWSER_SCREENSHOTS=0). */
export async function shot(page: Page, name: string) {
  if (process.env.BROWSER_SCREENSHOTS === '0') return;
  const dir = `${ROOT}/docs/screenshots`;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true, animations: 'disabled' });
}
