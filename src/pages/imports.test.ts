/** The import pages: upload a dry run, watch it, continue until done, commit; bureau only. */
import { describe, expect, it } from 'vitest';
import superviseesRaw from '../../docs/samples/supervisees.csv?raw';
import { CookieClient } from '../../test/helpers/browser-like';
import { DEMO_PASSWORD } from '../demo/data';

async function signedIn(login: string) {
  const browser = new CookieClient();
  const r = await browser.fetch('POST', '/login', { form: { login, password: DEMO_PASSWORD } });
  expect(r.status).toBe(303);
  return browser;
}

describe('import pages', () => {
  it('uploads a dry run, shows progress, continues until done and commits', async () => {
    const admin = await signedIn('deqing.admin');
    const list = await admin.fetch('GET', '/c/deqing/imports');
    expect(list.status).toBe(200);
    expect(list.text).toContain('enctype="multipart/form-data"');
    const csrf = CookieClient.csrfOf(list.text);
    const fd = new FormData();
    fd.set('_csrf', csrf);
    fd.set('kind', 'supervisees');
    fd.set('dryRun', 'true');
    fd.set('file', new File([superviseesRaw], 'supervisees.csv', { type: 'text/csv' }));
    const up = await admin.fetch('POST', '/c/deqing/imports', { multipart: fd });
    expect(up.status, up.text).toBe(303);
    const at = up.headers.get('location')!;
    expect(at).toMatch(/^\/c\/deqing\/imports\/[^/]+$/);
    let page = await admin.fetch('GET', at);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<progress');
    for (let i = 0; i < 10 && page.text.includes('/continue'); i++) {
      const r = await admin.fetch('POST', `${at}/continue`, { form: { _csrf: csrf } });
      expect(r.status).toBe(303);
      page = await admin.fetch('GET', at);
    }
    expect(page.text).toContain('data-status="completed"');
    expect(page.text).toContain(`${at}/commit`);
    const commit = await admin.fetch('POST', `${at}/commit`, { form: { _csrf: csrf } });
    expect(commit.status).toBe(303);
    page = await admin.fetch('GET', at);
    for (let i = 0; i < 10 && page.text.includes('/continue'); i++) {
      await admin.fetch('POST', `${at}/continue`, { form: { _csrf: csrf } });
      page = await admin.fetch('GET', at);
    }
    expect(page.text).toContain('data-status="completed"');
    expect(page.text).toContain('正式导入');
    expect(page.text).toMatch(/id="count-created">4</);
    expect((await admin.fetch('GET', '/c/deqing/imports')).text).toContain('supervisees.csv');
  });

  it('refuses an office officer', async () => {
    const office = await signedIn('deqing.office.wukang');
    const r = await office.fetch('GET', '/c/deqing/imports', { headers: { accept: 'text/html' } });
    expect(r.status).toBe(403);
    const home = await office.fetch('GET', '/c/deqing/');
    expect(home.text).not.toContain('/c/deqing/imports');
  });
});
