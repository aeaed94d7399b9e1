/** Malformed input on every write route, from seeded generators: never a 5xx. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../src/auth/permissions';
import { call, tokenFor } from './helpers/http';
import { allowedLogin, fillPath, sampleBody } from './helpers/probe';

const writes = Object.entries(PERMISSIONS)
  .map(([k, rule]) => {
    const [method, path] = k.split(' ') as [string, string];
    return { method, path, rule };
  })
  .filter((r) => r.method !== 'GET' && r.path.startsWith('/api/'));

/** Bodies that are almost right (a valid sample with fields mangled) and bodies that are anything. */
const bodies = (method: string, path: string) => {
  const sample = sampleBody(method, path);
  const mangled =
    sample && typeof sample === 'object'
      ? fc
          .dictionary(fc.constantFrom(...Object.keys(sample), 'extra'), fc.jsonValue(), { maxKeys: 4 })
          .map((patch) => ({ ...(sample as object), ...patch }))
      : fc.jsonValue();
  return fc.oneof(
    mangled,
    fc.jsonValue(),
    fc.string().map((s) => ({ raw: s })),
  );
};

describe.each(writes)('$method $path', ({ method, path, rule }) => {
  it('answers malformed bodies and parameters with a 4xx, never a 5xx', async () => {
    const login = allowedLogin(rule);
    const token = login ? await tokenFor(login) : undefined;
    await fc.assert(
      fc.asyncProperty(bodies(method, path), fc.string({ maxLength: 40 }), async (body, id) => {
        const target = fillPath(path, 'deqing', id || 'x');
        const r =
          body && typeof body === 'object' && 'raw' in body && typeof body.raw === 'string'
            ? await call(method, target, {
                token,
                rawBody: body.raw,
                headers: { 'content-type': 'application/json' },
              })
            : await call(method, target, { token, body });
        expect(r.status, `${method} ${target} ${JSON.stringify(body)} → ${r.text}`).toBeLessThan(500);
      }),
      { seed: 20261129, numRuns: 40 },
    );
  });
});
