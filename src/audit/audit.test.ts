/**
 * The audit log is strict (issue #11 §4, ADR 0005): verification only reads; an edit, a deletion
 * in the middle and a truncated tail are each reported at the first broken seq; entries whose seal
 * is still in flight are not broken; anchors only ever move forward.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { waitFor } from '../../test/helpers/wait';
import { runCountyJob } from '../jobs/runner';
import { anchorStatement, auditStatement, PLATFORM_CHAIN, sealAuditLog } from './audit';

const deqing = () => env.COUNTY_DEQING!;
const verifyCounty = async () =>
  call('GET', '/api/v1/counties/deqing/audit/verify', { token: await tokenFor('deqing.admin') });
const verifyPlatform = async () =>
  call('GET', '/api/v1/platform/audit/verify', { token: await tokenFor('platform.operator') });

type LogRow = { seq: number; hash: string | null } & Record<string, unknown>;
const rows = async (db: D1Database) =>
  (await db.prepare('SELECT * FROM audit_log ORDER BY seq').all<LogRow>()).results;
const anchorOf = (db: D1Database, chain: string) =>
  db.prepare('SELECT seq, hash, at FROM audit_anchors WHERE chain = ?').bind(chain).first<{
    seq: number;
    hash: string;
    at: string;
  }>();

/** The county's log and its anchor as they were before a test tampered with them. */
let saved: { log: LogRow[]; anchor: Awaited<ReturnType<typeof anchorOf>> } | null = null;

/**
 * Every entry sealed and the newest one anchored: what the write path leaves once its seal ran.
 * That state is what each test's tampering is undone to (seqs are never reused, so the log is
 * put back as it was just before the tampering, not as it was before the test).
 */
async function settledCounty() {
  const log = await waitFor(async () => {
    const all = await rows(deqing());
    const anchor = await anchorOf(env.CONTROL_DB, 'deqing');
    const last = all.at(-1);
    return last && last.hash !== null && anchor?.seq === last.seq && all;
  });
  saved = { log, anchor: await anchorOf(env.CONTROL_DB, 'deqing') };
  return log;
}

/** A few county writes through the API: entries, sealed and anchored by the write path. */
async function countyWrites(n: number) {
  const token = await tokenFor('deqing.admin');
  for (let i = 0; i < n; i++) {
    const r = await call('POST', '/api/v1/counties/deqing/townships', {
      token,
      body: { name: `审计乡${crypto.randomUUID().slice(0, 8)}` },
    });
    expect(r.status, r.text).toBe(201);
  }
  return settledCounty();
}

async function restore(db: D1Database, log: LogRow[]) {
  const cols = Object.keys(log[0] ?? { seq: 0 });
  await db.batch([
    db.prepare('DELETE FROM audit_log'),
    ...log.map((r) =>
      db
        .prepare(`INSERT INTO audit_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
        .bind(...cols.map((c) => r[c] ?? null)),
    ),
  ]);
}

beforeEach(async () => {
  await countyWrites(2);
});

afterEach(async () => {
  if (!saved) return;
  await restore(deqing(), saved.log);
  const a = saved.anchor!;
  await env.CONTROL_DB.prepare('UPDATE audit_anchors SET seq = ?, hash = ?, at = ? WHERE chain = ?')
    .bind(a.seq, a.hash, a.at, 'deqing')
    .run();
  expect((await verifyCounty()).body).toMatchObject({ ok: true });
});

describe('verifying the county audit log', () => {
  it('reports a clean log as ok, compared with its anchor in the control database', async () => {
    const log = await countyWrites(3);
    const r = await verifyCounty();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: true,
      entries: log.length,
      firstBrokenSeq: null,
      reason: null,
      unsealed: 0,
      anchor: { seq: log.at(-1)!.seq, at: expect.any(String) },
    });
  });

  it('writes nothing: the log and both anchors stay byte-identical, unsealed entries stay unsealed', async () => {
    await countyWrites(1);
    // Signed in beforehand: a sign-in is itself an entry in the platform log.
    await tokenFor('deqing.admin');
    await tokenFor('platform.operator');
    // Entries whose seal is still in flight: written, not sealed.
    await deqing().batch([
      auditStatement(deqing(), { actorUserId: 'u-test', action: 'test.pending', targetType: 'test' }),
      auditStatement(deqing(), { actorUserId: 'u-test', action: 'test.pending', targetType: 'test' }),
    ]);
    await env.CONTROL_DB.batch([
      auditStatement(env.CONTROL_DB, { actorUserId: 'u-test', action: 'test.pending', targetType: 'test' }),
    ]);
    const dump = async () =>
      JSON.stringify([
        await rows(deqing()),
        await rows(env.CONTROL_DB),
        (await env.CONTROL_DB.prepare('SELECT * FROM audit_anchors ORDER BY chain').all()).results,
        (await deqing().prepare('SELECT * FROM audit_anchors ORDER BY chain').all()).results,
        (await env.COUNTY_ANJI!.prepare('SELECT * FROM audit_anchors ORDER BY chain').all()).results,
      ]);
    const before = await dump();

    const county = await verifyCounty();
    expect(county.body).toMatchObject({ ok: true, firstBrokenSeq: null, unsealed: 2 });
    // Sign-ins leave platform entries that only the next seal takes in: unsealed too.
    const platformUnsealed = (await rows(env.CONTROL_DB)).filter((r) => r.hash === null).length;
    expect(platformUnsealed).toBeGreaterThanOrEqual(1);
    const platform = await verifyPlatform();
    expect(platform.body).toMatchObject({ ok: true, firstBrokenSeq: null, unsealed: platformUnsealed });

    expect(await dump()).toBe(before);
    const pending = (await rows(deqing())).filter((r) => r.action === 'test.pending');
    expect(pending.map((r) => r.hash)).toEqual([null, null]);
    // The next write's seal takes them into the chain.
    await countyWrites(1);
    const patched = await call('PATCH', '/api/v1/platform/providers/chenxi', {
      token: await tokenFor('platform.operator'),
      body: { contactName: '审计' },
    });
    expect(patched.status).toBe(200);
    await waitFor(async () => (await rows(env.CONTROL_DB)).every((r) => r.hash !== null));
    expect((await verifyPlatform()).body).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('fails at the edited entry when it is edited and the hashes from there on are nulled', async () => {
    const log = await countyWrites(4);
    const edited = log.at(-3)!.seq;
    await deqing().batch([
      deqing().prepare("UPDATE audit_log SET action = 'township.read' WHERE seq = ?").bind(edited),
      deqing().prepare('UPDATE audit_log SET hash = NULL WHERE seq >= ?').bind(edited),
    ]);
    expect((await verifyCounty()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: edited,
      reason: 'unsealed',
    });
  });

  it('fails at the edited entry when it is edited and left sealed', async () => {
    const log = await countyWrites(2);
    const edited = log.at(-2)!.seq;
    await deqing().prepare("UPDATE audit_log SET target_id = 'other' WHERE seq = ?").bind(edited).run();
    expect((await verifyCounty()).body).toMatchObject({ ok: false, firstBrokenSeq: edited, reason: 'hash' });
  });

  it('fails at the anchor when an entry is edited and every later hash recomputed', async () => {
    const log = await countyWrites(3);
    const edited = log.at(-3)!.seq;
    await deqing().prepare("UPDATE audit_log SET action = 'township.read' WHERE seq = ?").bind(edited).run();
    // Rehash from the edit on, as anyone who read src/audit/audit.ts could: the chain is keyless.
    await deqing().prepare('UPDATE audit_log SET hash = NULL WHERE seq >= ?').bind(edited).run();
    await sealAuditLog(deqing());
    expect((await verifyCounty()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: log.at(-1)!.seq,
      reason: 'anchor',
    });
  });

  it('fails at the first missing seq when the last three entries are deleted', async () => {
    const log = await countyWrites(4);
    const firstDeleted = log.at(-3)!.seq;
    await deqing().prepare('DELETE FROM audit_log WHERE seq >= ?').bind(firstDeleted).run();
    const r = await verifyCounty();
    expect(r.body).toMatchObject({
      ok: false,
      firstBrokenSeq: firstDeleted,
      reason: 'truncated',
      anchor: { seq: log.at(-1)!.seq },
    });
  });

  it('fails where an entry in the middle is deleted', async () => {
    const log = await countyWrites(3);
    await deqing().prepare('DELETE FROM audit_log WHERE seq = ?').bind(log.at(-2)!.seq).run();
    expect((await verifyCounty()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: log.at(-1)!.seq,
      reason: 'gap',
    });
  });

  it('fails where an unsealed entry is followed by a sealed one', async () => {
    const log = await countyWrites(2);
    // Past the anchor (as if its seal and anchor were lost), but a sealed entry follows it.
    await env.CONTROL_DB.prepare('UPDATE audit_anchors SET seq = ?, hash = ? WHERE chain = ?')
      .bind(log.at(-3)!.seq, log.at(-3)!.hash, 'deqing')
      .run();
    await deqing().prepare('UPDATE audit_log SET hash = NULL WHERE seq = ?').bind(log.at(-2)!.seq).run();
    expect((await verifyCounty()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: log.at(-2)!.seq,
      reason: 'unsealed',
    });
  });

  it('fails when the log was emptied', async () => {
    const log = await countyWrites(1);
    await deqing().prepare('DELETE FROM audit_log').run();
    expect((await verifyCounty()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: 1,
      reason: 'truncated',
      anchor: { seq: log.at(-1)!.seq },
    });
  });
});

describe('anchors', () => {
  it('never move backwards, nor take another hash at the same seq', async () => {
    const log = await countyWrites(1);
    const head = { seq: log.at(-1)!.seq, hash: log.at(-1)!.hash! };
    await anchorStatement(env.CONTROL_DB, 'deqing', { seq: head.seq - 1, hash: 'older' }).run();
    await anchorStatement(env.CONTROL_DB, 'deqing', { seq: head.seq, hash: 'rewritten' }).run();
    expect(await anchorOf(env.CONTROL_DB, 'deqing')).toMatchObject(head);
    await anchorStatement(env.CONTROL_DB, 'deqing', { seq: head.seq + 1, hash: 'newer' }).run();
    expect(await anchorOf(env.CONTROL_DB, 'deqing')).toMatchObject({ seq: head.seq + 1, hash: 'newer' });
  });

  it('are kept current by the job too, for the county and for the platform', async () => {
    await deqing().batch([
      auditStatement(deqing(), { actorUserId: 'u-test', action: 'test.job', targetType: 'test' }),
    ]);
    const result = await runCountyJob(env, 'deqing', 'manual');
    expect(result.failed).toEqual([]);
    const last = (await rows(deqing())).at(-1)!;
    expect(last.hash).not.toBeNull();
    expect(await anchorOf(env.CONTROL_DB, 'deqing')).toMatchObject({ seq: last.seq, hash: last.hash });
    const platformHead = (await rows(env.CONTROL_DB)).filter((r) => r.hash !== null).at(-1);
    if (platformHead)
      expect(await anchorOf(deqing(), PLATFORM_CHAIN)).toMatchObject({
        seq: platformHead.seq,
        hash: platformHead.hash,
      });
    await settledCounty();
  });
});

describe('verifying the platform audit log', () => {
  it('detects its newest entries deleted, through the anchors kept in the county databases', async () => {
    const token = await tokenFor('platform.operator');
    for (const name of ['审计甲', '审计乙', '审计丙']) {
      const r = await call('PATCH', '/api/v1/platform/providers/chenxi', {
        token,
        body: { contactName: name },
      });
      expect(r.status, r.text).toBe(200);
    }
    const log = await waitFor(async () => {
      const all = await rows(env.CONTROL_DB);
      const last = all.at(-1)!;
      const [a, b] = [
        await anchorOf(deqing(), PLATFORM_CHAIN),
        await anchorOf(env.COUNTY_ANJI!, PLATFORM_CHAIN),
      ];
      return last.hash !== null && a?.seq === last.seq && b?.seq === last.seq && all;
    });
    expect((await verifyPlatform()).body).toMatchObject({
      ok: true,
      entries: log.length,
      anchor: { seq: log.at(-1)!.seq },
    });
    const firstDeleted = log.at(-2)!.seq;
    await env.CONTROL_DB.prepare('DELETE FROM audit_log WHERE seq >= ?').bind(firstDeleted).run();
    expect((await verifyPlatform()).body).toMatchObject({
      ok: false,
      firstBrokenSeq: firstDeleted,
      reason: 'truncated',
    });
    await restore(env.CONTROL_DB, log);
    expect((await verifyPlatform()).body).toMatchObject({ ok: true });
  });
});
