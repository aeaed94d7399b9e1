/** The EVIDENCE bucket on disk (runtime/node/bucket.ts): the R2 subset the app uses. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskBucket } from './bucket.ts';

const dir = mkdtempSync(join(tmpdir(), 'bangjiao-bucket-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const bucket = () => new DiskBucket(join(dir, `b${++n}`));

const filesUnder = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(d, e.name)) : [join(d, e.name)],
  );

describe('the EVIDENCE bucket on disk', () => {
  it('puts, heads, gets and deletes bytes, with metadata and an MD5 etag', async () => {
    const b = bucket();
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252]);
    const put = await b.put('deqing/s1/photo.jpg.enc', bytes, {
      httpMetadata: { contentType: 'application/octet-stream' },
      customMetadata: { keyVersion: '1' },
    });
    expect(put).toMatchObject({ key: 'deqing/s1/photo.jpg.enc', size: 6, storageClass: 'Standard' });
    expect(put.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(put.httpEtag).toBe(`"${put.etag}"`);
    const head = await b.head('deqing/s1/photo.jpg.enc');
    expect(head).toMatchObject({ size: 6, etag: put.etag, customMetadata: { keyVersion: '1' } });
    const got = await b.get('deqing/s1/photo.jpg.enc');
    expect(new Uint8Array(await got!.arrayBuffer())).toEqual(bytes);
    const headers = new Headers();
    got!.writeHttpMetadata(headers);
    expect(headers.get('content-type')).toBe('application/octet-stream');
    // On disk: exactly the bytes given (the app encrypts before it stores), owner-only.
    const stored = filesUnder(join(b.dir, 'objects'));
    expect(stored).toHaveLength(1);
    expect(new Uint8Array(readFileSync(stored[0]!))).toEqual(bytes);
    expect(statSync(stored[0]!).mode & 0o077).toBe(0);
    await b.delete('deqing/s1/photo.jpg.enc');
    expect(await b.get('deqing/s1/photo.jpg.enc')).toBeNull();
    expect(await b.head('deqing/s1/photo.jpg.enc')).toBeNull();
    expect(filesUnder(join(b.dir, 'objects'))).toHaveLength(0);
    await b.delete('never-there');
  });

  it('reads bodies as streams, text and ranges; replaces on a second put; checks a given MD5', async () => {
    const b = bucket();
    await b.put('k', 'first');
    await b.put('k', new TextEncoder().encode('second version'));
    const got = await b.get('k');
    expect(await new Response(got!.body).text()).toBe('second version');
    expect(got!.bodyUsed).toBe(true);
    expect(await (await b.get('k', { range: { offset: 7, length: 3 } }))!.text()).toBe('ver');
    expect(await (await b.get('k', { range: { suffix: 4 } }))!.text()).toBe('sion');
    await expect(b.put('k', 'x', { md5: '00000000000000000000000000000000' })).rejects.toThrow(
      'did not match',
    );
    expect(await (await b.get('k'))!.text()).toBe('second version');
    const etag = (await b.head('k'))!.etag;
    expect(await b.put('k', 'y', { onlyIf: { etagMatches: 'nope' } })).toBeNull();
    expect(await b.put('k', 'y', { onlyIf: { etagMatches: etag } })).not.toBeNull();
  });

  it('lists in key order by prefix, with cursor pages and delimited prefixes', async () => {
    const b = bucket();
    const keys = ['anji/a', 'deqing/s1/1', 'deqing/s1/2', 'deqing/s2/1', 'deqing/x', 'deqing2/z', '德清/一'];
    for (const k of [...keys].reverse()) await b.put(k, k, { customMetadata: { k } });
    const all = await b.list();
    expect(all.objects.map((o) => o.key)).toEqual(keys);
    expect(all.truncated).toBe(false);
    expect(all.objects[0]!.customMetadata).toBeUndefined();
    expect((await b.list({ include: ['customMetadata'] })).objects[0]!.customMetadata).toEqual({
      k: 'anji/a',
    });
    expect((await b.list({ prefix: 'deqing/' })).objects.map((o) => o.key)).toEqual([
      'deqing/s1/1',
      'deqing/s1/2',
      'deqing/s2/1',
      'deqing/x',
    ]);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await b.list({ prefix: 'deqing', limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    expect(pages).toEqual([['deqing/s1/1', 'deqing/s1/2'], ['deqing/s2/1', 'deqing/x'], ['deqing2/z']]);
    const grouped = await b.list({ prefix: 'deqing/', delimiter: '/' });
    expect(grouped.delimitedPrefixes).toEqual(['deqing/s1/', 'deqing/s2/']);
    expect(grouped.objects.map((o) => o.key)).toEqual(['deqing/x']);
    expect((await b.list({ startAfter: 'deqing/x' })).objects.map((o) => o.key)).toEqual([
      'deqing2/z',
      '德清/一',
    ]);
  });

  it('keeps its objects across a reopen', async () => {
    const first = bucket();
    await first.put('deqing/keep', 'kept');
    first.close();
    const again = new DiskBucket(first.dir);
    expect(await (await again.get('deqing/keep'))!.text()).toBe('kept');
  });
});
