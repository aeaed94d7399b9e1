/**
 * `npm run serve:node` itself (runtime/node/serve.ts) as an operator runs it: a process on a
 * DATA_DIR that refuses to start without secrets in production, migrates and seeds in
 * development, serves, takes a county added by `county:add -- --self-hosted` while it runs
 * (no restart), and stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.ts';
import { DEMO_PASSWORD } from '../../src/demo/data.ts';

const dir = mkdtempSync(join(tmpdir(), 'bangjiao-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const NODE = `${ROOT}/node_modules/.bin/node`;
const clean = (env: Record<string, string>) => ({
  PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}`,
  HOME: process.env.HOME ?? '/tmp',
  NODE_OPTIONS: '--disable-warning=ExperimentalWarning',
  ...env,
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(NODE, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: clean(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(probe: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run serve:node', () => {
  it('refuses to start in production without its secrets', async () => {
    const p = run(['runtime/node/serve.ts'], {
      ENVIRONMENT: 'production',
      DATA_DIR: join(dir, 'prod'),
      PORT: '0',
    });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('missing secrets: JWT_PRIVATE_KEYS, PASSWORD_PEPPER, DATA_KEY_SECRET');
    expect(existsSync(join(dir, 'prod', 'control.sqlite'))).toBe(false);
    const sm = run(['runtime/node/serve.ts'], {
      ENVIRONMENT: 'development',
      CRYPTO_SUITE: 'sm',
      DATA_DIR: join(dir, 'sm'),
      PORT: '0',
    });
    expect(await sm.exited).toBe(1);
    expect(sm.output()).toContain('CRYPTO_SUITE=sm');
  }, 60_000);

  it('serves the demo in development and takes a new county without a restart', async () => {
    const dataDir = join(dir, 'dev');
    const countiesFile = join(dir, 'counties.json');
    copyFileSync(`${ROOT}/counties.json`, countiesFile);
    const env = { ENVIRONMENT: 'development', DATA_DIR: dataDir, COUNTIES_FILE: countiesFile, PORT: '0' };
    const server = run(['runtime/node/serve.ts'], env);
    const port = await until(() => server.output().match(/Serving on http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
    const base = `http://127.0.0.1:${port}`;
    expect(server.output()).toContain('Demo seeded');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'deqing.admin', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(existsSync(join(dataDir, 'server.pid'))).toBe(true);
    // A second server on the same DATA_DIR is refused.
    const second = run(['runtime/node/serve.ts'], env);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('already runs on');

    expect((await fetch(`${base}/public/changxing`)).status).toBe(404);
    const add = run(
      [
        'scripts/county-add.ts',
        '--slug',
        'changxing',
        '--name',
        '长兴县',
        '--region-code',
        '330522',
        '--self-hosted',
      ],
      { DATA_DIR: dataDir, COUNTIES_FILE: countiesFile },
    );
    expect(await add.exited, add.output()).toBe(0);
    expect(add.output()).toContain('registered changxing');
    expect(existsSync(join(dataDir, 'counties', 'bangjiao-county-changxing.sqlite'))).toBe(true);
    const page = await fetch(`${base}/public/changxing`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('长兴县');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(join(dataDir, 'server.pid'))).toBe(false);
  }, 120_000);
});
