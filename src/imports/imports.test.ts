import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { superviseeBody } from '../../test/helpers/fixtures';
import { call, tokenFor } from '../../test/helpers/http';
import {
  idNumberAt,
  rosterCsv,
  SUPERVISEE_HEADER,
  type SuperviseeCells,
  superviseeCells,
  upload,
} from '../../test/helpers/imports';
import { countyDrizzle } from '../db';
import { toCsv } from '../transfer/csv';
import { readTable } from '../transfer/table';
import { writeXlsx } from '../transfer/xlsx';
import { purgeImportRows } from './service';

const base = '/api/v1/counties/deqing/imports';
const admin = () => tokenFor('deqing.admin');
const officer = () => tokenFor('deqing.officer');
const db = () => env.COUNTY_DEQING!;

type Job = {
  id: string;
  status: string;
  next: string | null;
  processed: number;
  total: number;
  counts: Record<string, number>;
  rows: {
    row: number;
    outcome: string;
    id?: string;
    changes?: string[];
    errors?: Record<string, unknown>[];
  }[];
  lastError: string | null;
};

/** Drives a job to its end as a console would: continue while `next` says so. */
async function finish(job: Job, token: string): Promise<Job> {
  let current = job;
  const rows = [...job.rows];
  for (let i = 0; current.next === 'continue' && current.status !== 'failed' && i < 50; i++) {
    const r = await call('POST', `${base}/${current.id}/continue`, { token });
    expect(r.status, r.text).toBe(200);
    current = r.body;
    rows.push(...current.rows);
  }
  return { ...current, rows };
}

async function importRoster(rows: SuperviseeCells[], query: Record<string, string> = {}, token?: string) {
  const r = await upload(token ?? (await admin()), 'supervisees', rosterCsv(rows), query);
  expect(r.status, r.text).toBe(201);
  return finish(r.body as Job, token ?? (await admin()));
}

const byRow = (job: Job, row: number) => job.rows.find((r) => r.row === row)!;
const countWhere = async (sql: string, ...bind: unknown[]) =>
  (await db()
    .prepare(sql)
    .bind(...bind)
    .first<{ n: number }>())!.n;
const auditCount = () => countWhere('SELECT count(*) AS n FROM audit_log');
const lookup = async (idNumber: string) => {
  const r = await call('GET', `/api/v1/counties/deqing/supervisees?idNumber=${idNumber}`, {
    token: await admin(),
  });
  return r.body.items as { id: string; caseNumber: string; level: string }[];
};

describe('the dry run', () => {
  it('reports every kind of fault row by row, writes nothing, and then commits', async () => {
    const existing = superviseeBody({ termEnd: '2029-12-31' });
    const created = await call('POST', '/api/v1/counties/deqing/supervisees', {
      token: await admin(),
      body: existing,
    });
    expect(created.status).toBe(201);

    const good = superviseeCells(0, 10);
    const badDigitId = idNumberAt(1, 10);
    const rows: SuperviseeCells[] = [
      good, // row 2
      superviseeCells(1, 10, { 身份证号: `${badDigitId.slice(0, 17)}${badDigitId[17] === '0' ? '1' : '0'}` }),
      superviseeCells(2, 10, { 管理级别: '特管' }),
      superviseeCells(3, 10, { '乡镇(街道)': '火星镇' }),
      superviseeCells(4, 10, { 矫正起止日期: '2027-06-30至2026-01-01' }),
      { ...good, 姓名: '重复的人' }, // row 7: the same ID number as row 2
      superviseeCells(6, 10, { 出生日期: '1950-02-30' }),
      superviseeCells(7, 10, { 身份证号: '3.30521E+17' }),
      {
        // row 10: a registered supervisee with a new phone number
        案件编号: existing.caseNumber,
        姓名: existing.name,
        性别: '男',
        出生日期: existing.birthDate,
        身份证号: existing.idNumber,
        '乡镇(街道)': '武康司法所',
        矫正类别: '缓刑',
        矫正起止日期: '2026/1/1至2029/12/31',
        管理级别: '普管',
        重点对象: '否',
        有劳动能力: '是',
        联系电话: '13999999999',
        居住地址: '',
        罪名: '',
      },
      superviseeCells(9, 10, { 矫正起止日期: '2026年1月1日至2026年13月1日' }),
    ];
    const token = await admin();
    const before = await countWhere('SELECT count(*) AS n FROM supervisees');
    const r = await upload(token, 'supervisees', rosterCsv(rows));
    expect(r.status, r.text).toBe(201);
    const job = r.body as Job;
    expect(job).toMatchObject({
      dryRun: true,
      status: 'completed',
      next: 'commit',
      total: 10,
      processed: 10,
    });
    expect(job.counts).toEqual({ created: 1, updated: 1, unchanged: 0, refused: 8 });

    const fault = (row: number) => byRow(job, row).errors?.[0];
    expect(byRow(job, 2)).toEqual({ row: 2, outcome: 'created' });
    expect(fault(3)).toMatchObject({ column: '身份证号', field: 'idNumber', code: 'id_number_check_digit' });
    expect(fault(3)!.value).toBe(rows[1]!.身份证号);
    expect(fault(4)).toMatchObject({ column: '管理级别', value: '特管', code: 'unknown_level' });
    expect(fault(4)!.message).toContain('严管 (strict)');
    expect(fault(5)).toMatchObject({ column: '乡镇(街道)', value: '火星镇', code: 'unknown_township' });
    expect(fault(6)).toMatchObject({ column: '矫正起止日期', code: 'end_before_start' });
    expect(fault(7)).toMatchObject({ column: '身份证号', code: 'duplicate_in_file' });
    expect(fault(7)!.message).toContain('row 2');
    expect(fault(8)).toMatchObject({ column: '出生日期', value: '1950-02-30', code: 'bad_date' });
    expect(fault(9)).toMatchObject({ column: '身份证号', code: 'id_number_as_number' });
    expect(byRow(job, 10)).toEqual({ row: 10, outcome: 'updated', id: created.body.id, changes: ['phone'] });
    expect(fault(11)).toMatchObject({ column: '矫正起止日期', code: 'bad_date' });
    expect(typeof fault(11)!.messageZh).toBe('string');

    // Nothing written: no new supervisee, the registered one as it was.
    expect(await countWhere('SELECT count(*) AS n FROM supervisees')).toBe(before);
    const still = await call('GET', `/api/v1/counties/deqing/supervisees/${created.body.id}`, { token });
    expect(still.body.phone).toBe(existing.phone);

    // The report can be read again, filtered, and downloaded.
    const refused = await call('GET', `${base}/${job.id}/rows?outcome=refused&limit=4`, { token });
    expect(refused.body.items.map((x: { row: number }) => x.row)).toEqual([3, 4, 5, 6]);
    const page2 = await call(
      'GET',
      `${base}/${job.id}/rows?outcome=refused&limit=4&cursor=${refused.body.nextCursor}`,
      {
        token,
      },
    );
    expect(page2.body.items.map((x: { row: number }) => x.row)).toEqual([7, 8, 9, 11]);
    const csv = await call('GET', `${base}/${job.id}/rows?format=csv`, { token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain('"行号","结果","列","值","问题"');
    expect(csv.text).toContain('校验码');

    // Then the real run of the same file.
    const committed = await call('POST', `${base}/${job.id}/commit`, { token });
    expect(committed.status, committed.text).toBe(200);
    expect(committed.body).toMatchObject({ dryRun: false, status: 'completed', next: null });
    expect(committed.body.counts).toEqual({ created: 1, updated: 1, unchanged: 0, refused: 8 });
    expect((await lookup(good.身份证号)).map((s) => s.caseNumber)).toEqual([good.案件编号]);
    const updated = await call('GET', `/api/v1/counties/deqing/supervisees/${created.body.id}`, { token });
    expect(updated.body).toMatchObject({ phone: '13999999999', address: existing.address, version: 2 });
    const again = await call('POST', `${base}/${job.id}/commit`, { token });
    expect(again.status).toBe(409);
  });

  it('refuses the rows that would register someone when a column that needs is missing, and only those', async () => {
    const token = await admin();
    const known = superviseeCells(0, 11);
    await importRoster([known], { dryRun: 'false' });
    const header = SUPERVISEE_HEADER.filter((h) => h !== '矫正类别');
    const r = await upload(token, 'supervisees', rosterCsv([known, superviseeCells(1, 11)], header));
    expect(r.status, r.text).toBe(201);
    expect(r.body.missingColumns).toEqual([{ zh: '矫正类别', en: 'Sentence type' }]);
    expect(byRow(r.body, 2)).toMatchObject({ outcome: 'unchanged' });
    expect(byRow(r.body, 3).errors).toEqual([
      expect.objectContaining({ column: null, field: 'sentenceType', value: null, code: 'missing_column' }),
    ]);
  });

  it('refuses a file without the ID number column, or with no recognisable header, naming the problem', async () => {
    const token = await admin();
    const header = SUPERVISEE_HEADER.filter((h) => h !== '身份证号');
    const noId = await upload(token, 'supervisees', rosterCsv([superviseeCells(0, 12)], header));
    expect(noId.status).toBe(400);
    expect(noId.body.errors[0].message).toContain('身份证号');
    const nothing = await upload(token, 'supervisees', 'a,b\n1,2\n');
    expect(nothing.status).toBe(400);
    expect(nothing.body.errors[0].path).toBe('file');
    const empty = await upload(token, 'supervisees', rosterCsv([]));
    expect(empty.status).toBe(400);
    const junk = await upload(token, 'supervisees', new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]));
    expect(junk.status).toBe(400);
  });
});

describe('idempotence', () => {
  it('imports a file once: the same file again changes nothing and audits only the import itself', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => superviseeCells(i, 20));
    const first = await importRoster(rows, { dryRun: 'false' });
    expect(first.counts).toEqual({ created: 5, updated: 0, unchanged: 0, refused: 0 });
    const audits = await auditCount();
    const second = await importRoster(rows, { dryRun: 'false' });
    expect(second.counts).toEqual({ created: 0, updated: 0, unchanged: 5, refused: 0 });
    expect(second.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    // import.create and import.complete: the import's own entries, none per record.
    expect((await auditCount()) - audits).toBe(2);
    const { results } = await db()
      .prepare('SELECT action FROM audit_log WHERE target_id = ? ORDER BY seq')
      .bind(second.id)
      .all<{ action: string }>();
    expect(results.map((a) => a.action)).toEqual(['import.create', 'import.complete']);
    for (const r of rows) expect(await lookup(r.身份证号)).toHaveLength(1);
  });

  it('updates only what a corrected file changes, appending level and flag history from the stated day', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => superviseeCells(i, 21, { 管理级别: '普管' }));
    const first = await importRoster(rows, { dryRun: 'false' });
    const ids = first.rows.map((r) => r.id!);
    const audits = await auditCount();
    const corrected = rows.map((r) => ({ ...r }));
    corrected[1]!.联系电话 = '13700000001';
    corrected[2]!.管理级别 = '严管';
    corrected[3]!.重点对象 = '是';
    corrected[4]!.居住地址 = ''; // blank: keeps the stored address
    const second = await importRoster(corrected, { dryRun: 'false', effectiveFrom: '2026-06-01' });
    expect(second.rows.map((r) => [r.outcome, r.changes ?? []])).toEqual([
      ['unchanged', []],
      ['updated', ['phone']],
      ['updated', ['level']],
      ['updated', ['keyPerson']],
      ['unchanged', []],
    ]);
    expect((await auditCount()) - audits).toBe(2 + 3);
    const token = await admin();
    const levelled = await call('GET', `/api/v1/counties/deqing/supervisees/${ids[2]}`, { token });
    expect(levelled.body.level).toBe('strict');
    expect(levelled.body.levelHistory).toEqual([
      { level: 'normal', effectiveFrom: '2026-01-01', reason: 'initial' },
      { level: 'strict', effectiveFrom: '2026-06-01', reason: 'import' },
    ]);
    const key = await call('GET', `/api/v1/counties/deqing/supervisees/${ids[3]}`, { token });
    expect(key.body.keyPerson).toBe(true);
    expect(key.body.flagHistory).toContainEqual({
      flag: 'keyPerson',
      value: true,
      effectiveFrom: '2026-06-01',
    });
    const kept = await call('GET', `/api/v1/counties/deqing/supervisees/${ids[4]}`, { token });
    expect(kept.body).toMatchObject({ address: rows[4]!.居住地址, version: 1 });
    const phoned = await call('GET', `/api/v1/counties/deqing/supervisees/${ids[1]}`, { token });
    expect(phoned.body).toMatchObject({ phone: '13700000001', version: 2 });
  });

  it('takes a level change from today by default, and refuses one after the term has ended', async () => {
    const row = superviseeCells(0, 22, { 矫正起止日期: '2025-01-01至2025-12-31' });
    await importRoster([row], { dryRun: 'false', effectiveFrom: '2025-06-01' });
    const late = await importRoster([{ ...row, 管理级别: '宽管' }], { dryRun: 'false' });
    expect(byRow(late, 2).errors?.[0]).toMatchObject({
      code: 'level_change_outside_term',
      column: '管理级别',
    });
    const current = superviseeCells(1, 22, { 管理级别: '普管' });
    await importRoster([current], { dryRun: 'false' });
    const changed = await importRoster([{ ...current, 管理级别: '严管' }], { dryRun: 'false' });
    const today = (await call('GET', `${base}/${changed.id}`, { token: await admin() })).body.effectiveFrom;
    const s = await call('GET', `/api/v1/counties/deqing/supervisees/${byRow(changed, 2).id}`, {
      token: await admin(),
    });
    expect(s.body.levelHistory.at(-1)).toEqual({ level: 'strict', effectiveFrom: today, reason: 'import' });
  });
});

describe('failures halfway', () => {
  it('stops at a chunk whose batch fails, keeps what was committed, and resumes to every row once', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => superviseeCells(i, 30));
    await db()
      .prepare(
        `CREATE TRIGGER import_outage BEFORE INSERT ON supervisees WHEN NEW.case_number = '${rows[250]!.案件编号}' BEGIN SELECT RAISE(ABORT, 'simulated outage'); END`,
      )
      .run();
    const token = await admin();
    const first = await upload(token, 'supervisees', rosterCsv(rows), { dryRun: 'false' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'failed', processed: 200, next: 'continue' });
    expect(first.body.lastError).toContain('rows 202–301');
    expect(first.body.counts.created).toBe(200);
    const prefix = 'IMP-30-%';
    expect(await countWhere('SELECT count(*) AS n FROM supervisees WHERE case_number LIKE ?', prefix)).toBe(
      200,
    );

    // Still failing: resuming stops at the same place and loses nothing.
    const stuck = await call('POST', `${base}/${first.body.id}/resume`, { token });
    expect(stuck.body).toMatchObject({ status: 'failed', processed: 200 });

    await db().prepare('DROP TRIGGER import_outage').run();
    const resumed = await call('POST', `${base}/${first.body.id}/resume`, { token });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ status: 'completed', processed: 300, lastError: null });
    expect(resumed.body.counts).toEqual({ created: 300, updated: 0, unchanged: 0, refused: 0 });
    expect(resumed.body.rows).toHaveLength(100);
    expect(await countWhere('SELECT count(*) AS n FROM supervisees WHERE case_number LIKE ?', prefix)).toBe(
      300,
    );
    expect(
      await countWhere(
        'SELECT count(*) AS n FROM supervisee_levels l JOIN supervisees s ON s.id = l.supervisee_id WHERE s.case_number LIKE ?',
        prefix,
      ),
    ).toBe(300);
    const report = await call('GET', `${base}/${first.body.id}/rows?limit=1000`, { token });
    expect(report.body.items).toHaveLength(300);
    expect(new Set(report.body.items.map((r: { id: string }) => r.id)).size).toBe(300);
  });

  it('writes the other rows when one row’s write is refused by the database', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => superviseeCells(i, 31));
    await db()
      .prepare(
        `CREATE TRIGGER import_refuse BEFORE INSERT ON supervisees WHEN NEW.case_number = '${rows[2]!.案件编号}' BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: supervisees.case_number'); END`,
      )
      .run();
    try {
      const job = await importRoster(rows, { dryRun: 'false' });
      expect(job.rows.map((r) => r.outcome)).toEqual(['created', 'created', 'refused', 'created', 'created']);
      expect(byRow(job, 4).errors?.[0]).toMatchObject({ code: 'write_conflict' });
      expect(job.counts).toEqual({ created: 4, updated: 0, unchanged: 0, refused: 1 });
      expect(
        await countWhere("SELECT count(*) AS n FROM supervisees WHERE case_number LIKE 'IMP-31-%'"),
      ).toBe(4);
    } finally {
      await db().prepare('DROP TRIGGER import_refuse').run();
    }
  });

  it('lets two clients drive the same job at once without writing a row twice', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => superviseeCells(i, 32));
    const token = await admin();
    const r = await upload(token, 'supervisees', rosterCsv(rows));
    // What commit does, short of its first step: the job waits at row 0 for whoever drives it.
    await db()
      .prepare(
        "UPDATE imports SET dry_run = 0, processed = 0, created = 0, status = 'queued', finished_at = NULL WHERE id = ?",
      )
      .bind(r.body.id)
      .run();
    const [a, b] = await Promise.all([
      call('POST', `${base}/${r.body.id}/continue`, { token }),
      call('POST', `${base}/${r.body.id}/continue`, { token }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const done = (await call('GET', `${base}/${r.body.id}`, { token })).body;
    expect(done).toMatchObject({ status: 'completed', processed: 250 });
    expect(done.counts.created).toBe(250);
    expect(await countWhere("SELECT count(*) AS n FROM supervisees WHERE case_number LIKE 'IMP-32-%'")).toBe(
      250,
    );
    expect(a.body.rows.length + b.body.rows.length).toBe(250);
  });
});

describe('files as they come', () => {
  it('reads an .xlsx roster with a title row, real date cells and a named sheet', async () => {
    const rows = [0, 1].map((i) => superviseeCells(i, 40));
    const header = [
      '序号',
      '姓名',
      '身份证号',
      '所属司法所',
      '矫正类别',
      '矫正开始日期',
      '矫正结束日期',
      '管理级别',
      '联系电话',
      '案件编号',
    ];
    const bytes = writeXlsx({
      sheetName: '名册',
      boldHeader: false,
      rows: [
        ['德清县社区矫正对象名册（2026年）'],
        header,
        ...rows.map((r, i) => [
          i + 1,
          r.姓名,
          r.身份证号,
          r['乡镇(街道)'].replace(/街道|镇/, '司法所'),
          r.矫正类别,
          { date: '2026-01-01' },
          { date: '2029-12-31' },
          r.管理级别,
          Number(r.联系电话),
          r.案件编号,
        ]),
      ],
    });
    const token = await admin();
    const wrongSheet = await upload(token, 'supervisees', bytes, { sheet: '其他' });
    expect(wrongSheet.status).toBe(400);
    expect(wrongSheet.body.errors[0].message).toContain('名册');
    const r = await upload(token, 'supervisees', bytes, { sheet: '名册', dryRun: 'false' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ format: 'xlsx', sheet: '名册', headerRow: 2 });
    expect(r.body.columns[0]).toEqual({ column: 'A', header: '序号', field: null });
    expect(r.body.rows.map((x: { outcome: string }) => x.outcome)).toEqual(['created', 'created']);
    const s = await call('GET', `/api/v1/counties/deqing/supervisees/${r.body.rows[0].id}`, { token });
    expect(s.body).toMatchObject({
      termStart: '2026-01-01',
      termEnd: '2029-12-31',
      phone: rows[0]!.联系电话,
      gender: 'male',
      birthDate: '1950-01-01',
      townshipId: 'wukang',
    });
  });

  it('explains an ID number Excel stored as a number', async () => {
    const row = superviseeCells(0, 41);
    const bytes = writeXlsx({
      header: ['身份证号', '姓名'],
      rows: [[Number(row.身份证号), row.姓名]],
    });
    const r = await upload(await admin(), 'supervisees', bytes);
    expect(byRow(r.body, 2).errors?.[0]).toMatchObject({ code: 'id_number_as_number', column: '身份证号' });
  });

  it('reads a GB18030 CSV saved by Chinese Excel without a BOM', async () => {
    // "姓名,身份证号,乡镇,矫正类别,矫正起止日期,管理级别,案件编号" and one row, encoded as GBK.
    const gbk = Uint8Array.from(
      atob(
        '0NXD+yzJ7bfd1qS6xSzP59XyLL3D1f3A4LHwLL3D1f3G8Na5yNXG2iy53MDtvLax8CywuLz+seC6xQ0KwO7LxCwzMzA1MjExOTQ5MTAwMTAxMTQs0MLK0NXyLLu60MwsMjAyNi0wMS0wMdbBMjAyOS0xMi0zMSzG1bncLEdCMTgwMzAtMDAxDQo=',
      ),
      (ch) => ch.charCodeAt(0),
    );
    const token = await admin();
    const r = await upload(token, 'supervisees', gbk, { dryRun: 'false' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.encoding).toBe('gb18030');
    expect(r.body.columns.map((c: { field: string }) => c.field)).toEqual([
      'name',
      'idNumber',
      'township',
      'sentenceType',
      'term',
      'level',
      'caseNumber',
    ]);
    expect(r.body.rows[0]).toMatchObject({ outcome: 'created' });
    const s = await call('GET', `/api/v1/counties/deqing/supervisees/${r.body.rows[0].id}`, { token });
    expect(s.body).toMatchObject({
      name: '李四',
      townshipId: 'xinshi',
      sentenceType: 'probation',
      level: 'normal',
    });
  });

  it('takes a JSON upload with base64 content and an explicit column mapping', async () => {
    const row = superviseeCells(0, 42);
    const csv = toCsv([
      ['对象编号', '名字', '证件', '镇', '类别', '起止', '级别', '备注'],
      [row.案件编号, row.姓名, row.身份证号, '新市镇', '假释', row.矫正起止日期, '宽管', '不导入'],
    ]);
    const content = btoa(String.fromCharCode(...new TextEncoder().encode(csv)));
    const mapping = {
      对象编号: 'caseNumber',
      名字: 'name',
      证件: 'idNumber',
      镇: 'township',
      类别: 'sentenceType',
      起止: 'term',
      级别: 'level',
      备注: null,
    };
    const token = await admin();
    const r = await call('POST', base, {
      token,
      body: { kind: 'supervisees', content, mapping, dryRun: false },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.rows[0]).toMatchObject({ outcome: 'created' });
    const s = await call('GET', `/api/v1/counties/deqing/supervisees/${r.body.rows[0].id}`, { token });
    expect(s.body).toMatchObject({ townshipId: 'xinshi', sentenceType: 'parole', level: 'lenient' });

    const bad = await call('POST', base, {
      token,
      body: { kind: 'supervisees', content, mapping: { 证件: 'idCard', 不存在: 'name' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'mapping.不存在',
      'mapping.证件',
    ]);
    const notBase64 = await call('POST', base, { token, body: { kind: 'supervisees', content: '%%%' } });
    expect(notBase64.status).toBe(400);
    const unknownField = await call('POST', base, {
      token,
      body: { kind: 'supervisees', content, extra: 1 },
    });
    expect(unknownField.status).toBe(400);
    const raw = await call('POST', `${base}?kind=supervisees`, {
      token,
      rawBody: 'x',
      headers: { 'content-type': 'image/png' },
    });
    expect(raw.status).toBe(415);
  });

  it('accepts an upload above the API’s 1 MiB body limit, and still refuses one that large elsewhere', async () => {
    const rows = [superviseeCells(0, 43)];
    const filler = 'x'.repeat(1_500_000);
    const csv = toCsv([
      [...SUPERVISEE_HEADER, '备注'],
      [...SUPERVISEE_HEADER.map((h) => rows[0]![h]), filler],
    ]);
    const token = await admin();
    const r = await upload(token, 'supervisees', csv);
    expect(r.status, r.text.slice(0, 200)).toBe(201);
    const elsewhere = await call('POST', '/api/v1/counties/deqing/supervisees', {
      token,
      rawBody: JSON.stringify({ ...superviseeBody(), address: filler }),
      headers: { 'content-type': 'application/json' },
    });
    expect(elsewhere.status).toBe(413);
    const huge = await upload(token, 'supervisees', `${csv}${'y'.repeat(15 * 1024 * 1024)}`);
    expect(huge.status).toBe(413);
  });
});

describe('townships and enrolments', () => {
  it('imports townships for the bureau admin only, matching by code or name', async () => {
    const csv = toCsv([
      ['名称', '英文名称', '行政区划代码', '排序'],
      ['测试镇甲', 'Jia', '330521900001', '50'],
      ['武康街道', 'Wukang', '330521001000', ''],
      ['测试镇甲', '', '', ''],
      ['测试镇乙', '', '12345', ''],
    ]);
    const officerTry = await upload(await officer(), 'townships', csv);
    expect(officerTry.status).toBe(403);
    const r = await upload(await admin(), 'townships', csv, { dryRun: 'false' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.rows.map((x: { outcome: string }) => x.outcome)).toEqual([
      'created',
      'updated',
      'refused',
      'refused',
    ]);
    expect(byRow(r.body, 3).changes).toEqual(['code']);
    expect(byRow(r.body, 4).errors?.[0]).toMatchObject({ code: 'duplicate_in_file' });
    expect(byRow(r.body, 5).errors?.[0]).toMatchObject({ code: 'bad_code', column: '行政区划代码' });
    const renamed = await upload(
      await admin(),
      'townships',
      toCsv([
        ['行政区划代码', '名称'],
        ['330521900001', '测试镇丙'],
      ]),
      { dryRun: 'false' },
    );
    expect(renamed.body.rows[0]).toMatchObject({ outcome: 'updated', changes: ['name'] });
    const list = await call('GET', '/api/v1/counties/deqing/townships', { token: await admin() });
    const names = list.body.items.map((t: { name: string }) => t.name);
    expect(names).toContain('测试镇丙');
    expect(names).not.toContain('测试镇甲');
  });

  it('enrols supervisees into a contract with the contract’s checks, idempotently', async () => {
    const people = [0, 1, 2, 3].map((i) => superviseeCells(i, 50));
    const imported = await importRoster(people, { dryRun: 'false' });
    await db()
      .prepare(
        `INSERT INTO contracts (id, provider_id, programme_year, period_start, period_end, pricing, procurement_method)
         VALUES ('c-import-test', 'chenxi', 2026, '2026-01-01', '2026-12-31', '{"model":"fixed","amountFen":1}', '竞争性磋商')`,
      )
      .run();
    await db()
      .prepare(
        "INSERT INTO enrolments (id, contract_id, supervisee_id, from_date, to_date) VALUES ('e-existing', 'c-import-test', ?, '2026-01-01', '2026-06-30')",
      )
      .bind(imported.rows[3]!.id)
      .run();
    const csv = toCsv([
      ['身份证号', '姓名', '开始日期', '结束日期'],
      [people[0]!.身份证号, people[0]!.姓名, '2026-03-01', ''],
      [people[1]!.身份证号, people[1]!.姓名, '2025-12-01', '2026-06-30'],
      [people[2]!.身份证号, '别人', '2026-03-01', '2026-04-01'],
      [people[3]!.身份证号, '', '2026-05-01', '2026-08-01'],
      [idNumberAt(9, 50), '', '2026-03-01', ''],
      [people[0]!.身份证号, '', '2026-05-01', '2026-07-01'],
      [people[1]!.身份证号, '', '2026-09-01', '2026-08-01'],
    ]);
    const token = await officer();
    const noContract = await upload(token, 'enrolments', csv);
    expect(noContract.status).toBe(400);
    expect(noContract.body.errors[0].path).toBe('contractId');
    const foreign = await upload(token, 'enrolments', csv, { contractId: 'no-such-contract' });
    expect(foreign.status).toBe(400);
    const r = await upload(token, 'enrolments', csv, { contractId: 'c-import-test', dryRun: 'false' });
    expect(r.status, r.text).toBe(201);
    const codes = r.body.rows.map((x: Job['rows'][0]) => x.errors?.[0]?.code ?? x.outcome);
    expect(codes).toEqual([
      'created',
      'outside_contract_period',
      'name_mismatch',
      'overlap',
      'unknown_supervisee',
      'duplicate_in_file',
      'end_before_start',
    ]);
    const again = await upload(token, 'enrolments', csv, { contractId: 'c-import-test', dryRun: 'false' });
    expect(again.body.rows[0]).toMatchObject({ outcome: 'unchanged', id: r.body.rows[0].id });
    const ended = await upload(
      token,
      'enrolments',
      toCsv([
        ['身份证号', '开始日期', '结束日期'],
        [people[0]!.身份证号, '2026-03-01', '2026-10-31'],
      ]),
      { contractId: 'c-import-test', dryRun: 'false' },
    );
    expect(ended.body.rows[0]).toMatchObject({ outcome: 'updated', changes: ['to'] });
    expect(
      await countWhere(
        "SELECT count(*) AS n FROM enrolments WHERE contract_id = 'c-import-test' AND to_date = '2026-10-31'",
      ),
    ).toBe(1);
  });
});

describe('who may import', () => {
  it('is the bureau only; key persons are the admin’s to designate', async () => {
    const csv = rosterCsv([superviseeCells(0, 60)]);
    for (const login of [
      'deqing.office.wukang',
      'deqing.evaluator',
      'deqing.finance',
      'provider.admin',
      'anji.admin',
    ]) {
      const r = await upload(await tokenFor(login), 'supervisees', csv);
      expect({ login, status: r.status }).toEqual({ login, status: 403 });
    }
    const key = await upload(
      await officer(),
      'supervisees',
      rosterCsv([superviseeCells(1, 60, { 重点对象: '是' })]),
    );
    expect(byRow(key.body, 2).errors?.[0]).toMatchObject({
      code: 'key_person_admin_only',
      column: '重点对象',
    });
    const byAdmin = await upload(
      await admin(),
      'supervisees',
      rosterCsv([superviseeCells(1, 60, { 重点对象: '是' })]),
    );
    expect(byRow(byAdmin.body, 2).outcome).toBe('created');
  });

  it('hides a county’s imports from every other county and from other roles', async () => {
    const r = await upload(await admin(), 'supervisees', rosterCsv([superviseeCells(0, 61)]));
    const id = r.body.id;
    const anji = await tokenFor('anji.admin');
    const inAnji = await call('GET', `/api/v1/counties/anji/imports/${id}`, { token: anji });
    const missing = await call('GET', '/api/v1/counties/anji/imports/does-not-exist', { token: anji });
    expect(inAnji.status).toBe(404);
    expect({ ...inAnji.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
    const rowsInAnji = await call('GET', `/api/v1/counties/anji/imports/${id}/rows`, { token: anji });
    expect(rowsInAnji.status).toBe(404);
    const stepInAnji = await call('POST', `/api/v1/counties/anji/imports/${id}/continue`, { token: anji });
    expect(stepInAnji.status).toBe(404);
    const evaluator = await call('GET', `${base}/${id}`, { token: await tokenFor('deqing.evaluator') });
    expect(evaluator.status).toBe(403);
    const list = await call('GET', base, { token: await officer() });
    expect(list.body.items.map((j: { id: string }) => j.id)).toContain(id);
    const anjiList = await call('GET', '/api/v1/counties/anji/imports', { token: anji });
    expect(anjiList.body.items.map((j: { id: string }) => j.id)).not.toContain(id);
  });

  it('lists formats and pages through the county’s imports', async () => {
    const token = await admin();
    const formats = await call('GET', `${base}/formats`, { token });
    expect(formats.status).toBe(200);
    const sup = formats.body.items.find((x: { kind: string }) => x.kind === 'supervisees');
    expect(sup.fields.find((f: { field: string }) => f.field === 'idNumber').headers).toContain(
      '公民身份号码',
    );
    for (const i of [0, 1, 2]) await upload(token, 'supervisees', rosterCsv([superviseeCells(i, 62)]));
    const page = await call('GET', `${base}?limit=2`, { token });
    expect(page.body.items).toHaveLength(2);
    const next = await call('GET', `${base}?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`, {
      token,
    });
    expect(next.body.items[0].id).not.toBe(page.body.items[1].id);
    expect(next.body.items[0].createdAt <= page.body.items[1].createdAt).toBe(true);
    const doc = (await call('GET', '/openapi.json')).body;
    const post = doc.paths['/api/v1/counties/{county}/imports'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(
      expect.arrayContaining([
        'application/json',
        'text/csv',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ]),
    );
    expect(doc.paths['/api/v1/counties/{county}/imports/{id}/resume'].post).toBeDefined();
  });
});

describe('what is kept', () => {
  it('drops a file’s cells once its real run completes, and stale dry runs’ cells on purge', async () => {
    const token = await admin();
    const real = await importRoster([superviseeCells(0, 80)], { dryRun: 'false' });
    const kept = (id: string) =>
      countWhere('SELECT count(*) AS n FROM import_chunks WHERE import_id = ? AND rows_enc IS NOT NULL', id);
    expect(await kept(real.id)).toBe(0);
    const dry = await upload(token, 'supervisees', rosterCsv([superviseeCells(1, 80)]));
    expect(await kept(dry.body.id)).toBe(1);
    expect(await purgeImportRows(countyDrizzle(db()), '2000-01-01T00:00:00Z')).toBe(0);
    expect(await purgeImportRows(countyDrizzle(db()), '2999-01-01T00:00:00Z')).toBeGreaterThanOrEqual(1);
    const commit = await call('POST', `${base}/${dry.body.id}/commit`, { token });
    expect(commit.status).toBe(409);
    expect(commit.body.detail).toContain('upload the file again');
    const report = await call('GET', `${base}/${dry.body.id}/rows`, { token });
    expect(report.body.items).toHaveLength(1);
    expect((await call('GET', `${base}/${dry.body.id}`, { token })).body).toMatchObject({
      dryRun: true,
      next: 'commit',
    });
  });

  it('refuses an overlong cell without storing it', async () => {
    const row = superviseeCells(0, 81, { 姓名: '长'.repeat(100_000) });
    const r = await upload(await admin(), 'supervisees', rosterCsv([row]));
    expect(r.status).toBe(201);
    expect(byRow(r.body, 2).errors?.[0]).toMatchObject({ column: '姓名', code: 'too_long' });
    expect(String(byRow(r.body, 2).errors![0]!.value)).toHaveLength(250);
  });
});

describe('a large file', () => {
  it('imports 5,000 rows in steps within the Workers limits, each row then readable', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => superviseeCells(i, 70));
    const csv = rosterCsv(rows);
    const token = await admin();
    const first = await upload(token, 'supervisees', csv, { dryRun: 'false' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ total: 5000, processed: 1000, status: 'running', next: 'continue' });
    const job = await finish(first.body, token);
    expect(job).toMatchObject({ status: 'completed', processed: 5000 });
    expect(job.counts).toEqual({ created: 5000, updated: 0, unchanged: 0, refused: 0 });
    const seen = new Set<string>();
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const r = await call('GET', `/api/v1/counties/deqing/supervisees?q=IMP-70-&limit=500${cursor}`, {
        token,
      });
      for (const s of r.body.items) seen.add(s.caseNumber);
      if (!r.body.nextCursor) break;
      cursor = `&cursor=${encodeURIComponent(r.body.nextCursor)}`;
    }
    expect(seen).toEqual(new Set(rows.map((r) => r.案件编号)));
    const sample = await call('GET', `/api/v1/counties/deqing/supervisees/${job.rows[4321]!.id}`, { token });
    expect(sample.body).toMatchObject({ caseNumber: rows[4321]!.案件编号, idNumber: rows[4321]!.身份证号 });
    expect(readTable(new TextEncoder().encode(csv)).rows).toHaveLength(5001);
  }, 120_000);
});
