import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';
import { supervisees } from '../supervisees/schema';

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
    status: text('status', { enum: ['active', 'ended', 'terminated'] })
      .notNull()
      .default('active'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('contracts_provider').on(t.providerId, t.periodStart)],
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
  },
  (t) => [
    index('enrolments_contract').on(t.contractId),
    index('enrolments_supervisee').on(t.superviseeId, t.fromDate),
  ],
);
