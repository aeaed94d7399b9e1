/** Calls the real Worker (the module under test) the way a client would. */
import { exports } from 'cloudflare:workers';
import { DEMO_PASSWORD } from '../../src/demo/data';

export const BASE = 'https://bangjiao.test';

export type Call = { status: number; headers: Headers; body: any; text: string };

export async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { method, headers, body, redirect: 'manual' }),
  );
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const tokens = new Map<string, string>();

/** Signs in a demo login once per test file and reuses its token. */
export async function tokenFor(login: string): Promise<string> {
  const cached = tokens.get(login);
  if (cached) return cached;
  const res = await call('POST', '/api/v1/auth/login', { body: { login, password: DEMO_PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${res.text}`);
  tokens.set(login, res.body.accessToken);
  return res.body.accessToken;
}

/** A fresh session (not cached), for tests that end or change it. */
export async function freshLogin(login: string, password = DEMO_PASSWORD) {
  return call('POST', '/api/v1/auth/login', { body: { login, password } });
}
