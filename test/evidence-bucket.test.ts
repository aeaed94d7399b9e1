/**
 * The EVIDENCE binding, as the app will use it (put, get, head, delete, list by prefix), with the
 * same assertions on both runtimes: R2 inside workerd (vitest.config.ts) and the bucket on disk
 * of the self-hosted runtime (vitest.node.config.ts), so the two cannot drift apart.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('the EVIDENCE bucket', () => {
  it('stores bytes with metadata and gives them back', async () => {
    const put = await env.EVIDENCE.put('deqing/s1/a.enc', bytes(9, 8, 7, 0, 255), {
      httpMetadata: { contentType: 'application/octet-stream' },
      customMetadata: { keyVersion: '1' },
    });
    expect(put.size).toBe(5);
    expect(put.httpEtag).toBe(`"${put.etag}"`);
    const head = await env.EVIDENCE.head('deqing/s1/a.enc');
    expect(head?.etag).toBe(put.etag);
    expect(head?.customMetadata).toEqual({ keyVersion: '1' });
    expect(head?.httpMetadata?.contentType).toBe('application/octet-stream');
    const got = await env.EVIDENCE.get('deqing/s1/a.enc');
    expect(new Uint8Array(await got!.arrayBuffer())).toEqual(bytes(9, 8, 7, 0, 255));
    const part = await env.EVIDENCE.get('deqing/s1/a.enc', { range: { offset: 1, length: 2 } });
    expect(new Uint8Array(await part!.arrayBuffer())).toEqual(bytes(8, 7));
    expect(await env.EVIDENCE.get('deqing/none')).toBeNull();
    expect(await env.EVIDENCE.head('deqing/none')).toBeNull();
    await env.EVIDENCE.put('deqing/s1/a.enc', 'replaced');
    expect(await (await env.EVIDENCE.get('deqing/s1/a.enc'))!.text()).toBe('replaced');
    await env.EVIDENCE.delete('deqing/s1/a.enc');
    expect(await env.EVIDENCE.get('deqing/s1/a.enc')).toBeNull();
  });

  it('lists one county by prefix, in key order, page by page and by folder', async () => {
    const keys = ['anji/x/1', 'deqing/x/1', 'deqing/x/2', 'deqing/y/1', 'deqing/z', 'deqingx/1'];
    for (const k of [...keys].reverse()) await env.EVIDENCE.put(k, k);
    const deqing = await env.EVIDENCE.list({ prefix: 'deqing/' });
    expect(deqing.objects.map((o) => o.key)).toEqual(['deqing/x/1', 'deqing/x/2', 'deqing/y/1', 'deqing/z']);
    expect(deqing.truncated).toBe(false);
    const first = await env.EVIDENCE.list({ prefix: 'deqing/', limit: 3 });
    expect(first.objects.map((o) => o.key)).toEqual(['deqing/x/1', 'deqing/x/2', 'deqing/y/1']);
    expect(first.truncated).toBe(true);
    const rest = await env.EVIDENCE.list({
      prefix: 'deqing/',
      limit: 3,
      cursor: first.truncated ? first.cursor : '',
    });
    expect(rest.objects.map((o) => o.key)).toEqual(['deqing/z']);
    const folders = await env.EVIDENCE.list({ prefix: 'deqing/', delimiter: '/' });
    expect(folders.delimitedPrefixes).toEqual(['deqing/x/', 'deqing/y/']);
    expect(folders.objects.map((o) => o.key)).toEqual(['deqing/z']);
    await env.EVIDENCE.delete(keys);
    expect((await env.EVIDENCE.list()).objects).toEqual([]);
  });
});
