/**
 * Incidents (重大事项报告): reported by a provider about a supervisee it serves, acknowledged
 * and resolved by the township office of the supervisee's township (or by the bureau, to whom
 * unacknowledged incidents escalate). Narratives are encrypted; reading them is audited.
 */
import { and, asc, desc, eq, inArray, isNull, lt, lte, not, or, type SQL, sql } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { fieldCrypto } from '../crypto/fields';
import { chunkForParams, inJsonList } from '../db/chunks';
import { batchAssert, isGuardFailure } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, forbidden, invalid, notFound } from '../lib/problem';
import { civilDate } from '../lib/time';
import { ruleSetOn } from '../rule-sets/service';
import { servedByProviders } from '../supervisees/access';
import { supervisees } from '../supervisees/schema';
import { type IncidentKind, type IncidentRow, type IncidentStatus, incidents } from './schema';
import { type IncidentRules, incidentDeadlines, incidentState } from './state';

/** The rule-set schema's own defaults, for a day before the county's first rule set. */
export const DEFAULT_INCIDENT_RULES: IncidentRules = { acknowledgeWithinHours: 24, escalateAfterHours: 48 };

export type IncidentScope = { all: true } | { all: false; townshipIds: string[]; providerIds: string[] };

/** Bureau: every incident; office: those of its townships; provider staff: their provider's reports. */
/** The caller's scope, or 403 for a role that handles no incidents. */
export function requireIncidentScope(memberships: readonly Membership[]): IncidentScope {
  const scope = incidentScope(memberships);
  if (!scope) throw forbidden('Your role does not handle incidents.');
  return scope;
}

export function incidentScope(memberships: readonly Membership[]): IncidentScope | null {
  const townshipIds: string[] = [];
  const providerIds: string[] = [];
  let any = false;
  for (const m of memberships) {
    if (m.role === 'bureau_admin' || m.role === 'bureau_officer') return { all: true };
    if (m.role === 'office_officer') {
      townshipIds.push(...(m.townshipIds ?? []));
      any = true;
    }
    if ((m.role === 'provider_admin' || m.role === 'provider_worker') && m.providerId) {
      providerIds.push(m.providerId);
      any = true;
    }
  }
  return any ? { all: false, townshipIds, providerIds } : null;
}

function scopeCondition(scope: IncidentScope): SQL | undefined {
  if (scope.all) return undefined;
  const parts: SQL[] = [];
  // One JSON parameter a list (src/db/chunks.ts inJsonList): a membership carries up to 100
  // townships, and this condition sits inside paged, filtered queries.
  if (scope.townshipIds.length) parts.push(inJsonList(incidents.townshipId, scope.townshipIds));
  if (scope.providerIds.length) parts.push(inJsonList(incidents.providerId, scope.providerIds));
  return parts.length ? or(...parts) : sql`0`;
}

const crypto = (k: CountyCtx) => fieldCrypto(k.dataKeySecret, k.county.slug);
const ref = (rowId: string, column: string) => ({ table: 'incidents', column, rowId });
const rulesOf = (row: IncidentRow): IncidentRules => ({
  acknowledgeWithinHours: row.acknowledgeWithinHours,
  escalateAfterHours: row.escalateAfterHours,
});

export type NewIncident = {
  superviseeId: string;
  kind: IncidentKind;
  description: string;
  occurredAt?: string | undefined;
  providerId?: string | undefined;
};

/** The provider a report is made for: the caller's own, named when they work for several. */
export function reportingProvider(providerIds: readonly string[], asked: string | undefined): string {
  const mine = [...new Set(providerIds)];
  if (asked !== undefined) {
    if (!mine.includes(asked))
      throw invalid([{ path: 'providerId', message: 'not a provider you work for' }]);
    return asked;
  }
  if (mine.length !== 1) throw invalid([{ path: 'providerId', message: 'name the provider you report for' }]);
  return mine[0]!;
}

export async function reportIncident(
  k: CountyCtx,
  providerId: string,
  input: NewIncident,
  now: string,
): Promise<IncidentRow> {
  if (input.occurredAt && Date.parse(input.occurredAt) > Date.parse(now) + 5 * 60_000) {
    throw invalid([{ path: 'occurredAt', message: 'must not be in the future' }]);
  }
  // A supervisee the provider does not serve answers like one that does not exist.
  const supervisee = (
    await k.db
      .select({ id: supervisees.id, townshipId: supervisees.townshipId })
      .from(supervisees)
      .where(
        and(
          eq(supervisees.id, input.superviseeId),
          sql`${supervisees.id} IN ${servedByProviders([providerId])}`,
        ),
      )
      .limit(1)
  )[0];
  if (!supervisee)
    throw invalid([{ path: 'superviseeId', message: 'not a supervisee your provider serves' }]);

  const inForce = await ruleSetOn(k.db, civilDate(now, k.county.timezone));
  const rules = inForce?.ruleSet.incidents ?? DEFAULT_INCIDENT_RULES;
  const id = newId();
  const row = {
    id,
    superviseeId: supervisee.id,
    townshipId: supervisee.townshipId,
    providerId,
    kind: input.kind,
    status: 'open' as const,
    occurredAt: input.occurredAt ? new Date(input.occurredAt).toISOString() : null,
    descriptionEnc: await (await crypto(k)).encrypt(input.description, ref(id, 'description_enc')),
    reportedBy: k.actorUserId,
    reportedAt: now,
    ruleSetId: inForce?.id ?? null,
    acknowledgeWithinHours: rules.acknowledgeWithinHours,
    escalateAfterHours: rules.escalateAfterHours,
    ...incidentDeadlines(now, rules),
  };
  const [inserted] = await k.db.batch([
    k.db.insert(incidents).values(row).returning(),
    countyAudit(k, {
      action: 'incident.report',
      targetType: 'incident',
      targetId: id,
      detail: { kind: input.kind, superviseeId: supervisee.id, providerId },
    }),
  ]);
  return inserted[0]!;
}

export async function findIncident(k: CountyCtx, scope: IncidentScope, id: string): Promise<IncidentRow> {
  const row = (
    await k.db
      .select()
      .from(incidents)
      .where(and(eq(incidents.id, id), scopeCondition(scope)))
      .limit(1)
  )[0];
  if (!row) throw notFound('incident');
  return row;
}

/** An incident without its narratives (lists decrypt nothing). */
export function presentIncident(row: IncidentRow, now: string) {
  const state = incidentState(row, rulesOf(row), now);
  return {
    id: row.id,
    superviseeId: row.superviseeId,
    townshipId: row.townshipId,
    providerId: row.providerId,
    kind: row.kind,
    status: row.status,
    occurredAt: row.occurredAt,
    reportedAt: row.reportedAt,
    reportedBy: row.reportedBy,
    acknowledgeWithinHours: row.acknowledgeWithinHours,
    escalateAfterHours: row.escalateAfterHours,
    acknowledgeBy: state.acknowledgeBy,
    escalateAt: state.escalateAt,
    overdue: state.overdue,
    escalated: state.escalated,
    acknowledgedLate: state.acknowledgedLate,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    escalationNotifiedAt: row.escalationNotifiedAt,
    version: row.version,
  };
}

/** The whole incident with its narratives; the decryption leaves an audit entry. */
export async function presentIncidentDetail(k: CountyCtx, row: IncidentRow, now: string) {
  const c = await crypto(k);
  const open = (blob: string | null, column: string) => (blob ? c.decrypt(blob, ref(row.id, column)) : null);
  const [description, acknowledgeNote, resolution] = await Promise.all([
    open(row.descriptionEnc, 'description_enc'),
    open(row.acknowledgeNoteEnc, 'acknowledge_note_enc'),
    open(row.resolutionEnc, 'resolution_enc'),
  ]);
  await countyAudit(k, {
    action: 'incident.read_personal',
    targetType: 'incident',
    targetId: row.id,
    detail: {
      fields: [
        'description',
        ...(acknowledgeNote !== null ? ['acknowledgeNote'] : []),
        ...(resolution !== null ? ['resolution'] : []),
      ],
    },
  });
  return { ...presentIncident(row, now), description, acknowledgeNote, resolution };
}

type Transition = {
  from: IncidentStatus;
  to: IncidentStatus;
  action: string;
  set: Partial<typeof incidents.$inferInsert>;
  detail: Record<string, unknown>;
};

const REFUSALS: Record<string, Partial<Record<IncidentStatus, string>>> = {
  acknowledged: {
    acknowledged: 'The incident is already acknowledged.',
    resolved: 'The incident is already resolved.',
  },
  resolved: {
    open: 'Acknowledge the incident before resolving it.',
    resolved: 'The incident is already resolved.',
  },
};

async function transition(k: CountyCtx, row: IncidentRow, t: Transition): Promise<IncidentRow> {
  const refusal = row.status === t.from ? null : (REFUSALS[t.to]?.[row.status] ?? 'Not possible now.');
  if (refusal) throw conflict(refusal);
  try {
    const [, updated] = await k.db.batch([
      // Two officers pressing the button at once: only the first changes anything.
      batchAssert(
        k.db,
        sql`(SELECT status FROM incidents WHERE id = ${row.id}) = ${t.from}`,
        'incident-status',
      ),
      k.db
        .update(incidents)
        .set({ ...t.set, status: t.to, version: sql`${incidents.version} + 1` })
        .where(eq(incidents.id, row.id))
        .returning(),
      countyAudit(k, { action: t.action, targetType: 'incident', targetId: row.id, detail: t.detail }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict('The incident changed meanwhile; reload it.');
    throw e;
  }
}

export async function acknowledgeIncident(
  k: CountyCtx,
  row: IncidentRow,
  note: string | undefined,
  now: string,
): Promise<IncidentRow> {
  const state = incidentState(row, rulesOf(row), now);
  return transition(k, row, {
    from: 'open',
    to: 'acknowledged',
    action: 'incident.acknowledge',
    set: {
      acknowledgedAt: now,
      acknowledgedBy: k.actorUserId,
      acknowledgeNoteEnc: note
        ? await (await crypto(k)).encrypt(note, ref(row.id, 'acknowledge_note_enc'))
        : null,
    },
    detail: { late: state.overdue, escalated: state.escalated, note: note !== undefined },
  });
}

export async function resolveIncident(
  k: CountyCtx,
  row: IncidentRow,
  resolution: string,
  now: string,
): Promise<IncidentRow> {
  return transition(k, row, {
    from: 'acknowledged',
    to: 'resolved',
    action: 'incident.resolve',
    set: {
      resolvedAt: now,
      resolvedBy: k.actorUserId,
      resolutionEnc: await (await crypto(k)).encrypt(resolution, ref(row.id, 'resolution_enc')),
    },
    detail: {},
  });
}

export type IncidentFilter = {
  status?: IncidentStatus | undefined;
  townshipId?: string | undefined;
  superviseeId?: string | undefined;
  providerId?: string | undefined;
  kind?: IncidentKind | undefined;
  escalated?: boolean | undefined;
  cursor?: string | undefined;
  limit: number;
};

/** Newest first; the cursor is the last item's `reportedAt` and id. */
export async function listIncidents(k: CountyCtx, scope: IncidentScope, f: IncidentFilter, now: string) {
  const escalatedNow = and(eq(incidents.status, 'open'), lte(incidents.escalateAt, now));
  let after: SQL | undefined;
  if (f.cursor) {
    const [reportedAt, id] = f.cursor.split('~');
    if (!reportedAt || !id) throw invalid([{ path: 'cursor', message: 'not a cursor this list gave' }]);
    after = or(
      lt(incidents.reportedAt, reportedAt),
      and(eq(incidents.reportedAt, reportedAt), lt(incidents.id, id)),
    );
  }
  const rows = await k.db
    .select()
    .from(incidents)
    .where(
      and(
        scopeCondition(scope),
        f.status ? eq(incidents.status, f.status) : undefined,
        f.townshipId ? eq(incidents.townshipId, f.townshipId) : undefined,
        f.superviseeId ? eq(incidents.superviseeId, f.superviseeId) : undefined,
        f.providerId ? eq(incidents.providerId, f.providerId) : undefined,
        f.kind ? eq(incidents.kind, f.kind) : undefined,
        f.escalated === undefined ? undefined : f.escalated ? escalatedNow : not(escalatedNow!),
        after,
      ),
    )
    .orderBy(desc(incidents.reportedAt), desc(incidents.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > f.limit && last ? `${last.reportedAt}~${last.id}` : null,
  };
}

/**
 * Open incidents past their escalation instant whose escalation the bureau has not yet been
 * told of: what the scheduled job notifies, then marks with `markEscalationsNotified`.
 */
export async function escalationsDue(k: CountyCtx, now: string) {
  const rows = await k.db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.status, 'open'),
        lte(incidents.escalateAt, now),
        isNull(incidents.escalationNotifiedAt),
      ),
    )
    .orderBy(asc(incidents.escalateAt), asc(incidents.id));
  return rows.map((row) => ({ row, state: incidentState(row, rulesOf(row), now) }));
}

/** Marks escalations as notified (only those still open and unmarked), in one batch. */
export async function markEscalationsNotified(k: CountyCtx, ids: readonly string[], now: string) {
  if (ids.length === 0) return;
  // Each statement binds its ids plus three more values: the new escalationNotifiedAt, status, now.
  const updates = chunkForParams(ids, 1, 3).map((chunk) =>
    k.db
      .update(incidents)
      .set({ escalationNotifiedAt: now })
      .where(
        and(
          inArray(incidents.id, chunk),
          eq(incidents.status, 'open'),
          isNull(incidents.escalationNotifiedAt),
          lte(incidents.escalateAt, now),
        ),
      ),
  );
  await k.db.batch([
    updates[0]!,
    ...updates.slice(1),
    countyAudit(k, {
      action: 'incident.escalation_notified',
      targetType: 'incident',
      detail: { count: ids.length },
    }),
  ]);
}
