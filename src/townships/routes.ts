import { createRoute, z } from '@hono/zod-openapi';
import { asc } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { auditLog } from '../audit/schema';
import { auditBy, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { todayIn } from '../lib/time';
import { ExportQuery, exportTable, listOrExport, wantsExport } from '../transfer/export';
import { townships } from './schema';

export const TownshipSchema = z
  .object({ id: z.string(), name: z.string(), nameEn: z.string().nullable(), code: z.string().nullable() })
  .openapi('Township');

const NewTownship = z.strictObject({
  name: z.string().trim().min(1).max(50),
  nameEn: z.string().trim().min(1).max(100).optional(),
  code: z
    .string()
    .regex(/^\d{9}(\d{3})?$/, 'expected a 9- or 12-digit township code')
    .optional(),
  sortOrder: z.number().int().min(0).max(10_000).optional(),
});

const toTownship = (t: typeof townships.$inferSelect) => ({
  id: t.id,
  name: t.name,
  nameEn: t.nameEn,
  code: t.code,
});

/** The download of the list; its headers are those the township import reads. */
const townshipTable = (rows: (typeof townships.$inferSelect)[], date: string) => ({
  columns: [
    { key: 'name', header: { zh: '名称', en: 'Name' } },
    { key: 'nameEn', header: { zh: '英文名称', en: 'English name' } },
    { key: 'code', header: { zh: '行政区划代码', en: 'Code' } },
    { key: 'sortOrder', header: { zh: '排序', en: 'Sort order' }, type: 'number' as const },
    { key: 'id', header: { zh: 'ID', en: 'ID' } },
  ],
  rows,
  name: { zh: '乡镇', en: 'townships' },
  date,
});

export const townshipRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/townships',
      tags: ['County'],
      summary: 'The townships (乡镇/街道) of the county',
      request: { params: CountyParam, query: z.object(ExportQuery) },
      responses: {
        200: listOrExport('Townships', z.object({ items: z.array(TownshipSchema) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const rows = await c.var.countyDb
        .select()
        .from(townships)
        .orderBy(asc(townships.sortOrder), asc(townships.name));
      const { format } = c.req.valid('query');
      if (wantsExport(format)) {
        return exportTable(c, townshipTable(rows, todayIn(c.var.county.timezone)), format);
      }
      return c.json({ items: rows.map(toTownship) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/townships',
      tags: ['County'],
      summary: 'Add a township (bureau admin)',
      request: { params: CountyParam, body: jsonBody(NewTownship) },
      responses: {
        201: jsonResponse('Created', TownshipSchema),
        409: problemDoc('A township of that name exists'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const db = c.var.countyDb;
      const row = {
        id: newId(),
        name: body.name,
        nameEn: body.nameEn ?? null,
        code: body.code ?? null,
        sortOrder: body.sortOrder ?? 0,
      };
      try {
        await db.batch([
          db.insert(townships).values(row),
          db
            .insert(auditLog)
            .values(
              auditValues(
                auditBy(c, { action: 'township.create', targetType: 'township', targetId: row.id }),
              ),
            ),
        ]);
      } catch (e) {
        if (String(e).includes('UNIQUE')) throw conflict(`A township named ${body.name} already exists.`);
        throw e;
      }
      sealLater(c, c.var.countyD1);
      return c.json(toTownship({ ...row, createdAt: '' }), 201);
    },
  );
