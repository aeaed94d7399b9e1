/**
 * Cross-county probe: every county route × every demo login × {own county, other county,
 * another county's record}. No answer may carry another county's data, and a record of another
 * county must answer exactly as a record that does not exist.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTIES } from '../src/demo/data';
import { call, tokenFor } from './helpers/http';
import { ALL_LOGINS, countyApiRoutes, fillPath, sampleBody } from './helpers/probe';

const [DEQING, ANJI] = DEMO_COUNTIES as [(typeof DEMO_COUNTIES)[0], (typeof DEMO_COUNTIES)[0]];

/** Strings that only ever belong to one county's data. */
const markersOf = (county: typeof DEQING) => [
  ...county.townships.map((t) => t.name),
  `${county.slug}.admin`,
  `u-${county.slug}-admin`,
];

/** Ids of records that exist in anji only (filled in beforeAll from anji's own data). */
let anjiRecordIds: string[] = [];

beforeAll(async () => {
  const { results } = await env.CONTROL_DB.prepare(
    "SELECT id FROM memberships WHERE county = 'anji' LIMIT 3",
  ).all<{ id: string }>();
  const towns = await env.COUNTY_ANJI!.prepare('SELECT id FROM townships LIMIT 2').all<{ id: string }>();
  const contracts = await env.COUNTY_ANJI!.prepare('SELECT id FROM contracts LIMIT 1').all<{ id: string }>();
  anjiRecordIds = [
    ...results.map((r) => r.id),
    ...towns.results.map((r) => r.id),
    ...contracts.results.map((r) => r.id),
  ];
});

const strip = (body: unknown) =>
  body && typeof body === 'object' ? { ...(body as object), requestId: null } : body;

describe.each(countyApiRoutes())('$method $path', ({ method, path }) => {
  const hasId = /:(?!county)[a-zA-Z]+/.test(path);

  it('never returns another county’s data, to anyone', async () => {
    const leaks: string[] = [];
    for (const login of ALL_LOGINS) {
      const token = await tokenFor(login);
      for (const [county, foreign] of [
        [DEQING, ANJI],
        [ANJI, DEQING],
      ] as const) {
        const ids = hasId ? ['does-not-exist', ...anjiRecordIds] : ['-'];
        for (const id of ids) {
          const r = await call(method, fillPath(path, county.slug, id), {
            token,
            body: sampleBody(method, path),
          });
          if (r.status >= 500) leaks.push(`${login} ${county.slug} ${id}: ${r.status}`);
          for (const marker of markersOf(foreign)) {
            if (r.text.includes(marker)) leaks.push(`${login} ${county.slug} ${id}: contains ${marker}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it.runIf(hasId)('answers a record of another county exactly like one that does not exist', async () => {
    const differences: string[] = [];
    for (const login of ALL_LOGINS) {
      const token = await tokenFor(login);
      const missing = await call(method, fillPath(path, 'deqing', 'does-not-exist'), {
        token,
        body: sampleBody(method, path),
      });
      for (const id of anjiRecordIds) {
        const foreign = await call(method, fillPath(path, 'deqing', id), {
          token,
          body: sampleBody(method, path),
        });
        if (
          foreign.status !== missing.status ||
          JSON.stringify(strip(foreign.body)) !== JSON.stringify(strip(missing.body))
        ) {
          differences.push(`${login} ${id}: ${foreign.status} vs ${missing.status}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });

  it('refuses a caller with no role in the county', async () => {
    const token = await tokenFor('deqing.officer');
    const r = await call(method, fillPath(path, 'anji', 'does-not-exist'), {
      token,
      body: sampleBody(method, path),
    });
    expect(r.status).toBe(403);
  });

  it('refuses an anonymous caller', async () => {
    const r = await call(method, fillPath(path, 'deqing', 'does-not-exist'), {
      body: sampleBody(method, path),
    });
    expect(r.status).toBe(401);
  });
});
