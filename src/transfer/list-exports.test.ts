/** Activities, compliance, worklist, ledgers and payments as downloads: the JSON list's rows and visibility. */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, call, tokenFor } from '../../test/helpers/http';
import { parseCsv } from './csv';
import { readTable, XLSX_MIME } from './table';

const C = '/api/v1/counties/deqing';

async function download(path: string, login: string) {
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${await tokenFor(login)}` } }),
  );
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function csvOf(path: string, login: string) {
  const r = await download(path, login);
  expect(r.status, new TextDecoder().decode(r.bytes)).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect([...r.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(new TextDecoder().decode(r.bytes.subarray(3)));
  return { header: header!, rows };
}

async function xlsxOf(path: string, login: string) {
  const r = await download(path, login);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe(XLSX_MIME);
  return readTable(r.bytes).rows.map((row) => row.cells);
}

/** Every page of a JSON list. */
async function allItems(path: string, login: string) {
  const token = await tokenFor(login);
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call(
      'GET',
      `${path}${sep}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        token,
      },
    );
    expect(r.status, r.text).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

describe('activity export', () => {
  it('has every filtered activity, with Chinese headers and type labels', async () => {
    const json = await allItems(`${C}/activities?status=active`, 'deqing.admin');
    expect(json.length).toBeGreaterThan(0);
    const { header, rows } = await csvOf(`${C}/activities?format=csv&status=active`, 'deqing.admin');
    expect(header).toEqual([
      '服务类型',
      '类型代码',
      '服务日期',
      '开始时间',
      '时长(分钟)',
      '服务机构',
      '乡镇(街道)',
      '参与人数',
      '状态',
      '提示',
    ]);
    expect(rows).toHaveLength(json.length);
    expect(rows.map((r) => r[1])).toEqual(json.map((a) => a.type));
    expect(rows.map((r) => r[7])).toEqual(json.map((a) => String((a.participants as unknown[]).length)));
    expect(rows.every((r) => r[8] === '有效')).toBe(true);
    const home = rows.find((r) => r[1] === 'home_visit');
    expect(home?.[0]).toBe('上门走访');
    expect(rows.some((r) => r[5] === '晨曦社会工作服务中心' || r[5]!.includes('晨曦'))).toBe(true);
  });

  it('applies the filters and the provider scope; xlsx reads back in English', async () => {
    const json = await allItems(`${C}/activities`, 'provider.worker');
    const xlsx = await xlsxOf(`${C}/activities?format=xlsx&lang=en`, 'provider.worker');
    expect(xlsx[0]).toEqual([
      'Type',
      'Type code',
      'Date',
      'Start time',
      'Minutes',
      'Provider',
      'Township',
      'Participants',
      'Status',
      'Flags',
    ]);
    expect(xlsx).toHaveLength(json.length + 1);
    const none = await csvOf(`${C}/activities?format=csv&from=1999-01-01&to=1999-12-31`, 'deqing.admin');
    expect(none.rows).toHaveLength(0);
    const foreign = await download(`${C}/activities?format=csv`, 'anji.admin');
    expect(foreign.status).not.toBe(200);
  });
});

describe('compliance and worklist exports', () => {
  it('has one row per supervisee × item, with names for the bureau', async () => {
    const r = await call('GET', `${C}/compliance`, { token: await tokenFor('deqing.admin') });
    expect(r.status).toBe(200);
    const expected = (
      r.body.items as { caseNumber: string; name: string; items: { requirementId: string }[] }[]
    ).flatMap((s) => s.items.map((i) => [s.caseNumber, s.name, i.requirementId]));
    expect(expected.length).toBeGreaterThan(0);
    const { header, rows } = await csvOf(`${C}/compliance?format=csv`, 'deqing.admin');
    expect(header).toEqual([
      '案件编号',
      '姓名',
      '乡镇(街道)',
      '要求',
      '周期开始',
      '周期结束',
      '计量',
      '应完成',
      '已完成',
      '状态',
      '截止日期',
    ]);
    expect(rows.map((x) => [x[0], x[1], x[3]])).toEqual(expected);
  });

  it("gives an evaluator's export no names, in CSV nor xlsx", async () => {
    const r = await call('GET', `${C}/compliance`, { token: await tokenFor('deqing.admin') });
    const names = (r.body.items as { name: string }[]).map((s) => s.name);
    const csv = await download(`${C}/compliance?format=csv`, 'deqing.evaluator');
    expect(csv.status).toBe(200);
    const text = new TextDecoder().decode(csv.bytes);
    expect(text).not.toContain('姓名');
    for (const n of names) expect(text).not.toContain(n);
    const xlsx = await xlsxOf(`${C}/compliance?format=xlsx`, 'deqing.evaluator');
    expect(xlsx[0]).not.toContain('姓名');
    expect(xlsx.length).toBeGreaterThan(1);
    for (const n of names) expect(xlsx.flat()).not.toContain(n);
  });

  it('exports the worklist items as the JSON has them', async () => {
    const until = '2026-12-31';
    const r = await call('GET', `${C}/worklist?until=${until}`, { token: await tokenFor('deqing.admin') });
    expect(r.status).toBe(200);
    const { header, rows } = await csvOf(`${C}/worklist?until=${until}&format=csv`, 'deqing.admin');
    expect(header.slice(0, 4)).toEqual(['案件编号', '姓名', '乡镇(街道)', '要求']);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((x) => [x[0], x[1], x[3], x[10]])).toEqual(
      (r.body.items as Record<string, string>[]).map((i) => [i.caseNumber, i.name, i.requirementId, i.dueBy]),
    );
    const xlsx = await xlsxOf(`${C}/worklist?until=${until}&format=xlsx`, 'deqing.admin');
    expect(xlsx).toHaveLength(rows.length + 1);
    expect((await download(`${C}/worklist?format=csv`, 'deqing.evaluator')).status).toBe(403);
  });
});

describe('ledger export', () => {
  it('has every ledger of the filter, with names, in CSV and xlsx', async () => {
    const json = await allItems(`${C}/ledgers`, 'deqing.admin');
    expect(json.length).toBeGreaterThan(0);
    const { header, rows } = await csvOf(`${C}/ledgers?format=csv`, 'deqing.admin');
    expect(header).toEqual([
      '服务机构',
      '乡镇(街道)',
      '周期',
      '周期开始',
      '周期结束',
      '报送截止',
      '状态',
      '服务记录数',
      '逾期报送',
    ]);
    expect(rows.map((r) => [r[2], r[7]])).toEqual(json.map((l) => [l.cycle, String(l.activityCount)]));
    expect(rows.every((r) => ['草稿', '已提交', '已退回', '已确认'].includes(r[6]!))).toBe(true);
    expect(rows.every((r) => r[8] === '是' || r[8] === '否')).toBe(true);
    const submitted = await csvOf(`${C}/ledgers?format=csv&status=submitted`, 'deqing.admin');
    expect(submitted.rows.length).toBe(json.filter((l) => l.status === 'submitted').length);
    const xlsx = await xlsxOf(`${C}/ledgers?format=xlsx`, 'deqing.admin');
    expect(xlsx).toHaveLength(json.length + 1);
    expect(xlsx[0]![0]).toBe('服务机构');
  });
});

describe('payment export', () => {
  beforeAll(async () => {
    const r = await call('POST', `${C}/contracts/deqing-contract-2026-chenxi/payments`, {
      token: await tokenFor('deqing.admin'),
      body: { kind: 'work_funds', amountFen: 123_456, note: '=SUM(A1)' },
    });
    expect(r.status, r.text).toBe(201);
  });

  it('has every payment with the amount in fen and yuan, in CSV and xlsx', async () => {
    const json = await allItems(`${C}/payments`, 'deqing.admin');
    const { header, rows } = await csvOf(`${C}/payments?format=csv&status=recorded`, 'deqing.admin');
    expect(header.slice(0, 7)).toEqual([
      '合同编号',
      '合同名称',
      '服务机构',
      '款项类型',
      '金额(分)',
      '金额(元)',
      '状态',
    ]);
    expect(rows).toHaveLength(json.filter((p) => p.status === 'recorded').length);
    const mine = rows.find((r) => r[4] === '123456')!;
    expect(mine.slice(0, 7)).toMatchObject([
      'deqing-contract-2026-chenxi',
      expect.any(String),
      expect.stringContaining('晨曦'),
      '工作经费',
      '123456',
      '1234.56',
      '待审批',
    ]);
    // A formula in a note is defused for Excel.
    expect(mine.at(-1)).toBe("'=SUM(A1)");
    const xlsx = await xlsxOf(`${C}/payments?format=xlsx`, 'deqing.finance');
    expect(xlsx).toHaveLength(json.length + 1);
    expect(xlsx.some((r) => r[5] === '1234.56')).toBe(true);
  });
});
