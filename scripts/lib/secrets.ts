/** Generating the Worker's secrets (README "Deploying" and `npm start`'s .dev.vars). */
import { randomBytes, webcrypto } from 'node:crypto';

export type SigningJwk = webcrypto.JsonWebKey & { kid: string; alg: 'ES256' };

/** A new ES256 (ECDSA P-256) private JWK with a `kid` naming its day of creation. */
export async function generateSigningJwk(prefix = 'k'): Promise<SigningJwk> {
  const { privateKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const day = new Date().toISOString().slice(0, 10);
  return { ...jwk, kid: `${prefix}-${day}-${randomBytes(4).toString('hex')}`, alg: 'ES256' };
}

/** 32 random bytes, base64url: a pepper or a root data key. */
export const randomSecret = () => randomBytes(32).toString('base64url');
