/**
 * An administrator edits a rule set in the browser: a draft from the rules in force, live
 * validation of the JSON view (the page's script calls the API with the session cookie and the
 * CSRF header), a change in the requirements form, the diff, and publication.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, DESKTOP, launch, shot, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('rule-set editor', () => {
  it('drafts, validates live, edits a requirement, diffs, previews and publishes', async () => {
    const { context, problems } = await contextFor(browser, DESKTOP);
    const page = await signIn(context, 'deqing.admin');
    await page.goto('/c/deqing/rule-sets');
    await shot(page, 'rule-sets');
    await Promise.all([
      page.waitForURL(/\/c\/deqing\/rule-sets\/[^/?]+\?done=created/),
      page.getByRole('button', { name: '创建草稿' }).click(),
    ]);
    expect(await page.getByRole('status').first().textContent()).toContain('草稿已创建');

    // Live validation: break the JSON's first requirement and wait for the API's verdict.
    const json = page.getByRole('textbox', { name: 'JSON 视图' });
    const doc = JSON.parse(await json.inputValue());
    doc.requirements[0].min = 0;
    await json.fill(JSON.stringify(doc, null, 2));
    const status = page.locator('#json-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('requirements.0.min');
    expect(await json.getAttribute('aria-invalid')).toBe('true');
    doc.requirements[0].min = 8;
    await json.fill(JSON.stringify(doc, null, 2));
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('校验通过');

    // The requirements form: raise the first requirement's minimum and save.
    const first = doc.requirements[0];
    const min = page.locator('#f-requirements_0_min');
    await min.fill('0');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: '保存要求' }).click(),
    ]);
    expect(await page.locator('#f-requirements_0_min').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-requirements_0_min').fill(String(first.min + 2));
    await Promise.all([
      page.waitForURL(/done=saved/),
      page.getByRole('button', { name: '保存要求' }).click(),
    ]);
    const diff = page.locator('ul.diff');
    expect(await diff.textContent()).toContain(`requirements[${first.id}].min`);
    // The what-if preview for this month, then publication.
    await page.getByRole('button', { name: '试算', exact: true }).click();
    await page.waitForSelector('#preview-result');
    expect(await page.locator('#preview-result').textContent()).toContain('在矫对象');
    await shot(page, 'rule-set-editor');

    await Promise.all([
      page.waitForURL(/\/c\/deqing\/rule-sets\?done=published/),
      page.getByRole('button', { name: '发布', exact: true }).click(),
    ]);
    expect(await page.locator('table.list').textContent()).toContain('已发布');
    expect(problems).toEqual([]);
    await context.close();
  });
});
