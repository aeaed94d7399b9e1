import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { activitySummaries } from '../../test/helpers/money';
import { activityBody, record, servedSupervisee } from '../../test/helpers/service-records';
import { canonical } from './idempotency';

const worker = () => tokenFor('provider.worker');

/** Summaries are ciphertext (ADR 0403): activities are found by their decrypted summary. */
const countWithSummary = async (summary: string) =>
  (await activitySummaries('deqing')).filter((a) => a.summary === summary).length;

describe('Idempotency-Key on POST /activities', () => {
  it('answers a retry with the same status and body, and keeps one record', async () => {
    const s = await servedSupervisee();
    const body = activityBody([s.id], { summary: `retry-${crypto.randomUUID()}` });
    const key = crypto.randomUUID();
    const first = await record(await worker(), body, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    // The same body with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await record(await worker(), reordered, { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await countWithSummary(body.summary as string)).toBe(1);
  });

  it('refuses the same key with another body (422), and writes nothing', async () => {
    const s = await servedSupervisee();
    const key = crypto.randomUUID();
    const summary = `other-${crypto.randomUUID()}`;
    expect(
      (await record(await worker(), activityBody([s.id], { summary }), { 'idempotency-key': key })).status,
    ).toBe(201);
    const other = await record(await worker(), activityBody([s.id], { summary, durationMinutes: 30 }), {
      'idempotency-key': key,
    });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(await countWithSummary(summary)).toBe(1);
  });

  it('scopes keys to the caller: another user with the same key records their own activity', async () => {
    const s = await servedSupervisee();
    const key = crypto.randomUUID();
    const summary = `scoped-${crypto.randomUUID()}`;
    const a = await record(await worker(), activityBody([s.id], { summary }), { 'idempotency-key': key });
    const b = await record(await tokenFor('provider.admin'), activityBody([s.id], { summary }), {
      'idempotency-key': key,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(await countWithSummary(summary)).toBe(2);
    // …and to the county: the same worker and key in anji is another request.
    const anjiSupervisee = await servedSupervisee({}, 'chenxi', 'anji');
    const c = await record(
      await worker(),
      activityBody([anjiSupervisee.id], { summary }),
      { 'idempotency-key': key },
      'anji',
    );
    expect(c.status, c.text).toBe(201);
  });

  it('frees a key whose request failed, so the corrected retry is not stuck', async () => {
    const s = await servedSupervisee();
    const key = crypto.randomUUID();
    const summary = `failed-${crypto.randomUUID()}`;
    // Valid JSON, refused by the service (in the future): nothing recorded, the key stays free.
    const failed = await record(await worker(), activityBody([s.id], { summary, occurredOn: '2099-01-01' }), {
      'idempotency-key': key,
    });
    expect(failed.status).toBe(400);
    const again = await record(await worker(), activityBody([s.id], { summary, occurredOn: '2099-01-01' }), {
      'idempotency-key': key,
    });
    expect(again.status).toBe(400);
    const row = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM idempotency_keys WHERE key = ?')
      .bind(key)
      .first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('refuses a malformed key', async () => {
    const s = await servedSupervisee();
    const r = await record(await worker(), activityBody([s.id]), { 'idempotency-key': 'has spaces in it' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('Idempotency-Key');
  });

  it('keeps exactly one record per key when 20 clients post and retry concurrently', async () => {
    const people = await Promise.all([1, 2, 3, 4].map(() => servedSupervisee()));
    const token = await worker();
    const run = crypto.randomUUID();
    // 20 clients, each with its own key, each sending its request 3 times at once (a flaky network).
    const clients = Array.from({ length: 20 }, (_, i) => ({
      key: `${run}-${i}`,
      body: activityBody([people[i % people.length]!.id], {
        summary: `${run}-${i}`,
        type: 'phone_followup',
        occurredOn: '2026-08-03',
        startTime: `${String(8 + (i % 10)).padStart(2, '0')}:00`,
        durationMinutes: 15,
      }),
    }));
    const answers = await Promise.all(
      clients.flatMap((c) => [1, 2, 3].map(() => record(token, c.body, { 'idempotency-key': c.key }))),
    );
    const statuses = answers.map((a) => a.status);
    // Every attempt is answered with the record or told to retry; none fails otherwise.
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const [i, c] of clients.entries()) {
      const mine = answers.slice(i * 3, i * 3 + 3).filter((a) => a.status === 201);
      expect(mine.length).toBeGreaterThan(0);
      expect(new Set(mine.map((a) => a.body.id)).size).toBe(1);
      // A retry after the dust settles gets the same answer.
      const later = await record(token, c.body, { 'idempotency-key': c.key });
      expect(later.status).toBe(201);
      expect(later.body.id).toBe(mine[0]!.body.id);
    }
    const counts = new Map<string, number>();
    for (const { summary } of await activitySummaries('deqing')) {
      if (summary.startsWith(`${run}-`)) counts.set(summary, (counts.get(summary) ?? 0) + 1);
    }
    const results = [...counts].map(([summary, n]) => ({ summary, n }));
    expect(results).toHaveLength(20);
    expect(results.every((r) => r.n === 1)).toBe(true);
    // One ledger for them all, not one per racing request.
    const ledgers = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.ledgerId));
    expect(ledgers.size).toBe(1);
  }, 60_000);

  it('creates one ledger when the first activities of a cycle race without keys', async () => {
    const s = await servedSupervisee({ townshipId: 'luoshe' });
    const token = await worker();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        record(
          token,
          activityBody([s.id], { occurredOn: '2026-08-04', startTime: `0${i}:00`, durationMinutes: 30 }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.ledgerId)).size).toBe(1);
    const list = await call('GET', '/api/v1/counties/deqing/ledgers?cycle=2026-08&townshipId=luoshe', {
      token: await tokenFor('provider.admin'),
    });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].activityCount).toBe(10);
  });
});

describe('canonical JSON', () => {
  it('ignores key order and undefined fields, but not values', () => {
    expect(canonical({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: '1' }));
  });
});
