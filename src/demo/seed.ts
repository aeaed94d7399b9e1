/**
 * Writes the demo into freshly migrated databases. Runs inside workerd (the tests' setup) and in
 * Node against wrangler's local state (`npm start`), so it uses only D1 and WebCrypto.
 */
import { drizzle } from 'drizzle-orm/d1';
import { hashPassword } from '../auth/passwords';
import * as control from '../db/control-schema';
import * as county from '../db/county-schema';
import { todayIn } from '../lib/time';
import { PRESETS } from '../rules';
import { DEMO_COUNTIES, DEMO_PASSWORD, DEMO_PROVIDER, DEMO_USERS, demoProgrammes } from './data';
import { seedServiceRecords } from './service-records';

export type SeedTarget = {
  environment: string;
  pepper: string;
  control: D1Database;
  /** The county databases by binding name. */
  county: (binding: string) => D1Database;
  /** DATA_KEY_SECRET: with it, the demo also gets supervisees and their services (encrypted fields). */
  dataKeySecret?: string;
  /** The day the demo is anchored to (default: today in China, by the clock of src/lib/time.ts). */
  today?: string;
};

/** Seeds once; returns false when the demo is already there. */
export async function seedDemo(target: SeedTarget): Promise<boolean> {
  if (target.environment !== 'development' && target.environment !== 'test') {
    throw new Error('The demo seed only runs in local development and tests.');
  }
  const done = await target.control.prepare("SELECT 1 FROM users WHERE login = 'platform.operator'").first();
  if (done) return false;

  const today = target.today ?? todayIn('Asia/Shanghai');
  const db = drizzle(target.control, { schema: control });
  // One hash for every demo login: the demo has one published password anyway.
  const passwordHash = await hashPassword(DEMO_PASSWORD, target.pepper);
  await db.batch([
    db.insert(control.counties).values(
      DEMO_COUNTIES.map((k) => ({
        slug: k.slug,
        name: k.name,
        nameEn: k.nameEn,
        regionCode: k.regionCode,
        binding: k.binding,
      })),
    ),
    db.insert(control.providers).values({
      id: DEMO_PROVIDER.id,
      name: DEMO_PROVIDER.name,
      nameEn: DEMO_PROVIDER.nameEn,
      creditCode: DEMO_PROVIDER.creditCode,
    }),
    db
      .insert(control.providerCounties)
      .values(
        DEMO_PROVIDER.counties.map((k) => ({ providerId: DEMO_PROVIDER.id, county: k, since: '2017-01-01' })),
      ),
    db
      .insert(control.users)
      .values(
        DEMO_USERS.map((u) => ({ id: u.id, login: u.login, displayName: u.displayName, passwordHash })),
      ),
    db.insert(control.memberships).values(
      DEMO_USERS.flatMap((u) =>
        u.memberships.map((m, i) => ({
          id: `${u.id}-m${i}`,
          userId: u.id,
          county: m.county,
          role: m.role,
          providerId: m.providerId ?? null,
          townshipIds: m.townshipIds ?? null,
        })),
      ),
    ),
  ]);

  for (const k of DEMO_COUNTIES) {
    const cdb = drizzle(target.county(k.binding), { schema: county });
    const preset = PRESETS[k.preset].ruleSet;
    const money = demoProgrammes(Number(today.slice(0, 4))).filter((p) => p.county === k.slug);
    await cdb.batch([
      cdb.insert(county.townships).values(k.townships.map((t, i) => ({ ...t, sortOrder: i }))),
      cdb.insert(county.ruleSets).values({
        id: `${k.slug}-rules-v1`,
        version: 1,
        status: 'published',
        name: preset.name,
        effectiveFrom: preset.effectiveFrom,
        body: structuredClone(preset) as unknown as Record<string, unknown>,
        publishedAt: '2017-01-01T00:00:00.000Z',
      }),
      ...money.flatMap(({ programme, procurement, contract }) => [
        cdb.insert(county.programmes).values(programme),
        cdb
          .insert(county.procurements)
          .values({ ...procurement, programmeId: programme.id, chosenProviderIds: [DEMO_PROVIDER.id] }),
        cdb.insert(county.contracts).values({
          ...contract,
          providerId: DEMO_PROVIDER.id,
          programmeYear: programme.year,
          periodStart: `${programme.year}-01-01`,
          periodEnd: `${programme.year}-12-31`,
          procurementMethod: procurement.method,
          procurementId: procurement.id,
          signedOn: procurement.awardedOn,
          serviceContent: programme.serviceContent,
        }),
      ]),
    ]);
    if (target.dataKeySecret)
      await seedServiceRecords(target.county(k.binding), k, target.dataKeySecret, today);
  }
  return true;
}
