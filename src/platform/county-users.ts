/**
 * A county's users and memberships, managed by that county's bureau admin (and by the platform
 * operator when onboarding). A user is one global identity: adding an existing login to another
 * county only adds a membership.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { hashPassword, PASSWORD_MIN_LENGTH, PASSWORD_RULE } from '../auth/passwords';
import { COUNTY_ROLES, type CountyRole, PROVIDER_ROLES } from '../auth/roles';
import { MembershipSchema } from '../auth/routes';
import { normalizeLogin, publicUser } from '../auth/service';
import { toMembership } from '../auth/sessions';
import { controlDb } from '../db';
import { memberships, platformAuditLog, providerCounties, users } from '../db/control-schema';
import { auditBy, type Ctx, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { townships } from '../townships/schema';

/** Roles whose work is limited to some townships of the county. */
const TOWNSHIP_ROLES: readonly CountyRole[] = ['office_officer'];

const Scope = {
  role: z.enum(COUNTY_ROLES),
  providerId: z.string().min(1).max(64).optional(),
  townshipIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
};

export const NewMember = z.strictObject({
  login: z
    .string()
    .trim()
    .min(3)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dots, dashes and underscores'),
  displayName: z.string().trim().min(1).max(50).optional(),
  password: z.string().min(PASSWORD_MIN_LENGTH, PASSWORD_RULE.en).max(200).optional(),
  ...Scope,
});

export const MembershipPatch = z
  .strictObject({
    role: Scope.role.optional(),
    providerId: Scope.providerId.nullable(),
    townshipIds: Scope.townshipIds.nullable(),
  })
  .partial();

const MemberSchema = z
  .object({
    id: z.string(),
    login: z.string(),
    displayName: z.string(),
    status: z.enum(['active', 'disabled']),
    memberships: z.array(MembershipSchema),
  })
  .openapi('CountyMember');

const MembershipParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

/** Provider roles need a provider serving this county; township roles need townships of it. */
async function checkScope(
  c: Ctx,
  scope: { role: CountyRole; providerId?: string | null; townshipIds?: string[] | null },
): Promise<void> {
  const county = c.var.county.slug;
  const isProviderRole = PROVIDER_ROLES.includes(scope.role);
  if (isProviderRole && !scope.providerId) {
    throw invalid([{ path: 'providerId', message: `required for role ${scope.role}` }]);
  }
  if (!isProviderRole && scope.providerId) {
    throw invalid([{ path: 'providerId', message: `only provider roles have a provider` }]);
  }
  if (scope.providerId) {
    const served = await controlDb(c.env)
      .select()
      .from(providerCounties)
      .where(and(eq(providerCounties.providerId, scope.providerId), eq(providerCounties.county, county)))
      .limit(1);
    if (!served[0])
      throw invalid([{ path: 'providerId', message: 'no provider with this id serves this county' }]);
  }
  const isTownshipRole = TOWNSHIP_ROLES.includes(scope.role);
  if (isTownshipRole && !scope.townshipIds?.length) {
    throw invalid([{ path: 'townshipIds', message: `required for role ${scope.role}` }]);
  }
  if (!isTownshipRole && scope.townshipIds?.length) {
    throw invalid([{ path: 'townshipIds', message: `role ${scope.role} is not township-scoped` }]);
  }
  if (scope.townshipIds?.length) {
    const found = await c.var.countyDb
      .select({ id: townships.id })
      .from(townships)
      .where(inArray(townships.id, scope.townshipIds));
    const known = new Set(found.map((t) => t.id));
    const unknown = scope.townshipIds.findIndex((id) => !known.has(id));
    if (unknown >= 0)
      throw invalid([{ path: `townshipIds.${unknown}`, message: 'no such township in this county' }]);
  }
}

async function membershipInCounty(c: Ctx, id: string) {
  const row = (
    await controlDb(c.env)
      .select()
      .from(memberships)
      .where(and(eq(memberships.id, id), eq(memberships.county, c.var.county.slug)))
      .limit(1)
  )[0];
  if (!row) throw notFound('membership');
  return row;
}

export async function listMembers(c: Ctx) {
  const rows = await controlDb(c.env)
    .select({ user: users, m: memberships })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.county, c.var.county.slug));
  const byUser = new Map<string, z.infer<typeof MemberSchema>>();
  for (const { user, m } of rows) {
    const entry = byUser.get(user.id) ?? { ...publicUser(user), status: user.status, memberships: [] };
    entry.memberships.push(toMembership(m));
    byUser.set(user.id, entry);
  }
  const items = [...byUser.values()].sort((a, b) => a.login.localeCompare(b.login));
  return items;
}

export async function grantMembership(c: Ctx, body: z.infer<typeof NewMember>) {
  await checkScope(c, body);
  const db = controlDb(c.env);
  const login = normalizeLogin(body.login);
  const existing = (await db.select().from(users).where(eq(users.login, login)).limit(1))[0];
  if (existing && body.password) {
    throw invalid([{ path: 'password', message: 'an existing user keeps their password; leave it out' }]);
  }
  if (!existing && !body.displayName)
    throw invalid([{ path: 'displayName', message: 'required for a new user' }]);
  if (!existing && !body.password) throw invalid([{ path: 'password', message: 'required for a new user' }]);
  const user = existing ?? {
    id: newId(),
    login,
    displayName: body.displayName!,
    passwordHash: await hashPassword(body.password!, c.env.PASSWORD_PEPPER),
    status: 'active' as const,
  };
  const membership = {
    id: newId(),
    userId: user.id,
    county: c.var.county.slug,
    role: body.role,
    providerId: body.providerId ?? null,
    townshipIds: body.townshipIds ?? null,
    createdBy: c.var.principal!.user.id,
  };
  const audit = (action: string, targetType: string, targetId: string, detail?: Record<string, unknown>) =>
    db.insert(platformAuditLog).values(auditValues(auditBy(c, { action, targetType, targetId, detail })));
  try {
    if (existing) {
      await db.batch([
        db.insert(memberships).values(membership),
        audit('membership.grant', 'membership', membership.id, {
          county: membership.county,
          role: body.role,
        }),
      ]);
    } else {
      await db.batch([
        db.insert(users).values({ ...user, passwordHash: (user as { passwordHash: string }).passwordHash }),
        db.insert(memberships).values(membership),
        audit('user.create', 'user', user.id),
        audit('membership.grant', 'membership', membership.id, {
          county: membership.county,
          role: body.role,
        }),
      ]);
    }
  } catch (e) {
    if (String(e).includes('UNIQUE')) throw conflict('This user already has this role in this county.');
    throw e;
  }
  sealLater(c, c.env.CONTROL_DB);
  return {
    user: { ...publicUser(user), status: user.status },
    membership: toMembership({ ...membership, createdAt: '' }),
  };
}

export async function updateMembership(c: Ctx, id: string, patch: z.infer<typeof MembershipPatch>) {
  const current = await membershipInCounty(c, id);
  if (current.role === 'platform_operator') throw notFound('membership');
  const next = {
    role: (patch.role ?? current.role) as CountyRole,
    providerId: patch.providerId === undefined ? current.providerId : patch.providerId,
    townshipIds: patch.townshipIds === undefined ? current.townshipIds : patch.townshipIds,
  };
  await checkScope(c, next);
  const db = controlDb(c.env);
  const [updated] = await db.batch([
    db.update(memberships).set(next).where(eq(memberships.id, id)).returning(),
    db.insert(platformAuditLog).values(
      auditValues(
        auditBy(c, {
          action: 'membership.update',
          targetType: 'membership',
          targetId: id,
          detail: {
            county: current.county,
            from: current.role,
            to: next.role,
            fields: Object.keys(patch),
          },
        }),
      ),
    ),
  ]);
  sealLater(c, c.env.CONTROL_DB);
  return toMembership(updated[0]!);
}

export async function revokeMembership(c: Ctx, id: string) {
  const current = await membershipInCounty(c, id);
  const db = controlDb(c.env);
  await db.batch([
    db.delete(memberships).where(eq(memberships.id, id)),
    db.insert(platformAuditLog).values(
      auditValues(
        auditBy(c, {
          action: 'membership.revoke',
          targetType: 'membership',
          targetId: id,
          detail: { county: current.county, role: current.role },
        }),
      ),
    ),
  ]);
  sealLater(c, c.env.CONTROL_DB);
}

export const countyUserRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/users',
      tags: ['County'],
      summary: "The county's users and their roles in it",
      request: { params: CountyParam },
      responses: {
        200: jsonResponse('Members', z.object({ items: z.array(MemberSchema) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listMembers(c) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/users',
      tags: ['County'],
      summary: 'Give a user a role in this county, creating the user when the login is new',
      request: { params: CountyParam, body: jsonBody(NewMember) },
      responses: {
        201: jsonResponse(
          'Membership granted',
          z.object({ user: MemberSchema.omit({ memberships: true }), membership: MembershipSchema }),
        ),
        409: problemDoc('The user already has this role here'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json(await grantMembership(c, c.req.valid('json')), 201),
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/memberships/{id}',
      tags: ['County'],
      summary: "Change a membership's role or scope; takes effect on the user's next request",
      request: { params: MembershipParam, body: jsonBody(MembershipPatch) },
      responses: { 200: jsonResponse('Updated', MembershipSchema), ...STANDARD_ERRORS },
    }),
    async (c) => c.json(await updateMembership(c, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/counties/{county}/memberships/{id}',
      tags: ['County'],
      summary: 'Withdraw a membership; takes effect on the next request',
      request: { params: MembershipParam },
      responses: { 204: { description: 'Withdrawn' }, ...STANDARD_ERRORS },
    }),
    async (c) => {
      await revokeMembership(c, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
