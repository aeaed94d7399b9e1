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

export type DemoSupervisee = {
  id: string;
  townshipId: string;
  providerId: string | null;
  workerUserId: string | null;
  termStart: string;
  termEnd: string;
};

/**
 * The supervisees the demo seeds in a county (src/demo/service-records.ts), with their township
 * and assignment: tests that count or list a whole scope account for them by name rather than
 * assume an empty county.
 */
export async function demoSupervisees(db: D1Database): Promise<DemoSupervisee[]> {
  const { results } = await db
    .prepare(
      `SELECT s.id, s.township_id AS townshipId, s.term_start AS termStart, s.term_end AS termEnd, a.provider_id AS providerId, a.worker_user_id AS workerUserId
       FROM supervisees s LEFT JOIN assignments a ON a.supervisee_id = s.id
       WHERE s.id LIKE 'demo-%' ORDER BY s.id`,
    )
    .all<DemoSupervisee>();
  return results;
}
