/** Lists as downloads: the same filters and field visibility as the JSON list, audited when personal. */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, call, tokenFor } from '../../test/helpers/http';
import { rosterCsv, type SuperviseeCells, superviseeCells, upload } from '../../test/helpers/imports';
import { parseCsv } from './csv';
import { readTable, XLSX_MIME } from './table';

const list = '/api/v1/counties/deqing/supervisees';
let roster: SuperviseeCells[] = [];

/** A download as bytes (the JSON helper would mangle an .xlsx). */
async function download(path: string, login: string) {
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${await tokenFor(login)}` } }),
  );
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const csvRows = (bytes: Uint8Array) => parseCsv(new TextDecoder().decode(bytes.subarray(3)));

beforeAll(async () => {
  roster = [0, 1, 2, 3, 4, 5].map((i) => superviseeCells(i, 90, { 重点对象: i === 0 ? '是' : '否' }));
  const r = await upload(await tokenFor('deqing.admin'), 'supervisees', rosterCsv(roster), {
    dryRun: 'false',
  });
  expect(r.body.counts.created).toBe(6);
});

describe('supervisee export', () => {
  it('gives the bureau every matching row as CSV with decrypted personal fields, audited', async () => {
    const before = (await env
      .COUNTY_DEQING!.prepare(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'supervisee.export_personal'",
      )
      .first<{ n: number }>())!.n;
    const r = await download(`${list}?format=csv&q=IMP-90-&limit=1`, 'deqing.admin');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="supervisees-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''%E7%A4%BE/,
    );
    expect([...r.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = csvRows(r.bytes);
    expect(header).toEqual([
      '案件编号',
      '姓名',
      '性别',
      '出生日期',
      '身份证号',
      '乡镇(街道)',
      '矫正类别',
      '罪名',
      '矫正开始日期',
      '矫正结束日期',
      '管理级别',
      '重点对象',
      '有劳动能力',
      '联系电话',
      '居住地址',
      '状态',
    ]);
    expect(rows).toHaveLength(6); // every page, not `limit`
    const first = rows[0]!;
    expect(first.slice(0, 4)).toEqual([
      roster[0]!.案件编号,
      roster[0]!.姓名,
      roster[0]!.性别,
      roster[0]!.出生日期,
    ]);
    expect(first[4]).toBe(`\t${roster[0]!.身份证号}`);
    expect(first.slice(5, 16)).toEqual([
      '武康街道',
      '缓刑',
      '盗窃罪',
      '2026-01-01',
      '2029-12-31',
      '普管',
      '是',
      '是',
      roster[0]!.联系电话,
      roster[0]!.居住地址,
      '在矫',
    ]);
    const { results } = await env
      .COUNTY_DEQING!.prepare(
        "SELECT detail FROM audit_log WHERE action = 'supervisee.export_personal' ORDER BY seq",
      )
      .all<{ detail: string }>();
    expect(results.length - before).toBe(1);
    expect(JSON.parse(results.at(-1)!.detail)).toMatchObject({ count: 6, superviseeIds: expect.any(Array) });
  });

  it('applies the list’s filters and the caller’s scope', async () => {
    const xinshi = csvRows(
      (await download(`${list}?format=csv&q=IMP-90-&township=xinshi`, 'deqing.admin')).bytes,
    );
    expect(xinshi.slice(1).map((r) => r[0])).toEqual([roster[2]!.案件编号, roster[5]!.案件编号]);
    const key = csvRows(
      (await download(`${list}?format=csv&q=IMP-90-&keyPerson=true`, 'deqing.admin')).bytes,
    );
    expect(key.slice(1).map((r) => r[0])).toEqual([roster[0]!.案件编号]);
    const office = csvRows((await download(`${list}?format=csv&q=IMP-90-`, 'deqing.office.wukang')).bytes);
    expect(office.slice(1).map((r) => r[0])).toEqual([roster[0]!.案件编号, roster[3]!.案件编号]);
  });

  it('gives an evaluator no names, ID numbers, phones or addresses, and a provider no ID numbers', async () => {
    const r = await download(`${list}?format=csv&q=IMP-90-`, 'deqing.evaluator');
    const text = new TextDecoder().decode(r.bytes);
    const [header, ...rows] = csvRows(r.bytes);
    expect(rows).toHaveLength(6);
    for (const h of ['姓名', '出生日期', '身份证号', '联系电话', '居住地址']) expect(header).not.toContain(h);
    for (const p of roster) {
      for (const secret of [p.姓名, p.身份证号, p.联系电话, p.居住地址]) expect(text).not.toContain(secret);
    }
    const provider = csvRows((await download(`${list}?format=csv`, 'provider.worker')).bytes);
    expect(provider[0]).toContain('姓名');
    expect(provider[0]).not.toContain('身份证号');
    expect(provider[0]).not.toContain('联系电话');
    const none = await download(`${list}?format=csv`, 'deqing.finance');
    expect(none.status).toBe(403);
    const foreign = await download('/api/v1/counties/deqing/supervisees?format=csv', 'anji.admin');
    expect(foreign.status).toBe(403);
  });

  it('writes .xlsx with English headers on request, that imports back unchanged', async () => {
    const en = await download(`${list}?format=xlsx&q=IMP-90-&lang=en`, 'deqing.admin');
    expect(en.headers.get('content-type')).toBe(XLSX_MIME);
    const table = readTable(en.bytes);
    expect(table.sheet).toBe('supervisees');
    expect(table.rows[0]!.cells.slice(0, 5)).toEqual([
      'Case number',
      'Name',
      'Gender',
      'Birth date',
      'ID number',
    ]);
    expect(table.rows[1]!.cells).toContain('probation');

    const zh = await download(`${list}?format=xlsx&q=IMP-90-`, 'deqing.admin');
    const back = await upload(await tokenFor('deqing.admin'), 'supervisees', zh.bytes);
    expect(back.status).toBe(201);
    expect(back.body.counts).toEqual({ created: 0, updated: 0, unchanged: 6, refused: 0 });
    const csv = await download(`${list}?format=csv&q=IMP-90-`, 'deqing.admin');
    const again = await upload(await tokenFor('deqing.admin'), 'supervisees', csv.bytes);
    expect(again.body.counts).toEqual({ created: 0, updated: 0, unchanged: 6, refused: 0 });
  });

  it('refuses an unknown format', async () => {
    const r = await call('GET', `${list}?format=pdf`, { token: await tokenFor('deqing.admin') });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('format');
  });
});

describe('township export', () => {
  it('downloads the townships as CSV or .xlsx for any role of the county', async () => {
    const csv = csvRows(
      (await download('/api/v1/counties/deqing/townships?format=csv', 'deqing.evaluator')).bytes,
    );
    expect(csv[0]).toEqual(['名称', '英文名称', '行政区划代码', '排序', 'ID']);
    expect(csv[1]).toEqual(['武康街道', 'Wukang', '', '0', 'wukang']);
    const xlsx = readTable(
      (await download('/api/v1/counties/deqing/townships?format=xlsx&lang=en', 'provider.worker')).bytes,
    );
    expect(xlsx.rows[0]!.cells).toEqual(['Name', 'English name', 'Code', 'Sort order', 'ID']);
    expect(xlsx.rows).toHaveLength(14);
    const json = await call('GET', '/api/v1/counties/deqing/townships', {
      token: await tokenFor('deqing.admin'),
    });
    expect(json.body.items).toHaveLength(13);
  });
});
