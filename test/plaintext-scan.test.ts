/**
 * Issue #4 "Proof": personal data is found nowhere it should not be. Supervisees with profiles,
 * assessments, activities and incidents are created through the API (and refused requests made
 * with the same values); then every row of every table of the county database, every log line
 * written meanwhile, and every error body are searched for the plaintext values. Issue #11 added
 * assessment results and activity summaries (ADR 0403).
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { idNumber, superviseeBody } from './helpers/fixtures';
import { type Call, call, tokenFor } from './helpers/http';

const api = '/api/v1/counties/deqing';

/** Values only ever typed into personal fields, distinctive enough to find anywhere. */
const people = [0, 1].map((i) => ({
  idNumber: idNumber('19850607'),
  phone: `1390571${4400 + i}`,
  address: `德清县武康街道保密巷${17 + i}号`,
  health: `乙肝病毒携带者第${i}例`,
  psychNotes: `幼年受虐经历访谈记录${i}`,
  incident: `深夜醉酒持刀威胁邻居${i}`,
  assessmentResult: `再犯风险高需重点管控${i}`,
  activitySummary: `走访得知其与前妻争执动手${i}`,
}));
const secrets = people.flatMap((p) => Object.values(p));

const logged: string[] = [];
const errorBodies: Call[] = [];
const spies: ReturnType<typeof vi.spyOn>[] = [];

const render = (args: unknown[]) =>
  args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return `${a.name} ${a.message} ${a.stack ?? ''}`;
      try {
        return JSON.stringify(a);
      } catch {
        return String(a);
      }
    })
    .join(' ');

async function expectStatus(r: Call, status: number) {
  expect(r.status, r.text).toBe(status);
  if (status >= 400) errorBodies.push(r);
  return r;
}

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    spies.push(
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(render(args));
      }),
    );
  }

  const admin = await tokenFor('deqing.admin');
  const worker = await tokenFor('provider.worker');
  for (const p of people) {
    const created = await expectStatus(
      await call('POST', `${api}/supervisees`, {
        token: admin,
        body: superviseeBody({ idNumber: p.idNumber, phone: p.phone, address: p.address }),
      }),
      201,
    );
    const id = created.body.id as string;
    await env
      .COUNTY_DEQING!.prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), id)
      .run();
    await expectStatus(
      await call('PUT', `${api}/supervisees/${id}/profile`, {
        token: worker,
        body: { employment: '个体', health: p.health, volunteerSince: '2026-02-01' },
      }),
      200,
    );
    await expectStatus(
      await call('POST', `${api}/supervisees/${id}/assessments`, {
        token: worker,
        body: {
          kind: 'psychological',
          assessedOn: '2026-02-02',
          result: p.assessmentResult,
          notes: p.psychNotes,
        },
      }),
      201,
    );
    // An activity with the summary, with an Idempotency-Key (its answer is kept for retries).
    const activityBody = {
      type: 'home_visit',
      occurredOn: '2026-03-10',
      durationMinutes: 60,
      summary: p.activitySummary,
      participants: [{ superviseeId: id }],
    };
    const activity = await expectStatus(
      await call('POST', `${api}/activities`, {
        token: worker,
        body: activityBody,
        headers: { 'idempotency-key': `scan-${id}` },
      }),
      201,
    );
    await expectStatus(
      await call('POST', `${api}/activities`, {
        token: worker,
        body: activityBody,
        headers: { 'idempotency-key': `scan-${id}` },
      }),
      201,
    );
    const incident = await expectStatus(
      await call('POST', `${api}/incidents`, {
        token: worker,
        body: { superviseeId: id, kind: 'suspected_offence', description: p.incident },
      }),
      201,
    );
    // Reads that decrypt, by each role that may, and by one that may not.
    for (const login of ['deqing.admin', 'deqing.office.wukang', 'provider.worker', 'deqing.evaluator']) {
      const token = await tokenFor(login);
      await call('GET', `${api}/supervisees/${id}`, { token });
      await call('GET', `${api}/supervisees/${id}/profile`, { token });
      await call('GET', `${api}/supervisees/${id}/assessments`, { token });
      await call('GET', `${api}/activities/${activity.body.id}`, { token });
      await call('GET', `${api}/activities?superviseeId=${id}`, { token });
      await call('GET', `${api}/ledgers/${activity.body.ledgerId}`, { token });
      await call('GET', `${api}/activities?superviseeId=${id}&format=csv`, { token });
    }
    await call('PATCH', `${api}/activities/${activity.body.id}`, {
      token: worker,
      body: { summary: p.activitySummary, durationMinutes: 50 },
    });
    await call('GET', `${api}/incidents/${incident.body.id}`, { token: admin });
    await call('GET', `${api}/supervisees?idNumber=${p.idNumber}`, { token: admin });
    await call('PATCH', `${api}/supervisees/${id}`, {
      token: admin,
      body: { phone: p.phone },
      headers: { 'if-match': created.headers.get('etag')! },
    });

    // Refused requests carrying the same values.
    await expectStatus(
      await call('POST', `${api}/supervisees`, {
        token: admin,
        body: superviseeBody({ idNumber: p.idNumber, phone: p.phone, address: p.address }),
      }),
      409,
    );
    const badCheckDigit = `${p.idNumber.slice(0, 17)}${p.idNumber[17] === '0' ? '1' : '0'}`;
    await expectStatus(
      await call('POST', `${api}/supervisees`, {
        token: admin,
        body: superviseeBody({ idNumber: badCheckDigit, phone: `${p.phone}#`, address: p.address }),
      }),
      400,
    );
    await expectStatus(
      await call('GET', `${api}/supervisees?idNumber=${p.idNumber}`, {
        token: await tokenFor('deqing.evaluator'),
      }),
      403,
    );
    await expectStatus(
      await call('GET', `${api}/supervisees?idNumber=${badCheckDigit}`, { token: admin }),
      400,
    );
    await expectStatus(
      await call('PUT', `${api}/supervisees/${id}/profile`, {
        token: worker,
        body: { health: `${p.health}${'。'.repeat(2000)}` },
      }),
      400,
    );
    await expectStatus(
      await call('PUT', `${api}/supervisees/${id}/profile`, {
        token: worker,
        body: { health: p.health, volunteerSince: '2999-01-01' },
      }),
      400,
    );
    await expectStatus(
      await call('PUT', `${api}/supervisees/${id}/profile`, {
        token: worker,
        rawBody: `{"health": "${p.health}", `,
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/supervisees/${id}/assessments`, {
        token: worker,
        body: { kind: 'astrology', assessedOn: '2026-02-02', result: p.assessmentResult },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/supervisees/${id}/assessments`, {
        token: worker,
        body: { kind: 'risk', assessedOn: '2999-01-01', result: p.assessmentResult },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/activities`, {
        token: worker,
        body: { ...activityBody, occurredOn: '2999-01-01' },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/activities`, {
        token: worker,
        body: { ...activityBody, durationMinutes: 61 },
        headers: { 'idempotency-key': `scan-${id}` },
      }),
      422,
    );
    await expectStatus(
      await call('PATCH', `${api}/activities/${activity.body.id}`, {
        token: worker,
        body: { summary: `${p.activitySummary}${'。'.repeat(4000)}` },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/supervisees/does-not-exist/assessments`, {
        token: worker,
        body: { kind: 'psychological', assessedOn: '2026-02-02', result: '需关注', notes: p.psychNotes },
      }),
      404,
    );
    await expectStatus(
      await call('POST', `${api}/incidents`, {
        token: worker,
        body: { superviseeId: id, kind: 'rumour', description: p.incident },
      }),
      400,
    );
    await expectStatus(
      await call('POST', `${api}/incidents`, {
        token: admin,
        body: { superviseeId: id, kind: 'violation', description: p.incident },
      }),
      403,
    );
    await expectStatus(
      await call('PATCH', `${api}/supervisees/${id}`, {
        token: admin,
        body: { phone: p.phone },
        headers: { 'if-match': '"v999"' },
      }),
      412,
    );
  }
  // A failure on our side: a ciphertext moved to another row no longer opens (500).
  const { results } = await env
    .COUNTY_DEQING!.prepare(
      'SELECT supervisee_id, health_enc FROM supervisee_profiles WHERE health_enc IS NOT NULL LIMIT 2',
    )
    .all<{ supervisee_id: string; health_enc: string }>();
  await env
    .COUNTY_DEQING!.prepare('UPDATE supervisee_profiles SET health_enc = ? WHERE supervisee_id = ?')
    .bind(results[0]!.health_enc, results[1]!.supervisee_id)
    .run();
  await expectStatus(
    await call('GET', `${api}/supervisees/${results[1]!.supervisee_id}/profile`, { token: admin }),
    500,
  );
});

afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

const found = (haystack: string) => secrets.filter((s) => haystack.includes(s));

describe('the plaintext scan', () => {
  it('finds no personal value in any row of any table of the county database', async () => {
    const { results: tables } = await env
      .COUNTY_DEQING!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all<{ name: string }>();
    const names = tables.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['supervisees', 'supervisee_profiles', 'assessments', 'incidents', 'audit_log']),
    );
    const leaks: string[] = [];
    let rows = 0;
    for (const name of names) {
      // D1's own bookkeeping table refuses reads (SQLITE_AUTH); it holds no application data.
      if (name.startsWith('_cf_')) continue;
      const { results } = await env
        .COUNTY_DEQING!.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
        .all();
      rows += results.length;
      for (const row of results) {
        for (const secret of found(JSON.stringify(row))) leaks.push(`${name}: ${secret}`);
      }
    }
    expect(rows).toBeGreaterThan(50);
    expect(leaks).toEqual([]);
  });

  it('finds none in the control database either', async () => {
    const { results: tables } = await env.CONTROL_DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    const leaks: string[] = [];
    for (const { name } of tables) {
      const { results } = await env.CONTROL_DB.prepare(`SELECT * FROM "${name}"`).all();
      for (const secret of found(JSON.stringify(results))) leaks.push(`${name}: ${secret}`);
    }
    expect(leaks).toEqual([]);
  });

  it('finds none in the log lines written meanwhile', () => {
    // The spy did capture the request log: the scan is not vacuous.
    expect(logged.some((l) => l.includes('"route":"/api/v1/counties/:county/supervisees/:id/profile"'))).toBe(
      true,
    );
    expect(logged.some((l) => l.includes('"status":500'))).toBe(true);
    expect(logged.flatMap((l) => found(l))).toEqual([]);
  });

  it('finds none in error bodies', () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(20);
    for (const r of errorBodies) {
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect({ status: r.status, leaks: found(r.text) }).toEqual({ status: r.status, leaks: [] });
      // Nor a near miss: the refused ID number with a wrong check digit.
      expect(r.text).not.toMatch(/\d{17}[\dX]/);
    }
  });

  it('audits every decrypting read by field name, not by value', async () => {
    const { results } = await env
      .COUNTY_DEQING!.prepare("SELECT action, detail FROM audit_log WHERE action LIKE '%.read_personal'")
      .all<{ action: string; detail: string }>();
    const actions = new Set(results.map((r) => r.action));
    expect([...actions].sort()).toEqual([
      'activity.read_personal',
      'assessment.read_personal',
      'incident.read_personal',
      'profile.read_personal',
      'supervisee.read_personal',
    ]);
    // Evaluators decrypt nothing: 3 roles × 2 people profile reads that opened health.
    expect(results.filter((r) => r.action === 'profile.read_personal').length).toBe(6);
    expect(results.filter((r) => r.action === 'assessment.read_personal').length).toBe(6);
    // Summaries: each of 3 roles × 3 reads (one, list, ledger) × 2 people, and more (replays,
    // the PATCH's answer); the downloads, which show no summary, decrypt none.
    expect(results.filter((r) => r.action === 'activity.read_personal').length).toBeGreaterThanOrEqual(18);
  });
});
