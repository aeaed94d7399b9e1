/**
 * Browser tests (test/browser): Debian's Chromium driven by playwright-core against the real app
 * served by `wrangler dev` (started by test/browser/global-setup.ts on its own port and state
 * directory, migrated and seeded like `npm start`). Node environment, one file at a time.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
