/**
 * PBKDF2-SHA-256 at 100,000 iterations (the most the Workers runtime allows) over an HMAC of the
 * password keyed with a secret pepper, so a stolen database alone cannot be brute-forced.
 *
 * Uses only WebCrypto: the same code runs in the Worker and in Node (the demo seed).
 */
import { base64url, fromBase64url, timingSafeEqual } from '../lib/ids';

export const PBKDF2_ITERATIONS = 100_000;
const SCHEME = 'pbkdf2-sha256';
const enc = new TextEncoder();

async function peppered(password: string, pepper: string): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(pepper),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', key, enc.encode(password.normalize('NFC')));
}

async function derive(password: string, pepper: string, salt: Uint8Array, iterations: number) {
  const material = await crypto.subtle.importKey('raw', await peppered(password, pepper), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    256,
  );
  return base64url(new Uint8Array(bits));
}

export async function hashPassword(password: string, pepper: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, pepper, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${base64url(salt)}$${hash}`;
}

export async function verifyPassword(password: string, stored: string, pepper: string): Promise<boolean> {
  const [scheme, iterations, salt, expected] = stored.split('$');
  if (scheme !== SCHEME || !iterations || !salt || !expected) return false;
  // Deployed Workers refuse PBKDF2 above 100,000 iterations (local workerd does not), so a
  // stored hash asking for more could never verify in production: refuse it everywhere.
  if (Number(iterations) !== PBKDF2_ITERATIONS) return false;
  const actual = await derive(password, pepper, fromBase64url(salt), Number(iterations));
  return timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows: verified against for unknown logins so they cost the same time. */
export const DECOY_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

/** The one password rule: the API's check, the users page's hint and its error all read it. */
export const PASSWORD_MIN_LENGTH = 10;

/** The rule as a person reads it (zh first), the same sentence wherever it is shown. */
export const PASSWORD_RULE = {
  zh: `密码至少 ${PASSWORD_MIN_LENGTH} 个字符。`,
  en: `A password has ${PASSWORD_MIN_LENGTH} characters or more.`,
} as const;
