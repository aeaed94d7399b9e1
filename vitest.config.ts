import { webcrypto } from 'node:crypto';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_TODAY } from './test/today';

/** A fresh ES256 signing key per run: tests never depend on a committed secret. */
async function testSigningKey(kid: string) {
  const { privateKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  return { ...(await webcrypto.subtle.exportKey('jwk', privateKey)), kid, alg: 'ES256' };
}

export default defineConfig(async () => {
  const migrations = {
    control: await readD1Migrations('migrations/control'),
    county: await readD1Migrations('migrations/county'),
  };
  const signingKeys = JSON.stringify([
    await testSigningKey('test-current'),
    await testSigningKey('test-previous'),
  ]);
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // A database with a binding but no registered county: onboarding tests register it.
          d1Databases: { COUNTY_SPARE: 'bangjiao-county-spare' },
          bindings: {
            ENVIRONMENT: 'test',
            TODAY: TEST_TODAY,
            JWT_PRIVATE_KEYS: signingKeys,
            PASSWORD_PEPPER: 'test-pepper-not-a-secret',
            DATA_KEY_SECRET: 'test-data-key-not-a-secret',
            TEST_MIGRATIONS: migrations,
            WEBHOOK_RECEIVER: inject('receiverUrl'),
          },
        },
      })),
    ],
    test: {
      globalSetup: ['./test/node/global-setup.ts'],
      setupFiles: ['./test/setup.ts'],
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // The cross-county probe makes ~100 calls per test (every login × county × record id).
      testTimeout: 30_000,
      exclude: ['test/browser/**'],
    },
  };
});
