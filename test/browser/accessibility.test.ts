/**
 * Accessibility checks on the console's main pages, in the browser: one h1, a main landmark and
 * the skip link, a labelled control for every input, SVG charts with a name, unique ids, and no
 * CSP violation or script error on the way.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, DESKTOP, launch, PHONE, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function audit(page: Page) {
  return page.evaluate(() => {
    const problems: string[] = [];
    const here = location.pathname;
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${here}: not exactly one h1`);
    if (!document.querySelector('main#main')) problems.push(`${here}: no main#main`);
    if (!document.querySelector('a.skip[href="#main"]')) problems.push(`${here}: no skip link`);
    if (!document.documentElement.lang) problems.push(`${here}: no lang`);
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      'input:not([type=hidden]), select, textarea',
    )) {
      const named =
        (el.labels && el.labels.length > 0) ||
        el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby');
      if (!named) problems.push(`${here}: unlabelled ${el.tagName.toLowerCase()} ${el.name}`);
    }
    for (const svg of document.querySelectorAll('svg[role=img]')) {
      if (!svg.getAttribute('aria-labelledby') && !svg.querySelector('title'))
        problems.push(`${here}: unnamed chart`);
    }
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dup.length) problems.push(`${here}: duplicate ids ${[...new Set(dup)].join(', ')}`);
    for (const b of document.querySelectorAll('button')) {
      if (!(b.textContent ?? '').trim() && !b.getAttribute('aria-label'))
        problems.push(`${here}: unnamed button`);
    }
    return problems;
  });
}

describe('accessibility of the main pages', () => {
  it('holds for the bureau’s pages', async () => {
    const { context, problems } = await contextFor(browser, DESKTOP);
    const page = await signIn(context, 'deqing.admin');
    const found: string[] = [];
    const paths = [
      '/c/deqing/',
      '/c/deqing/supervisees',
      '/c/deqing/supervisees/new',
      '/c/deqing/rule-sets',
      '/c/deqing/users',
      '/c/deqing/reports',
      '/c/deqing/contracts',
      '/c/deqing/incidents',
      '/c/deqing/ledgers',
      '/c/deqing/disclosure',
      '/inbox',
      '/public/deqing',
    ];
    for (const path of paths) {
      await page.goto(path);
      found.push(...(await audit(page)));
    }
    await page.goto('/c/deqing/supervisees');
    await page.locator('table.list a').first().click();
    found.push(...(await audit(page)));
    expect(found).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('holds for the social worker’s phone pages', async () => {
    const { context, problems } = await contextFor(browser, PHONE, { mobile: true });
    const page = await signIn(context, 'provider.worker');
    const found: string[] = [];
    for (const path of ['/worklist', '/c/deqing/record', '/c/deqing/incidents/new']) {
      await page.goto(path);
      found.push(...(await audit(page)));
    }
    expect(found).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
