/**
 * Backup and restore of a self-hosted DATA_DIR (runtime/node/backup.ts): an online backup while
 * the server writes, a restore into a fresh directory, and the audit chains verified on the
 * restored databases (GET …/audit/verify), which also catch an edit made behind the app's back.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { COUNTY_MIGRATIONS, readMigrations } from '../../scripts/lib/migrations.ts';
import { DEMO_PASSWORD } from '../../src/demo/data.ts';
import { backupDataDir, checkBackup, restoreDataDir } from './backup.ts';
import { SqliteD1Database } from './d1.ts';
import { type Runtime, startRuntime } from './runtime.ts';

const config = inject('nodeRuntime');
const dir = mkdtempSync(join(tmpdir(), 'bangjiao-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (dataDir: string) =>
  startRuntime({
    dataDir,
    countiesFile: config.countiesFile,
    processEnv: config.processEnv,
    extraCounties: config.extraCounties,
    cron: false,
    log: () => {},
  });

async function api(rt: Runtime, method: string, path: string, token?: string, body?: unknown) {
  const res = await rt.fetch(
    new Request(`https://bangjiao.test${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const login = async (rt: Runtime, who: string) =>
  (await api(rt, 'POST', '/api/v1/auth/login', undefined, { login: who, password: DEMO_PASSWORD })).body
    .accessToken as string;

describe('backup and restore', () => {
  it('backs up online, restores into a fresh DATA_DIR, and the audit chains verify there', async () => {
    const live = join(dir, 'live');
    cpSync(config.templateDir, live, { recursive: true });
    const rt = await start(live);
    const admin = await login(rt, 'deqing.admin');
    const operator = await login(rt, 'platform.operator');
    const township = (name: string) =>
      api(rt, 'POST', '/api/v1/counties/deqing/townships', admin, { name, nameEn: name });
    expect((await township('备份前镇')).status).toBe(201);
    await rt.platform.evidence.put('deqing/evidence/1', new Uint8Array([1, 2, 3]));
    const verified = await api(rt, 'GET', '/api/v1/counties/deqing/audit/verify', admin);
    expect(verified.body).toMatchObject({ ok: true, firstBrokenSeq: null });

    // Online: the server keeps writing while the backup runs.
    const writes = Promise.all([township('备份中镇甲'), township('备份中镇乙')]);
    const backupDir = join(dir, 'backups', '2026-12-07T000000Z');
    const manifest = await backupDataDir(live, backupDir);
    await writes;
    expect(Object.keys(manifest.databases).sort()).toEqual([
      'control.sqlite',
      'counties/bangjiao-county-anji.sqlite',
      'counties/bangjiao-county-deqing.sqlite',
      'counties/bangjiao-county-spare.sqlite',
      'evidence/index.sqlite',
    ]);
    // Every county migration of migrations/county, as the database records them.
    expect(manifest.databases['counties/bangjiao-county-deqing.sqlite']!.migrations).toEqual(
      readMigrations(COUNTY_MIGRATIONS).map((m) => m.name),
    );
    expect(manifest.evidenceFiles).toBe(1);
    expect(checkBackup(backupDir)).toEqual([]);
    expect((await township('备份后镇')).status).toBe(201);
    await rt.close();

    // A restore refuses a damaged backup before it changes anything.
    const damaged = join(dir, 'damaged');
    cpSync(backupDir, damaged, { recursive: true });
    const f = new SqliteD1Database(join(damaged, 'counties/bangjiao-county-anji.sqlite'));
    await f.exec("UPDATE townships SET name = name || '改' WHERE rowid = 1");
    f.close();
    const target = join(dir, 'restored');
    expect(() => restoreDataDir(damaged, target)).toThrow('SHA-256 differs');

    restoreDataDir(backupDir, target);
    const again = await start(target);
    const admin2 = await login(again, 'deqing.admin');
    const names = (await api(again, 'GET', '/api/v1/counties/deqing/townships', admin2)).body.items.map(
      (t: { name: string }) => t.name,
    );
    expect(names).toContain('备份前镇');
    expect(names).not.toContain('备份后镇');
    expect(await (await again.platform.evidence.get('deqing/evidence/1'))!.bytes()).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    for (const county of ['deqing', 'anji']) {
      const report = await api(
        again,
        'GET',
        `/api/v1/counties/${county}/audit/verify`,
        await login(again, `${county}.admin`),
      );
      expect(report.body, county).toMatchObject({ ok: true, firstBrokenSeq: null });
      if (county === 'deqing') expect(report.body.entries).toBeGreaterThan(0);
    }
    const platform = await api(
      again,
      'GET',
      '/api/v1/platform/audit/verify',
      await login(again, 'platform.operator'),
    );
    expect(platform.body).toMatchObject({ ok: true });
    expect(operator).toBeTruthy();

    // The chain is what tells a restored file from an edited one.
    const deqing = again.platform.database('COUNTY_DEQING');
    await deqing
      .prepare(
        "UPDATE audit_log SET action = 'township.delete' WHERE seq = (SELECT max(seq) FROM audit_log WHERE action LIKE 'township%')",
      )
      .run();
    const broken = await api(again, 'GET', '/api/v1/counties/deqing/audit/verify', admin2);
    expect(broken.body.ok).toBe(false);
    await again.close();
  }, 60_000);
});
