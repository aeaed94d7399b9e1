/**
 * Daily: remind a provider of ledgers due in the next days, and flag the ones not submitted by
 * their due day to the provider, the township office and the bureau (the day after). Township
 * names, cycles and dates only: a ledger holds no personal data in its title.
 */
import { and, gte, inArray, lt, lte } from 'drizzle-orm';
import type { Task } from '../jobs/tasks';
import { addDays } from '../rules';
import { townships } from '../townships/schema';
import { ledgers } from './schema';

/** How many days before the due day the provider is reminded. */
export const REMIND_DAYS_BEFORE = 3;
const OPEN = ['draft', 'returned'] as const;

export const ledgerReminderTask: Task = {
  name: 'ledger-reminders',
  cadence: 'daily',
  async run(k) {
    const [dueSoon, late, towns] = await k.db.batch([
      k.db
        .select()
        .from(ledgers)
        .where(
          and(
            inArray(ledgers.status, [...OPEN]),
            gte(ledgers.dueBy, k.today),
            lte(ledgers.dueBy, addDays(k.today, REMIND_DAYS_BEFORE)),
          ),
        ),
      // Late from the day after the due day until a month later: older ones were flagged then.
      k.db
        .select()
        .from(ledgers)
        .where(
          and(
            inArray(ledgers.status, [...OPEN]),
            lt(ledgers.dueBy, k.today),
            gte(ledgers.dueBy, addDays(k.today, -31)),
          ),
        ),
      k.db.select({ id: townships.id, name: townships.name, nameEn: townships.nameEn }).from(townships),
    ]);
    const town = new Map(towns.map((t) => [t.id, t]));
    const link = (id: string) => `/c/${k.county.slug}/ledgers/${id}`;
    const reminded = await k.notify(
      dueSoon.map((l) => ({
        kind: 'ledger.due',
        audience: { roles: ['provider_admin'] as const, providerId: l.providerId },
        titleZh: `${town.get(l.townshipId)?.name ?? l.townshipId} ${l.cycle} 台账须于 ${l.dueBy} 前提交`,
        titleEn: `Ledger ${l.cycle} of ${town.get(l.townshipId)?.nameEn ?? l.townshipId} is due by ${l.dueBy}`,
        link: link(l.id),
        dedupeKey: `ledger-due:${l.id}:${l.dueBy}`,
      })),
    );
    const flagged = await k.notify(
      late.map((l) => ({
        kind: 'ledger.late',
        audience: {
          roles: ['provider_admin', 'office_officer', 'bureau_admin', 'bureau_officer'] as const,
          providerId: l.providerId,
          townshipId: l.townshipId,
        },
        titleZh: `${town.get(l.townshipId)?.name ?? l.townshipId} ${l.cycle} 台账已逾期（应于 ${l.dueBy} 前提交）`,
        titleEn: `Ledger ${l.cycle} of ${town.get(l.townshipId)?.nameEn ?? l.townshipId} is late (was due ${l.dueBy})`,
        link: link(l.id),
        dedupeKey: `ledger-late:${l.id}`,
      })),
    );
    return { dueSoon: dueSoon.length, late: late.length, reminded, flagged };
  },
};
