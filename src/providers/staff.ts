/**
 * Control-plane facts county services need about providers and their staff: whether a provider
 * serves a county, and which roles a user holds there. Services receive the control database as
 * an argument, so they stay free of Hono.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { CountyRole } from '../auth/roles';
import type { ControlDb } from '../db';
import { memberships, providerCounties, users } from '../db/control-schema';

export async function providerServesCounty(control: ControlDb, providerId: string, county: string) {
  const row = await control
    .select({ providerId: providerCounties.providerId })
    .from(providerCounties)
    .where(and(eq(providerCounties.providerId, providerId), eq(providerCounties.county, county)))
    .limit(1);
  return row.length > 0;
}

export type StaffRole = { userId: string; role: string; providerId: string | null };

/** The roles the given (active) users hold in a county; users without one are absent. */
export async function rolesInCounty(
  control: ControlDb,
  county: string,
  userIds: readonly string[],
  roles: readonly CountyRole[],
): Promise<StaffRole[]> {
  if (userIds.length === 0) return [];
  return control
    .select({ userId: memberships.userId, role: memberships.role, providerId: memberships.providerId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        inArray(memberships.userId, [...new Set(userIds)].slice(0, 50)),
        eq(memberships.county, county),
        inArray(memberships.role, [...roles]),
        eq(users.status, 'active'),
      ),
    );
}

/** Whether the user works for `providerId` in `county` in one of `roles`. */
export async function isProviderStaff(
  control: ControlDb,
  county: string,
  userId: string,
  providerId: string,
  roles: readonly CountyRole[],
) {
  const found = await rolesInCounty(control, county, [userId], roles);
  return found.some((r) => r.providerId === providerId);
}
