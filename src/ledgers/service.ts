/**
 * 台账: the monthly ledger of one provider in one township. It is created as a draft with its
 * first activity (src/activities/service.ts); here it is read with its totals and warnings, and
 * moves draft → submitted (provider admin) → returned with reasons or confirmed (township office)
 * → … A confirmed ledger is locked; the statements that lock it are guarded in one batch.
 */
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { visibleCondition } from '../activities/access';
import { decodeCursor, encodeCursor } from '../activities/cursor';
import { flagsFor } from '../activities/flags';
import { activities, activityParticipants } from '../activities/schema';
import { type ActivityCtx, presentActivities } from '../activities/service';
import { chunkForParams } from '../db/chunks';
import { batchAssert, isGuardFailure } from '../db/guard';
import { countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, forbidden, notFound, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { verificationCallbacks } from '../verification/schema';
import { type LedgerRow, ledgerEvents, ledgers } from './schema';

export type WarningKind =
  | 'supervisee_overlap'
  | 'staff_overlap'
  | 'possible_duplicate'
  | 'callback_not_confirmed'
  | 'amendment';

export type Warning = {
  kind: WarningKind;
  activityId: string;
  otherActivityId: string | null;
  superviseeId?: string;
  staffUserId?: string;
};

export type Totals = { type: string; sessions: number; personTimes: number; minutes: number; hours: number };

type Facts = { totals: Totals[]; activityCount: number; voidedCount: number; warnings: Warning[] };

export async function findLedger(a: ActivityCtx, id: string): Promise<LedgerRow> {
  const row = (
    await a.db
      .select()
      .from(ledgers)
      .where(and(eq(ledgers.id, id), visibleCondition(a.scope, ledgers)))
      .limit(1)
  )[0];
  if (!row) throw notFound('ledger');
  return row;
}

/** Totals per type (API.md statistics: sessions, person-times, hours), counts and warnings. */
async function factsOf(a: ActivityCtx, ledgerIds: string[]): Promise<Map<string, Facts>> {
  const facts = new Map<string, Facts>();
  for (const id of ledgerIds) facts.set(id, { totals: [], activityCount: 0, voidedCount: 0, warnings: [] });
  // Beside the ids, a statement of the batch binds at most one value (a status, a flag).
  for (const chunk of chunkForParams(ledgerIds, 1, 1)) {
    const [totals, counts, members, participants, failedCallbacks] = await a.db.batch([
      a.db
        .select({
          ledgerId: activities.ledgerId,
          type: activities.type,
          sessions: sql<number>`count(DISTINCT ${activities.id})`,
          personTimes: sql<number>`count(${activityParticipants.superviseeId})`,
          minutes: sql<number>`coalesce(sum(${activityParticipants.minutes}), 0)`,
        })
        .from(activities)
        .leftJoin(activityParticipants, eq(activityParticipants.activityId, activities.id))
        .where(and(inArray(activities.ledgerId, chunk), eq(activities.status, 'active')))
        .groupBy(activities.ledgerId, activities.type)
        .orderBy(asc(activities.type)),
      a.db
        .select({
          ledgerId: activities.ledgerId,
          status: activities.status,
          n: sql<number>`count(*)`,
        })
        .from(activities)
        .where(inArray(activities.ledgerId, chunk))
        .groupBy(activities.ledgerId, activities.status),
      a.db
        .select()
        .from(activities)
        .where(and(inArray(activities.ledgerId, chunk), eq(activities.status, 'active'))),
      a.db
        .select({
          activityId: activityParticipants.activityId,
          superviseeId: activityParticipants.superviseeId,
        })
        .from(activityParticipants)
        .where(
          sql`${activityParticipants.activityId} IN (SELECT id FROM activities WHERE status = 'active' AND ledger_id IN ${chunk})`,
        ),
      a.db
        .selectDistinct({ activityId: verificationCallbacks.activityId })
        .from(verificationCallbacks)
        .where(
          and(
            eq(verificationCallbacks.happened, false),
            sql`${verificationCallbacks.activityId} IN (SELECT id FROM activities WHERE status = 'active' AND ledger_id IN ${chunk})`,
          ),
        ),
    ]);
    for (const t of totals) {
      facts.get(t.ledgerId!)!.totals.push({
        type: t.type,
        sessions: t.sessions,
        personTimes: t.personTimes,
        minutes: t.minutes,
        hours: Math.round((t.minutes / 60) * 100) / 100,
      });
    }
    for (const c of counts) {
      const f = facts.get(c.ledgerId!)!;
      if (c.status === 'active') f.activityCount = c.n;
      else f.voidedCount = c.n;
    }
    const ofActivity = new Map<string, string[]>();
    for (const p of participants) {
      const list = ofActivity.get(p.activityId) ?? [];
      list.push(p.superviseeId);
      ofActivity.set(p.activityId, list);
    }
    const ledgerOf = new Map(members.map((m) => [m.id, m.ledgerId!]));
    const flags = await flagsFor(
      a.db,
      a.scope,
      members.map((m) => ({ ...m, superviseeIds: ofActivity.get(m.id) ?? [] })),
    );
    for (const m of members) {
      const f = facts.get(m.ledgerId!)!;
      for (const flag of flags.get(m.id) ?? []) {
        // A pair inside one ledger is one warning, not two.
        const other = flag.otherActivityId;
        if (other && ledgerOf.get(other) === m.ledgerId && other < m.id) continue;
        f.warnings.push({ activityId: m.id, ...flag });
      }
      if (m.amends) f.warnings.push({ kind: 'amendment', activityId: m.id, otherActivityId: m.amends });
    }
    for (const { activityId } of failedCallbacks) {
      const lid = ledgerOf.get(activityId);
      if (lid)
        facts.get(lid)!.warnings.push({ kind: 'callback_not_confirmed', activityId, otherActivityId: null });
    }
  }
  return facts;
}

const countWarnings = (warnings: Warning[]) => {
  const counts: Partial<Record<WarningKind, number>> = {};
  for (const w of warnings) counts[w.kind] = (counts[w.kind] ?? 0) + 1;
  return counts;
};

function shape(a: ActivityCtx, row: LedgerRow, f: Facts) {
  return {
    id: row.id,
    providerId: row.providerId,
    townshipId: row.townshipId,
    cycle: row.cycle,
    cycleStart: row.cycleStart,
    cycleEnd: row.cycleEnd,
    dueBy: row.dueBy,
    status: row.status,
    activityCount: f.activityCount,
    voidedCount: f.voidedCount,
    // First submission after dueBy; a ledger never submitted is late once dueBy has passed.
    late: row.submittedAt ? row.late : a.today > row.dueBy,
    submittedAt: row.submittedAt,
    submittedBy: row.submittedBy,
    returnedReason: row.returnedReason,
    confirmedAt: row.confirmedAt,
    confirmedBy: row.confirmedBy,
    totals: f.totals,
    warningCounts: countWarnings(f.warnings),
    version: row.version,
    createdAt: row.createdAt,
  };
}

export type LedgerFilter = {
  cycle?: string | undefined;
  providerId?: string | undefined;
  townshipId?: string | undefined;
  status?: LedgerRow['status'] | undefined;
  cursor?: string | undefined;
  limit: number;
};

/**
 * GET /ledgers: a cycle's ledgers, or — without `cycle` — every cycle's, newest first (with
 * `status=confirmed`, the bureau's archive). Drafts whose activities were all voided are left out.
 */
export async function listLedgers(a: ActivityCtx, f: LedgerFilter) {
  if (
    f.providerId &&
    !a.scope.bureau &&
    !a.scope.townshipIds.length &&
    !a.scope.providerIds.includes(f.providerId)
  ) {
    throw forbidden("You see your own provider's ledgers only.");
  }
  const after = f.cursor ? decodeCursor(f.cursor) : null;
  const conditions: (SQL | undefined)[] = [
    visibleCondition(a.scope, ledgers),
    f.cycle ? eq(ledgers.cycle, f.cycle) : undefined,
    f.providerId ? eq(ledgers.providerId, f.providerId) : undefined,
    f.townshipId ? eq(ledgers.townshipId, f.townshipId) : undefined,
    f.status ? eq(ledgers.status, f.status) : undefined,
    or(
      sql`${ledgers.status} <> 'draft'`,
      sql`EXISTS (SELECT 1 FROM activities WHERE ledger_id = ${ledgers.id} AND status = 'active')`,
    ),
    after
      ? or(lt(ledgers.cycle, after[0]), and(eq(ledgers.cycle, after[0]), gt(ledgers.id, after[1])))
      : undefined,
  ];
  const rows = await a.db
    .select()
    .from(ledgers)
    .where(and(...conditions))
    .orderBy(desc(ledgers.cycle), asc(ledgers.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const facts = await factsOf(
    a,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => shape(a, r, facts.get(r.id)!)),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.cycle, last.id) : null,
  };
}

/** GET /ledgers/{id}: the ledger with its activities, warnings and history. */
export async function ledgerDetail(a: ActivityCtx, row: LedgerRow) {
  const facts = (await factsOf(a, [row.id])).get(row.id)!;
  const [members, events] = await a.db.batch([
    a.db
      .select()
      .from(activities)
      .where(eq(activities.ledgerId, row.id))
      .orderBy(asc(activities.occurredOn), asc(activities.startTime), asc(activities.id)),
    a.db.select().from(ledgerEvents).where(eq(ledgerEvents.ledgerId, row.id)).orderBy(asc(ledgerEvents.at)),
  ]);
  return {
    ...shape(a, row, facts),
    warnings: facts.warnings,
    activities: await presentActivities(a, members),
    events: events.map((e) => ({
      action: e.action,
      byUserId: e.byUserId,
      at: e.at,
      reason: e.reason,
      detail: e.detail ? (JSON.parse(e.detail) as unknown) : null,
    })),
  };
}

type Transition = {
  action: 'submit' | 'return' | 'confirm';
  from: LedgerRow['status'][];
  to: LedgerRow['status'];
};

const TRANSITIONS: Record<Transition['action'], Transition> = {
  submit: { action: 'submit', from: ['draft', 'returned'], to: 'submitted' },
  return: { action: 'return', from: ['submitted'], to: 'returned' },
  confirm: { action: 'confirm', from: ['submitted'], to: 'confirmed' },
};

/**
 * Moves a ledger on. The provider admin of its provider submits; the township office of its
 * township returns or confirms (docs/adr/0103). `ifMatch` (the ledger's ETag) makes the move
 * fail with 412 if the ledger changed since the caller read it — an office confirming what it
 * reviewed, not an activity recorded a moment later.
 */
export async function moveLedger(
  a: ActivityCtx,
  row: LedgerRow,
  action: Transition['action'],
  opts: { reason?: string; ifMatch: number | null },
) {
  const t = TRANSITIONS[action];
  if (action === 'submit' && !a.scope.adminOf.includes(row.providerId)) {
    throw forbidden("Only the provider admin of the ledger's provider submits it.");
  }
  if (action !== 'submit' && !a.scope.townshipIds.includes(row.townshipId)) {
    throw forbidden("Only the township office of the ledger's township returns or confirms it.");
  }
  if (opts.ifMatch !== null && opts.ifMatch !== row.version) {
    throw new Problem(412, 'The ledger changed since you read it; review it again.');
  }
  if (!t.from.includes(row.status)) {
    throw conflict(
      `The ledger is ${row.status}; it can be ${action === 'submit' ? 'submitted' : `${action}ed`} only when ${t.from.join(' or ')}.`,
    );
  }
  const at = nowInstant();
  const set: Partial<typeof ledgers.$inferInsert> = { status: t.to, version: row.version + 1 };
  if (action === 'submit') {
    Object.assign(set, {
      submittedAt: at,
      submittedBy: a.actorUserId,
      late: row.submittedAt ? row.late : a.today > row.dueBy,
    });
  }
  if (action === 'return') set.returnedReason = opts.reason ?? null;
  if (action === 'confirm') Object.assign(set, { confirmedAt: at, confirmedBy: a.actorUserId });
  const states = sql.join(
    t.from.map((s) => sql`${s}`),
    sql`, `,
  );
  const versionOk = opts.ifMatch !== null ? sql` AND version = ${opts.ifMatch}` : sql``;
  try {
    const [, updated] = await a.db.batch([
      batchAssert(
        a.db,
        sql`EXISTS (SELECT 1 FROM ledgers WHERE id = ${row.id} AND status IN (${states})${versionOk})`,
        'state',
      ),
      a.db.update(ledgers).set(set).where(eq(ledgers.id, row.id)).returning(),
      a.db.insert(ledgerEvents).values({
        id: newId(),
        ledgerId: row.id,
        action,
        byUserId: a.actorUserId,
        at,
        reason: opts.reason ?? null,
        detail: null,
      }),
      countyAudit(a, {
        action: `ledger.${action}`,
        targetType: 'ledger',
        targetId: row.id,
        detail: { cycle: row.cycle, townshipId: row.townshipId, providerId: row.providerId },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (!isGuardFailure(e)) throw e;
    const now = (await a.db.select().from(ledgers).where(eq(ledgers.id, row.id)))[0]!;
    if (opts.ifMatch !== null && now.version !== opts.ifMatch) {
      throw new Problem(412, 'The ledger changed since you read it; review it again.');
    }
    throw conflict(`The ledger is now ${now.status}; reload it.`);
  }
}

/** The ledger as the list shows it, after a move. */
export async function presentLedger(a: ActivityCtx, row: LedgerRow) {
  return shape(a, row, (await factsOf(a, [row.id])).get(row.id)!);
}
