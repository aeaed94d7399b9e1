import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export type FieldError = { path: string; message: string };

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  423: 'Locked',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * A failure the caller should see as problem+json. Services throw it; the app's error handler
 * turns it into the response, so no handler has to format errors itself.
 */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export const notFound = (what = 'resource') => new Problem(404, `The ${what} does not exist.`);
export const forbidden = (detail = 'You may not do this.') => new Problem(403, detail);
export const invalid = (errors: FieldError[], detail = 'The request is not valid.') =>
  new Problem(400, detail, { errors });
export const conflict = (detail: string) => new Problem(409, detail);

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  extra: Problem['extra'] = {},
): Response {
  const body = {
    type: extra.type ?? `https://bangjiao.example/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    requestId: c.get('requestId') ?? null,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  // Through the context, so headers set earlier in the request (request id, CSP…) are kept.
  return c.body(JSON.stringify(body), status, {
    'content-type': 'application/problem+json; charset=utf-8',
    ...extra.headers,
  });
}

/** zod issues as API.md's `errors`: dotted body paths, query parameters by name. */
export function zodFieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
