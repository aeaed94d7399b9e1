/**
 * Previewing a draft rule set (issue 3 item 3): per requirement, who would be short in a month
 * under the draft, treated as published at its effectiveFrom, versus the rules in force.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertActivities } from '../../test/helpers/activity-rows';
import { errorPaths, register } from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { type ComplianceItem, deqing2017 } from '../rules';
import { isShort } from './service';

const C = '/api/v1/counties/deqing';

/** Education halved to 4 h, community service dropped, a monthly counselling session added. */
const DRAFT = {
  ...structuredClone(deqing2017),
  name: '德清县 2027 草案',
  requirements: [
    ...deqing2017.requirements
      .filter((r) => r.id !== 'community-service')
      .map((r) => (r.id === 'education' ? { ...r, min: 4 } : r)),
    {
      id: 'counselling',
      activityTypes: ['psych_counselling'],
      measure: 'count',
      min: 1,
      window: { calendar: 'month' },
    },
  ],
};

let draftId: string;
const people: Record<string, Awaited<ReturnType<typeof register>>> = {};

beforeAll(async () => {
  const term = { termStart: '2025-06-01', termEnd: '2027-05-31' };
  for (const [key, hours] of [
    ['six', 6],
    ['ten', 10],
    ['two', 2],
  ] as const) {
    people[key] = await register('deqing', { ...term, name: `预览对象${key}` });
    await insertActivities(env.COUNTY_DEQING!, [
      { type: 'education', occurredOn: '2026-03-12', minutes: hours * 60, participants: [people[key].id] },
    ]);
  }
  const r = await call('POST', `${C}/rule-sets`, { token: await tokenFor('deqing.admin'), body: DRAFT });
  expect(r.status, r.text).toBe(201);
  draftId = r.body.id;
});

const preview = async (id: string, query = '?month=2026-03', login = 'deqing.admin') =>
  call('POST', `${C}/rule-sets/${id}/preview${query}`, { token: await tokenFor(login) });

describe('POST /rule-sets/{id}/preview', () => {
  it('counts, per requirement, who would be short under the draft and under the rules in force', async () => {
    const r = await preview(draftId);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      ruleSetId: draftId,
      month: '2026-03',
      from: '2026-03-01',
      to: '2026-03-31',
    });
    expect(r.body.supervisees).toBe(3);
    const by = Object.fromEntries(
      r.body.requirements.map((x: { requirementId: string }) => [x.requirementId, x]),
    ) as Record<string, any>;
    expect(Object.keys(by).sort()).toEqual(
      ['community-service', 'counselling', 'education', 'phone-followup', 'visit', 'visit-key'].sort(),
    );
    const names = (side: { supervisees: { name: string }[] }) => side.supervisees.map((s) => s.name).sort();
    // 8 h in force: 6 h and 2 h are short; 4 h in the draft: only 2 h.
    expect(by.education.inForce).toMatchObject({ applies: 3, short: 2 });
    expect(names(by.education.inForce)).toEqual([people.six!.name, people.two!.name].sort());
    expect(by.education.draft).toMatchObject({ applies: 3, short: 1 });
    expect(names(by.education.draft)).toEqual([people.two!.name]);
    expect(by.education.change).toBe(-1);
    expect(by['community-service']).toMatchObject({
      inForce: { applies: 3, short: 3 },
      draft: { applies: 0, short: 0, supervisees: [] },
      change: -3,
    });
    expect(by.counselling).toMatchObject({
      inForce: { applies: 0, short: 0 },
      draft: { applies: 3, short: 3 },
      change: 3,
    });
    expect(by.visit).toMatchObject({ inForce: { short: 3 }, draft: { short: 3 }, change: 0 });
    // Key persons only: nobody here, but the requirement is listed.
    expect(by['visit-key']).toMatchObject({
      inForce: { applies: 0, short: 0 },
      draft: { applies: 0, short: 0 },
    });
    expect(by.education.inForce.supervisees[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        caseNumber: expect.any(String),
        name: expect.any(String),
      }),
    );
  });

  it('changes nothing: the draft stays a draft and the rules in force stay in force', async () => {
    await preview(draftId);
    const current = await call('GET', `${C}/rule-sets/current?on=2026-03-15`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(current.body.id).toBe('deqing-rules-v1');
    const draft = await call('GET', `${C}/rule-sets/${draftId}`, { token: await tokenFor('deqing.admin') });
    expect(draft.body.status).toBe('draft');
  });

  it('makes no difference for a month before the draft takes effect', async () => {
    const later = await call('POST', `${C}/rule-sets`, {
      token: await tokenFor('deqing.admin'),
      body: { ...DRAFT, effectiveFrom: '2026-04-01' },
    });
    const r = await preview(later.body.id);
    for (const x of r.body.requirements) {
      expect({ id: x.requirementId, change: x.change }).toEqual({ id: x.requirementId, change: 0 });
      expect(x.draft).toEqual(x.inForce);
    }
  });

  it('refuses other roles, published versions, unknown ids and a bad month', async () => {
    expect((await preview(draftId, '?month=2026-03', 'deqing.officer')).status).toBe(403);
    expect((await preview(draftId, '?month=2026-03', 'provider.admin')).status).toBe(403);
    expect((await preview('deqing-rules-v1')).status).toBe(409);
    expect((await preview('does-not-exist')).status).toBe(404);
    const anji = await call('POST', `/api/v1/counties/anji/rule-sets/${draftId}/preview?month=2026-03`, {
      token: await tokenFor('anji.admin'),
    });
    expect(anji.status).toBe(404);
    const bad = await preview(draftId, '?month=2026-00');
    expect(bad.status).toBe(400);
    expect(errorPaths(bad.body)).toEqual(['month']);
  });
});

describe('isShort', () => {
  const item = (patch: Partial<ComplianceItem>): ComplianceItem => ({
    requirementId: 'r',
    windowStart: '2026-03-01',
    windowEnd: '2026-03-31',
    measure: 'count',
    required: 1,
    achieved: 0,
    status: 'open',
    dueBy: '2026-03-31',
    ...patch,
  });

  it('counts a closed window not met, and never one met', () => {
    expect(isShort(item({ status: 'short' }), '2026-04-02')).toBe(true);
    expect(isShort(item({ status: 'overdue' }), '2026-04-02')).toBe(true);
    expect(isShort(item({ status: 'met', achieved: 1 }), '2026-03-02')).toBe(false);
  });

  it('counts an open window behind pace, rounded down to a whole count or half hour', () => {
    // One visit a month: behind only once the whole month is used up.
    expect(isShort(item({}), '2026-03-30')).toBe(false);
    expect(isShort(item({}), '2026-03-31')).toBe(true);
    // 8 h a month, 15 of 31 days gone: pace 8 × 15 / 31 = 3.87 h, rounded down to 3.5 h.
    const hours = item({ measure: 'hours', required: 8 });
    expect(isShort({ ...hours, achieved: 3 }, '2026-03-15')).toBe(true);
    expect(isShort({ ...hours, achieved: 3.5 }, '2026-03-15')).toBe(false);
    // A window not yet begun is not behind.
    expect(isShort(hours, '2026-02-20')).toBe(false);
    // A deadline from the term's start, half way through.
    const due = item({ status: 'due', required: 2, windowStart: '2026-03-01', windowEnd: '2026-03-31' });
    expect(isShort(due, '2026-03-16')).toBe(true);
    expect(isShort({ ...due, achieved: 1 }, '2026-03-16')).toBe(false);
  });
});
