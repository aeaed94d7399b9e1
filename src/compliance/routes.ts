/**
 * Compliance routes (API.md "Compliance" and "Across counties"): one supervisee over a range, the
 * county for a month, worklists, the dashboard, and the preview of a draft rule set. Reads only;
 * each county route answers the number of D1 statements it ran in `x-d1-queries`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and } from 'drizzle-orm';
import { countyDrizzle } from '../db';
import { type Ctx, countyCtx } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CountyParam, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { todayIn } from '../lib/time';
import { addDays, diffDays, isValidDate } from '../rules';
import { requireSuperviseeScope } from '../supervisees/access';
import { ExportQuery, exportTable, langOf, listOrExport, wantsExport } from '../transfer/export';
import { fanOut } from './across-counties';
import { complianceExport, worklistExport } from './export';
import { countingD1, QUERY_COUNT_HEADER } from './query-counter';
import { responsibility, worklistFilter } from './scope';
import {
  countyCompliance,
  dashboard,
  monthRange,
  previewRuleSet,
  superviseeCompliance,
  type WorklistItem,
  worklist,
  worklistRange,
} from './service';

/** The longest range one compliance request may cover. */
export const MAX_RANGE_DAYS = 731;
/** How far ahead a worklist may look. */
export const MAX_WORKLIST_DAYS_AHEAD = 366;
const DEFAULT_TIMEZONE = 'Asia/Shanghai';

// Years the date arithmetic of the engine is asked about; anything else is a typing error. One
// check each, so a bad value gives one error naming the parameter.
const inEra = (d: string) => d >= '1900-01-01' && d <= '2199-12-31';
const Day = z
  .string()
  .refine((d) => isValidDate(d) && inEra(d), 'expected a real date as YYYY-MM-DD, in 1900–2199')
  .openapi({ example: '2026-03-01', format: 'date' });
const Month = z
  .string()
  .refine(
    (m) => /^\d{4}-(0[1-9]|1[0-2])$/.test(m) && inEra(`${m}-01`),
    'expected a month as YYYY-MM, in 1900–2199',
  )
  .openapi({ example: '2026-03' });

const ComplianceItem = z
  .object({
    requirementId: z.string(),
    windowStart: z.string(),
    windowEnd: z.string(),
    measure: z.enum(['count', 'hours']),
    required: z.number(),
    achieved: z.number(),
    status: z.enum(['met', 'short', 'open', 'due', 'overdue']),
    dueBy: z.string(),
  })
  .openapi('ComplianceItem');

const WorklistEntry = ComplianceItem.extend({
  superviseeId: z.string(),
  caseNumber: z.string(),
  name: z.string(),
  townshipId: z.string(),
}).openapi('WorklistItem');

const SuperviseeParam = CountyParam.extend({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
});
const RuleSetParam = CountyParam.extend({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
});

const countHeader = {
  [QUERY_COUNT_HEADER]: { schema: { type: 'string' as const }, description: 'D1 statements run' },
};

/** A county context whose statements are counted (and held to D1's parameter cap). */
function countedCtx(c: Ctx) {
  const counted = countingD1(c.var.countyD1);
  const k = { ...countyCtx(c), d1: counted.d1, db: countyDrizzle(counted.d1) };
  return { k, report: () => c.header(QUERY_COUNT_HEADER, String(counted.count())) };
}

const scopeOf = (c: Ctx) => requireSuperviseeScope(c.var.countyMemberships);

/** [from, to], defaulting to the county's current month, refused when inverted or too long. */
function rangeOf(q: { from?: string | undefined; to?: string | undefined }, today: string) {
  const from = q.from ?? (q.to ? `${q.to.slice(0, 7)}-01` : monthRange(today.slice(0, 7)).from);
  const to = q.to ?? monthRange(from.slice(0, 7)).to;
  if (from > to)
    throw invalid([
      { path: 'from', message: `must not be after to (${to})` },
      { path: 'to', message: `must not be before from (${from})` },
    ]);
  if (diffDays(from, to) >= MAX_RANGE_DAYS)
    throw invalid([
      { path: 'from', message: `from and to may be at most ${MAX_RANGE_DAYS} days apart` },
      { path: 'to', message: `from and to may be at most ${MAX_RANGE_DAYS} days apart` },
    ]);
  return { from, to };
}

function untilOf(until: string | undefined, today: string) {
  const value = until ?? addDays(today, 14);
  if (diffDays(today, value) > MAX_WORKLIST_DAYS_AHEAD)
    throw invalid([{ path: 'until', message: `may be at most ${MAX_WORKLIST_DAYS_AHEAD} days after today` }]);
  return value;
}

export const complianceRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees/{id}/compliance',
      tags: ['Compliance'],
      summary: 'One supervisee’s compliance items over a range (default: this month)',
      request: { params: SuperviseeParam, query: z.object({ from: Day.optional(), to: Day.optional() }) },
      responses: {
        200: {
          ...jsonResponse(
            'Items by requirement, then window',
            z.object({
              superviseeId: z.string(),
              from: z.string(),
              to: z.string(),
              items: z.array(ComplianceItem),
            }),
          ),
          headers: countHeader,
        },
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const { k, report } = countedCtx(c);
      const range = rangeOf(c.req.valid('query'), k.today);
      const out = await superviseeCompliance(k, scope, c.req.valid('param').id, range);
      report();
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/compliance',
      tags: ['Compliance'],
      summary:
        'Every visible supervisee’s items for a month (default: this month), optionally of one township',
      request: {
        params: CountyParam,
        query: z.object({
          month: Month.optional(),
          township: z.string().max(64).optional(),
          ...ExportQuery,
        }),
      },
      responses: {
        200: {
          ...listOrExport(
            'Per supervisee (case-number order); with `format`, one row per supervisee × item as a download',
            z.object({
              month: z.string(),
              from: z.string(),
              to: z.string(),
              items: z.array(
                z.object({
                  superviseeId: z.string(),
                  caseNumber: z.string(),
                  name: z.string().optional(),
                  townshipId: z.string(),
                  items: z.array(ComplianceItem),
                }),
              ),
            }),
          ),
          headers: countHeader,
        },
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const { k, report } = countedCtx(c);
      const q = c.req.valid('query');
      const out = await countyCompliance(k, scope, monthRange(q.month ?? k.today.slice(0, 7)), q.township);
      report();
      if (wantsExport(q.format)) {
        return exportTable(
          c,
          await complianceExport(c, out, scope.detail !== 'minimal', langOf(c)),
          q.format,
        );
      }
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/worklist',
      tags: ['Compliance'],
      summary:
        'Due and overdue items (not met, dueBy from today − 31 days to until) of the supervisees you are responsible for, soonest first',
      request: {
        params: CountyParam,
        query: z.object({
          until: Day.optional().openapi({ description: 'Default: today + 14 days' }),
          township: z.string().max(64).optional(),
          providerId: z.string().max(64).optional(),
          workerId: z.string().max(64).optional(),
          ...ExportQuery,
        }),
      },
      responses: {
        200: {
          ...listOrExport(
            'Soonest dueBy first (or, with `format`, the same items as a download)',
            z.object({ until: z.string(), items: z.array(WorklistEntry) }),
          ),
          headers: countHeader,
        },
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { k, report } = countedCtx(c);
      const q = c.req.valid('query');
      const until = untilOf(q.until, k.today);
      const range = worklistRange(k.today, until);
      const mine = responsibility(c.var.countyMemberships, k.actorUserId, range);
      const filter = mine === null ? null : and(mine, worklistFilter(q, range));
      const items = await worklist(k, filter, until);
      report();
      if (wantsExport(q.format))
        return exportTable(c, await worklistExport(c, items, k.today, langOf(c)), q.format);
      return c.json({ until, items }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/rule-sets/{id}/preview',
      tags: ['Rule sets'],
      summary:
        'What a draft would change for a month: per requirement, who would be short under the draft versus the rules in force',
      request: { params: RuleSetParam, query: z.object({ month: Month.optional() }) },
      responses: {
        200: {
          ...jsonResponse(
            'Per requirement',
            z.object({
              ruleSetId: z.string(),
              version: z.number(),
              effectiveFrom: z.string(),
              month: z.string(),
              from: z.string(),
              to: z.string(),
              evaluatedOn: z.string(),
              supervisees: z.number(),
              requirements: z.array(
                z.object({
                  requirementId: z.string(),
                  inForce: z.object({
                    applies: z.number(),
                    short: z.number(),
                    supervisees: z.array(
                      z.object({ id: z.string(), caseNumber: z.string(), name: z.string() }),
                    ),
                  }),
                  draft: z.object({
                    applies: z.number(),
                    short: z.number(),
                    supervisees: z.array(
                      z.object({ id: z.string(), caseNumber: z.string(), name: z.string() }),
                    ),
                  }),
                  change: z.number(),
                }),
              ),
            }),
          ),
          headers: countHeader,
        },
        409: problemDoc('Not a draft'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { k, report } = countedCtx(c);
      const month = c.req.valid('query').month ?? k.today.slice(0, 7);
      const out = await previewRuleSet(k, c.req.valid('param').id, monthRange(month));
      report();
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/worklist',
      tags: ['Across counties'],
      summary: 'Your due and overdue items in every county you work in, soonest first',
      request: {
        query: z.object({ until: Day.optional().openapi({ description: 'Default: today + 14 days' }) }),
      },
      responses: {
        200: jsonResponse(
          'Items, and which counties answered',
          z.object({
            items: z.array(WorklistEntry.extend({ county: z.string() })),
            counties: z.array(z.object({ county: z.string(), status: z.enum(['ok', 'unavailable']) })),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { until } = c.req.valid('query');
      // Checked once up front (counties' todays differ by a day at most), so that a bad value is
      // a 400 rather than every county failing.
      if (until) untilOf(until, todayIn(DEFAULT_TIMEZONE));
      const untilFor = (today: string) => until ?? addDays(today, 14);
      const answers = await fanOut(
        c.env,
        c.var.principal!,
        c.get('requestId'),
        (k, responsible) => worklist(k, responsible, untilFor(k.today)),
        (today) => worklistRange(today, untilFor(today)),
      );
      const items: (WorklistItem & { county: string })[] = [];
      for (const a of answers) for (const item of a.value ?? []) items.push({ county: a.county, ...item });
      items.sort((a, b) =>
        a.dueBy < b.dueBy
          ? -1
          : a.dueBy > b.dueBy
            ? 1
            : a.county < b.county
              ? -1
              : a.county > b.county
                ? 1
                : 0,
      );
      return c.json({ items, counties: answers.map(({ county, status }) => ({ county, status })) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/dashboard',
      tags: ['Across counties'],
      summary: 'Per county you work in: supervisees, items due this week, overdue, share met this month',
      responses: {
        200: jsonResponse(
          'One entry per county',
          z.object({
            counties: z.array(
              z.object({
                county: z.string(),
                status: z.enum(['ok', 'unavailable']),
                today: z.string().optional(),
                supervisees: z.number().optional(),
                dueThisWeek: z.number().optional(),
                overdue: z.number().optional(),
                monthItems: z.number().optional(),
                monthMet: z.number().optional(),
                metShareThisMonth: z.number().nullable().optional(),
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const answers = await fanOut(
        c.env,
        c.var.principal!,
        c.get('requestId'),
        async (k, responsible) => ({ today: k.today, ...(await dashboard(k, responsible)) }),
        // Assignments over everything the dashboard looks at: the last 31 days to the month's end.
        (today) => worklistRange(today, monthRange(today.slice(0, 7)).to),
      );
      return c.json(
        { counties: answers.map(({ county, status, value }) => ({ county, status, ...value })) },
        200,
      );
    },
  );
