/**
 * The HTTP-level suites again, against the self-hosted Node runtime (ADR 0900): the same test
 * files as vitest.config.ts runs inside workerd, with `cloudflare:workers` and `cloudflare:test`
 * aliased to shims that start the Node server on a temporary DATA_DIR per test file
 * (runtime/node/test/), plus the runtime's own tests (runtime/node/**\/*.test.ts).
 *
 * Which suites: every test file that imports `cloudflare:workers` or the shared test helpers
 * (they call the app over HTTP or use its bindings), and the crypto tests (the same WebCrypto
 * code on Node's implementation); the engine's pure tests need not run twice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig } from 'vitest/config';

const ROOT = import.meta.dirname;

/** Files that cannot run on Node, each with its reason. */
const EXCLUDED: Record<string, string> = {};

const usesTheApp = (path: string) =>
  /from 'cloudflare:workers'|\/helpers\//.test(readFileSync(path, 'utf8')) || path.includes('/src/crypto/');

function suitesUsingTheWorker(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'browser' && e.name !== 'node_modules') walk(path);
      else if (e.isFile() && e.name.endsWith('.test.ts') && usesTheApp(path))
        found.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'test'));
  return found.filter((f) => !(f in EXCLUDED)).sort();
}

export default defineConfig({
  resolve: {
    alias: {
      'cloudflare:workers': join(ROOT, 'runtime/node/test/cloudflare-workers.ts'),
      'cloudflare:test': join(ROOT, 'runtime/node/test/cloudflare-test.ts'),
    },
  },
  test: {
    name: 'node',
    environment: 'node',
    globalSetup: ['./test/node/global-setup.ts', './runtime/node/test/global-setup.ts'],
    include: [...suitesUsingTheWorker(), 'runtime/node/**/*.test.ts'],
    // The adapter's own tests open their own files and need no server.
    setupFiles: ['./runtime/node/test/setup.ts'],
    // node:sqlite says it is experimental once per process; the runtime's choice is ADR 0900's.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
