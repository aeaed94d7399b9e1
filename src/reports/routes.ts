import { createRoute, z } from '@hono/zod-openapi';
import { inArray } from 'drizzle-orm';
import { controlDb, queryInChunks } from '../db';
import { providers } from '../db/control-schema';
import { type Ctx, countyCtx } from '../lib/context';
import { forbidden, invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { townships } from '../townships/schema';
import { XLSX_MIME } from '../transfer/table';
import { writeXlsx } from '../transfer/xlsx';
import { attachment, decimal, toCsv } from './csv';
import { reportScope } from './scope';
import { GROUP_BY, type GroupBy, type StatisticsItem, statistics } from './statistics';
import { volunteers } from './volunteers';

const StatisticsItemSchema = z
  .object({
    type: z.string(),
    label: z.string(),
    providerId: z.string().nullable().optional(),
    townshipId: z.string().optional(),
    month: z.string().optional(),
    sessions: z.number().int(),
    personTimes: z.number().int(),
    hours: z.number(),
    minutes: z.number().int(),
    persons: z.number().int(),
    keyPersonTimes: z.number().int(),
    serviceHours: z.number(),
    aidAmountFen: z.number().int(),
  })
  .openapi('StatisticsItem', {
    description:
      'sessions (场次) = activities; personTimes (人次) = participants; hours = participants’ minutes / 60; ' +
      'persons = distinct supervisees; keyPersonTimes = person-times of key persons (重点对象) on the day; ' +
      'serviceHours = the activities’ own durations / 60; aidAmountFen = hardship aid handed over. ' +
      'With groupBy the item carries providerId (null: bureau or office work), townshipId or month.',
  });

const Statistics = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(GROUP_BY).nullable(),
    items: z.array(StatisticsItemSchema),
  })
  .openapi('Statistics');

const Volunteers = z
  .object({
    on: z.string(),
    count: z.number().int(),
    items: z
      .array(
        z.object({
          superviseeId: z.string(),
          caseNumber: z.string(),
          name: z.string(),
          townshipId: z.string(),
          status: z.string(),
          volunteerSince: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Volunteers', { description: '`items` only for roles that see supervisees by name.' });

function scopeOf(c: Ctx) {
  const scope = reportScope(c.var.countyMemberships);
  if (!scope) throw forbidden('Your role does not see reports.');
  return scope;
}

const GROUP_HEADER: Record<GroupBy, string> = {
  provider: '服务机构',
  township: '乡镇（街道）',
  month: '月份',
};

/** The group's display name for a spreadsheet: provider and township names, not ids. */
async function groupNames(c: Ctx, groupBy: GroupBy | undefined, items: StatisticsItem[]) {
  const names = new Map<string | null, string>();
  if (groupBy === 'provider') {
    const ids = [...new Set(items.flatMap((i) => (i.providerId ? [i.providerId] : [])))];
    const rows = await queryInChunks(ids, 0, (chunk) =>
      controlDb(c.env)
        .select({ id: providers.id, name: providers.name })
        .from(providers)
        .where(inArray(providers.id, chunk)),
    );
    for (const r of rows) names.set(r.id, r.name);
    names.set(null, '司法局／司法所');
  }
  if (groupBy === 'township') {
    const rows = await c.var.countyDb.select({ id: townships.id, name: townships.name }).from(townships);
    for (const r of rows) names.set(r.id, r.name);
  }
  return (item: StatisticsItem) => {
    if (!groupBy) return null;
    const key = (item[
      groupBy === 'provider' ? 'providerId' : groupBy === 'township' ? 'townshipId' : 'month'
    ] ?? null) as string | null;
    return names.get(key) ?? key;
  };
}

function statisticsSheet(
  items: StatisticsItem[],
  groupBy: GroupBy | undefined,
  groupOf: (i: StatisticsItem) => string | null,
  format: 'csv' | 'xlsx',
) {
  const header = [
    ...(groupBy ? [GROUP_HEADER[groupBy]] : []),
    '类型',
    '场次',
    '人次',
    '小时',
    '人数',
    '重点对象人次',
    '服务时长（小时）',
    '救助金额（元）',
  ];
  const rows = items.map((i) => [
    ...(groupBy ? [groupOf(i)] : []),
    i.label,
    i.sessions,
    i.personTimes,
    decimal(i.hours),
    i.persons,
    i.keyPersonTimes,
    decimal(i.serviceHours),
    // CSV keeps the cents visible ("12.00"); an .xlsx cell is a number Excel formats itself.
    format === 'csv' ? (i.aidAmountFen / 100).toFixed(2) : decimal(i.aidAmountFen / 100),
  ]);
  return format === 'csv' ? toCsv(header, rows) : writeXlsx({ sheetName: '服务统计', header, rows });
}

export const reportRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/reports/statistics',
      tags: ['Reports'],
      summary:
        'Sessions (场次), person-times (人次) and hours per activity type; `format=csv` or `xlsx` for Excel',
      request: {
        params: CountyParam,
        query: z.object({
          from: CivilDate,
          to: CivilDate,
          groupBy: z.enum(GROUP_BY).optional(),
          format: z.enum(['json', 'csv', 'xlsx']).default('json'),
        }),
      },
      responses: {
        200: {
          description: 'Statistics, as JSON or as a CSV file (UTF-8 with BOM, CRLF, Chinese headers)',
          content: {
            'application/json': { schema: Statistics },
            'text/csv': { schema: z.string() },
            [XLSX_MIME]: { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      if (q.to < q.from) throw invalid([{ path: 'to', message: 'must not be before from' }]);
      const scope = scopeOf(c);
      const items = await statistics(c.var.countyDb, scope, q);
      if (q.format !== 'json') {
        const body = statisticsSheet(items, q.groupBy, await groupNames(c, q.groupBy, items), q.format);
        const county = c.var.county;
        const suffix = `${q.from}_${q.to}${q.groupBy ? `_${q.groupBy}` : ''}`;
        return c.body(body as string | Uint8Array<ArrayBuffer>, 200, {
          'content-type': q.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_MIME,
          'content-disposition': attachment(
            `statistics-${county.slug}-${suffix}.${q.format}`,
            `${county.name}服务统计_${suffix}.${q.format}`,
          ),
          'cache-control': 'no-store',
        });
      }
      return c.json({ from: q.from, to: q.to, groupBy: q.groupBy ?? null, items }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/reports/volunteers',
      tags: ['Reports'],
      summary: 'Supervisees who joined volunteer service (义工) by a day, with the date they joined',
      request: {
        params: CountyParam,
        query: z.object({ on: CivilDate.optional(), township: z.string().max(64).optional() }),
      },
      responses: { 200: jsonResponse('Volunteers', Volunteers), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const out = await volunteers(k.db, scope, c.var.countyMemberships, {
        on: q.on ?? k.today,
        townshipId: q.township,
      });
      return c.json(out, 200);
    },
  );
