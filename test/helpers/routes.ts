/** The app's own route list: what the permission and tenancy suites walk. */
import { createApp } from '../../src/app';

export type RouteInfo = { method: string; path: string };

export function appRoutes(): RouteInfo[] {
  const seen = new Set<string>();
  const out: RouteInfo[] = [];
  for (const r of createApp().routes) {
    if (r.method === 'ALL') continue; // middleware
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
}
