/**
 * The console's pages as a browser uses them (cookie session, urlencoded forms with the CSRF
 * field): happy paths, field-level errors, and who may see or do what. The real-browser flows
 * are in test/browser.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { activityStatements } from '../../test/helpers/activities';
import { CookieClient } from '../../test/helpers/browser-like';
import { idNumber, superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from '../auth/passwords';
import { DEMO_PASSWORD } from '../demo/data';
import { nowInstant } from '../lib/time';

async function signedIn(login: string) {
  const browser = new CookieClient();
  const r = await browser.fetch('POST', '/login', { form: { login, password: DEMO_PASSWORD } });
  expect(r.status).toBe(303);
  return browser;
}

async function csrfFor(browser: CookieClient, path = '/inbox') {
  return CookieClient.csrfOf((await browser.fetch('GET', path)).text);
}

const PAGE = { accept: 'text/html' };

async function registered(patch: Record<string, unknown> = {}) {
  const body = superviseeBody(patch);
  const r = await call('POST', '/api/v1/counties/deqing/supervisees', {
    token: await tokenFor('deqing.admin'),
    body,
  });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, body };
}

describe('console chrome', () => {
  it('shows the dashboard with navigation for the role, a skip link and a language switch', async () => {
    const admin = await signedIn('deqing.admin');
    const page = await admin.fetch('GET', '/c/deqing/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="#main"');
    expect(page.text).toContain('id="main"');
    expect(page.text).toContain('/c/deqing/users');
    expect(page.text).toContain('lang=en');
    const officer = await signedIn('deqing.officer');
    const officerPage = await officer.fetch('GET', '/c/deqing/');
    expect(officerPage.text).not.toContain('/c/deqing/users');
  });

  it('switches to English and remembers it', async () => {
    const admin = await signedIn('deqing.admin');
    const en = await admin.fetch('GET', '/c/deqing/supervisees?lang=en');
    expect(en.text).toContain('lang="en"');
    expect(en.text).toContain('Supervisees');
    const again = await admin.fetch('GET', '/c/deqing/rule-sets');
    expect(again.text).toContain('Rule sets');
  });

  it('offers a county switcher to a user of several counties', async () => {
    const worker = await signedIn('provider.worker');
    const page = await worker.fetch('GET', '/c/deqing/');
    expect(page.text).toContain('href="/c/anji/"');
    expect(page.text).toContain('安吉县');
  });

  it('answers a browser with an HTML error page, not problem+json', async () => {
    const officer = await signedIn('deqing.officer');
    const r = await officer.fetch('GET', '/c/deqing/supervisees/does-not-exist', { headers: PAGE });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('text/html');
    const foreign = await officer.fetch('GET', '/c/anji/', { headers: PAGE });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toContain('text/html');
  });

  it('refuses a form post without the CSRF field', async () => {
    const admin = await signedIn('deqing.admin');
    const r = await admin.fetch('POST', '/c/deqing/rule-sets', { form: { from: 'current' } });
    expect(r.status).toBe(403);
  });

  it('sends a signed-out visitor of any console page to sign in', async () => {
    const r = await call('GET', '/c/deqing/supervisees');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fc%2Fdeqing%2Fsupervisees');
  });
});

describe('words from the address bar', () => {
  const CRAFTED = '攻击者的话';
  const SCRIPT = '<script>alert(1)</script>';
  /** No banner at all, and none of the crafted words (the language switch keeps them encoded). */
  const bannerless = (r: { status: number; text: string }, path: string) => {
    expect(r.status, path).toBe(200);
    expect(r.text, path).not.toContain(CRAFTED);
    expect(r.text, path).not.toContain('<script');
    expect(r.text, path).not.toMatch(/role="(alert|status)"/);
  };
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  it('shows no message a link carries: only codes, in our own words, and nothing for any other', async () => {
    const { id } = await registered({ name: '链接对象' });
    const admin = await signedIn('deqing.admin');
    const worker = await signedIn('provider.worker');
    const providerAdmin = await signedIn('provider.admin');
    const finance = await signedIn('deqing.finance');
    const operator = await signedIn('platform.operator');
    const ledger = /href="(\/c\/deqing\/ledgers\/[^"?]+)"/.exec(
      (await providerAdmin.fetch('GET', '/c/deqing/ledgers')).text,
    )![1]!;
    const contract = /href="(\/c\/deqing\/contracts\/[^"?]+)"/.exec(
      (await finance.fetch('GET', '/c/deqing/contracts')).text,
    )![1]!;
    const crafted = [
      { who: admin, path: `/c/deqing/supervisees/${id}?${q({ error: CRAFTED, done: SCRIPT })}` },
      { who: admin, path: `/c/deqing/supervisees/${id}?${q({ error: 'toString', done: '__proto__' })}` },
      { who: providerAdmin, path: `${ledger}?${q({ error: CRAFTED, done: SCRIPT })}` },
      { who: providerAdmin, path: `${ledger}?${q({ error: '__proto__' })}` },
      { who: worker, path: `/c/deqing/record?${q({ done: SCRIPT, doneType: CRAFTED })}` },
      { who: worker, path: `/c/deqing/record?${q({ done: 'x', doneType: SCRIPT })}` },
      { who: worker, path: `/worklist?${q({ done: 'x', doneType: CRAFTED })}` },
      { who: admin, path: `/c/deqing/users?${q({ done: CRAFTED })}` },
      { who: finance, path: `${contract}?${q({ done: CRAFTED, error: CRAFTED })}` },
      { who: admin, path: `/c/deqing/disclosure?${q({ done: CRAFTED })}` },
      { who: operator, path: `/platform?${q({ done: CRAFTED })}` },
    ];
    for (const { who, path } of crafted) bannerless(await who.fetch('GET', path), path);

    // The codes the forms send are shown in the reader's language.
    const assigned = await admin.fetch('GET', `/c/deqing/supervisees/${id}?error=assign-overlap`);
    expect(assigned.text).toContain('该对象在这段时间内已安排给此社工组织');
    const voided = await providerAdmin.fetch('GET', `${ledger}?error=void-reason&lang=en`);
    expect(voided.text).toContain('Give a reason.');
    const saved = await worker.fetch('GET', '/c/deqing/record?done=x&doneType=home_visit&lang=zh');
    expect(saved.text).toContain('已保存：上门走访');
  });
});

describe('supervisee pages', () => {
  const form = (csrf: string, patch: Record<string, string> = {}) => ({
    _csrf: csrf,
    caseNumber: `P-${Math.random().toString(36).slice(2, 8)}`,
    name: '页面对象',
    gender: 'female',
    birthDate: '1988-05-06',
    idNumber: idNumber('19880506', false),
    townshipId: 'wukang',
    sentenceType: 'parole',
    termStart: '2026-01-01',
    termEnd: '2027-01-31',
    level: 'normal',
    ableToWork: 'true',
    phone: '13900001111',
    ...patch,
  });

  it('registers a supervisee through the form and shows the record', async () => {
    const admin = await signedIn('deqing.admin');
    const csrf = await csrfFor(admin, '/c/deqing/supervisees/new');
    const r = await admin.fetch('POST', '/c/deqing/supervisees', { form: form(csrf, { keyPerson: 'true' }) });
    expect(r.status).toBe(303);
    const detail = await admin.fetch('GET', r.headers.get('location')!);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('页面对象');
    expect(detail.text).toContain('13900001111');
    expect(detail.text).toContain('重点对象');
  });

  it('re-shows the form with field-level errors', async () => {
    const admin = await signedIn('deqing.admin');
    const csrf = await csrfFor(admin, '/c/deqing/supervisees/new');
    const r = await admin.fetch('POST', '/c/deqing/supervisees', {
      form: form(csrf, { idNumber: '330521198805060000', termEnd: '' }),
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/id="f-idNumber"[^>]*aria-invalid="true"[^>]*aria-describedby="idNumber-error"/);
    expect(r.text).toContain('id="idNumber-error"');
    expect(r.text).toMatch(/id="f-termEnd"[^>]*aria-invalid="true"/);
    // What was typed is kept.
    expect(r.text).toContain('value="页面对象"');
  });

  it('refuses a level the rules do not define, on its field', async () => {
    const admin = await signedIn('deqing.admin');
    const csrf = await csrfFor(admin, '/c/deqing/supervisees/new');
    const r = await admin.fetch('POST', '/c/deqing/supervisees', { form: form(csrf, { level: 'nonsense' }) });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/id="f-level"[^>]*aria-invalid="true"/);
  });

  it('edits with the version read, and refuses a stale edit', async () => {
    const { id } = await registered();
    const admin = await signedIn('deqing.admin');
    const edit = await admin.fetch('GET', `/c/deqing/supervisees/${id}/edit`);
    const csrf = CookieClient.csrfOf(edit.text);
    const fields = Object.fromEntries(
      [...edit.text.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const body = {
      ...fields,
      _csrf: csrf,
      gender: 'male',
      townshipId: 'wukang',
      sentenceType: 'probation',
      status: 'active',
      ableToWork: 'true',
      crimeType: '盗窃',
    };
    const ok = await admin.fetch('POST', `/c/deqing/supervisees/${id}`, { form: body });
    expect(ok.status).toBe(303);
    const stale = await admin.fetch('POST', `/c/deqing/supervisees/${id}`, {
      form: { ...body, crimeType: '诈骗' },
    });
    expect(stale.status).toBe(412);
    expect(stale.text).toContain('已被他人修改');
  });

  it('sends the version it read with the edit form, and never applies a form without one', async () => {
    const { id } = await registered();
    const admin = await signedIn('deqing.admin');
    const edit = await admin.fetch('GET', `/c/deqing/supervisees/${id}/edit`);
    expect(edit.text).toMatch(/<input type="hidden" name="version" value="1"/);
    const csrf = CookieClient.csrfOf(edit.text);
    const { version: _, ...fields } = Object.fromEntries(
      [...edit.text.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const body = {
      ...fields,
      _csrf: csrf,
      gender: 'male',
      townshipId: 'wukang',
      sentenceType: 'probation',
      status: 'active',
      ableToWork: 'true',
      crimeType: '抢劫',
    };
    const blind = await admin.fetch('POST', `/c/deqing/supervisees/${id}`, { form: body });
    expect(blind.status).toBe(412);
    const row = await env
      .COUNTY_DEQING!.prepare('SELECT crime_type, version FROM supervisees WHERE id = ?')
      .bind(id)
      .first();
    expect(row).toEqual({ crime_type: null, version: 1 });
  });

  it('shows a township officer who is also a worker each record at the level of the role granting it', async () => {
    const login = 'page.office.worker';
    for (const [i, m] of [
      { role: 'office_officer', townshipIds: ['wukang'] },
      { role: 'provider_worker', providerId: 'chenxi' },
    ].entries()) {
      const r = await call('POST', '/api/v1/counties/deqing/users', {
        token: await tokenFor('deqing.admin'),
        body: { login, ...(i === 0 ? { displayName: '两种身份', password: DEMO_PASSWORD } : {}), ...m },
      });
      expect(r.status, r.text).toBe(201);
    }
    const own = await registered({ townshipId: 'wukang' });
    const served = await registered({ townshipId: 'xinshi' });
    await env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), served.id)
      .run();
    const browser = await signedIn(login);
    const a = await browser.fetch('GET', `/c/deqing/supervisees/${own.id}`);
    expect(a.status).toBe(200);
    expect(a.text).toContain(own.body.idNumber);
    const b = await browser.fetch('GET', `/c/deqing/supervisees/${served.id}`);
    expect(b.status).toBe(200);
    expect(b.text).not.toContain(served.body.idNumber);
    expect(b.text).toContain('身份证号（部分隐藏）');
    expect(b.text).toContain(served.body.phone);
  });

  it('lists within scope: the office sees its township, the evaluator no names', async () => {
    const { body } = await registered({ townshipId: 'qianyuan', name: '乾元对象甲' });
    const office = await signedIn('deqing.office.wukang');
    const list = await office.fetch('GET', '/c/deqing/supervisees');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('乾元对象甲');
    const evaluator = await signedIn('deqing.evaluator');
    const evList = await evaluator.fetch('GET', '/c/deqing/supervisees');
    expect(evList.text).toContain(body.caseNumber);
    expect(evList.text).not.toContain('乾元对象甲');
  });

  it('lets only the bureau register', async () => {
    const office = await signedIn('deqing.office.wukang');
    expect((await office.fetch('GET', '/c/deqing/supervisees/new', { headers: PAGE })).status).toBe(403);
    const csrf = await csrfFor(office);
    const r = await office.fetch('POST', '/c/deqing/supervisees', { form: form(csrf) });
    expect(r.status).toBe(403);
  });

  it('answers another county’s supervisee like a missing one', async () => {
    const { id } = await registered();
    const anji = await signedIn('anji.admin');
    const foreign = await anji.fetch('GET', `/c/anji/supervisees/${id}`, { headers: PAGE });
    const missing = await anji.fetch('GET', '/c/anji/supervisees/nope', { headers: PAGE });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
  });
});

describe('rule-set pages', () => {
  it('creates a draft, reports errors on the requirement field, saves, diffs and publishes', async () => {
    const admin = await signedIn('deqing.admin');
    const csrf = await csrfFor(admin, '/c/deqing/rule-sets');
    const created = await admin.fetch('POST', '/c/deqing/rule-sets', {
      form: { _csrf: csrf, from: 'current' },
    });
    expect(created.status).toBe(303);
    const editorPath = created.headers.get('location')!.split('?')[0]!;
    const editor = await admin.fetch('GET', editorPath);
    expect(editor.text).toContain('id="json-form"');
    expect(editor.text).toContain('/assets/rule-set-editor.js');

    const json = JSON.parse(
      editor.text
        .match(/<textarea[^>]*name="json"[^>]*>([\s\S]*?)<\/textarea>/)![1]!
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&'),
    );
    json.requirements[0].min = 0;
    const bad = await admin.fetch('POST', editorPath, {
      form: { _csrf: csrf, mode: 'json', json: JSON.stringify(json) },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('requirements.0.min');

    // The form view: min 0 on the first requirement is an error on that very field.
    const rows = String(json.requirements.length + 1);
    const first = json.requirements[0];
    const formBody = new URLSearchParams({
      _csrf: csrf,
      mode: 'form',
      rows,
      name: json.name,
      effectiveFrom: json.effectiveFrom,
      'requirements.0.id': first.id,
      'requirements.0.measure': first.measure,
      'requirements.0.min': '0',
      'requirements.0.window': 'calendar:month',
    });
    for (const t of first.activityTypes) formBody.append('requirements.0.activityTypes', t);
    const badForm = await admin.fetch('POST', editorPath, { form: Object.fromEntries(formBody) });
    expect(badForm.status).toBe(400);
    expect(badForm.text).toMatch(/id="f-requirements_0_min"[^>]*aria-invalid="true"/);

    json.requirements[0].min = 12;
    const saved = await admin.fetch('POST', editorPath, {
      form: { _csrf: csrf, mode: 'json', json: JSON.stringify(json) },
    });
    expect(saved.status).toBe(303);
    const after = await admin.fetch('GET', editorPath);
    expect(after.text).toContain(`requirements[${first.id}].min`);

    const published = await admin.fetch('POST', `${editorPath}/publish`, {
      form: { _csrf: csrf, effectiveFrom: json.effectiveFrom },
    });
    expect(published.status).toBe(303);
    const list = await admin.fetch('GET', '/c/deqing/rule-sets');
    expect(list.text).toContain('已发布');
  });

  it('shows others a read-only view and refuses their writes', async () => {
    const officer = await signedIn('deqing.officer');
    const list = await officer.fetch('GET', '/c/deqing/rule-sets');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('action="/c/deqing/rule-sets"');
    const csrf = CookieClient.csrfOf(list.text);
    const r = await officer.fetch('POST', '/c/deqing/rule-sets', { form: { _csrf: csrf, from: 'current' } });
    expect(r.status).toBe(403);
  });
});

describe('users page', () => {
  it('adds a user with a role, and names the missing field otherwise', async () => {
    const admin = await signedIn('deqing.admin');
    const csrf = await csrfFor(admin, '/c/deqing/users');
    const missing = await admin.fetch('POST', '/c/deqing/users', {
      form: { _csrf: csrf, login: 'page.newbie', displayName: '新人', role: 'bureau_officer' },
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/id="f-password"[^>]*aria-invalid="true"/);
    const ok = await admin.fetch('POST', '/c/deqing/users', {
      form: {
        _csrf: csrf,
        login: 'page.newbie',
        displayName: '新人',
        role: 'office_officer',
        townshipIds: 'xinshi',
        password: 'a-long-first-password',
      },
    });
    expect(ok.status).toBe(303);
    expect((await admin.fetch('GET', '/c/deqing/users')).text).toContain('page.newbie');
  });

  it('states the one password rule in the hint and, in the same words, on a too-short password', async () => {
    const admin = await signedIn('deqing.admin');
    const page = await admin.fetch('GET', '/c/deqing/users');
    expect(page.text).toContain(`密码至少 ${PASSWORD_MIN_LENGTH} 个字符。`);
    expect(page.text).not.toContain('12 位');
    const csrf = CookieClient.csrfOf(page.text);
    const form = { _csrf: csrf, login: 'page.shortpw', displayName: '短密码', role: 'bureau_officer' };
    const short = await admin.fetch('POST', '/c/deqing/users', {
      form: { ...form, password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1) },
    });
    expect(short.status).toBe(400);
    expect(short.text).toMatch(/id="f-password"[^>]*aria-invalid="true"/);
    expect(short.text).toContain(`<p class="field-error" id="password-error">${PASSWORD_RULE.zh}</p>`);
    const en = await admin.fetch('POST', '/c/deqing/users?lang=en', {
      form: { ...form, password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1) },
    });
    expect(en.text).toContain(`<p class="field-error" id="password-error">${PASSWORD_RULE.en}</p>`);
    const exact = await admin.fetch('POST', '/c/deqing/users', {
      form: { ...form, password: 'x'.repeat(PASSWORD_MIN_LENGTH) },
    });
    expect(exact.status).toBe(303);
  });

  it('is the bureau admin’s only', async () => {
    const officer = await signedIn('deqing.officer');
    expect((await officer.fetch('GET', '/c/deqing/users', { headers: PAGE })).status).toBe(403);
  });
});

describe('platform and inbox pages', () => {
  it('shows the operator counties, providers and jobs, and refuses anyone else', async () => {
    const operator = await signedIn('platform.operator');
    const page = await operator.fetch('GET', '/platform');
    expect(page.status).toBe(200);
    expect(page.text).toContain('deqing');
    expect(page.text).toContain('晨曦');
    const admin = await signedIn('deqing.admin');
    expect((await admin.fetch('GET', '/platform', { headers: PAGE })).status).toBe(403);
  });

  it('registers a provider with a checked credit code', async () => {
    const operator = await signedIn('platform.operator');
    const csrf = await csrfFor(operator, '/platform');
    const bad = await operator.fetch('POST', '/platform/providers', {
      form: { _csrf: csrf, name: '测试社工', creditCode: '123' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-creditCode"[^>]*aria-invalid="true"/);
  });

  it('shows an inbox to any signed-in user', async () => {
    const worker = await signedIn('provider.worker');
    const r = await worker.fetch('GET', '/inbox');
    expect(r.status).toBe(200);
  });
});

describe('public disclosure page', () => {
  it('needs no sign-in and shows no personal data', async () => {
    const { body } = await registered({ name: '公开测试人', phone: '13711112222' });
    const r = await call('GET', '/public/deqing');
    expect(r.status).toBe(200);
    expect(r.text).toContain('德清县');
    expect(r.text).toContain('晨曦');
    for (const secret of [body.name, body.idNumber, body.phone, body.address])
      expect(r.text).not.toContain(secret);
  });

  it('answers an unknown county with 404', async () => {
    expect((await call('GET', '/public/atlantis')).status).toBe(404);
  });
});

describe('incident pages', () => {
  async function served() {
    const { id, body } = await registered({ name: '事项对象' });
    await env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), id)
      .run();
    return { id, body };
  }

  it('lets a provider report, the township office acknowledge and resolve', async () => {
    const { id } = await served();
    const worker = await signedIn('provider.worker');
    const form = await worker.fetch('GET', `/c/deqing/incidents/new?supervisee=${id}`);
    expect(form.text).toContain('事项对象');
    const csrf = CookieClient.csrfOf(form.text);
    const empty = await worker.fetch('POST', '/c/deqing/incidents', {
      form: { _csrf: csrf, superviseeId: id, kind: 'absconding_risk', description: '' },
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/id="f-description"[^>]*aria-invalid="true"/);
    const reported = await worker.fetch('POST', '/c/deqing/incidents', {
      form: {
        _csrf: csrf,
        superviseeId: id,
        kind: 'absconding_risk',
        occurredAt: '2026-03-01T09:30',
        description: '对象称要去外地，手机关机',
      },
    });
    expect(reported.status).toBe(303);

    const office = await signedIn('deqing.office.wukang');
    const list = await office.fetch('GET', '/c/deqing/incidents?status=open');
    const link = /href="(\/c\/deqing\/incidents\/[^"?]+)"/.exec(list.text)![1]!;
    const detail = await office.fetch('GET', link);
    expect(detail.text).toContain('对象称要去外地，手机关机');
    expect(detail.text).toContain('2026-03-01 09:30');
    const officeCsrf = CookieClient.csrfOf(detail.text);
    expect(
      (await office.fetch('POST', `${link}/acknowledge`, { form: { _csrf: officeCsrf, note: '已联系' } }))
        .status,
    ).toBe(303);
    const resolved = await office.fetch('POST', `${link}/resolve`, {
      form: { _csrf: officeCsrf, resolution: '对象已返回，批评教育' },
    });
    expect(resolved.status).toBe(303);
    expect((await office.fetch('GET', link)).text).toContain('已办结');

    // A provider may report but not acknowledge.
    const refused = await worker.fetch('POST', `${link}/acknowledge`, { form: { _csrf: csrf } });
    expect(refused.status).toBe(403);
  });

  it('keeps another township’s incidents from an office', async () => {
    const { id } = await registered({ townshipId: 'xinshi' });
    await env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), id)
      .run();
    const r = await call('POST', '/api/v1/counties/deqing/incidents', {
      token: await tokenFor('provider.worker'),
      body: { superviseeId: id, kind: 'violation', description: '未按时报到' },
    });
    expect(r.status).toBe(201);
    const office = await signedIn('deqing.office.wukang');
    expect((await office.fetch('GET', `/c/deqing/incidents/${r.body.id}`, { headers: PAGE })).status).toBe(
      404,
    );
  });
});

describe('statistics and the public results', () => {
  it('shows hours per type to the bureau and, without names, on the public page', async () => {
    const { id, body } = await registered({ name: '统计对象' });
    const year = nowInstant().slice(0, 4);
    const day = `${year}-01-10`;
    await env.COUNTY_DEQING!.batch(
      activityStatements(env.COUNTY_DEQING!, [
        {
          type: 'education',
          occurredOn: day,
          durationMinutes: 120,
          providerId: 'chenxi',
          townshipId: 'wukang',
          participants: [{ superviseeId: id }],
        },
      ]),
    );
    const officer = await signedIn('deqing.officer');
    const page = await officer.fetch('GET', `/c/deqing/reports?from=${year}-01-01&to=${year}-12-31`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('教育学习');
    expect(page.text).toContain('<svg');
    const pub = await call('GET', '/public/deqing');
    expect(pub.text).toContain('教育学习');
    expect(pub.text).not.toContain(body.name);
  });
});
