/**
 * 信息公开 (case study 二(八)): the programme, the providers and their verified qualifications,
 * the service content, budget, contracted and paid amounts, evaluation results and aggregated
 * statistics, built from the operating data.
 *
 * Two locks keep personal data out (ADR 0306): the builder copies named fields only, never a
 * row, and never reads a table that holds a supervisee's personal fields except to count; and
 * the result must pass `DisclosureDocument`, a strict schema, so a field that is not on the
 * allowlist fails the publication instead of reaching the public.
 */
import { z } from '@hono/zod-openapi';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { activities, activityParticipants, customActivityTypes } from '../activities/schema';
import { type ContractRow, contracts, procurements, programmes } from '../contracts/schema';
import { programmeTotals } from '../contracts/service';
import { committedFen, pricingOf, settlementEnrolments } from '../contracts/settlement';
import type { ControlDb } from '../db';
import { queryInChunks } from '../db/chunks';
import { type CountyRow, providerCounties, providerQualifications, providers } from '../db/control-schema';
import type { CountyDb } from '../env';
import { evaluations } from '../evaluations/schema';
import { ledgers } from '../ledgers/schema';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { civilDate, nowInstant } from '../lib/time';
import { payments } from '../payments/schema';
import { qualificationVerifications } from '../providers/schema';
import { ACTIVITY_TYPE_LABELS } from '../rules';
import { disclosures } from './schema';

const Fen = z.number().int();
const Day = z.string();

const Pricing = z.strictObject({
  model: z.enum(['per_supervisee_year', 'per_service_hour', 'fixed']),
  unitPriceFen: Fen.optional(),
  budgetFen: Fen.optional(),
  minHours: z.number().optional(),
  maxHours: z.number().optional(),
  amountFen: Fen.optional(),
  workFundsShare: z.number().optional(),
});

const StatisticsItem = z.strictObject({
  type: z.string(),
  label: z.string(),
  sessions: z.number().int(),
  personTimes: z.number().int(),
  hours: z.number(),
});

/** The allowlist: every field the public may see. Nothing else can be published. */
export const DisclosureDocument = z
  .strictObject({
    county: z.strictObject({ slug: z.string(), name: z.string() }),
    asOf: Day,
    programmes: z.array(
      z.strictObject({
        year: z.number().int(),
        name: z.string(),
        serviceContent: z.string().nullable(),
        budgetFen: Fen,
        contractedFen: Fen,
        paidFen: Fen,
        procurements: z.array(
          z.strictObject({
            method: z.string(),
            reference: z.string().nullable(),
            announcedOn: Day,
            awardedOn: Day.nullable(),
            bidderCount: z.number().int(),
            bidders: z.array(z.string()),
            chosenProviders: z.array(z.strictObject({ id: z.string(), name: z.string() })),
          }),
        ),
        contracts: z.array(
          z.strictObject({
            provider: z.strictObject({ id: z.string(), name: z.string() }),
            title: z.string().nullable(),
            periodStart: Day,
            periodEnd: Day,
            procurementMethod: z.string(),
            pricing: Pricing,
            serviceContent: z.string().nullable(),
            contractedFen: Fen,
            paidFen: Fen,
            evaluation: z
              .strictObject({ totalScore: z.number(), releaseRatio: z.number(), acceptedOn: Day })
              .nullable(),
          }),
        ),
        statistics: z.strictObject({ from: Day, to: Day, items: z.array(StatisticsItem) }),
      }),
    ),
    providers: z.array(
      z.strictObject({
        id: z.string(),
        name: z.string(),
        creditCode: z.string(),
        qualifications: z.array(
          z.strictObject({
            kind: z.string(),
            title: z.string(),
            documentNumber: z.string().nullable(),
            issuedOn: Day.nullable(),
            expiresOn: Day.nullable(),
            verifiedOn: Day,
          }),
        ),
      }),
    ),
  })
  .openapi('Disclosure');

export type Disclosure = z.infer<typeof DisclosureDocument>;

const pickPricing = (c: ContractRow): z.infer<typeof Pricing> => {
  const p = pricingOf(c);
  switch (p.model) {
    case 'per_supervisee_year':
      return { model: p.model, unitPriceFen: p.unitPriceFen, workFundsShare: p.workFundsShare };
    case 'per_service_hour':
      return {
        model: p.model,
        budgetFen: p.budgetFen,
        minHours: p.minHours,
        maxHours: p.maxHours,
        workFundsShare: p.workFundsShare ?? 0,
      };
    case 'fixed':
      return { model: p.model, amountFen: p.amountFen, workFundsShare: p.workFundsShare ?? 0 };
  }
};

/**
 * Sessions (场次), person-times (人次) and hours per activity type over a span, from activities in
 * confirmed ledgers only: the public sees figures the township offices have signed off.
 */
async function statistics(db: CountyDb, from: string, to: string, ownLabels: ReadonlyMap<string, string>) {
  const rows = await db
    .select({
      type: activities.type,
      sessions: sql<number>`count(DISTINCT ${activities.id})`,
      personTimes: sql<number>`count(${activityParticipants.superviseeId})`,
      minutes: sql<number>`coalesce(sum(${activityParticipants.minutes}), 0)`,
    })
    .from(activities)
    .innerJoin(ledgers, eq(ledgers.id, activities.ledgerId))
    .leftJoin(activityParticipants, eq(activityParticipants.activityId, activities.id))
    .where(
      and(
        eq(ledgers.status, 'confirmed'),
        sql`${activities.status} <> 'voided'`,
        sql`${activities.occurredOn} BETWEEN ${from} AND ${to}`,
      ),
    )
    .groupBy(activities.type)
    .orderBy(activities.type);
  const labels = ACTIVITY_TYPE_LABELS as Record<string, { zh: string } | undefined>;
  return rows.map((r) => ({
    type: r.type,
    label: labels[r.type]?.zh ?? ownLabels.get(r.type) ?? r.type,
    sessions: Number(r.sessions),
    personTimes: Number(r.personTimes),
    hours: Math.round((Number(r.minutes) / 60) * 100) / 100,
  }));
}

export async function buildDisclosure(
  k: Pick<CountyCtx, 'db' | 'today'> & { county: Pick<CountyRow, 'slug' | 'name' | 'timezone'> },
  control: ControlDb,
): Promise<Disclosure> {
  const db = k.db;
  const [programmeRows, contractRows, procurementRows, paidRows, accepted, served] = await Promise.all([
    db.select().from(programmes).orderBy(sql`${programmes.year} DESC`),
    db.select().from(contracts),
    db.select().from(procurements),
    db
      .select({
        contractId: payments.contractId,
        total: sql<number>`coalesce(sum(${payments.amountFen}), 0)`,
      })
      .from(payments)
      .where(eq(payments.status, 'paid'))
      .groupBy(payments.contractId),
    db
      .select({
        contractId: evaluations.contractId,
        totalScore: evaluations.totalScore,
        releaseRatio: evaluations.releaseRatio,
        acceptedAt: evaluations.acceptedAt,
        acceptedSeq: evaluations.acceptedSeq,
      })
      .from(evaluations)
      .where(isNotNull(evaluations.acceptedSeq)),
    control
      .select({ id: providers.id, name: providers.name, creditCode: providers.creditCode })
      .from(providerCounties)
      .innerJoin(providers, eq(providers.id, providerCounties.providerId))
      .where(eq(providerCounties.county, k.county.slug)),
  ]);
  const providerIds = [...new Set([...served.map((p) => p.id), ...contractRows.map((c) => c.providerId)])];
  const [named, documents, verified, ownTypes] = await Promise.all([
    // A county may be served by more than 100 providers.
    queryInChunks(providerIds, 0, (chunk) =>
      control
        .select({ id: providers.id, name: providers.name })
        .from(providers)
        .where(inArray(providers.id, chunk)),
    ),
    queryInChunks(
      served.map((p) => p.id),
      0,
      (chunk) =>
        control
          .select()
          .from(providerQualifications)
          .where(inArray(providerQualifications.providerId, chunk)),
    ),
    db.select().from(qualificationVerifications),
    db
      .select({ code: customActivityTypes.code, label: customActivityTypes.labelZh })
      .from(customActivityTypes),
  ]);
  const ownLabels = new Map(ownTypes.map((t) => [t.code, t.label]));
  const nameOf = new Map(named.map((p) => [p.id, p.name]));
  const provider = (id: string) => ({ id, name: nameOf.get(id) ?? id });
  const verifiedAt = new Map(verified.map((v) => [v.qualificationId, v.verifiedAt]));

  const totals = await programmeTotals(k, programmeRows);
  const perSupervisee = contractRows.filter(
    (c) => pricingOf(c).model === 'per_supervisee_year' && c.ceilingFen === null,
  );
  const enrolled = await settlementEnrolments(
    db,
    perSupervisee.map((c) => c.id),
  );
  const paidOf = new Map(paidRows.map((r) => [r.contractId, Number(r.total)]));
  const latestAccepted = new Map<string, (typeof accepted)[number]>();
  for (const e of accepted) {
    const seen = latestAccepted.get(e.contractId);
    if (!seen || (e.acceptedSeq ?? 0) > (seen.acceptedSeq ?? 0)) latestAccepted.set(e.contractId, e);
  }

  const programmesOut = await Promise.all(
    programmeRows.map(async (p) => {
      const from = `${p.year}-01-01`;
      const to = `${p.year}-12-31`;
      const t = totals.get(p.id)!;
      return {
        year: p.year,
        name: p.name,
        serviceContent: p.serviceContent,
        budgetFen: p.budgetFen,
        contractedFen: t.committedFen,
        paidFen: t.paidFen,
        procurements: procurementRows
          .filter((r) => r.programmeId === p.id)
          .map((r) => ({
            method: r.method,
            reference: r.reference,
            announcedOn: r.announcedOn,
            awardedOn: r.awardedOn,
            bidderCount: r.bidders.length,
            bidders: r.bidders.map((b) => b.name),
            chosenProviders: r.chosenProviderIds.map(provider),
          })),
        contracts: contractRows
          .filter((c) => c.programmeYear === p.year)
          .map((c) => {
            const e = latestAccepted.get(c.id);
            return {
              provider: provider(c.providerId),
              title: c.title,
              periodStart: c.periodStart,
              periodEnd: c.periodEnd,
              procurementMethod: c.procurementMethod,
              pricing: pickPricing(c),
              serviceContent: c.serviceContent,
              contractedFen: committedFen(c, enrolled.get(c.id) ?? []),
              paidFen: paidOf.get(c.id) ?? 0,
              evaluation: e
                ? {
                    totalScore: e.totalScore,
                    releaseRatio: e.releaseRatio,
                    acceptedOn: civilDate(e.acceptedAt!, k.county.timezone),
                  }
                : null,
            };
          }),
        statistics: { from, to, items: await statistics(db, from, to, ownLabels) },
      };
    }),
  );

  const document = {
    county: { slug: k.county.slug, name: k.county.name },
    asOf: k.today,
    programmes: programmesOut,
    providers: served
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => ({
        id: p.id,
        name: p.name,
        creditCode: p.creditCode,
        qualifications: documents
          .filter((d) => d.providerId === p.id && verifiedAt.has(d.id))
          .map((d) => ({
            kind: d.kind,
            title: d.title,
            documentNumber: d.documentNumber,
            issuedOn: d.issuedOn,
            expiresOn: d.expiresOn,
            verifiedOn: civilDate(verifiedAt.get(d.id)!, k.county.timezone),
          })),
      })),
  };
  // The second lock: anything not on the allowlist makes this throw rather than publish.
  return DisclosureDocument.parse(document);
}

/** Publishes the disclosure as it stands now: a snapshot the public page and endpoint serve. */
export async function publishDisclosure(k: CountyCtx, control: ControlDb) {
  const document = await buildDisclosure(k, control);
  const id = newId();
  const publishedAt = nowInstant();
  await k.db.batch([
    k.db.insert(disclosures).values({ id, publishedBy: k.actorUserId, publishedAt, body: document }),
    countyAudit(k, {
      action: 'disclosure.publish',
      targetType: 'disclosure',
      targetId: id,
      detail: { programmes: document.programmes.length, providers: document.providers.length },
    }),
  ]);
  return { ...document, id, publishedAt };
}
