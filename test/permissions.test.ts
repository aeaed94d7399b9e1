import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ruleKey } from '../src/auth/permissions';
import { appRoutes } from './helpers/routes';

describe('the permission table', () => {
  const routes = appRoutes();

  it('has an entry for every route of the app', () => {
    const missing = routes.map((r) => ruleKey(r.method, r.path)).filter((k) => !PERMISSIONS[k]);
    expect(missing).toEqual([]);
  });

  it('has no entry for a route that does not exist', () => {
    const existing = new Set(routes.map((r) => ruleKey(r.method, r.path)));
    const stale = Object.keys(PERMISSIONS).filter((k) => !existing.has(k));
    expect(stale).toEqual([]);
  });

  it('lets no one but the platform operator onto /platform routes', () => {
    const platform = Object.entries(PERMISSIONS).filter(([k]) => k.includes('/api/v1/platform/'));
    expect(platform.length).toBeGreaterThan(0);
    for (const [, rule] of platform) expect(rule.access).toBe('platform');
  });

  it('puts every county API route behind a county rule', () => {
    const countyRoutes = Object.entries(PERMISSIONS).filter(([k]) => k.includes('/api/v1/counties/:county'));
    for (const [key, rule] of countyRoutes)
      expect({ key, access: rule.access }).toEqual({ key, access: 'county' });
  });
});
