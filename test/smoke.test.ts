import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('runs', async () => {
  const r = await exports.default.fetch('http://x/');
  expect(await r.json()).toEqual({ x: 1 });
  await env.COUNTY_DEQING.exec('create table if not exists t (a)');
});
