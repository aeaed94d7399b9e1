/**
 * A real HTTP receiver on loopback for webhook tests: the Worker under test posts to it over the
 * network like it would to a group robot. It records what it gets and can be told to fail.
 */
import { createServer } from 'node:http';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const received = new Map<string, { url: string; headers: Record<string, string>; body: string }[]>();
  const failuresLeft = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const [, action, name = ''] = url.pathname.split('/');
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (action === 'hook') {
        const left = failuresLeft.get(name) ?? 0;
        const log = received.get(name) ?? [];
        log.push({ url: req.url ?? '', headers: req.headers as Record<string, string>, body });
        received.set(name, log);
        if (left > 0) {
          failuresLeft.set(name, left - 1);
          res.writeHead(503).end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      } else if (action === 'log') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(received.get(name) ?? []));
      } else if (action === 'fail') {
        failuresLeft.set(name, Number(url.searchParams.get('count') ?? '1'));
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  project.provide('receiverUrl', `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
