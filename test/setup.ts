/**
 * Every test file starts from its own storage (the Workers pool isolates files): migrate the
 * control database and every county database, then seed the demo of API.md.
 */

import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { seedDemo } from '../src/demo/seed';
import { useClockOf } from '../src/lib/time';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: { control: D1Migration[]; county: D1Migration[] };
      /** Base URL of the loopback webhook receiver (test/global-setup.ts). */
      WEBHOOK_RECEIVER: string;
      TODAY: string;
    }
  }
}

// The suite's "today" (vitest.config.ts TODAY): the test code's clock and the Worker's agree.
useClockOf(env);

const countyBindings = Object.keys(env).filter((k) => k.startsWith('COUNTY_'));
await applyD1Migrations(env.CONTROL_DB, env.TEST_MIGRATIONS.control);
for (const binding of countyBindings) {
  await applyD1Migrations(env[binding as `COUNTY_${string}`]!, env.TEST_MIGRATIONS.county);
}
await seedDemo({
  environment: env.ENVIRONMENT,
  pepper: env.PASSWORD_PEPPER,
  control: env.CONTROL_DB,
  county: (binding) => env[binding as `COUNTY_${string}`]!,
  dataKeySecret: env.DATA_KEY_SECRET,
});
