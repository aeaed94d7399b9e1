/**
 * Creating notifications: resolve who should hear about something (by role in the county, or by
 * user), write one inbox entry each, and hand the same event to the county's webhooks. Every
 * notification has a dedupe key, so running a job twice sends nothing twice.
 */
import { eq } from 'drizzle-orm';
import type { CountyRole } from '../auth/roles';
import { chunkForParams, controlDb } from '../db';
import { memberships } from '../db/control-schema';
import type { Bindings, CountyDb } from '../env';
import { newId } from '../lib/ids';
import { enqueueWebhookEvent } from '../webhooks/service';
import { notifications } from './control-schema';

export type Audience = {
  roles?: readonly CountyRole[];
  /** With `roles` containing office_officer: only offices covering this township. */
  townshipId?: string;
  /** With provider roles: only staff of this provider. */
  providerId?: string;
  userIds?: readonly string[];
};

export type NewNotification = {
  kind: string;
  audience: Audience;
  titleZh: string;
  titleEn: string;
  link?: string;
  dedupeKey: string;
};

type MembershipRow = typeof memberships.$inferSelect;

export async function countyMemberships(env: Bindings, county: string): Promise<MembershipRow[]> {
  return controlDb(env).select().from(memberships).where(eq(memberships.county, county));
}

export function recipients(all: readonly MembershipRow[], a: Audience): string[] {
  const users = new Set<string>(a.userIds ?? []);
  for (const m of all) {
    if (!a.roles?.includes(m.role as CountyRole)) continue;
    if (a.townshipId && m.role === 'office_officer' && !(m.townshipIds ?? []).includes(a.townshipId))
      continue;
    if (
      a.providerId &&
      (m.role === 'provider_admin' || m.role === 'provider_worker') &&
      m.providerId !== a.providerId
    )
      continue;
    users.add(m.userId);
  }
  return [...users];
}

/**
 * Writes the notifications that are new (by user and dedupe key) and offers each new event to the
 * county's webhooks. Returns how many inbox entries were created.
 */
export async function notify(
  env: Bindings,
  county: { slug: string },
  countyDb: CountyDb,
  items: readonly NewNotification[],
  members?: readonly MembershipRow[],
): Promise<number> {
  if (items.length === 0) return 0;
  const all = members ?? (await countyMemberships(env, county.slug));
  const rows = items.flatMap((n) =>
    recipients(all, n.audience).map((userId) => ({
      id: newId(),
      userId,
      county: county.slug,
      kind: n.kind,
      titleZh: n.titleZh,
      titleEn: n.titleEn,
      link: n.link ?? null,
      dedupeKey: `${county.slug}:${n.dedupeKey}`,
    })),
  );
  const db = controlDb(env);
  let created = 0;
  for (const chunk of chunkForParams(rows, 8)) {
    const inserted = await db
      .insert(notifications)
      .values(chunk)
      .onConflictDoNothing()
      .returning({ id: notifications.id });
    created += inserted.length;
  }
  for (const n of items) {
    await enqueueWebhookEvent(env, county.slug, countyDb, {
      kind: n.kind,
      eventKey: n.dedupeKey,
      text: n.titleZh,
      link: n.link,
    });
  }
  return created;
}
