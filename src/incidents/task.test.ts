import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { runCountyJob } from '../jobs/runner';
import { incidentEscalationTask } from './task';

async function reportedIncident(townshipId: string) {
  const s = await call('POST', '/api/v1/counties/deqing/supervisees', {
    token: await tokenFor('deqing.admin'),
    body: superviseeBody({ townshipId, name: '保密姓名甲' }),
  });
  await env
    .COUNTY_DEQING!.prepare(
      "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
    )
    .bind(crypto.randomUUID(), s.body.id)
    .run();
  const r = await call('POST', '/api/v1/counties/deqing/incidents', {
    token: await tokenFor('provider.worker'),
    body: { superviseeId: s.body.id, kind: 'mental_health_crisis', description: '对象情绪失控' },
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; escalateAt: string };
}

const titles = async (login: string) =>
  (await call('GET', '/api/v1/me/notifications', { token: await tokenFor(login) })).body.items.map(
    (n: { title: string; link: string }) => `${n.title} ${n.link}`,
  );

describe('the escalation task', () => {
  it('tells the bureau and the office of the township once, without names, when an incident is not acknowledged in time', async () => {
    const inc = await reportedIncident('wukang');
    const before = await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentEscalationTask] });
    expect(before.status).toBe('ok');
    expect((await titles('deqing.admin')).some((t: string) => t.includes(inc.id))).toBe(false);

    const later = new Date(Date.parse(inc.escalateAt) + 60_000).toISOString();
    await runCountyJob(env, 'deqing', 'scheduled', { tasks: [incidentEscalationTask], now: later });
    await runCountyJob(env, 'deqing', 'scheduled', { tasks: [incidentEscalationTask], now: later });

    for (const login of ['deqing.admin', 'deqing.officer', 'deqing.office.wukang']) {
      const mine = (await titles(login)).filter((t: string) => t.includes(inc.id));
      expect({ login, count: mine.length }).toEqual({ login, count: 1 });
      expect(mine[0]).toContain('心理危机');
      expect(mine[0]).not.toContain('保密姓名甲');
    }
    expect((await titles('provider.admin')).some((t: string) => t.includes(inc.id))).toBe(false);
  });

  it('leaves an office of another township out, and an acknowledged incident alone', async () => {
    const elsewhere = await reportedIncident('xinshi');
    const acknowledged = await reportedIncident('wukang');
    await call('POST', `/api/v1/counties/deqing/incidents/${acknowledged.id}/acknowledge`, {
      token: await tokenFor('deqing.office.wukang'),
      body: {},
    });
    const later = new Date(Date.parse(acknowledged.escalateAt) + 60_000).toISOString();
    await runCountyJob(env, 'deqing', 'scheduled', { tasks: [incidentEscalationTask], now: later });
    const office = await titles('deqing.office.wukang');
    expect(office.some((t: string) => t.includes(elsewhere.id))).toBe(false);
    expect(office.some((t: string) => t.includes(acknowledged.id))).toBe(false);
    expect((await titles('deqing.admin')).some((t: string) => t.includes(elsewhere.id))).toBe(true);
  });
});
