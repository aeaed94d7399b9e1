/** The sample files of docs/import-formats.md are what the generator writes, and import cleanly. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import enrolmentsRaw from '../../docs/samples/enrolments.csv?raw';
import superviseesRaw from '../../docs/samples/supervisees.csv?raw';
import townshipsRaw from '../../docs/samples/townships.csv?raw';
import { tokenFor } from '../../test/helpers/http';
import { upload } from '../../test/helpers/imports';
import { enrolmentsCsv, superviseesCsv, superviseesXlsx, townshipsCsv } from './samples';

const withoutBom = (s: string) => s.replace(/^\uFEFF/, '');
const outcomes = (body: { rows: { outcome: string }[] }) => body.rows.map((r) => r.outcome);

describe('docs/samples', () => {
  it('holds what scripts/import-samples.ts writes', () => {
    expect(withoutBom(superviseesRaw)).toBe(superviseesCsv());
    expect(withoutBom(townshipsRaw)).toBe(townshipsCsv());
    expect(withoutBom(enrolmentsRaw)).toBe(enrolmentsCsv());
  });

  it('imports every sample without a refused row', async () => {
    const token = await tokenFor('deqing.admin');
    const xlsx = await upload(token, 'supervisees', superviseesXlsx());
    expect(xlsx.status, xlsx.text).toBe(201);
    expect(xlsx.body).toMatchObject({ headerRow: 2, sheet: '社区矫正对象' });
    expect(outcomes(xlsx.body)).toEqual(['created', 'created', 'created', 'created']);

    const csv = await upload(token, 'supervisees', superviseesRaw, { dryRun: 'false' });
    expect(outcomes(csv.body)).toEqual(['created', 'created', 'created', 'created']);
    const again = await upload(token, 'supervisees', superviseesXlsx());
    expect(outcomes(again.body)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);

    const towns = await upload(token, 'townships', townshipsRaw);
    expect(outcomes(towns.body)).toEqual(['updated', 'updated', 'updated', 'created']);

    await env
      .COUNTY_DEQING!.prepare(
        `INSERT INTO contracts (id, provider_id, programme_year, period_start, period_end, pricing, procurement_method)
         VALUES ('c-sample', 'chenxi', 2026, '2026-01-01', '2026-12-31', '{"model":"fixed","amountFen":1}', '竞争性磋商')`,
      )
      .run();
    const enrol = await upload(token, 'enrolments', enrolmentsRaw, { contractId: 'c-sample' });
    expect(outcomes(enrol.body)).toEqual(['created', 'created', 'created']);
  });
});
