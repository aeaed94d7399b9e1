/**
 * Access tokens: short-lived ES256 JWTs (RFC 9068 `at+jwt`) that name a server-side session.
 * The session row, not the token, decides whether the caller is still signed in, which is what
 * makes logout and role changes take effect on the next request.
 */
import { type CryptoKey, decodeProtectedHeader, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { nowMs } from '../lib/time';

export const TOKEN_ALG = 'ES256';
export const TOKEN_TYP = 'at+jwt';
export const TOKEN_ISSUER = 'https://bangjiao.example';
export const TOKEN_AUDIENCE = 'bangjiao-api';
const CLOCK_TOLERANCE_S = 5;

type KeyRing = { signer: { kid: string; key: CryptoKey }; verifiers: Map<string, CryptoKey> };

let cached: { source: string; ring: Promise<KeyRing> } | undefined;

/** Parses `JWT_PRIVATE_KEYS` once per isolate: the first key signs, every key verifies (rotation). */
export function keyRing(secret: string): Promise<KeyRing> {
  if (cached?.source !== secret) cached = { source: secret, ring: loadKeyRing(secret) };
  return cached.ring;
}

async function loadKeyRing(secret: string): Promise<KeyRing> {
  let jwks: JWK[];
  try {
    jwks = JSON.parse(secret) as JWK[];
  } catch {
    throw new Error('JWT_PRIVATE_KEYS is not valid JSON');
  }
  if (!Array.isArray(jwks) || jwks.length === 0) throw new Error('JWT_PRIVATE_KEYS holds no key');
  const verifiers = new Map<string, CryptoKey>();
  let signer: KeyRing['signer'] | undefined;
  for (const jwk of jwks) {
    if (!jwk.kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) {
      throw new Error('JWT_PRIVATE_KEYS entries must be P-256 private JWKs with a kid');
    }
    // Only the public coordinates verify; `key_ops` of an exported private key would say "sign".
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
    verifiers.set(jwk.kid, (await importJWK(publicJwk, TOKEN_ALG)) as CryptoKey);
    signer ??= {
      kid: jwk.kid,
      key: (await importJWK({ ...jwk, key_ops: ['sign'] }, TOKEN_ALG)) as CryptoKey,
    };
  }
  return { signer: signer!, verifiers };
}

export async function signAccessToken(
  secret: string,
  claims: { userId: string; sessionId: string },
  ttlSeconds: number,
): Promise<string> {
  const { signer } = await keyRing(secret);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: TOKEN_ALG, kid: signer.kid, typ: TOKEN_TYP })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt(Math.floor(nowMs() / 1000))
    .setExpirationTime(Math.floor(nowMs() / 1000) + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(signer.key);
}

/** Returns the token's user and session, or null for any token that is not exactly ours. */
export async function verifyAccessToken(
  secret: string,
  token: string,
  maxAgeSeconds: number,
): Promise<{ userId: string; sessionId: string } | null> {
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== TOKEN_ALG || !header.kid) return null;
    const key = (await keyRing(secret)).verifiers.get(header.kid);
    if (!key) return null;
    const { payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALG],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      typ: TOKEN_TYP,
      requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
      maxTokenAge: maxAgeSeconds + CLOCK_TOLERANCE_S,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(nowMs()),
    });
    // jose accepts an iat in the future; a token minted "later" than now is forged or skewed.
    if ((payload.iat ?? 0) > nowMs() / 1000 + CLOCK_TOLERANCE_S) return null;
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
    return { userId: payload.sub, sessionId: payload.sid };
  } catch {
    return null;
  }
}
