/**
 * The daily tasks with a fixed "today": the right people hear about a due ledger, a late one and
 * a missed key-person visit, once, and the compliance snapshot is rewritten, not duplicated.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import { complianceDailyTask } from '../compliance/task';
import { ledgerReminderTask } from '../ledgers/task';
import { runCountyJob } from './runner';

/** 10:00 in Asia/Shanghai on `day`. */
const at = (day: string) => `${day}T02:00:00.000Z`;

async function servedSupervisee(patch: Record<string, unknown>) {
  const s = await call('POST', '/api/v1/counties/deqing/supervisees', {
    token: await tokenFor('deqing.admin'),
    body: superviseeBody({ name: '不应出现的姓名', ...patch }),
  });
  expect(s.status, s.text).toBe(201);
  await env
    .COUNTY_DEQING!.prepare(
      "INSERT INTO assignments (id, supervisee_id, provider_id, worker_user_id, from_date) VALUES (?, ?, 'chenxi', 'u-provider-worker', '2026-01-01')",
    )
    .bind(crypto.randomUUID(), s.body.id)
    .run();
  return s.body.id as string;
}

const inbox = async (login: string) =>
  (await call('GET', '/api/v1/me/notifications', { token: await tokenFor(login) })).body.items as {
    title: string;
    link: string;
  }[];

describe('ledger reminders', () => {
  it('remind the provider before the due day, then flag a late ledger to provider, office and bureau, once', async () => {
    const id = await servedSupervisee({ townshipId: 'wukang' });
    const visit = await call('POST', '/api/v1/counties/deqing/activities', {
      token: await tokenFor('provider.worker'),
      body: {
        type: 'home_visit',
        occurredOn: '2026-03-10',
        durationMinutes: 60,
        participants: [{ superviseeId: id }],
      },
    });
    expect(visit.status, visit.text).toBe(201);
    const ledger = await env
      .COUNTY_DEQING!.prepare(
        "SELECT id, due_by FROM ledgers WHERE cycle = '2026-03' AND township_id = 'wukang'",
      )
      .first<{
        id: string;
        due_by: string;
      }>();
    expect(ledger!.due_by).toBe('2026-03-25'); // Deqing: due by the 25th

    await runCountyJob(env, 'deqing', 'scheduled', { tasks: [ledgerReminderTask], now: at('2026-03-23') });
    const due = (await inbox('provider.admin')).filter((n) => n.link.endsWith(ledger!.id));
    expect(due.map((n) => n.title)).toEqual(['武康街道 2026-03 台账须于 2026-03-25 前提交']);
    expect((await inbox('deqing.office.wukang')).some((n) => n.link.endsWith(ledger!.id))).toBe(false);

    for (const day of ['2026-03-26', '2026-03-27']) {
      await runCountyJob(env, 'deqing', 'scheduled', {
        tasks: [{ ...ledgerReminderTask, cadence: 'hourly' }],
        now: at(day),
      });
    }
    for (const login of ['provider.admin', 'deqing.office.wukang', 'deqing.admin']) {
      const late = (await inbox(login)).filter(
        (n) => n.title.includes('已逾期') && n.link.endsWith(ledger!.id),
      );
      expect({ login, late: late.length }).toEqual({ login, late: 1 });
    }
    const otherOffice = await call('POST', '/api/v1/counties/deqing/users', {
      token: await tokenFor('deqing.admin'),
      body: {
        login: 'office.xinshi',
        displayName: '新市司法所',
        password: 'a-long-password-9',
        role: 'office_officer',
        townshipIds: ['xinshi'],
      },
    });
    expect(otherOffice.status).toBe(201);
    expect((await inbox('provider.worker')).some((n) => n.link.endsWith(ledger!.id))).toBe(false);
  });

  it('say nothing about a submitted ledger', async () => {
    const id = await servedSupervisee({ townshipId: 'qianyuan' });
    await call('POST', '/api/v1/counties/deqing/activities', {
      token: await tokenFor('provider.worker'),
      body: {
        type: 'phone_followup',
        occurredOn: '2026-04-08',
        durationMinutes: 10,
        participants: [{ superviseeId: id }],
      },
    });
    const ledger = await env
      .COUNTY_DEQING!.prepare("SELECT id FROM ledgers WHERE cycle = '2026-04' AND township_id = 'qianyuan'")
      .first<{ id: string }>();
    expect(
      (
        await call('POST', `/api/v1/counties/deqing/ledgers/${ledger!.id}/submit`, {
          token: await tokenFor('provider.admin'),
        })
      ).status,
    ).toBe(200);
    await runCountyJob(env, 'deqing', 'scheduled', {
      tasks: [{ ...ledgerReminderTask, cadence: 'hourly' }],
      now: at('2026-04-24'),
    });
    await runCountyJob(env, 'deqing', 'scheduled', {
      tasks: [{ ...ledgerReminderTask, cadence: 'hourly' }],
      now: at('2026-04-27'),
    });
    expect((await inbox('provider.admin')).some((n) => n.link.endsWith(ledger!.id))).toBe(false);
  });
});

describe('daily compliance', () => {
  it('tells the assigned worker and the township office of a missed key-person visit, once, without names', async () => {
    await servedSupervisee({ townshipId: 'wukang', keyPerson: true });
    // 2026-03-15 ends the first half of March: the key person had no home visit in it.
    await runCountyJob(env, 'deqing', 'scheduled', { tasks: [complianceDailyTask], now: at('2026-03-16') });
    await runCountyJob(env, 'deqing', 'scheduled', {
      tasks: [{ ...complianceDailyTask, cadence: 'hourly' }],
      now: at('2026-03-16'),
    });
    const worker = (await inbox('provider.worker')).filter(
      (n) => n.title.includes('visit-key') && n.title.includes('未按期完成'),
    );
    expect(worker).toHaveLength(1);
    expect(worker[0]!.title).toMatch(/^武康街道：\d+ 人的「visit-key」未按期完成（截至 2026-03-15）$/);
    const office = (await inbox('deqing.office.wukang')).filter((n) => n.title.includes('visit-key'));
    expect(office).toHaveLength(1);
    for (const login of ['provider.worker', 'deqing.office.wukang']) {
      expect(JSON.stringify(await inbox(login))).not.toContain('不应出现的姓名');
    }
  });

  it('writes one snapshot per day, requirement and township, rewritten when run again', async () => {
    const count = async () =>
      (await env
        .COUNTY_DEQING!.prepare(
          "SELECT count(*) AS n, sum(total) AS t FROM compliance_snapshots WHERE day = '2026-03-20'",
        )
        .first<{ n: number; t: number }>())!;
    await runCountyJob(env, 'deqing', 'scheduled', {
      tasks: [{ ...complianceDailyTask, cadence: 'hourly' }],
      now: at('2026-03-20'),
    });
    const first = await count();
    expect(first.n).toBeGreaterThan(0);
    await runCountyJob(env, 'deqing', 'scheduled', {
      tasks: [{ ...complianceDailyTask, cadence: 'hourly' }],
      now: at('2026-03-20'),
    });
    expect(await count()).toEqual(first);
    const row = await env
      .COUNTY_DEQING!.prepare(
        "SELECT * FROM compliance_snapshots WHERE day = '2026-03-20' AND requirement_id = 'visit-key' AND township_id = 'wukang'",
      )
      .first<{ total: number; met: number; short: number; open: number }>();
    expect(row!.total).toBe(row!.met + row!.short + row!.open);
    expect(row!.short).toBeGreaterThan(0);
  });
});
