import { describe, expect, it } from 'vitest';
import { call, tokenFor } from './helpers/http';

describe('smoke', () => {
  it('healthz', async () => {
    const r = await call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });
  it('townships of deqing for the admin', async () => {
    const token = await tokenFor('deqing.admin');
    const r = await call('GET', '/api/v1/counties/deqing/townships', { token });
    expect(r.status).toBe(200);
    expect(r.body.items.map((t: { name: string }) => t.name)).toContain('武康街道');
  });
});
