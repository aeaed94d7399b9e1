import { describe, expect, it } from 'vitest';
import { fieldCrypto } from './fields';

const ref = { table: 'supervisees', column: 'id_number_enc', rowId: 'row-1' };

describe('field encryption', () => {
  it('round-trips and never stores the plaintext', async () => {
    const fc = await fieldCrypto('secret', 'deqing');
    const blob = await fc.encrypt('330521199001011234', ref);
    expect(blob).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(blob).not.toContain('330521');
    expect(await fc.decrypt(blob, ref)).toBe('330521199001011234');
  });

  it('uses a fresh IV every time', async () => {
    const fc = await fieldCrypto('secret', 'deqing');
    expect(await fc.encrypt('same', ref)).not.toBe(await fc.encrypt('same', ref));
  });

  it('binds row and column: a value moved elsewhere does not decrypt', async () => {
    const fc = await fieldCrypto('secret', 'deqing');
    const blob = await fc.encrypt('13800000000', ref);
    await expect(fc.decrypt(blob, { ...ref, rowId: 'row-2' })).rejects.toThrow();
    await expect(fc.decrypt(blob, { ...ref, column: 'phone_enc' })).rejects.toThrow();
  });

  it("keeps counties apart: one county's key opens no other county's data", async () => {
    const deqing = await fieldCrypto('secret', 'deqing');
    const anji = await fieldCrypto('secret', 'anji');
    const blob = await deqing.encrypt('x', ref);
    await expect(anji.decrypt(blob, ref)).rejects.toThrow();
    expect(await deqing.lookupHash('x', 'id')).not.toBe(await anji.lookupHash('x', 'id'));
  });

  it('gives a stable keyed hash for look-up that depends on the secret', async () => {
    const a = await fieldCrypto('secret', 'deqing');
    const b = await fieldCrypto('other-secret', 'deqing');
    expect(await a.lookupHash('v', 'id')).toBe(await a.lookupHash('v', 'id'));
    expect(await a.lookupHash('v', 'id')).not.toBe(await b.lookupHash('v', 'id'));
  });

  it('refuses an unknown ciphertext version', async () => {
    const fc = await fieldCrypto('secret', 'deqing');
    const blob = await fc.encrypt('x', ref);
    await expect(fc.decrypt(blob.replace(/^v1/, 'v9'), ref)).rejects.toThrow(/format/);
  });
});
