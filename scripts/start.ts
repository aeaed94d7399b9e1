/**
 * `npm start`: the app on http://127.0.0.1:8787 (PORT overrides) with local D1 databases,
 * migrated and seeded with the demo on first start (API.md "Running locally").
 *
 * 1. .dev.vars with generated secrets (once)   2. public/vendor/scalar.js (once)
 * 3. local migrations (in-process)              4. the demo seed (once)
 * 5. wrangler dev, offline and quiet, until Ctrl-C
 */
import { prepareLocal, startDevServer } from './lib/server.ts';

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}

try {
  await prepareLocal();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

console.log(`Starting wrangler dev on http://127.0.0.1:${port} (Ctrl-C stops it)`);
// --test-scheduled: cron does not fire under wrangler dev; GET /__scheduled runs scheduled().
const server = startDevServer({ port, extraArgs: ['--test-scheduled'] });

// Ctrl-C in a terminal reaches the whole process group; a `kill` of this process only reaches us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (server.exitCode === null) server.kill(signal);
  });
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
