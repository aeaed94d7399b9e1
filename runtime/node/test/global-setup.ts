/**
 * The Node project's globalSetup (vitest.node.config.ts): one template DATA_DIR, migrated with
 * the migration files and seeded with the demo by the self-hosted runtime itself, as
 * test/setup.ts migrates and seeds inside workerd. Each test file then runs against its own
 * copy (runtime/node/test/cloudflare-workers.ts), as the Workers pool gives each file its own
 * storage.
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { COUNTIES_FILE } from '../../../scripts/lib/counties.ts';
import { TEST_TODAY } from '../../../test/today.ts';
import { startRuntime } from '../runtime.ts';

export type NodeTestRuntime = {
  templateDir: string;
  countiesFile: string;
  processEnv: Record<string, string>;
  extraCounties: { binding: string; file: string }[];
};

declare module 'vitest' {
  export interface ProvidedContext {
    nodeRuntime: NodeTestRuntime;
    /** From test/node/global-setup.ts (the webhook receiver), which this program does not include. */
    receiverUrl: string;
  }
}

async function testSigningKey(kid: string) {
  const { privateKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  return { ...(await webcrypto.subtle.exportKey('jwk', privateKey)), kid, alg: 'ES256' };
}

export default async function setup(project: TestProject) {
  const templateDir = mkdtempSync(join(tmpdir(), 'bangjiao-node-template-'));
  const config: NodeTestRuntime = {
    templateDir,
    countiesFile: COUNTIES_FILE,
    // The same vars and secrets as vitest.config.ts gives workerd.
    processEnv: {
      ENVIRONMENT: 'test',
      TODAY: TEST_TODAY,
      JWT_PRIVATE_KEYS: JSON.stringify([
        await testSigningKey('test-current'),
        await testSigningKey('test-previous'),
      ]),
      PASSWORD_PEPPER: 'test-pepper-not-a-secret',
      DATA_KEY_SECRET: 'test-data-key-not-a-secret',
    },
    // A database with a binding but no registered county: onboarding tests register it.
    extraCounties: [{ binding: 'COUNTY_SPARE', file: 'counties/bangjiao-county-spare.sqlite' }],
  };
  const runtime = await startRuntime({
    dataDir: templateDir,
    countiesFile: config.countiesFile,
    processEnv: config.processEnv,
    extraCounties: config.extraCounties,
    cron: false,
    consume: false,
    log: () => {},
  });
  // Closing the last connection checkpoints the WAL into the files: a copy is then complete.
  await runtime.close();
  project.provide('nodeRuntime', config);
  return () => rmSync(templateDir, { recursive: true, force: true });
}
