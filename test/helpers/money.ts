/**
 * Fixtures for programmes, contracts and the activities they are paid for. Activities and
 * ledgers are written straight into the county database: their API belongs to another feature.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { fieldCrypto } from '../../src/crypto/fields';
import { countyDrizzle } from '../../src/db';
import type { CountyRow } from '../../src/db/control-schema';
import type { CountyCtx } from '../../src/lib/context';
import { newId } from '../../src/lib/ids';
import { todayIn } from '../../src/lib/time';
import { superviseeBody } from './fixtures';
import { call, tokenFor } from './http';

export const api = (county: string) => `/api/v1/counties/${county}`;

const countyDb = (county: string) => env[`COUNTY_${county.toUpperCase()}` as `COUNTY_${string}`]!;

let years = 0;
/** A programme year no other test of the file uses. */
export const freshYear = () => 2040 + years++;

export async function createProgramme(
  county: string,
  body: { year?: number; budgetFen?: number; name?: string } = {},
  login = `${county}.admin`,
) {
  const year = body.year ?? freshYear();
  const r = await call('POST', `${api(county)}/programmes`, {
    token: await tokenFor(login),
    body: { name: `测试项目${year}`, budgetFen: 10_000_000, ...body, year },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

export function contractBody(patch: Record<string, unknown> = {}) {
  return {
    providerId: 'chenxi',
    programmeYear: 2026,
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    pricing: { model: 'per_supervisee_year', unitPriceFen: 100_000, workFundsShare: 0.5 },
    procurementMethod: '竞争性磋商',
    ...patch,
  };
}

export async function createContract(county: string, patch: Record<string, unknown> = {}) {
  const r = await call('POST', `${api(county)}/contracts`, {
    token: await tokenFor(`${county}.admin`),
    body: contractBody(patch),
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; [k: string]: unknown };
}

export async function createSupervisee(patch: Record<string, unknown> = {}) {
  const r = await call('POST', `${api('deqing')}/supervisees`, {
    token: await tokenFor('deqing.admin'),
    body: superviseeBody(patch),
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; caseNumber: string; [k: string]: unknown };
}

export async function enrol(contractId: string, body: { superviseeId: string; from: string; to?: string }) {
  const r = await call('POST', `${api('deqing')}/contracts/${contractId}/enrolments`, {
    token: await tokenFor('deqing.officer'),
    body,
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

export async function settlement(county: string, contractId: string, basis?: 'recorded' | 'confirmed') {
  const r = await call(
    'GET',
    `${api(county)}/contracts/${contractId}/settlement${basis ? `?basis=${basis}` : ''}`,
    { token: await tokenFor(`${county}.admin`) },
  );
  expect(r.status, r.text).toBe(200);
  return r.body;
}

/** A ledger of the provider for a township, in the given state. */
export async function insertLedger(
  county: string,
  opts: { providerId?: string; townshipId: string; status: 'draft' | 'submitted' | 'confirmed' },
) {
  const id = newId();
  await countyDb(county)
    .prepare(
      `INSERT INTO ledgers (id, provider_id, township_id, cycle, cycle_start, cycle_end, due_by, status)
       VALUES (?, ?, ?, ?, '2026-01-01', '2026-01-31', '2026-01-31', ?)`,
    )
    .bind(id, opts.providerId ?? 'chenxi', opts.townshipId, `t-${id}`, opts.status)
    .run();
  return id;
}

export type ActivityFixture = {
  type?: string;
  occurredOn: string;
  durationMinutes: number;
  providerId?: string | null;
  townshipId: string;
  ledgerId?: string | null;
  status?: 'active' | 'voided';
  summary?: string;
  place?: string;
  participants?: { superviseeId: string; minutes?: number }[];
};

/** A summary as the app stores it: ciphertext bound to the activity's row (ADR 0403). */
export const sealedSummary = async (county: string, id: string, summary: string) =>
  (await fieldCrypto(env.DATA_KEY_SECRET, county)).encrypt(summary, {
    table: 'activities',
    column: 'summary_enc',
    rowId: id,
  });

/** Every activity's summary in clear, read as the app reads it (tests look activities up by it). */
export async function activitySummaries(county: string): Promise<{ id: string; summary: string }[]> {
  const c = await fieldCrypto(env.DATA_KEY_SECRET, county);
  const { results } = await countyDb(county)
    .prepare('SELECT id, summary_enc FROM activities WHERE summary_enc IS NOT NULL')
    .all<{ id: string; summary_enc: string }>();
  return Promise.all(
    results.map(async (r) => ({
      id: r.id,
      summary: await c.decrypt(r.summary_enc, { table: 'activities', column: 'summary_enc', rowId: r.id }),
    })),
  );
}

/** Activities with their participants, one batch. */
export async function insertActivities(county: string, list: ActivityFixture[]) {
  const db = countyDb(county);
  const ids: string[] = [];
  const statements: D1PreparedStatement[] = [];
  for (const a of list) {
    const id = newId();
    ids.push(id);
    statements.push(
      db
        .prepare(
          `INSERT INTO activities (id, type, occurred_on, duration_minutes, provider_id, township_id, ledger_id, status, summary_enc, place)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          id,
          a.type ?? 'home_visit',
          a.occurredOn,
          a.durationMinutes,
          a.providerId === undefined ? 'chenxi' : a.providerId,
          a.townshipId,
          a.ledgerId ?? null,
          a.status ?? 'active',
          a.summary ? await sealedSummary(county, id, a.summary) : null,
          a.place ?? null,
        ),
    );
    for (const p of a.participants ?? []) {
      statements.push(
        db
          .prepare('INSERT INTO activity_participants (activity_id, supervisee_id, minutes) VALUES (?, ?, ?)')
          .bind(id, p.superviseeId, p.minutes ?? a.durationMinutes),
      );
    }
  }
  for (let i = 0; i < statements.length; i += 50) await db.batch(statements.slice(i, i + 50));
  return ids;
}

/** Submits and accepts an evaluation with the given scores; returns the accepted evaluation. */
export async function acceptedEvaluation(county: string, contractId: string, scores: Record<string, number>) {
  const admin = await tokenFor(`${county}.admin`);
  const submitted = await call('POST', `${api(county)}/contracts/${contractId}/evaluations`, {
    token: admin,
    body: { scores },
  });
  expect(submitted.status, submitted.text).toBe(201);
  const accepted = await call(
    'POST',
    `${api(county)}/contracts/${contractId}/evaluations/${submitted.body.id}/accept`,
    { token: admin },
  );
  expect(accepted.status, accepted.text).toBe(200);
  return accepted.body;
}

/** A service context as a route would build it, for tests that call services directly. */
export async function countyCtxFor(county: string, actorUserId: string): Promise<CountyCtx> {
  const row = await env.CONTROL_DB.prepare('SELECT * FROM counties WHERE slug = ?')
    .bind(county)
    .first<Record<string, string>>();
  const d1 = countyDb(county);
  return {
    db: countyDrizzle(d1),
    d1,
    county: { slug: county, name: row!.name, timezone: row!.timezone, status: 'active' } as CountyRow,
    actorUserId,
    requestId: `test-${newId()}`,
    dataKeySecret: env.DATA_KEY_SECRET,
    today: todayIn(row!.timezone!),
  };
}
