/**
 * Encryption of personal fields at rest (ID number, phone, address, health and psychological
 * notes). Each county has its own keys, derived with HKDF from one Worker secret, so a leaked
 * county database is useless without the secret and one county's key opens no other county.
 *
 * Ciphertext is `v1.<iv>.<ciphertext>` (base64url, AES-256-GCM). The table, column and row id are
 * bound in as associated data: a value copied into another row or column no longer decrypts.
 * The version prefix names the key generation, so keys can be rotated by re-encrypting.
 */
import { base64url, fromBase64url } from '../lib/ids';

export const KEY_VERSION = 'v1';

export type FieldRef = { table: string; column: string; rowId: string };

export type FieldCrypto = {
  encrypt(value: string, ref: FieldRef): Promise<string>;
  decrypt(blob: string, ref: FieldRef): Promise<string>;
  /** Keyed hash for exact look-up (e.g. by ID number) without storing the value. */
  lookupHash(value: string, purpose: string): Promise<string>;
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const aad = (ref: FieldRef) => enc.encode(`${ref.table}.${ref.column}.${ref.rowId}`);

async function derive(secret: string, info: string, usage: 'aes' | 'hmac'): Promise<CryptoKey> {
  const root = await crypto.subtle.importKey('raw', enc.encode(secret), 'HKDF', false, ['deriveKey']);
  const params = {
    name: 'HKDF',
    hash: 'SHA-256',
    salt: enc.encode('bangjiao-field-keys'),
    info: enc.encode(info),
  };
  return usage === 'aes'
    ? crypto.subtle.deriveKey(params, root, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    : crypto.subtle.deriveKey(params, root, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
}

const cache = new Map<string, Promise<FieldCrypto>>();

/** The field crypto of one county; keys are derived once per isolate. */
export function fieldCrypto(secret: string, county: string): Promise<FieldCrypto> {
  if (!secret) throw new Error('DATA_KEY_SECRET is not set');
  const cacheKey = `${county}\u0000${secret}`;
  let found = cache.get(cacheKey);
  if (!found) {
    found = build(secret, county);
    cache.set(cacheKey, found);
  }
  return found;
}

async function build(secret: string, county: string): Promise<FieldCrypto> {
  const aesKey = await derive(secret, `county:${county}:fields:${KEY_VERSION}`, 'aes');
  const hmacKey = await derive(secret, `county:${county}:lookup:${KEY_VERSION}`, 'hmac');
  return {
    async encrypt(value, ref) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aad(ref) },
        aesKey,
        enc.encode(value),
      );
      return `${KEY_VERSION}.${base64url(iv)}.${base64url(new Uint8Array(ct))}`;
    },
    async decrypt(blob, ref) {
      const [version, iv, ct] = blob.split('.');
      if (version !== KEY_VERSION || !iv || !ct) throw new Error('unknown ciphertext format');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(iv) as BufferSource, additionalData: aad(ref) },
        aesKey,
        fromBase64url(ct) as BufferSource,
      );
      return dec.decode(plain);
    },
    async lookupHash(value, purpose) {
      const mac = await crypto.subtle.sign('HMAC', hmacKey, enc.encode(`${purpose}:${value}`));
      return base64url(new Uint8Array(mac));
    },
  };
}
