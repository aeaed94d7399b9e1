/**
 * `cloudflare:workers` for the Node project (vitest.node.config.ts): the same test files that
 * call the Worker inside workerd call the self-hosted runtime over HTTP.
 *
 * Per test file (vitest evaluates this module once per file): a copy of the template DATA_DIR
 * (runtime/node/test/global-setup.ts), the runtime started on it and listening on a loopback
 * port. `exports.default.fetch` sends the request there over real HTTP (through
 * @hono/node-server), with X-Forwarded-Proto/-Host so the app sees the URL the test used, as
 * behind nginx; `env` is the runtime's own bindings on the same files.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startRuntime } from '../runtime.ts';

const config = inject('nodeRuntime');
const dataDir = mkdtempSync(join(tmpdir(), 'bangjiao-node-test-'));
cpSync(config.templateDir, dataDir, { recursive: true });

const runtime = await startRuntime({
  dataDir,
  countiesFile: config.countiesFile,
  processEnv: config.processEnv,
  extraVars: { WEBHOOK_RECEIVER: inject('receiverUrl') },
  extraCounties: config.extraCounties,
  // workerd's test pool fires no cron either; the queue consumer runs, as it does there.
  cron: false,
  pollMs: 100,
  log: () => {},
});
const server = await runtime.listen(0);
const origin = `http://127.0.0.1:${server.port}`;

/** Headers fetch() refuses to send or that describe the hop, not the request. */
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length']);

/**
 * Over node:http, one connection per request: a server that answers before reading a whole
 * body (413) closes that connection, and a pooled client would race it on the next request.
 */
async function overHttp(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of request.headers) if (!HOP.has(k)) headers[k] = v;
  headers['x-forwarded-proto'] = url.protocol.replace(':', '');
  headers['x-forwarded-host'] = url.host;
  const body =
    request.method === 'GET' || request.method === 'HEAD'
      ? undefined
      : Buffer.from(await request.arrayBuffer());
  if (body) headers['content-length'] = String(body.byteLength);
  return new Promise<Response>((resolve, reject) => {
    const req = httpRequest(
      `${origin}${url.pathname}${url.search}`,
      { method: request.method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
          }
          const status = res.statusCode ?? 500;
          const nullBody = request.method === 'HEAD' || status === 204 || status === 304;
          resolve(
            new Response(nullBody ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage ?? '',
              headers: out,
            }),
          );
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const env = runtime.env;
export const exports = { default: { fetch: overHttp } };

/** For runtime/node/test/setup.ts: stop the runtime and remove the copy after the file. */
export async function closeTestRuntime() {
  await server.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

export const testRuntime = runtime;
