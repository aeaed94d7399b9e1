import { and, asc, desc, eq } from 'drizzle-orm';
import { customActivityTypes } from '../activities/schema';
import type { CountyDb } from '../env';
import { notFound } from '../lib/problem';
import { type PublishedRuleSet, type RuleSet, ruleSetInForce } from '../rules';
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
