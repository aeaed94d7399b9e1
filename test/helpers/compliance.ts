/** Shared steps of the compliance tests: publishing a rule set, registering supervisees, dates. */
import { expect } from 'vitest';
import { todayIn } from '../../src/lib/time';
import { addDays, daysInMonth } from '../../src/rules';
import { superviseeBody } from './fixtures';
import { call, tokenFor } from './http';

/** Today in the demo counties (both Asia/Shanghai), as the server computes it. */
export const today = () => todayIn('Asia/Shanghai');
export const daysFromToday = (n: number) => addDays(today(), n);
export const monthEnd = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${date.slice(0, 7)}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
};

/** Creates and publishes a rule set as the county's admin; returns its id. */
export async function publishRuleSet(county: string, ruleSet: unknown): Promise<string> {
  const token = await tokenFor(`${county}.admin`);
  const draft = await call('POST', `/api/v1/counties/${county}/rule-sets`, { token, body: ruleSet });
  expect(draft.status, draft.text).toBe(201);
  const published = await call('POST', `/api/v1/counties/${county}/rule-sets/${draft.body.id}/publish`, {
    token,
    body: {},
  });
  expect(published.status, published.text).toBe(200);
  return draft.body.id;
}

/** Registers a supervisee through the API as the county's admin; returns the record. */
export async function register(county: string, patch: Record<string, unknown> = {}) {
  const r = await call('POST', `/api/v1/counties/${county}/supervisees`, {
    token: await tokenFor(`${county}.admin`),
    body: superviseeBody(patch),
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; name: string; caseNumber: string; townshipId: string; termStart: string };
}

export const errorPaths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
