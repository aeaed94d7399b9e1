import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { idNumber, superviseeBody } from '../../test/helpers/fixtures';
import { call, freshLogin, tokenFor } from '../../test/helpers/http';

const base = '/api/v1/counties/deqing/supervisees';
const admin = () => tokenFor('deqing.admin');
const officer = () => tokenFor('deqing.officer');

async function create(patch: Record<string, unknown> = {}) {
  const body = superviseeBody(patch);
  const r = await call('POST', base, { token: await admin(), body });
  expect(r.status, r.text).toBe(201);
  return { body, created: r.body, etag: r.headers.get('etag')! };
}

describe('registering a supervisee', () => {
  it('stores the record and answers it in full to the bureau, with an ETag', async () => {
    const { body, created, etag } = await create();
    expect(created).toMatchObject({
      caseNumber: body.caseNumber,
      name: body.name,
      idNumber: body.idNumber,
      phone: body.phone,
      address: body.address,
      level: 'normal',
      keyPerson: false,
      ableToWork: true,
      levelHistory: [{ level: 'normal', effectiveFrom: '2026-01-01', reason: 'initial' }],
      version: 1,
    });
    expect(etag).toBe('"v1"');
  });

  it('refuses a bad check digit, an unknown level or township, and an inverted term, naming each field', async () => {
    const id = idNumber();
    const badDigit = `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ idNumber: badDigit }, 'idNumber'],
      [{ level: 'severe' }, 'level'],
      [{ townshipId: 'dipu' }, 'townshipId'],
      [{ termEnd: '2025-12-31' }, 'termEnd'],
      [{ termStart: '2016-06-01', termEnd: '2017-06-01' }, 'level'], // no rule set in force in 2016
      [{ gender: 'x' }, 'gender'],
      [{ birthDate: '1990-02-30' }, 'birthDate'],
      [{ extra: 1 }, ''],
    ];
    for (const [patch, path] of cases) {
      const r = await call('POST', base, { token: await admin(), body: superviseeBody(patch) });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('refuses a second record with the same ID number or case number', async () => {
    const { body } = await create();
    const sameId = await call('POST', base, {
      token: await admin(),
      body: superviseeBody({ idNumber: body.idNumber }),
    });
    expect(sameId.status).toBe(409);
    const sameCase = await call('POST', base, {
      token: await admin(),
      body: superviseeBody({ caseNumber: body.caseNumber }),
    });
    expect(sameCase.status).toBe(409);
  });

  it('lets only the bureau admin designate a key person', async () => {
    const r = await call('POST', base, { token: await officer(), body: superviseeBody({ keyPerson: true }) });
    expect(r.status).toBe(403);
    const ok = await call('POST', base, { token: await officer(), body: superviseeBody() });
    expect(ok.status).toBe(201);
    const patch = await call('PATCH', `${base}/${ok.body.id}`, {
      token: await officer(),
      body: { keyPerson: true },
      headers: { 'if-match': ok.headers.get('etag')! },
    });
    expect(patch.status).toBe(403);
  });

  it('stores no plaintext ID number, phone or address', async () => {
    const { body, created } = await create({ phone: '13912345678', address: '德清县武康街道秘密路88号' });
    const raw = await env
      .COUNTY_DEQING!.prepare('SELECT * FROM supervisees WHERE id = ?')
      .bind(created.id)
      .first();
    const dump = JSON.stringify(raw);
    for (const secret of [body.idNumber, '13912345678', '秘密路88号']) expect(dump).not.toContain(secret);
  });
});

describe('reading supervisees by role', () => {
  it('gives a township office its own townships only', async () => {
    const { created: inWukang } = await create({ townshipId: 'wukang' });
    const { created: inXinshi } = await create({ townshipId: 'xinshi' });
    const office = await tokenFor('deqing.office.wukang');
    const own = await call('GET', `${base}/${inWukang.id}`, { token: office });
    expect(own.status).toBe(200);
    expect(own.body.idNumber).toBe(inWukang.idNumber);
    const other = await call('GET', `${base}/${inXinshi.id}`, { token: office });
    expect(other.status).toBe(404);
    const list = await call('GET', `${base}?limit=500`, { token: office });
    const ids = list.body.items.map((s: { id: string }) => s.id);
    expect(ids).toContain(inWukang.id);
    expect(ids).not.toContain(inXinshi.id);
  });

  it('gives a provider the supervisees it serves, without the ID number', async () => {
    const { created: served } = await create();
    const { created: notServed } = await create();
    await env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), served.id)
      .run();
    const worker = await tokenFor('provider.worker');
    const r = await call('GET', `${base}/${served.id}`, { token: worker });
    expect(r.status).toBe(200);
    expect(r.body.idNumber).toBeUndefined();
    expect(r.body.idNumberMasked).toBe(`${served.idNumber.slice(0, 6)}********${served.idNumber.slice(14)}`);
    expect(r.body.phone).toBe(served.phone);
    expect((await call('GET', `${base}/${notServed.id}`, { token: worker })).status).toBe(404);
    const list = await call('GET', `${base}?limit=500`, { token: worker });
    // The demo seed assigns supervisees of its own to the provider: look at ours only.
    const ids = list.body.items.map((s: { id: string }) => s.id);
    expect(ids).toContain(served.id);
    expect(ids).not.toContain(notServed.id);
  });

  it('gives an evaluator minimised records only', async () => {
    const { created } = await create();
    const r = await call('GET', `${base}/${created.id}`, { token: await tokenFor('deqing.evaluator') });
    expect(r.status).toBe(200);
    for (const field of ['name', 'birthDate', 'idNumber', 'idNumberMasked', 'phone', 'address']) {
      expect(r.body).not.toHaveProperty(field);
    }
    expect(r.text).not.toContain(created.idNumber);
    const list = await call('GET', base, { token: await tokenFor('deqing.evaluator') });
    expect(list.text).not.toContain(created.name);
    const lookup = await call('GET', `${base}?idNumber=${created.idNumber}`, {
      token: await tokenFor('deqing.evaluator'),
    });
    expect(lookup.status).toBe(403);
  });

  it('refuses roles that do not work with supervisees', async () => {
    for (const login of ['deqing.finance']) {
      expect((await call('GET', base, { token: await tokenFor(login) })).status).toBe(403);
    }
  });

  it('finds by name or case number, and exactly by ID number', async () => {
    const { created, body } = await create({ name: '张三丰' });
    const byName = await call('GET', `${base}?q=${encodeURIComponent('张三')}`, { token: await admin() });
    expect(byName.body.items.map((s: { id: string }) => s.id)).toContain(created.id);
    const byId = await call('GET', `${base}?idNumber=${body.idNumber}`, { token: await admin() });
    expect(byId.body.items.map((s: { id: string }) => s.id)).toEqual([created.id]);
  });

  it('searches for % _ and \\ as the characters typed, not as LIKE wildcards', async () => {
    const { created: percent } = await create({ name: '百分%之百' });
    const { created: underscore } = await create({ name: '下划_线' });
    const { created: backslash } = await create({ name: '反斜\\杠' });
    const { created: plain } = await create({ name: '普通名字' });
    const found = async (q: string) => {
      const r = await call('GET', `${base}?limit=500&q=${encodeURIComponent(q)}`, { token: await admin() });
      expect(r.status, r.text).toBe(200);
      return r.body.items.map((s: { id: string }) => s.id) as string[];
    };
    for (const [q, id] of [
      ['%', percent.id],
      ['_', underscore.id],
      ['\\', backslash.id],
      ['分%之', percent.id],
      ['\\%', null],
    ] as const) {
      const ids = await found(q);
      expect({
        q,
        ids: ids.filter((x) => [percent.id, underscore.id, backslash.id, plain.id].includes(x)),
      }).toEqual({ q, ids: id ? [id] : [] });
    }
    // Nothing matched the wildcard as "everyone".
    expect((await found('%')).length).toBe(1);
    expect((await found('名字')).includes(plain.id)).toBe(true);
  });

  it('refuses a search longer than 50 characters, naming q', async () => {
    const r = await call('GET', `${base}?q=${encodeURIComponent('%'.repeat(51))}`, { token: await admin() });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('q');
  });

  it('leaves an audit entry for each read of personal fields, without the values', async () => {
    const { created } = await create();
    await call('GET', `${base}/${created.id}`, { token: await admin() });
    const { results } = await env
      .COUNTY_DEQING!.prepare(
        "SELECT actor_user_id, detail FROM audit_log WHERE action = 'supervisee.read_personal' AND target_id = ?",
      )
      .bind(created.id)
      .all<{ actor_user_id: string; detail: string }>();
    expect(results.length).toBeGreaterThanOrEqual(2); // the create's answer and the read
    expect(JSON.stringify(results)).not.toContain(created.idNumber);
    expect(JSON.stringify(results)).not.toContain(created.phone);
  });
});

describe('updating a supervisee', () => {
  it('refuses a stale If-Match with 412 and writes nothing', async () => {
    const { created, etag } = await create();
    const token = await admin();
    const first = await call('PATCH', `${base}/${created.id}`, {
      token,
      body: { crimeType: '盗窃' },
      headers: { 'if-match': etag },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"v2"');
    const auditBefore = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM audit_log')
      .first<{ n: number }>();
    const stale = await call('PATCH', `${base}/${created.id}`, {
      token,
      body: { crimeType: '诈骗', ableToWork: false },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    const row = await env
      .COUNTY_DEQING!.prepare('SELECT crime_type, able_to_work, version FROM supervisees WHERE id = ?')
      .bind(created.id)
      .first();
    expect(row).toEqual({ crime_type: '盗窃', able_to_work: 1, version: 2 });
    const flags = await env
      .COUNTY_DEQING!.prepare(
        "SELECT count(*) AS n FROM supervisee_flags WHERE supervisee_id = ? AND flag = 'able_to_work'",
      )
      .bind(created.id)
      .first<{ n: number }>();
    expect(flags!.n).toBe(1);
    const auditAfter = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM audit_log')
      .first<{ n: number }>();
    expect(auditAfter!.n).toBe(auditBefore!.n);
  });

  it('requires If-Match: without it 428 (problem+json naming If-Match) and nothing is written', async () => {
    const { created, etag } = await create();
    const auditBefore = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM audit_log')
      .first<{ n: number }>();
    const blind = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { crimeType: '盗窃' },
    });
    expect(blind.status, blind.text).toBe(428);
    expect(blind.headers.get('content-type')).toContain('application/problem+json');
    expect(blind.body).toMatchObject({ status: 428, title: 'Precondition required' });
    expect(blind.body.errors.map((e: { path: string }) => e.path)).toEqual(['If-Match']);
    const row = await env
      .COUNTY_DEQING!.prepare('SELECT crime_type, version FROM supervisees WHERE id = ?')
      .bind(created.id)
      .first();
    expect(row).toEqual({ crime_type: null, version: 1 });
    const auditAfter = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM audit_log')
      .first<{ n: number }>();
    expect(auditAfter!.n).toBe(auditBefore!.n);
    // A tag we never issued matches nothing (412); a body error is still a 400 naming the field.
    const foreign = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { crimeType: '盗窃' },
      headers: { 'if-match': '"p1"' },
    });
    expect(foreign.status).toBe(412);
    const bad = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { termEnd: '2026-02-30' },
      headers: { 'if-match': etag },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['termEnd']);
    // A record that does not exist is still 404, not a request for a precondition.
    const missing = await call('PATCH', `${base}/does-not-exist`, {
      token: await admin(),
      body: { crimeType: '盗窃' },
    });
    expect(missing.status).toBe(404);
    const ok = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { crimeType: '盗窃' },
      headers: { 'if-match': etag },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get('etag')).toBe('"v2"');
  });

  it('keeps the flag history: a change holds from the day it is made', async () => {
    const { created, etag } = await create();
    const r = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { keyPerson: true },
      headers: { 'if-match': etag },
    });
    expect(r.status).toBe(200);
    expect(r.body.keyPerson).toBe(true);
    const keyHistory = r.body.flagHistory.filter((f: { flag: string }) => f.flag === 'keyPerson');
    expect(keyHistory).toHaveLength(2);
    expect(keyHistory[0]).toEqual({ flag: 'keyPerson', value: false, effectiveFrom: '2026-01-01' });
    expect(keyHistory[1].value).toBe(true);
    expect(keyHistory[1].effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('re-encrypts a changed phone and clears a removed address', async () => {
    const { created, etag } = await create();
    const r = await call('PATCH', `${base}/${created.id}`, {
      token: await admin(),
      body: { phone: '13700000001', address: null },
      headers: { 'if-match': etag },
    });
    expect(r.body.phone).toBe('13700000001');
    expect(r.body.address).toBeNull();
  });
});

describe('level changes', () => {
  it('records an effective-dated level change and keeps the history', async () => {
    const { created } = await create();
    const r = await call('POST', `${base}/${created.id}/levels`, {
      token: await admin(),
      body: { level: 'strict', effectiveFrom: '2026-03-16', reason: '警告一次' },
    });
    expect(r.status).toBe(201);
    const read = await call('GET', `${base}/${created.id}`, { token: await admin() });
    expect(read.body.levelHistory).toEqual([
      { level: 'normal', effectiveFrom: '2026-01-01', reason: 'initial' },
      { level: 'strict', effectiveFrom: '2026-03-16', reason: '警告一次' },
    ]);
  });

  it('refuses a level the rule set in force that day does not define, and a day outside the term', async () => {
    const { created } = await create();
    const unknown = await call('POST', `${base}/${created.id}/levels`, {
      token: await admin(),
      body: { level: 'class-5', effectiveFrom: '2026-03-01', reason: 'x' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('level');
    const outside = await call('POST', `${base}/${created.id}/levels`, {
      token: await admin(),
      body: { level: 'strict', effectiveFrom: '2030-01-01', reason: 'x' },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.errors[0].path).toBe('effectiveFrom');
  });
});

describe('a user with two roles in the county (issue #11)', () => {
  /** A user holding each membership in deqing; signed in afresh. */
  async function twoRoles(login: string, memberships: Record<string, unknown>[]) {
    for (const [i, m] of memberships.entries()) {
      const r = await call('POST', '/api/v1/counties/deqing/users', {
        token: await admin(),
        body: {
          login,
          ...(i === 0 ? { displayName: login, password: 'two-roles-password-2026' } : {}),
          ...m,
        },
      });
      expect(r.status, r.text).toBe(201);
    }
    const r = await freshLogin(login, 'two-roles-password-2026');
    expect(r.status, r.text).toBe(200);
    return r.body.accessToken as string;
  }
  const serve = (id: string) =>
    env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), id)
      .run();

  it("shows each supervisee at the level of the role that grants it: the worker's in township B, the office's in A", async () => {
    const token = await twoRoles('office.and.worker', [
      { role: 'office_officer', townshipIds: ['wukang'] },
      { role: 'provider_worker', providerId: 'chenxi' },
    ]);
    const { created: inA } = await create({ townshipId: 'wukang' });
    const { created: inB } = await create({ townshipId: 'xinshi', name: '新市受服务者' });
    const { created: neither } = await create({ townshipId: 'xinshi' });
    await serve(inB.id);

    const b = await call('GET', `${base}/${inB.id}`, { token });
    expect(b.status, b.text).toBe(200);
    expect(b.body).not.toHaveProperty('idNumber');
    expect(b.body.idNumberMasked).toBe(`${inB.idNumber.slice(0, 6)}********${inB.idNumber.slice(14)}`);
    expect(b.body.phone).toBe(inB.phone);
    expect(b.text).not.toContain(inB.idNumber);
    const a = await call('GET', `${base}/${inA.id}`, { token });
    expect(a.status).toBe(200);
    expect(a.body.idNumber).toBe(inA.idNumber);
    expect((await call('GET', `${base}/${neither.id}`, { token })).status).toBe(404);

    // Look-up by ID number reaches only those seen in full.
    const lookB = await call('GET', `${base}?idNumber=${inB.idNumber}`, { token });
    expect(lookB.status).toBe(200);
    expect(lookB.body.items).toEqual([]);
    const lookA = await call('GET', `${base}?idNumber=${inA.idNumber}`, { token });
    expect(lookA.body.items.map((s: { id: string }) => s.id)).toEqual([inA.id]);

    // The download: the ID number of the office's supervisee, none for the worker's.
    const csv = await call('GET', `${base}?format=csv&lang=en&limit=500`, { token });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(inA.idNumber);
    expect(csv.text).not.toContain(inB.idNumber);
    expect(csv.text).toContain('新市受服务者');
    const { results } = await env
      .COUNTY_DEQING!.prepare(
        "SELECT detail FROM audit_log WHERE action = 'supervisee.export_personal' ORDER BY seq DESC LIMIT 1",
      )
      .all<{ detail: string }>();
    const ids = JSON.parse(results[0]!.detail).superviseeIds as string[];
    expect(ids).toContain(inA.id);
    expect(ids).not.toContain(inB.id);
  });

  it('shows an evaluator who is also a worker names only of the supervisees the provider serves', async () => {
    const token = await twoRoles('evaluator.and.worker', [
      { role: 'evaluator' },
      { role: 'provider_worker', providerId: 'chenxi' },
    ]);
    const { created: served } = await create({ name: '受服务的甲' });
    const { created: other } = await create({ name: '未服务的乙' });
    await serve(served.id);

    const s = await call('GET', `${base}/${served.id}`, { token });
    expect(s.body).toMatchObject({ name: '受服务的甲', phone: served.phone });
    expect(s.body).not.toHaveProperty('idNumber');
    const o = await call('GET', `${base}/${other.id}`, { token });
    expect(o.status).toBe(200);
    for (const field of ['name', 'birthDate', 'idNumber', 'idNumberMasked', 'phone', 'address']) {
      expect(o.body).not.toHaveProperty(field);
    }

    const list = await call('GET', `${base}?limit=500`, { token });
    const byId = new Map(list.body.items.map((x: { id: string }) => [x.id, x]));
    expect(byId.get(served.id)).toHaveProperty('name', '受服务的甲');
    expect(byId.get(other.id)).not.toHaveProperty('name');
    expect(list.text).not.toContain('未服务的乙');
    // A name search finds the served one, and cannot tell whether the other is on record.
    const q = async (text: string) =>
      (await call('GET', `${base}?q=${encodeURIComponent(text)}`, { token })).body.items.map(
        (x: { id: string }) => x.id,
      );
    expect(await q('受服务的甲')).toEqual([served.id]);
    expect(await q('未服务的乙')).toEqual([]);
    expect(await q(other.caseNumber)).toEqual([other.id]);
    // No ID-number look-up: none of its roles sees anyone in full.
    expect((await call('GET', `${base}?idNumber=${other.idNumber}`, { token })).status).toBe(403);

    // The profile: health for the served supervisee, none for the other.
    await call('PUT', `${base}/${served.id}/profile`, { token: await admin(), body: { health: '糖尿病甲' } });
    await call('PUT', `${base}/${other.id}/profile`, { token: await admin(), body: { health: '糖尿病乙' } });
    expect((await call('GET', `${base}/${served.id}/profile`, { token })).body.health).toBe('糖尿病甲');
    const otherProfile = await call('GET', `${base}/${other.id}/profile`, { token });
    expect(otherProfile.body).not.toHaveProperty('health');
  });
});
