/**
 * 服务记录: recording, reading, correcting and voiding activities, and filing each one in the
 * ledger (台账) of its provider, township and cycle. Every write is one D1 batch whose first
 * statements assert what the write depends on (the ledger not confirmed, the record unchanged),
 * so a confirmation racing a write can never leave a changed or new activity in a confirmed ledger.
 */
import { and, asc, desc, eq, gte, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { BUREAU_ROLES, type CountyRole, PROVIDER_ROLES } from '../auth/roles';
import { fieldCrypto } from '../crypto/fields';
import { type ControlDb, chunkForParams, inJsonList } from '../db';
import { batchAssert, isGuardFailure } from '../db/guard';
import { ledgerCycleFor } from '../ledgers/cycles';
import { ledgerEvents, ledgers } from '../ledgers/schema';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, type FieldError, forbidden, invalid, notFound, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { providerServesCounty, rolesInCounty } from '../providers/staff';
import { countyActivityTypes, publishedHistory } from '../rule-sets/service';
import { ACTIVITY_TYPE_LABELS, isBaseActivityType, knownActivityTypes } from '../rules';
import { servedByProviders } from '../supervisees/access';
import { supervisees } from '../supervisees/schema';
import { townships } from '../townships/schema';
import { type ActorScope, canChange, visibleCondition } from './access';
import { decodeCursor, encodeCursor } from './cursor';
import { type Flag, flagsFor } from './flags';
import type { RecordAnswer } from './idempotency';
import { type ActivityRow, activities, activityParticipants, customActivityTypes } from './schema';

export type ActivityCtx = CountyCtx & { control: ControlDb; scope: ActorScope };

export type Participant = { superviseeId: string; minutes?: number | undefined };

/** The fields a client sets (API.md body, plus the design's place, outcome, aid and staff). */
export type ActivityFields = {
  type: string;
  occurredOn: string;
  startTime: string | null;
  durationMinutes: number;
  townshipId: string | null;
  staffUserId: string | null;
  place: string | null;
  summary: string | null;
  outcome: string | null;
  aidAmountFen: number | null;
  participants: Participant[];
};

export type NewActivity = Partial<Omit<ActivityFields, 'type' | 'occurredOn' | 'durationMinutes'>> &
  Pick<ActivityFields, 'type' | 'occurredOn' | 'durationMinutes'> & { providerId?: string | null };

export type ActivityPatch = Partial<ActivityFields>;

/** How the caller acts: this decides whose supervisees may take part. */
type Acting = 'bureau' | 'provider' | 'office';

/**
 * Types that may have no participant: publicity aimed at residents, a call-back about such an
 * event, and the county's own types (the county knows what they are).
 */
const MAY_HAVE_NO_PARTICIPANT = new Set(['legal_publicity', 'verification_callback']);

const MAX_MINUTES = 24 * 60;

export const LOCKED_DETAIL =
  'The ledger (台账) of this provider, township and cycle is confirmed, so it and its activities can no longer change. Record a correction as an amendment: POST …/activities/{id}/amendments.';

type LedgerKey = {
  providerId: string;
  townshipId: string;
  cycle: string;
  cycleStart: string;
  cycleEnd: string;
  dueBy: string;
};

type Prepared = {
  fields: Omit<ActivityFields, 'participants' | 'townshipId' | 'staffUserId'> & {
    townshipId: string;
    staffUserId: string;
  };
  participants: { superviseeId: string; minutes: number }[];
};

// ---------------------------------------------------------------------------------------------
// Validation

async function activityTypes(k: CountyCtx) {
  const custom = await countyActivityTypes(k.db);
  return { custom, known: new Set(knownActivityTypes(custom)) };
}

/** Checks a complete activity and resolves its defaults; throws 400 naming every field at fault. */
async function prepare(
  a: ActivityCtx,
  input: ActivityFields,
  ctx: {
    acting: Acting;
    providerId: string | null;
    /** The staff member already on record: re-checked only when it changes. */
    previousStaff?: string | null;
    /** Participants already vetted by the caller (a call-back about a visible activity). */
    trustedParticipants?: boolean;
  },
): Promise<Prepared> {
  const errors: FieldError[] = [];
  const types = await activityTypes(a);
  if (!types.known.has(input.type)) {
    errors.push({
      path: 'type',
      message: `unknown activity type '${input.type}'; known types: ${[...types.known].join(', ')}`,
    });
  }
  if (input.occurredOn > a.today) {
    errors.push({
      path: 'occurredOn',
      message: `must not be in the future (today is ${a.today} in the county)`,
    });
  }
  if (
    !(
      Number.isInteger(input.durationMinutes) &&
      input.durationMinutes > 0 &&
      input.durationMinutes <= MAX_MINUTES
    )
  ) {
    errors.push({
      path: 'durationMinutes',
      message: 'must be a whole number of minutes, 1 to 1440 (24 hours)',
    });
  }
  const seen = new Set<string>();
  input.participants.forEach((p, i) => {
    if (seen.has(p.superviseeId)) {
      errors.push({ path: `participants.${i}.superviseeId`, message: 'this supervisee is listed twice' });
    }
    seen.add(p.superviseeId);
    if (p.minutes !== undefined && p.minutes > input.durationMinutes) {
      errors.push({ path: `participants.${i}.minutes`, message: 'must not exceed durationMinutes' });
    }
  });
  if (
    input.participants.length === 0 &&
    !MAY_HAVE_NO_PARTICIPANT.has(input.type) &&
    !types.custom.includes(input.type)
  ) {
    errors.push({ path: 'participants', message: `a ${input.type} activity needs at least one participant` });
  }
  if (input.participants.length === 0 && !input.townshipId) {
    errors.push({ path: 'townshipId', message: 'required when the activity has no participant' });
  }
  if (input.aidAmountFen !== null && input.type !== 'hardship_aid') {
    errors.push({ path: 'aidAmountFen', message: 'only a hardship_aid activity carries an aid amount' });
  }
  if (errors.length) throw invalid(errors);

  // The participants: they must exist, be within the caller's reach, and be under correction that day.
  const ids = input.participants.map((p) => p.superviseeId);
  const reach: SQL | undefined = ctx.trustedParticipants
    ? undefined
    : ctx.acting === 'provider'
      ? sql`${supervisees.id} IN ${servedByProviders([ctx.providerId!])}`
      : ctx.acting === 'office'
        ? a.scope.townshipIds.length
          ? // The office's townships (up to 100) as one parameter, so the ids keep their room.
            inJsonList(supervisees.townshipId, a.scope.townshipIds)
          : sql`0`
        : undefined;
  const found = new Map<string, { townshipId: string; termStart: string; termEnd: string }>();
  // Beside the ids: the reach, at most two parameters (a provider's two JSON lists).
  for (const chunk of chunkForParams(ids, 1, 2)) {
    const rows = await a.db
      .select({
        id: supervisees.id,
        townshipId: supervisees.townshipId,
        termStart: supervisees.termStart,
        termEnd: supervisees.termEnd,
      })
      .from(supervisees)
      .where(and(inArray(supervisees.id, chunk), reach));
    for (const r of rows) found.set(r.id, r);
  }
  input.participants.forEach((p, i) => {
    const s = found.get(p.superviseeId);
    if (!s) {
      errors.push({
        path: `participants.${i}.superviseeId`,
        message: 'no such supervisee among those you serve',
      });
    } else if (!ctx.trustedParticipants && (input.occurredOn < s.termStart || input.occurredOn > s.termEnd)) {
      errors.push({
        path: `participants.${i}.superviseeId`,
        message: `not under community correction on ${input.occurredOn} (term ${s.termStart} … ${s.termEnd})`,
      });
    }
  });
  if (errors.length) throw invalid(errors);

  const townshipId = input.townshipId ?? found.get(ids[0]!)!.townshipId;
  const township = await a.db
    .select({ id: townships.id })
    .from(townships)
    .where(eq(townships.id, townshipId))
    .limit(1);
  if (!township[0]) errors.push({ path: 'townshipId', message: 'no such township in this county' });
  else if (ctx.acting === 'office' && !a.scope.townshipIds.includes(townshipId)) {
    errors.push({ path: 'townshipId', message: 'outside the townships of your office' });
  }

  const staffUserId = input.staffUserId ?? ctx.previousStaff ?? a.actorUserId;
  if (staffUserId !== a.actorUserId && staffUserId !== ctx.previousStaff) {
    const roles: readonly CountyRole[] = ctx.providerId
      ? PROVIDER_ROLES
      : [...BUREAU_ROLES, 'office_officer'];
    const held = await rolesInCounty(a.control, a.county.slug, [staffUserId], roles);
    const ok = ctx.providerId ? held.some((r) => r.providerId === ctx.providerId) : held.length > 0;
    if (!ok) {
      errors.push({
        path: 'staffUserId',
        message: ctx.providerId
          ? "not a member of this provider's staff in this county"
          : 'not a bureau or office member in this county',
      });
    }
  }
  if (errors.length) throw invalid(errors);

  return {
    fields: {
      type: input.type,
      occurredOn: input.occurredOn,
      startTime: input.startTime,
      durationMinutes: input.durationMinutes,
      townshipId,
      staffUserId,
      place: input.place,
      summary: input.summary,
      outcome: input.outcome,
      aidAmountFen: input.aidAmountFen,
    },
    participants: input.participants.map((p) => ({
      superviseeId: p.superviseeId,
      minutes: p.minutes ?? input.durationMinutes,
    })),
  };
}

/** How a new activity's caller acts, and for which provider. */
async function actingForNew(a: ActivityCtx, requested: string | null | undefined) {
  const { scope } = a;
  if (requested) {
    if (scope.providerIds.includes(requested)) {
      return { acting: (scope.bureau ? 'bureau' : 'provider') as Acting, providerId: requested };
    }
    if (scope.bureau) {
      if (!(await providerServesCounty(a.control, requested, a.county.slug))) {
        throw invalid([{ path: 'providerId', message: 'this provider does not serve the county' }]);
      }
      return { acting: 'bureau' as Acting, providerId: requested };
    }
    throw forbidden("You record activities for your own provider only, not for another provider's.");
  }
  if (scope.bureau) return { acting: 'bureau' as Acting, providerId: null };
  if (scope.townshipIds.length) return { acting: 'office' as Acting, providerId: null };
  const own = [...new Set(scope.providerIds)];
  if (own.length === 1) return { acting: 'provider' as Acting, providerId: own[0]! };
  throw invalid([{ path: 'providerId', message: 'required: you work for several providers in this county' }]);
}

const actingFor = (scope: ActorScope, row: ActivityRow): Acting =>
  scope.bureau ? 'bureau' : row.providerId ? 'provider' : 'office';

// ---------------------------------------------------------------------------------------------
// Ledger statements

const ledgerWhere = (key: LedgerKey) =>
  and(
    eq(ledgers.providerId, key.providerId),
    eq(ledgers.townshipId, key.townshipId),
    eq(ledgers.cycle, key.cycle),
  );

const ledgerIdOf = (key: LedgerKey) =>
  sql`(SELECT id FROM ledgers WHERE provider_id = ${key.providerId} AND township_id = ${key.townshipId} AND cycle = ${key.cycle})`;
const ledgerStatusOf = (key: LedgerKey) =>
  sql`(SELECT status FROM ledgers WHERE provider_id = ${key.providerId} AND township_id = ${key.townshipId} AND cycle = ${key.cycle})`;

async function ledgerKeyFor(a: CountyCtx, providerId: string | null, townshipId: string, day: string) {
  if (!providerId) return null;
  const cycle = ledgerCycleFor(await publishedHistory(a.db), day);
  return { providerId, townshipId, ...cycle } satisfies LedgerKey;
}

/**
 * Asserts the target ledger is not confirmed, creates it as a draft when it is the first
 * activity of its provider, township and cycle, and bumps its version (so an office confirming
 * with If-Match sees that it changed). The last statement returns the ledger's id and status.
 */
function ledgerStatements(a: CountyCtx, key: LedgerKey) {
  return [
    batchAssert(
      a.db,
      sql`NOT EXISTS (SELECT 1 FROM ledgers WHERE provider_id = ${key.providerId} AND township_id = ${key.townshipId} AND cycle = ${key.cycle} AND status = 'confirmed')`,
      'ledger_confirmed',
    ),
    a.db
      .insert(ledgers)
      .values({ id: newId(), ...key })
      .onConflictDoNothing({ target: [ledgers.providerId, ledgers.townshipId, ledgers.cycle] }),
    a.db
      .update(ledgers)
      .set({ version: sql`${ledgers.version} + 1` })
      .where(ledgerWhere(key))
      .returning({ id: ledgers.id, status: ledgers.status }),
  ] as const;
}

const notConfirmed = (a: CountyCtx, ledgerId: string | null) =>
  ledgerId
    ? [
        batchAssert(
          a.db,
          sql`NOT EXISTS (SELECT 1 FROM ledgers WHERE id = ${ledgerId} AND status = 'confirmed')`,
          'ledger_confirmed',
        ),
      ]
    : [];

const bumpLedger = (a: CountyCtx, ledgerId: string | null) =>
  ledgerId
    ? [
        a.db
          .update(ledgers)
          .set({ version: sql`${ledgers.version} + 1` })
          .where(eq(ledgers.id, ledgerId)),
      ]
    : [];

function participantInserts(a: CountyCtx, activityId: string, rows: Prepared['participants']) {
  // 3 parameters a row.
  return chunkForParams(rows, 3).map((chunk) =>
    a.db.insert(activityParticipants).values(chunk.map((p) => ({ activityId, ...p }))),
  );
}

type Stmt = BatchItem<'sqlite'>;
const run = (a: CountyCtx, stmts: Stmt[]) => a.db.batch(stmts as [Stmt, ...Stmt[]]);

// ---------------------------------------------------------------------------------------------
// The summary: personal facts, stored as ciphertext bound to its row (ADR 0403)

const summaryRef = (id: string) => ({ table: 'activities', column: 'summary_enc', rowId: id });
const fieldsOf = (a: CountyCtx) => fieldCrypto(a.dataKeySecret, a.county.slug);

async function sealSummary(a: CountyCtx, id: string, summary: string | null): Promise<string | null> {
  return summary ? (await fieldsOf(a)).encrypt(summary, summaryRef(id)) : null;
}

async function openSummary(a: CountyCtx, row: Pick<ActivityRow, 'id' | 'summaryEnc'>) {
  return row.summaryEnc ? (await fieldsOf(a)).decrypt(row.summaryEnc, summaryRef(row.id)) : null;
}

/** Ids per audit entry of a read that decrypted summaries (a ledger may hold hundreds). */
const AUDIT_IDS = 500;

/** One entry (per 500 activities) for a read that decrypted summaries: ids, never the text. */
async function auditSummaryRead(a: CountyCtx, ids: string[]) {
  if (ids.length === 0) return;
  const entries = [];
  for (let i = 0; i < ids.length; i += AUDIT_IDS) {
    const part = ids.slice(i, i + AUDIT_IDS);
    entries.push(
      countyAudit(a, {
        action: 'activity.read_personal',
        targetType: 'activity',
        targetId: ids.length === 1 ? ids[0]! : null,
        detail: { fields: ['summary'], count: ids.length, activityIds: part },
      }),
    );
  }
  await run(a, entries);
}

/**
 * The answer kept for an Idempotency-Key replay holds the summary as its ciphertext, never in
 * clear (the answers table is a table like any other); `openReplayed` restores it.
 */
const forReplay = (body: ActivityOut, summaryEnc: string | null) => ({
  ...body,
  summary: summaryEnc === null ? null : { sealed: summaryEnc },
});

/** A replayed answer as it was first given: the summary decrypted (and the read audited). */
export async function openReplayed(a: CountyCtx, body: unknown): Promise<ActivityOut> {
  const out = body as Omit<ActivityOut, 'summary'> & { summary: string | { sealed: string } | null };
  if (out.summary === null || typeof out.summary === 'string') return out as ActivityOut;
  const summary = await openSummary(a, { id: out.id, summaryEnc: out.summary.sealed });
  await auditSummaryRead(a, [out.id]);
  return { ...out, summary };
}

// ---------------------------------------------------------------------------------------------
// Presentation

export type ActivityOut = ReturnType<typeof shape>;

function shape(
  row: ActivityRow,
  summary: string | null,
  participants: { superviseeId: string; minutes: number }[],
  extra: { ledgerStatus: string | null; amendedBy: string | null; flags: Flag[] },
) {
  return {
    id: row.id,
    type: row.type,
    occurredOn: row.occurredOn,
    startTime: row.startTime,
    durationMinutes: row.durationMinutes,
    providerId: row.providerId,
    townshipId: row.townshipId,
    staffUserId: row.staffUserId,
    place: row.place,
    summary,
    outcome: row.outcome,
    aidAmountFen: row.aidAmountFen,
    participants,
    ledgerId: row.ledgerId,
    ledgerStatus: extra.ledgerStatus,
    /** True once its ledger is confirmed: changes then go through amendments. */
    locked: extra.ledgerStatus === 'confirmed',
    status: row.status,
    voidReason: row.voidReason,
    voidedBy: row.voidedBy,
    voidedAt: row.voidedAt,
    amends: row.amends,
    amendedBy: extra.amendedBy,
    flags: extra.flags,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Activities as the API answers them, with participants, ledger status, amendments and flags.
 * Summaries are decrypted (one audit entry for the read) unless `summaries: false` (a download
 * that does not show them).
 */
export async function presentActivities(
  a: ActivityCtx,
  rows: readonly ActivityRow[],
  opts: { summaries?: boolean } = {},
): Promise<ActivityOut[]> {
  if (rows.length === 0) return [];
  const withSummaries = opts.summaries !== false;
  const summaries = new Map<string, string | null>();
  if (withSummaries) {
    for (const r of rows) summaries.set(r.id, await openSummary(a, r));
    await auditSummaryRead(
      a,
      rows.filter((r) => r.summaryEnc).map((r) => r.id),
    );
  }
  const ids = rows.map((r) => r.id);
  const parts = new Map<string, { superviseeId: string; minutes: number }[]>();
  const amendedBy = new Map<string, string>();
  // Beside the ids: the amendments' status.
  for (const chunk of chunkForParams(ids, 1, 1)) {
    const [ps, amendments] = await a.db.batch([
      a.db
        .select()
        .from(activityParticipants)
        .where(inArray(activityParticipants.activityId, chunk))
        .orderBy(asc(activityParticipants.activityId), sql`rowid`),
      a.db
        .select({ id: activities.id, amends: activities.amends })
        .from(activities)
        .where(and(inArray(activities.amends, chunk), eq(activities.status, 'active'))),
    ]);
    for (const p of ps) {
      const list = parts.get(p.activityId) ?? [];
      list.push({ superviseeId: p.superviseeId, minutes: p.minutes });
      parts.set(p.activityId, list);
    }
    for (const m of amendments) amendedBy.set(m.amends!, m.id);
  }
  const ledgerIds = [...new Set(rows.map((r) => r.ledgerId).filter((x): x is string => !!x))];
  const ledgerStatus = new Map<string, string>();
  for (const chunk of chunkForParams(ledgerIds)) {
    const ls = await a.db
      .select({ id: ledgers.id, status: ledgers.status })
      .from(ledgers)
      .where(inArray(ledgers.id, chunk));
    for (const l of ls) ledgerStatus.set(l.id, l.status);
  }
  const flags = await flagsFor(
    a.db,
    a.scope,
    rows
      .filter((r) => r.status === 'active')
      .map((r) => ({ ...r, superviseeIds: (parts.get(r.id) ?? []).map((p) => p.superviseeId) })),
  );
  return rows.map((r) =>
    shape(r, summaries.get(r.id) ?? null, parts.get(r.id) ?? [], {
      ledgerStatus: r.ledgerId ? (ledgerStatus.get(r.ledgerId) ?? null) : null,
      amendedBy: amendedBy.get(r.id) ?? null,
      flags: flags.get(r.id) ?? [],
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function findActivity(a: ActivityCtx, id: string): Promise<ActivityRow> {
  const row = (
    await a.db
      .select()
      .from(activities)
      .where(and(eq(activities.id, id), visibleCondition(a.scope, activities)))
      .limit(1)
  )[0];
  if (!row) throw notFound('activity');
  return row;
}

export type ActivityFilter = {
  from?: string | undefined;
  to?: string | undefined;
  superviseeId?: string | undefined;
  type?: string | undefined;
  providerId?: string | undefined;
  townshipId?: string | undefined;
  ledgerId?: string | undefined;
  status?: 'active' | 'voided' | undefined;
  cursor?: string | undefined;
  limit: number;
};

/** Newest first; `nextCursor` continues after the last item. */
export async function listActivities(a: ActivityCtx, f: ActivityFilter, opts: { summaries?: boolean } = {}) {
  if (
    f.providerId &&
    !a.scope.bureau &&
    !a.scope.townshipIds.length &&
    !a.scope.providerIds.includes(f.providerId)
  ) {
    throw forbidden("You see your own provider's activities only.");
  }
  const after = f.cursor ? decodeCursor(f.cursor) : null;
  const rows = await a.db
    .select()
    .from(activities)
    .where(
      and(
        visibleCondition(a.scope, activities),
        f.from ? gte(activities.occurredOn, f.from) : undefined,
        f.to ? lte(activities.occurredOn, f.to) : undefined,
        f.type ? eq(activities.type, f.type) : undefined,
        f.providerId ? eq(activities.providerId, f.providerId) : undefined,
        f.townshipId ? eq(activities.townshipId, f.townshipId) : undefined,
        f.ledgerId ? eq(activities.ledgerId, f.ledgerId) : undefined,
        f.status ? eq(activities.status, f.status) : undefined,
        f.superviseeId
          ? sql`${activities.id} IN (SELECT activity_id FROM activity_participants WHERE supervisee_id = ${f.superviseeId})`
          : undefined,
        after
          ? or(
              lt(activities.occurredOn, after[0]),
              and(eq(activities.occurredOn, after[0]), lt(activities.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(activities.occurredOn), desc(activities.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    items: await presentActivities(a, page, opts),
    nextCursor: rows.length > f.limit ? encodeCursor(page.at(-1)!.occurredOn, page.at(-1)!.id) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Writes

export type Built = {
  id: string;
  row: ActivityRow;
  /** The summary in clear, for the answer (the row holds its ciphertext). */
  summary: string | null;
  participants: Prepared['participants'];
  stmts: Stmt[];
  /** Index in `stmts` of the statement returning the ledger's id and status. */
  ledgerAt: number | null;
  key: LedgerKey | null;
};

/** The statements that insert a new activity (and its ledger on demand), not yet run. */
async function buildInsert(
  a: ActivityCtx,
  prepared: Prepared,
  opts: { providerId: string | null; amends?: string; ledgerDay?: string },
): Promise<Built> {
  const id = newId();
  const key = await ledgerKeyFor(
    a,
    opts.providerId,
    prepared.fields.townshipId,
    opts.ledgerDay ?? prepared.fields.occurredOn,
  );
  const { summary, ...fields } = prepared.fields;
  const row: ActivityRow = {
    id,
    ...fields,
    summaryEnc: await sealSummary(a, id, summary),
    providerId: opts.providerId,
    ledgerId: null,
    status: 'active',
    voidReason: null,
    voidedBy: null,
    voidedAt: null,
    amends: opts.amends ?? null,
    version: 1,
    createdBy: a.actorUserId,
    createdAt: nowInstant(),
    updatedAt: null,
  };
  const stmts: Stmt[] = [];
  let ledgerAt: number | null = null;
  if (key) {
    const [guard, insert, bump] = ledgerStatements(a, key);
    stmts.push(guard, insert, bump);
    ledgerAt = 2;
  }
  stmts.push(
    a.db.insert(activities).values({ ...row, ledgerId: key ? ledgerIdOf(key) : null }),
    ...participantInserts(a, id, prepared.participants),
  );
  return { id, row, summary, participants: prepared.participants, stmts, ledgerAt, key };
}

async function runBuilt(a: ActivityCtx, built: Built, tail: Stmt[], flags: Flag[]) {
  try {
    const results = await run(a, [...built.stmts, ...tail]);
    const ledger =
      built.ledgerAt !== null ? (results[built.ledgerAt] as { id: string; status: string }[])[0]! : null;
    const row = { ...built.row, ledgerId: ledger?.id ?? null };
    return shape(row, built.summary, built.participants, {
      ledgerStatus: ledger?.status ?? null,
      amendedBy: null,
      flags,
    });
  } catch (e) {
    if (isGuardFailure(e)) throw conflict(LOCKED_DETAIL);
    throw e;
  }
}

const subjectOf = (built: Built) => ({
  ...built.row,
  superviseeIds: built.participants.map((p) => p.superviseeId),
});

const fullInput = (input: NewActivity): ActivityFields => ({
  type: input.type,
  occurredOn: input.occurredOn,
  startTime: input.startTime ?? null,
  durationMinutes: input.durationMinutes,
  townshipId: input.townshipId ?? null,
  staffUserId: input.staffUserId ?? null,
  place: input.place ?? null,
  summary: input.summary ?? null,
  outcome: input.outcome ?? null,
  aidAmountFen: input.aidAmountFen ?? null,
  participants: input.participants ?? [],
});

/** POST /activities: `record` stores the answer for Idempotency-Key in the same batch. */
export async function createActivity(a: ActivityCtx, input: NewActivity, record: RecordAnswer) {
  const { acting, providerId } = await actingForNew(a, input.providerId);
  const prepared = await prepare(a, fullInput(input), { acting, providerId });
  const built = await buildInsert(a, prepared, { providerId });
  const flags = (await flagsFor(a.db, a.scope, [subjectOf(built)])).get(built.id) ?? [];
  const body = shape({ ...built.row }, built.summary, built.participants, {
    ledgerStatus: null,
    amendedBy: null,
    flags,
  });
  const out = await runBuilt(
    a,
    built,
    [
      record(
        201,
        forReplay(body, built.row.summaryEnc),
        built.key ? { ledgerId: ledgerIdOf(built.key), ledgerStatus: ledgerStatusOf(built.key) } : {},
      ),
      countyAudit(a, {
        action: 'activity.create',
        targetType: 'activity',
        targetId: built.id,
        detail: { type: prepared.fields.type, participants: prepared.participants.length, providerId },
      }),
    ],
    flags,
  );
  return out;
}

/** Why a guarded write failed, found by looking again (the batch itself cannot say). */
async function explain(
  a: ActivityCtx,
  id: string,
  expectedVersion: number,
  ifMatch: boolean,
): Promise<Problem> {
  const now = (await a.db.select().from(activities).where(eq(activities.id, id)).limit(1))[0];
  if (now?.status !== 'active') return conflict('The activity was voided meanwhile.');
  if (now.version !== expectedVersion) {
    return ifMatch
      ? new Problem(412, 'The activity changed since you read it; reload and apply your change again.')
      : conflict('The activity changed while your change was being saved; reload and try again.');
  }
  return conflict(LOCKED_DETAIL);
}

async function ledgerStatusOfRow(a: CountyCtx, row: ActivityRow) {
  if (!row.ledgerId) return null;
  const l = await a.db.select({ status: ledgers.status }).from(ledgers).where(eq(ledgers.id, row.ledgerId));
  return l[0]?.status ?? null;
}

function checkChange(a: ActivityCtx, row: ActivityRow, ifMatch: number | null) {
  if (!canChange(a.scope, row)) throw forbidden('You may not change this activity.');
  if (ifMatch !== null && ifMatch !== row.version) {
    throw new Problem(412, 'The activity changed since you read it; reload and apply your change again.');
  }
  if (row.status !== 'active') throw conflict('The activity is voided; it can no longer change.');
}

async function currentParticipants(a: CountyCtx, id: string) {
  return a.db
    .select({ superviseeId: activityParticipants.superviseeId, minutes: activityParticipants.minutes })
    .from(activityParticipants)
    .where(eq(activityParticipants.activityId, id))
    .orderBy(sql`rowid`);
}

/** `summary`: the record's summary in clear, when the caller needs it kept (an amendment). */
const merged = (
  row: ActivityRow,
  current: Participant[],
  patch: ActivityPatch,
  summary: string | null,
): ActivityFields => ({
  type: patch.type ?? row.type,
  occurredOn: patch.occurredOn ?? row.occurredOn,
  startTime: patch.startTime !== undefined ? patch.startTime : row.startTime,
  durationMinutes: patch.durationMinutes ?? row.durationMinutes,
  townshipId: patch.townshipId ?? row.townshipId,
  staffUserId: patch.staffUserId ?? row.staffUserId,
  place: patch.place !== undefined ? patch.place : row.place,
  summary: patch.summary !== undefined ? patch.summary : summary,
  outcome: patch.outcome !== undefined ? patch.outcome : row.outcome,
  aidAmountFen: patch.aidAmountFen !== undefined ? patch.aidAmountFen : row.aidAmountFen,
  // Minutes that followed the old duration follow the new one, unless the patch sets them.
  participants:
    patch.participants ??
    current.map((p) => ({
      superviseeId: p.superviseeId,
      minutes:
        patch.durationMinutes !== undefined && p.minutes === row.durationMinutes ? undefined : p.minutes,
    })),
});

/** PATCH /activities/{id}: editable until its ledger is confirmed. */
export async function patchActivity(
  a: ActivityCtx,
  row: ActivityRow,
  patch: ActivityPatch,
  ifMatch: number | null,
) {
  checkChange(a, row, ifMatch);
  if ((await ledgerStatusOfRow(a, row)) === 'confirmed') throw conflict(LOCKED_DETAIL);
  const current = await currentParticipants(a, row.id);
  // The summary is not validated: an unchanged one keeps its ciphertext (same row, same column).
  const prepared = await prepare(a, merged(row, current, patch, null), {
    acting: actingFor(a.scope, row),
    providerId: row.providerId,
    previousStaff: row.staffUserId,
  });
  const { summary, ...fields } = prepared.fields;
  const summaryEnc = patch.summary !== undefined ? await sealSummary(a, row.id, summary) : row.summaryEnc;
  const key = await ledgerKeyFor(a, row.providerId, prepared.fields.townshipId, prepared.fields.occurredOn);
  const updatedAt = nowInstant();
  const stmts: Stmt[] = [
    batchAssert(
      a.db,
      sql`(SELECT version FROM activities WHERE id = ${row.id} AND status = 'active') = ${row.version}`,
      'stale',
    ),
    ...notConfirmed(a, row.ledgerId),
  ];
  if (key) stmts.push(...ledgerStatements(a, key));
  stmts.push(
    a.db
      .update(activities)
      .set({
        ...fields,
        summaryEnc,
        ledgerId: key ? ledgerIdOf(key) : null,
        version: row.version + 1,
        updatedAt,
      })
      .where(eq(activities.id, row.id)),
    a.db.delete(activityParticipants).where(eq(activityParticipants.activityId, row.id)),
    ...participantInserts(a, row.id, prepared.participants),
    ...bumpLedger(a, row.ledgerId),
    countyAudit(a, {
      action: 'activity.update',
      targetType: 'activity',
      targetId: row.id,
      detail: { fields: Object.keys(patch) },
    }),
  );
  try {
    await run(a, stmts);
  } catch (e) {
    if (isGuardFailure(e)) throw await explain(a, row.id, row.version, ifMatch !== null);
    throw e;
  }
  const fresh = (await a.db.select().from(activities).where(eq(activities.id, row.id)))[0]!;
  return (await presentActivities(a, [fresh]))[0]!;
}

/** POST /activities/{id}/void: never deleted; kept with the reason, and no longer counted. */
export async function voidActivity(a: ActivityCtx, row: ActivityRow, reason: string, ifMatch: number | null) {
  checkChange(a, row, ifMatch);
  if ((await ledgerStatusOfRow(a, row)) === 'confirmed') throw conflict(LOCKED_DETAIL);
  try {
    await run(a, [
      batchAssert(
        a.db,
        sql`(SELECT version FROM activities WHERE id = ${row.id} AND status = 'active') = ${row.version}`,
        'stale',
      ),
      ...notConfirmed(a, row.ledgerId),
      a.db
        .update(activities)
        .set({
          status: 'voided',
          voidReason: reason,
          voidedBy: a.actorUserId,
          voidedAt: nowInstant(),
          version: row.version + 1,
          updatedAt: nowInstant(),
        })
        .where(eq(activities.id, row.id)),
      ...bumpLedger(a, row.ledgerId),
      countyAudit(a, { action: 'activity.void', targetType: 'activity', targetId: row.id }),
    ]);
  } catch (e) {
    if (isGuardFailure(e)) throw await explain(a, row.id, row.version, ifMatch !== null);
    throw e;
  }
  const fresh = (await a.db.select().from(activities).where(eq(activities.id, row.id)))[0]!;
  return (await presentActivities(a, [fresh]))[0]!;
}

/**
 * POST /activities/{id}/amendments: the correction of an activity whose ledger is confirmed.
 * The original stays exactly as confirmed; the amendment is a new activity that `amends` it,
 * filed in the ledger of the cycle in which the correction is made (docs/adr/0102), so the
 * township office reviews it like any other record. An activity is amended at most once: a later
 * correction amends the amendment.
 */
export async function amendActivity(
  a: ActivityCtx,
  original: ActivityRow,
  patch: ActivityPatch & { reason: string },
) {
  if (!canChange(a.scope, original)) throw forbidden('You may not amend this activity.');
  if (original.status !== 'active') throw conflict('The activity is voided; there is nothing to amend.');
  if ((await ledgerStatusOfRow(a, original)) !== 'confirmed') {
    throw conflict('Its ledger is not confirmed: change the activity itself (PATCH) instead of amending it.');
  }
  const { reason, ...changes } = patch;
  const current = await currentParticipants(a, original.id);
  const kept = changes.summary !== undefined ? null : await openSummary(a, original);
  const prepared = await prepare(a, merged(original, current, changes, kept), {
    acting: actingFor(a.scope, original),
    providerId: original.providerId,
    previousStaff: original.staffUserId,
  });
  const built = await buildInsert(a, prepared, {
    providerId: original.providerId,
    amends: original.id,
    ledgerDay: a.today,
  });
  const flags = (await flagsFor(a.db, a.scope, [subjectOf(built)])).get(built.id) ?? [];
  try {
    return await runBuilt(
      a,
      {
        ...built,
        stmts: [
          batchAssert(
            a.db,
            sql`NOT EXISTS (SELECT 1 FROM activities WHERE amends = ${original.id} AND status = 'active')`,
            'already_amended',
          ),
          ...built.stmts,
        ],
        ledgerAt: built.ledgerAt === null ? null : built.ledgerAt + 1,
      },
      [
        a.db.insert(ledgerEvents).values({
          id: newId(),
          ledgerId: original.ledgerId!,
          action: 'amend',
          byUserId: a.actorUserId,
          at: nowInstant(),
          reason,
          detail: JSON.stringify({ activityId: original.id, amendmentId: built.id }),
        }),
        countyAudit(a, {
          action: 'activity.amend',
          targetType: 'activity',
          targetId: built.id,
          detail: { amends: original.id, fields: Object.keys(changes) },
        }),
      ],
      flags,
    );
  } catch (e) {
    if (e instanceof Problem && e.status === 409) {
      const other = await a.db
        .select({ id: activities.id })
        .from(activities)
        .where(and(eq(activities.amends, original.id), eq(activities.status, 'active')))
        .limit(1);
      if (other[0]) throw conflict(`Already amended by activity ${other[0].id}: amend that one instead.`);
    }
    throw e;
  }
}

/**
 * Statements recording an activity by a bureau or office member about supervisees already vetted
 * (a verification call-back), for the caller to run in its own batch.
 */
export async function buildOfficeActivity(a: ActivityCtx, input: NewActivity) {
  const prepared = await prepare(a, fullInput(input), {
    acting: a.scope.bureau ? 'bureau' : 'office',
    providerId: null,
    trustedParticipants: true,
  });
  return buildInsert(a, prepared, { providerId: null });
}

// ---------------------------------------------------------------------------------------------
// The county's activity types

export async function listActivityTypes(k: CountyCtx) {
  const custom = await k.db.select().from(customActivityTypes).orderBy(asc(customActivityTypes.code));
  return [
    ...Object.entries(ACTIVITY_TYPE_LABELS).map(([code, l]) => ({
      code,
      labelZh: l.zh,
      labelEn: l.en as string | null,
      custom: false,
    })),
    ...custom.map((c) => ({ code: c.code, labelZh: c.labelZh, labelEn: c.labelEn, custom: true })),
  ];
}

export async function addActivityType(
  k: CountyCtx,
  input: { code: string; labelZh: string; labelEn?: string | undefined },
) {
  if (isBaseActivityType(input.code)) throw conflict(`'${input.code}' is already a base activity type.`);
  const row = {
    code: input.code,
    labelZh: input.labelZh,
    labelEn: input.labelEn ?? null,
    createdBy: k.actorUserId,
  };
  try {
    await k.db.batch([
      k.db.insert(customActivityTypes).values(row),
      countyAudit(k, { action: 'activity_type.create', targetType: 'activity_type', targetId: input.code }),
    ]);
  } catch (e) {
    if (String(e).includes('UNIQUE') || String(e).includes('PRIMARY KEY')) {
      throw conflict(`The activity type '${input.code}' already exists.`);
    }
    throw e;
  }
  return { code: row.code, labelZh: row.labelZh, labelEn: row.labelEn, custom: true };
}
