/**
 * Forged and stale access tokens. Each forgery names a live session, so the only reason it can
 * be refused is the forgery itself (the positive control proves a well-made token is accepted).
 */
import { env } from 'cloudflare:workers';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, freshLogin } from '../../test/helpers/http';
import { base64url } from '../lib/ids';
import { nowMs } from '../lib/time';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TOKEN_TYP } from './tokens';

const enc = (v: unknown) => base64url(new TextEncoder().encode(JSON.stringify(v)));
const ring = () => JSON.parse(env.JWT_PRIVATE_KEYS) as (JWK & { kid: string })[];

let sub: string;
let sid: string;

const now = () => Math.floor(nowMs() / 1000);
const goodClaims = () => ({
  iss: TOKEN_ISSUER,
  aud: TOKEN_AUDIENCE,
  sub,
  sid,
  jti: crypto.randomUUID(),
  iat: now(),
  exp: now() + 600,
});

async function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  jwk: JWK & { kid: string } = ring()[0]!,
) {
  const key = await importJWK({ ...jwk, key_ops: ['sign'] }, 'ES256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: TOKEN_TYP, ...header })
    .sign(key);
}

const me = (token: string) => call('GET', '/api/v1/me', { token });

beforeAll(async () => {
  const login = await freshLogin('deqing.officer');
  const claims = decodeJwt(login.body.accessToken);
  sub = claims.sub!;
  sid = claims.sid as string;
});

describe('access tokens', () => {
  it('accepts a well-made token (the control for every case below)', async () => {
    expect((await me(await sign(goodClaims()))).status).toBe(200);
  });

  it('accepts a token signed with the previous key during rotation', async () => {
    const r = await me(await sign(goodClaims(), {}, ring()[1]!));
    expect(r.status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const token = `${enc({ alg: 'none', typ: TOKEN_TYP, kid: ring()[0]!.kid })}.${enc(goodClaims())}.`;
    expect((await me(token)).status).toBe(401);
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const { d: _d, ...pub } = ring()[0]!;
    const secret = new TextEncoder().encode(JSON.stringify(pub));
    const token = await new SignJWT(goodClaims())
      .setProtectedHeader({ alg: 'HS256', kid: ring()[0]!.kid, typ: TOKEN_TYP })
      .sign(secret);
    expect((await me(token)).status).toBe(401);
  });

  it('refuses a bad signature', async () => {
    const token = await sign(goodClaims());
    const [h, p, s] = token.split('.');
    const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
    expect((await me(`${h}.${p}.${flipped}`)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    expect((await me(await sign({ ...goodClaims(), iat: now() - 1000, exp: now() - 100 }))).status).toBe(401);
  });

  it('refuses a token not yet valid (nbf in the future)', async () => {
    expect((await me(await sign({ ...goodClaims(), nbf: now() + 600 }))).status).toBe(401);
  });

  it('refuses a token issued in the future', async () => {
    expect((await me(await sign({ ...goodClaims(), iat: now() + 600, exp: now() + 1200 }))).status).toBe(401);
  });

  it('refuses a token older than the access-token lifetime', async () => {
    expect((await me(await sign({ ...goodClaims(), iat: now() - 7200, exp: now() + 600 }))).status).toBe(401);
  });

  it('refuses the wrong issuer, audience or type', async () => {
    expect((await me(await sign({ ...goodClaims(), iss: 'https://evil.example' }))).status).toBe(401);
    expect((await me(await sign({ ...goodClaims(), aud: 'another-api' }))).status).toBe(401);
    expect((await me(await sign(goodClaims(), { typ: 'JWT' }))).status).toBe(401);
  });

  it('refuses an unknown kid, and a foreign key presenting a known kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const foreign = { ...(await exportJWK(privateKey)), kid: 'unknown-kid' };
    expect((await me(await sign(goodClaims(), {}, foreign))).status).toBe(401);
    expect((await me(await sign(goodClaims(), {}, { ...foreign, kid: ring()[0]!.kid }))).status).toBe(401);
  });

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...noExp } = goodClaims();
    expect((await me(await sign(noExp))).status).toBe(401);
  });

  it('refuses tampered claims', async () => {
    const token = await sign(goodClaims());
    const [h, , s] = token.split('.');
    const tampered = enc({ ...goodClaims(), sub: 'u-deqing-admin' });
    expect((await me(`${h}.${tampered}.${s}`)).status).toBe(401);
  });

  it('refuses a token naming a session of another user', async () => {
    const other = decodeJwt((await freshLogin('deqing.admin')).body.accessToken);
    // Signed correctly, but subject and session disagree: refused rather than guessed.
    expect((await me(await sign({ ...goodClaims(), sid: other.sid }))).status).toBe(401);
  });

  it('stops working once its session is logged out', async () => {
    const login = await freshLogin('deqing.officer');
    const token = login.body.accessToken;
    expect((await me(token)).status).toBe(200);
    expect((await call('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    expect((await me(token)).status).toBe(401);
  });

  it('refuses a malformed Authorization header', async () => {
    const r = await call('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });
});
