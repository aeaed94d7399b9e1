/**
 * 信息档案 of the case study: the provider's social workers collect employment, family,
 * interests, health and difficulties when they take a supervisee on (三(二)一), and the date the
 * supervisee joined volunteer service. Health is encrypted; the other fields are plain text.
 */
import { eq, sql } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import { batchAssert, isGuardFailure } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { invalid, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import type { Detail } from '../supervisees/access';
import { type SuperviseeRow, superviseeProfiles } from '../supervisees/schema';

export type ProfileInput = {
  employment: string | null;
  family: string | null;
  interests: string | null;
  health: string | null;
  difficulties: string | null;
  volunteerSince: string | null;
};

export const PROFILE_FIELDS = [
  'employment',
  'family',
  'interests',
  'health',
  'difficulties',
  'volunteerSince',
] as const;

type ProfileRow = typeof superviseeProfiles.$inferSelect;

const ref = (superviseeId: string) => ({
  table: 'supervisee_profiles',
  column: 'health_enc',
  rowId: superviseeId,
});
const crypto = (k: CountyCtx) => fieldCrypto(k.dataKeySecret, k.county.slug);

/** Evaluators see minimised data: never health. */
export const seesHealth = (detail: Detail) => detail !== 'minimal';

const stale = () =>
  new Problem(412, 'The profile changed since you read it; reload and apply your change again.');

async function loadProfile(k: CountyCtx, superviseeId: string): Promise<ProfileRow | null> {
  const rows = await k.db
    .select()
    .from(superviseeProfiles)
    .where(eq(superviseeProfiles.superviseeId, superviseeId))
    .limit(1);
  return rows[0] ?? null;
}

function shape(superviseeId: string, row: ProfileRow | null) {
  return {
    superviseeId,
    employment: row?.employment ?? null,
    family: row?.family ?? null,
    interests: row?.interests ?? null,
    difficulties: row?.difficulties ?? null,
    volunteerSince: row?.volunteerSince ?? null,
    /** 0 before anything was recorded: `If-Match: "p0"` then means "only if still empty". */
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

/** The profile as the caller may see it; decrypting health leaves an audit entry. */
export async function readProfile(k: CountyCtx, supervisee: SuperviseeRow, detail: Detail) {
  const row = await loadProfile(k, supervisee.id);
  const out = shape(supervisee.id, row);
  if (!seesHealth(detail)) return out;
  let health: string | null = null;
  if (row?.healthEnc) {
    health = await (await crypto(k)).decrypt(row.healthEnc, ref(supervisee.id));
    await countyAudit(k, {
      action: 'profile.read_personal',
      targetType: 'supervisee',
      targetId: supervisee.id,
      detail: { fields: ['health'] },
    });
  }
  return { ...out, health };
}

/**
 * Replaces the profile (PUT: a field left out is cleared). `expectedVersion` comes from If-Match;
 * the check and the write run in one batch, so a concurrent edit makes this one fail with 412.
 */
export async function writeProfile(
  k: CountyCtx,
  supervisee: SuperviseeRow,
  input: ProfileInput,
  expectedVersion: number | null,
) {
  if (input.volunteerSince && input.volunteerSince > k.today)
    throw invalid([{ path: 'volunteerSince', message: 'must not be in the future' }]);
  const current = await loadProfile(k, supervisee.id);
  if (expectedVersion !== null && expectedVersion !== (current?.version ?? 0)) throw stale();

  const healthEnc = input.health ? await (await crypto(k)).encrypt(input.health, ref(supervisee.id)) : null;
  const values = {
    employment: input.employment,
    family: input.family,
    interests: input.interests,
    healthEnc,
    difficulties: input.difficulties,
    volunteerSince: input.volunteerSince,
    updatedBy: k.actorUserId,
    updatedAt: nowInstant(),
  };
  const seen = current?.version ?? 0;
  try {
    const [, written] = await k.db.batch([
      batchAssert(
        k.db,
        sql`coalesce((SELECT version FROM supervisee_profiles WHERE supervisee_id = ${supervisee.id}), 0) = ${seen}`,
        'stale',
      ),
      k.db
        .insert(superviseeProfiles)
        .values({ superviseeId: supervisee.id, ...values })
        .onConflictDoUpdate({
          target: superviseeProfiles.superviseeId,
          set: { ...values, version: sql`${superviseeProfiles.version} + 1` },
        })
        .returning(),
      countyAudit(k, {
        action: current ? 'profile.update' : 'profile.create',
        targetType: 'supervisee',
        targetId: supervisee.id,
        detail: { fields: changedFields(current, input) },
      }),
    ]);
    return { ...shape(supervisee.id, written[0]!), health: input.health };
  } catch (e) {
    if (isGuardFailure(e)) throw stale();
    throw e;
  }
}

/** Field names whose value changed (health: whether it was set, cleared or replaced). */
function changedFields(current: ProfileRow | null, input: ProfileInput): string[] {
  return PROFILE_FIELDS.filter((f) => {
    if (f === 'health') return Boolean(input.health) || Boolean(current?.healthEnc);
    return (current?.[f] ?? null) !== input[f];
  });
}
