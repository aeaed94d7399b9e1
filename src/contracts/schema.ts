import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';
import { supervisees } from '../supervisees/schema';

/**
 * 年度项目: the county's yearly programme of bought services and its budget. One per year
 * (ADR 0300): a contract belongs to the programme of its `programme_year`.
 */
export const programmes = sqliteTable('programmes', {
  id: text('id').primaryKey(),
  year: integer('year').notNull().unique(),
  name: text('name').notNull(),
  /** The budget the finance bureau confirmed (采购预算), in fen. */
  budgetFen: integer('budget_fen').notNull(),
  /** 购买服务内容, as published in the disclosure. */
  serviceContent: text('service_content'),
  version: integer('version').notNull().default(1),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  updatedAt: text('updated_at'),
});

export type Bidder = { name: string; creditCode?: string | undefined; providerId?: string | undefined };

/** The procurement record of a programme: method (竞争性磋商…), dates, bidders, chosen providers. */
export const procurements = sqliteTable(
  'procurements',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    method: text('method').notNull(),
    /** 采购项目编号 of the county's procurement centre, when there is one. */
    reference: text('reference'),
    announcedOn: text('announced_on').notNull(),
    openedOn: text('opened_on'),
    awardedOn: text('awarded_on'),
    bidders: text('bidders', { mode: 'json' }).notNull().$type<Bidder[]>(),
    chosenProviderIds: text('chosen_provider_ids', { mode: 'json' }).notNull().$type<string[]>(),
    notes: text('notes'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('procurements_programme').on(t.programmeId)],
);

export type ContractTarget = { description: string; value?: number | undefined; unit?: string | undefined };

/** 购买服务协议: a service contract with one provider for a period (API.md "POST /contracts"). */
export const contracts = sqliteTable(
  'contracts',
  {
    id: text('id').primaryKey(),
    providerId: text('provider_id').notNull(),
    programmeYear: integer('programme_year').notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    /** The pricing of API.md (`per_supervisee_year`, `per_service_hour`, `fixed`), as JSON. */
    pricing: text('pricing', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    procurementMethod: text('procurement_method').notNull(),
    procurementId: text('procurement_id'),
    title: text('title'),
    signedOn: text('signed_on'),
    /** Scope: township ids and level codes served; null = the whole county / every level. */
    scopeTownshipIds: text('scope_township_ids', { mode: 'json' }).$type<string[]>(),
    scopeLevels: text('scope_levels', { mode: 'json' }).$type<string[]>(),
    targets: text('targets', { mode: 'json' }).$type<ContractTarget[]>(),
    breachTerms: text('breach_terms'),
    serviceContent: text('service_content'),
    /** 合同金额: what the contract commits at most (per_supervisee_year only; ADR 0302). */
    ceilingFen: integer('ceiling_fen'),
    status: text('status', { enum: ['active', 'ended', 'terminated'] })
      .notNull()
      .default('active'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('contracts_provider').on(t.providerId, t.periodStart),
    index('contracts_year').on(t.programmeYear),
  ],
);

/** Which supervisees a contract serves, from when to when (the phased roll-out of the case study). */
export const enrolments = sqliteTable(
  'enrolments',
  {
    id: text('id').primaryKey(),
    contractId: text('contract_id')
      .notNull()
      .references(() => contracts.id),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    fromDate: text('from_date').notNull(),
    toDate: text('to_date'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    index('enrolments_contract').on(t.contractId, t.superviseeId, t.fromDate),
    index('enrolments_supervisee').on(t.superviseeId, t.fromDate),
  ],
);

export type ProgrammeRow = typeof programmes.$inferSelect;
export type ProcurementRow = typeof procurements.$inferSelect;
export type ContractRow = typeof contracts.$inferSelect;
export type EnrolmentRow = typeof enrolments.$inferSelect;
