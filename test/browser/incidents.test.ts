/**
 * An incident in the browser: a social worker reports it on a phone, the township office
 * acknowledges it at the desk.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, DESKTOP, launch, PHONE, shot, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('incidents', () => {
  it('is reported from a phone and acknowledged by the township office', async () => {
    const phone = await contextFor(browser, PHONE, { mobile: true });
    const worker = await signIn(phone.context, 'provider.worker');
    await worker.goto('/c/deqing/incidents/new');
    await worker.getByLabel('矫正对象').selectOption({ label: '张建国 · DQ-2026-001' });
    await worker.getByLabel('类别').selectOption('absconding_risk');
    await worker.getByLabel('情况说明').fill('对象电话关机，家属称其外出未归');
    await Promise.all([
      worker.waitForURL(/done=reported/),
      worker.getByRole('button', { name: '报告重大事项' }).click(),
    ]);
    expect(await worker.getByRole('status').textContent()).toContain('已报告');
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    const desk = await contextFor(browser, DESKTOP);
    const office = await signIn(desk.context, 'deqing.office.wukang');
    await office.goto('/c/deqing/incidents?status=open');
    await shot(office, 'incidents');
    await office.locator('table.list a').first().click();
    expect(await office.locator('dl.facts').textContent()).toContain('对象电话关机');
    await office.getByLabel('签收意见（可选）').fill('已联系家属');
    await Promise.all([
      office.waitForURL(/done=acknowledged/),
      office.getByRole('button', { name: '签收' }).click(),
    ]);
    expect(await office.getByRole('heading', { level: 1 }).textContent()).toContain('已签收');
    expect(desk.problems).toEqual([]);
    await desk.context.close();
  });
});
