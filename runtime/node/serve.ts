/**
 * `npm run serve:node`: the app on Node.js, self-hosted (API.md "Running self-hosted", ADR 0900).
 *
 *   PORT         default 8787          HOST      default 127.0.0.1 (nginx in front)
 *   DATA_DIR     default ./data        ENVIRONMENT  default production; development seeds the demo
 *   COUNTIES_FILE  default ./counties.json
 *   secrets      JWT_PRIVATE_KEYS, PASSWORD_PEPPER, DATA_KEY_SECRET from the environment or
 *                DATA_DIR/secrets.env (generated there in development only)
 *
 * SIGTERM / SIGINT: stop taking requests, finish the jobs in flight, close the databases.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PID_FILE, runningServer } from './backup.ts';
import { countiesFileFrom, dataDirFrom } from './layout.ts';
import { startRuntime } from './runtime.ts';

// Databases, evidence and secrets readable by this service's user only.
process.umask(0o077);

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}
const host = process.env.HOST || '127.0.0.1';

const dataDir = dataDirFrom();
const other = runningServer(dataDir);
if (other !== null) {
  console.error(`serve:node: a server (pid ${other}) already runs on ${dataDir}`);
  process.exit(1);
}

let runtime: Awaited<ReturnType<typeof startRuntime>>;
try {
  runtime = await startRuntime({
    dataDir,
    countiesFile: countiesFileFrom(),
    processEnv: process.env,
    ...(process.env.QUEUE_LEASE_SECONDS ? { leaseMs: Number(process.env.QUEUE_LEASE_SECONDS) * 1000 } : {}),
  });
} catch (err) {
  console.error(`serve:node: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const { port: listening } = await runtime.listen(port, host);
// Restores and a second server refuse to run on this DATA_DIR while this file names a live pid.
const pidFile = join(dataDir, PID_FILE);
writeFileSync(pidFile, `${process.pid}\n`);
process.on('exit', () => rmSync(pidFile, { force: true }));
console.log(
  `Serving on http://${host}:${listening} (Node ${process.versions.node}, SQLite ${process.versions.sqlite ?? ''}, ` +
    `DATA_DIR ${runtime.platform.dataDir}, ENVIRONMENT ${runtime.env.ENVIRONMENT}); Ctrl-C stops it`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signal === 'SIGHUP') {
      // Re-read the county list now (it is also re-read when an unknown county is asked for).
      const opened = runtime.platform.refresh();
      console.log(JSON.stringify({ msg: 'county list re-read', opened }));
      return;
    }
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal}: stopping (waiting for work in flight) …`);
    runtime.close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
}
