import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { auditStatement } from '../audit/audit';
import { appConfig } from '../config';
import { controlDb } from '../db';
import { Problem } from '../lib/problem';
import { createRouter } from '../lib/router';
import { jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { SESSION_COOKIE } from './middleware';
import { ROLES } from './roles';
import { publicUser, signIn } from './service';
import { revokeSession } from './sessions';

const UserSchema = z.object({ id: z.string(), login: z.string(), displayName: z.string() }).openapi('User');
export const MembershipSchema = z
  .object({
    id: z.string(),
    county: z.string().nullable(),
    role: z.enum(ROLES),
    providerId: z.string().optional(),
    townshipIds: z.array(z.string()).optional(),
  })
  .openapi('Membership');
const MeSchema = z.object({ user: UserSchema, memberships: z.array(MembershipSchema) });

const LoginBody = z.strictObject({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});

const INVALID_LOGIN = 'The login or password is wrong.';

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tags: ['Auth'],
      summary: 'Sign in; returns an access token and sets the session cookie',
      request: { body: jsonBody(LoginBody) },
      responses: {
        200: jsonResponse(
          'Signed in',
          MeSchema.extend({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number() }),
        ),
        400: STANDARD_ERRORS[400],
        401: problemDoc(INVALID_LOGIN),
        429: problemDoc('Locked after repeated failures'),
      },
    }),
    async (c) => {
      const cfg = appConfig(c.env);
      const result = await signIn(c.env, cfg, { ...c.req.valid('json'), requestId: c.get('requestId') });
      if (!result.ok) {
        if (result.reason === 'locked') {
          throw new Problem(429, 'Too many failed sign-ins; try again later.', {
            headers: { 'retry-after': String(result.retryAfterSeconds ?? 60) },
          });
        }
        throw new Problem(401, INVALID_LOGIN);
      }
      const v = result.value;
      setCookie(c, SESSION_COOKIE, v.cookieSecret, {
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
        maxAge: cfg.sessionAbsoluteHours * 3600,
      });
      return c.json(
        {
          accessToken: v.accessToken,
          tokenType: 'Bearer' as const,
          expiresIn: v.expiresIn,
          user: v.user,
          memberships: v.memberships,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/logout',
      tags: ['Auth'],
      summary: 'End the session; its access tokens stop working at once',
      responses: { 204: { description: 'Signed out' }, 401: STANDARD_ERRORS[401] },
    }),
    async (c) => {
      const principal = c.get('principal')!;
      await revokeSession(controlDb(c.env), principal.session.id);
      await c.env.CONTROL_DB.batch([
        auditStatement(c.env.CONTROL_DB, {
          actorUserId: principal.user.id,
          action: 'auth.logout',
          targetType: 'session',
          targetId: principal.session.id,
          requestId: c.get('requestId'),
        }),
      ]);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me',
      tags: ['Auth'],
      summary: 'The signed-in user and their memberships',
      responses: { 200: jsonResponse('The caller', MeSchema), 401: STANDARD_ERRORS[401] },
    }),
    (c) => {
      const principal = c.get('principal')!;
      return c.json({ user: publicUser(principal.user), memberships: principal.memberships }, 200);
    },
  );
