/**
 * Every route × every demo login its rule refuses: 403, and the refusal is the role check's (not a
 * missing record, a bad body or a CSRF token). Generated from the permission table, so it grows
 * with it; the tenancy suite covers the other county's records, the fuzz suite the bodies.
 */
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../src/auth/permissions';
import { call, tokenFor } from './helpers/http';
import { fillPath, sampleBody } from './helpers/probe';
import { refusedLogins } from './helpers/role-matrix';

const ROLE_REFUSALS = /may not do this|no role in this county|Only the platform operator/;

const matrix = Object.entries(PERMISSIONS)
  .map(([key, rule]) => {
    const [method, path] = key.split(' ') as [string, string];
    return { method, path, refused: refusedLogins(rule) };
  })
  .filter((r) => r.refused.length > 0);

describe('the role matrix', () => {
  it('covers every route that some role may not call', () => {
    const restricted = Object.values(PERMISSIONS).filter(
      (r) => r.access === 'county' || r.access === 'platform',
    );
    expect(matrix.length).toBe(restricted.length);
  });
});

describe.each(matrix)('$method $path', ({ method, path, refused }) => {
  it(`refuses ${refused.map((r) => r.login).join(', ')}`, async () => {
    const wrong: string[] = [];
    await Promise.all(
      refused.map(async ({ login, roles }) => {
        const r = await call(method, fillPath(path, 'deqing', 'does-not-exist'), {
          token: await tokenFor(login),
          body: method === 'GET' ? undefined : (sampleBody(method, path) ?? {}),
          headers: { accept: 'application/problem+json' },
        });
        const detail = String(r.body?.detail ?? r.text);
        if (r.status !== 403 || !ROLE_REFUSALS.test(detail))
          wrong.push(`${login} (${roles.join('+') || 'no role'}): ${r.status} ${detail.slice(0, 120)}`);
      }),
    );
    expect(wrong).toEqual([]);
  });
});
