/**
 * Daily compliance work of a county, from one evaluation of every supervisee:
 * - a snapshot of the month so far per requirement and township (dashboards, evaluation);
 * - who missed what yesterday (a window that closed short, a rolling deadline that passed),
 *   told to the assigned worker or the provider, and to the township office;
 * - what falls due in the next days, told to the same people.
 * Counts per requirement and township only: names stay in the console, behind each role's scope.
 */
import { and, gte, isNull, lte, or, sql } from 'drizzle-orm';
import { chunkForParams } from '../db/chunks';
import { jobCountyCtx, type Task } from '../jobs/tasks';
import type { NewNotification } from '../notifications/service';
import { addDays } from '../rules';
import { assignments } from '../supervisees/schema';
import { townships } from '../townships/schema';
import { complianceSnapshots } from './schema';
import { countyCompliance, monthRange } from './service';

export const UPCOMING_DAYS = 3;
/** `excluded.<column>` of an upsert: the value the insert proposed. */
const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);
const MISSED = new Set(['short', 'overdue']);
const OPEN = new Set(['open', 'due']);

type Group = {
  requirementId: string;
  townshipId: string;
  providerId: string | null;
  workerId: string | null;
  count: number;
};

function tally(groups: Map<string, Group>, g: Omit<Group, 'count'>) {
  const key = [g.requirementId, g.townshipId, g.providerId, g.workerId].join('|');
  const found = groups.get(key);
  if (found) found.count++;
  else groups.set(key, { ...g, count: 1 });
}

export const complianceDailyTask: Task = {
  name: 'compliance-daily',
  cadence: 'daily',
  async run(k) {
    const kc = jobCountyCtx(k);
    const yesterday = addDays(k.today, -1);
    const month = monthRange(k.today.slice(0, 7));
    const from = yesterday < month.from ? yesterday : month.from;
    const to = addDays(k.today, UPCOMING_DAYS);
    const [result, assigned, towns] = await Promise.all([
      countyCompliance(kc, { all: true, detail: 'full' }, { from, to }, undefined),
      k.db
        .select({
          superviseeId: assignments.superviseeId,
          providerId: assignments.providerId,
          workerId: assignments.workerUserId,
        })
        .from(assignments)
        .where(
          and(
            lte(assignments.fromDate, k.today),
            or(isNull(assignments.toDate), gte(assignments.toDate, k.today)),
          ),
        ),
      k.db.select({ id: townships.id, name: townships.name, nameEn: townships.nameEn }).from(townships),
    ]);
    const servedBy = new Map(assigned.map((a) => [a.superviseeId, a]));
    const town = new Map(towns.map((t) => [t.id, t]));

    const snapshot = new Map<
      string,
      { requirementId: string; townshipId: string; total: number; met: number; short: number; open: number }
    >();
    const missed = new Map<string, Group>();
    const upcoming = new Map<string, Group>();
    for (const s of result.items) {
      const a = servedBy.get(s.superviseeId);
      for (const item of s.items) {
        const who = {
          requirementId: item.requirementId,
          townshipId: s.townshipId,
          providerId: a?.providerId ?? null,
          workerId: a?.workerId ?? null,
        };
        if (item.dueBy >= month.from && item.dueBy <= month.to && item.windowStart <= k.today) {
          const key = `${item.requirementId}|${s.townshipId}`;
          const row = snapshot.get(key) ?? {
            requirementId: item.requirementId,
            townshipId: s.townshipId,
            total: 0,
            met: 0,
            short: 0,
            open: 0,
          };
          row.total++;
          if (item.status === 'met') row.met++;
          else if (MISSED.has(item.status)) row.short++;
          else row.open++;
          snapshot.set(key, row);
        }
        if (MISSED.has(item.status) && item.dueBy === yesterday) tally(missed, who);
        if (OPEN.has(item.status) && item.dueBy >= k.today && item.dueBy <= to) tally(upcoming, who);
      }
    }

    const rows = [...snapshot.values()].map((r) => ({ day: k.today, ...r }));
    // 7 parameters a row.
    for (const chunk of chunkForParams(rows, 7)) {
      await k.db
        .insert(complianceSnapshots)
        .values(chunk)
        .onConflictDoUpdate({
          target: [
            complianceSnapshots.day,
            complianceSnapshots.requirementId,
            complianceSnapshots.townshipId,
          ],
          set: {
            total: sqlExcluded('total'),
            met: sqlExcluded('met'),
            short: sqlExcluded('short'),
            open: sqlExcluded('open'),
          },
        });
    }

    const notes: NewNotification[] = [];
    const townName = (id: string) => town.get(id) ?? { name: id, nameEn: id };
    const link = (tab: string) => `/c/${k.county.slug}/${tab}`;
    const tell = (
      groups: Map<string, Group>,
      kind: 'compliance.overdue' | 'worklist.digest',
      day: string,
    ) => {
      const offices = new Map<string, number>();
      for (const g of groups.values()) {
        const t = townName(g.townshipId);
        const zh =
          kind === 'compliance.overdue'
            ? `${t.name}：${g.count} 人的「${g.requirementId}」未按期完成（截至 ${yesterday}）`
            : `${t.name}：${g.count} 人的「${g.requirementId}」将在 ${UPCOMING_DAYS} 天内到期`;
        const en =
          kind === 'compliance.overdue'
            ? `${t.nameEn ?? t.name}: "${g.requirementId}" missed for ${g.count} supervisee(s) (due ${yesterday})`
            : `${t.nameEn ?? t.name}: "${g.requirementId}" due within ${UPCOMING_DAYS} days for ${g.count} supervisee(s)`;
        if (g.providerId) {
          notes.push({
            kind,
            audience: g.workerId
              ? { userIds: [g.workerId] }
              : { roles: ['provider_admin'], providerId: g.providerId },
            titleZh: zh,
            titleEn: en,
            link: link('worklist'),
            dedupeKey: `${kind}:${day}:${g.requirementId}:${g.townshipId}:${g.providerId}:${g.workerId ?? ''}`,
          });
        }
        if (kind === 'compliance.overdue') {
          const key = `${g.requirementId}|${g.townshipId}`;
          offices.set(key, (offices.get(key) ?? 0) + g.count);
        }
      }
      for (const [key, count] of offices) {
        const [requirementId, townshipId] = key.split('|') as [string, string];
        const t = townName(townshipId);
        notes.push({
          kind,
          audience: { roles: ['office_officer'], townshipId },
          titleZh: `${t.name}：${count} 人的「${requirementId}」未按期完成（截至 ${yesterday}）`,
          titleEn: `${t.nameEn ?? t.name}: "${requirementId}" missed for ${count} supervisee(s) (due ${yesterday})`,
          link: link('worklist'),
          dedupeKey: `${kind}:office:${day}:${requirementId}:${townshipId}`,
        });
      }
    };
    tell(missed, 'compliance.overdue', yesterday);
    tell(upcoming, 'worklist.digest', k.today);
    const notified = await k.notify(notes);
    return {
      supervisees: result.items.length,
      snapshotRows: rows.length,
      missed: [...missed.values()].reduce((n, g) => n + g.count, 0),
      upcoming: [...upcoming.values()].reduce((n, g) => n + g.count, 0),
      notified,
    };
  },
};
