import { describe, expect, it } from 'vitest';
import { API_BODY_LIMIT } from '../src/app';
import { PERMISSIONS, ruleKey } from '../src/auth/permissions';
import { call, tokenFor } from './helpers/http';

const isProblem = (r: { status: number; headers: Headers; body: any }, status: number) => {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
};

describe('HTTP core', () => {
  it('answers /healthz', async () => {
    const r = await call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown address with a 404 problem', async () => {
    isProblem(await call('GET', '/api/v1/nothing-here'), 404);
  });

  it('sends a real CSP and HSTS of at least a year on every answer', async () => {
    for (const path of ['/healthz', '/login', '/api/v1/nothing-here']) {
      const r = await call('GET', path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      const maxAge = Number(/max-age=(\d+)/.exec(r.headers.get('strict-transport-security') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThanOrEqual(31_536_000);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/townships', {
      token,
      rawBody: JSON.stringify({ name: 'x'.repeat(API_BODY_LIMIT + 10) }),
      headers: { 'content-type': 'application/json' },
    });
    isProblem(r, 413);
  });

  it('refuses a write that is not JSON with 415', async () => {
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/townships', {
      token,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    isProblem(r, 415);
  });

  it('refuses malformed JSON with a 400 problem', async () => {
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/townships', {
      token,
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    isProblem(r, 400);
  });

  it('rejects unknown fields and names every bad field by its path', async () => {
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/townships', {
      token,
      body: { name: '', code: 'abc', colour: 'red' },
    });
    isProblem(r, 400);
    const paths = r.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['code', 'name']));
    expect(JSON.stringify(r.body.errors)).toContain('colour');
  });

  it('never leaks a stack or SQL in a 500', async () => {
    // A duplicate township name hits a UNIQUE constraint: the answer is a 409, not the SQL text.
    const token = await tokenFor('deqing.admin');
    const r = await call('POST', '/api/v1/counties/deqing/townships', { token, body: { name: '武康街道' } });
    isProblem(r, 409);
    expect(r.text).not.toMatch(/UNIQUE|SQLITE|INSERT|at .*\.ts/);
  });

  it('publishes OpenAPI 3.1 built from the routes', async () => {
    const r = await call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/api/v1/counties/{county}/townships']),
    );
    const login = r.body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('names every operation once and declares its security from the permission table', async () => {
    const r = await call('GET', '/openapi.json');
    const ops = Object.entries(r.body.paths as Record<string, Record<string, any>>).flatMap(
      ([path, byMethod]) =>
        Object.entries(byMethod).map(([method, op]) => ({
          key: ruleKey(method, path.replace(/\{([^}]+)\}/g, ':$1')),
          op,
        })),
    );
    expect(ops.length).toBeGreaterThan(100);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !/^[a-z]+[A-Za-z]*$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const { key, op } of ops)
      expect({ key, security: op.security }).toEqual({
        key,
        security: PERMISSIONS[key]?.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
      });
    expect(r.body.paths['/api/v1/counties/{county}/ledgers/{id}/submit'].post.operationId).toBe(
      'submitLedger',
    );
    expect(r.body.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });

  it('serves the API reference viewer from its own origin', async () => {
    const r = await call('GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.text).toContain('data-url="/openapi.json"');
    expect(r.text).toContain('src="/vendor/scalar.js"');
    expect(r.text).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
  });
});
