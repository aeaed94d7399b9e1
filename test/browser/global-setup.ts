/**
 * Starts the app for the browser tests as `npm run bench` does: a fresh state directory
 * (.browser-state), migrated and seeded with the demo, `wrangler dev` offline on a free port;
 * a few supervisees are registered through the API so the pages have something to show.
 * Stops the server afterwards.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { ROOT } from '../../scripts/lib/paths.ts';
import { prepareLocal, startDevServer, stopChild, waitForHealthy } from '../../scripts/lib/server.ts';
import { TEST_TODAY } from '../today.ts';
import { seedBrowserData } from './seed.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const STATE_DIR = `${ROOT}/.browser-state/state`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const port = Number(process.env.BROWSER_TEST_PORT) || (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  rmSync(STATE_DIR, { recursive: true, force: true });
  // The same fixed day as the workerd suites (vitest.config.ts), for the seed and the server.
  process.env.TODAY = TEST_TODAY;
  await prepareLocal({ stateDir: STATE_DIR, log: () => {} });
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const server = startDevServer({
    port,
    stateDir: STATE_DIR,
    stdio: process.env.BROWSER_TEST_VERBOSE ? 'inherit' : 'ignore',
  });
  try {
    await waitForHealthy(server, baseUrl, 120_000);
    await seedBrowserData(baseUrl);
  } catch (e) {
    await stopChild(server);
    throw e;
  }
  project.provide('baseUrl', baseUrl);
  return () => stopChild(server);
}
