import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * Payments to a provider under a contract (maker–checker): recorded by a bureau user, approved
 * by a finance officer who is not the recorder, then paid. Programme totals are always sums over
 * these rows; nothing else keeps a running balance.
 */
export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    contractId: text('contract_id').notNull(),
    /** The programme whose budget it draws on (that of the contract's year). */
    programmeId: text('programme_id').notNull(),
    kind: text('kind', { enum: ['work_funds', 'activity_funds'] }).notNull(),
    amountFen: integer('amount_fen').notNull(),
    /** When it is planned to be paid. */
    dueOn: text('due_on'),
    note: text('note'),
    status: text('status', { enum: ['recorded', 'approved', 'paid', 'cancelled'] })
      .notNull()
      .default('recorded'),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: text('approved_at'),
    paidBy: text('paid_by'),
    paidAt: text('paid_at'),
    /** The civil date the money left the treasury, and the voucher number. */
    paidOn: text('paid_on'),
    reference: text('reference'),
    cancelledBy: text('cancelled_by'),
    cancelledAt: text('cancelled_at'),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    index('payments_programme').on(t.programmeId, t.status),
    index('payments_contract').on(t.contractId, t.status),
    index('payments_status').on(t.status, t.recordedAt),
  ],
);

export type PaymentRow = typeof payments.$inferSelect;
