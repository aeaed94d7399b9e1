import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const controlMigrations = await readD1Migrations('migrations/control');
  const countyMigrations = await readD1Migrations('migrations/county');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: { TEST_MIGRATIONS: { control: controlMigrations, county: countyMigrations } },
        },
      }),
    ],
    test: { setupFiles: ['./test/setup.ts'] },
  };
});
