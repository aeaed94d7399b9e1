import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { customActivityTypes } from '../activities/schema';
import type { CountyDb } from '../env';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { type PublishedRuleSet, type RuleSet, ruleSetInForce, validateRuleSet } from '../rules';
import { diffRuleSets } from './diff';
import { type RuleSetRow, ruleSets } from './schema';

/** Every published version, the input of every compliance computation. */
export async function publishedHistory(db: CountyDb): Promise<PublishedRuleSet[]> {
  const rows = await db
    .select()
    .from(ruleSets)
    .where(eq(ruleSets.status, 'published'))
    .orderBy(asc(ruleSets.effectiveFrom), asc(ruleSets.publishedAt));
  return rows.map(toPublished);
}

export const toPublished = (r: RuleSetRow): PublishedRuleSet => ({
  id: r.id,
  version: r.version,
  publishedAt: r.publishedAt!,
  ruleSet: r.body as unknown as RuleSet,
});

/** The rule set governing `day`, or null before the first one. */
export async function ruleSetOn(db: CountyDb, day: string): Promise<PublishedRuleSet | null> {
  return ruleSetInForce(await publishedHistory(db), day) ?? null;
}

/** The county's own activity types (allowed in rule sets and activities besides the base list). */
export async function countyActivityTypes(db: CountyDb): Promise<string[]> {
  const rows = await db.select({ code: customActivityTypes.code }).from(customActivityTypes);
  return rows.map((r) => r.code);
}

export async function getRuleSetRow(db: CountyDb, id: string): Promise<RuleSetRow> {
  const row = (await db.select().from(ruleSets).where(eq(ruleSets.id, id)).limit(1))[0];
  if (!row) throw notFound('rule set');
  return row;
}

export async function listRuleSets(db: CountyDb) {
  return db.select().from(ruleSets).orderBy(desc(ruleSets.version));
}

export async function latestPublished(db: CountyDb) {
  return (
    await db
      .select()
      .from(ruleSets)
      .where(and(eq(ruleSets.status, 'published')))
      .orderBy(desc(ruleSets.publishedAt))
      .limit(1)
  )[0];
}

/** The public shape of a version: its metadata and the rule set's own fields. */
export function presentRuleSet(r: RuleSetRow) {
  return {
    ...(r.body as Record<string, unknown>),
    id: r.id,
    version: r.version,
    status: r.status,
    basedOn: r.basedOn,
    createdAt: r.createdAt,
    publishedAt: r.publishedAt,
  };
}

/** Parses a rule set against the county's activity types; 400 with every error's path otherwise. */
export async function validatedRuleSet(db: CountyDb, body: unknown): Promise<RuleSet> {
  const result = validateRuleSet(body, { extraActivityTypes: await countyActivityTypes(db) });
  if (!result.ok) throw invalid(result.errors, 'The rule set is not valid.');
  return result.value;
}

const ruleSetAudit = (k: CountyCtx, action: string, id: string, detail?: Record<string, unknown>) =>
  countyAudit(k, { action, targetType: 'rule_set', targetId: id, detail });

/** A new draft version, based on the latest published one (for the diff). */
export async function createDraft(k: CountyCtx, body: unknown): Promise<RuleSetRow> {
  const ruleSet = await validatedRuleSet(k.db, body);
  const base = await latestPublished(k.db);
  const id = newId();
  const [inserted] = await k.db.batch([
    k.db
      .insert(ruleSets)
      .values({
        id,
        version: sql`(SELECT coalesce(max(version), 0) + 1 FROM rule_sets)`,
        status: 'draft',
        name: ruleSet.name,
        effectiveFrom: ruleSet.effectiveFrom,
        body: ruleSet as unknown as Record<string, unknown>,
        basedOn: base?.id ?? null,
        createdBy: k.actorUserId,
      })
      .returning(),
    ruleSetAudit(k, 'rule_set.create', id),
  ]);
  return inserted[0]!;
}

/** Replaces a draft's document; published and discarded versions never change. */
export async function saveDraft(k: CountyCtx, id: string, body: unknown): Promise<RuleSetRow> {
  const row = await getRuleSetRow(k.db, id);
  if (row.status !== 'draft')
    throw conflict(`Version ${row.version} is ${row.status}; create a new draft instead.`);
  const ruleSet = await validatedRuleSet(k.db, body);
  const [updated] = await k.db.batch([
    k.db
      .update(ruleSets)
      .set({
        name: ruleSet.name,
        effectiveFrom: ruleSet.effectiveFrom,
        body: ruleSet as unknown as Record<string, unknown>,
        updatedAt: nowInstant(),
      })
      .where(eq(ruleSets.id, id))
      .returning(),
    ruleSetAudit(k, 'rule_set.update', id),
  ]);
  return updated[0]!;
}

export async function discardDraft(k: CountyCtx, id: string): Promise<void> {
  const row = await getRuleSetRow(k.db, id);
  if (row.status !== 'draft')
    throw conflict(`Version ${row.version} is ${row.status}; only drafts can be discarded.`);
  await k.db.batch([
    k.db.update(ruleSets).set({ status: 'discarded', updatedAt: nowInstant() }).where(eq(ruleSets.id, id)),
    ruleSetAudit(k, 'rule_set.discard', id),
  ]);
}

/** Publishes a draft, optionally from another day than the one it names. */
export async function publishDraft(k: CountyCtx, id: string, effectiveFrom?: string): Promise<RuleSetRow> {
  const row = await getRuleSetRow(k.db, id);
  if (row.status !== 'draft') throw conflict(`Version ${row.version} is already ${row.status}.`);
  const body = { ...(row.body as Record<string, unknown>), ...(effectiveFrom ? { effectiveFrom } : {}) };
  // Validated again: the county's activity types may have changed since the draft was saved.
  const ruleSet = await validatedRuleSet(k.db, body);
  const now = nowInstant();
  const [updated] = await k.db.batch([
    k.db
      .update(ruleSets)
      .set({
        status: 'published',
        effectiveFrom: ruleSet.effectiveFrom,
        body: ruleSet as unknown as Record<string, unknown>,
        publishedAt: now,
        publishedBy: k.actorUserId,
        updatedAt: now,
      })
      // Guarded, so two concurrent publishes of one draft cannot both succeed.
      .where(sql`${ruleSets.id} = ${id} AND ${ruleSets.status} = 'draft'`)
      .returning(),
    ruleSetAudit(k, 'rule_set.publish', id, { version: row.version, effectiveFrom: ruleSet.effectiveFrom }),
  ]);
  if (!updated[0]) throw conflict('The draft was published or discarded meanwhile.');
  return updated[0];
}

/** What changes between a version and another (default: the one in force on `today`). */
export async function diffAgainst(db: CountyDb, id: string, today: string, against?: string) {
  const target = await getRuleSetRow(db, id);
  let base = against ? await getRuleSetRow(db, against) : null;
  if (!against) {
    const inForce = await ruleSetOn(db, today);
    base = inForce ? await getRuleSetRow(db, inForce.id) : null;
  }
  return {
    from: base ? { id: base.id, version: base.version } : null,
    to: { id: target.id, version: target.version },
    changes: diffRuleSets(base?.body ?? {}, target.body),
  };
}
